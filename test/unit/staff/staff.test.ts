import { manages, movedMember, placeMember, type StaffDoc } from "../../../services/staff/staff";
import type { Role, StaffIdentity } from "../../../lib/roles";

const owner: StaffIdentity = { id: "admin", username: "admin", name: "A", role: "owner" };
const eastManager: StaffIdentity = { id: "m", username: "m", name: "M", role: "manager", location: "east" };

function member(role: Role, location?: string): StaffDoc {
  const now = new Date(0).toISOString();
  return {
    _id: `${role}-${location}`,
    username: `${role}-${location}`,
    name: "X",
    role,
    ...(location ? { location } : {}),
    passwordHash: "",
    active: true,
    tokenVersion: 1,
    createdAt: now,
    updatedAt: now,
  };
}

describe("who manages whom", () => {
  it("gives an owner every account", () => {
    for (const target of [member("waiter", "east"), member("manager", "main"), member("owner")])
      expect(manages(owner, target)).toBe(true);
  });

  it("gives a manager their own location's staff, never an owner nor another location's", () => {
    expect(manages(eastManager, member("chef", "east"))).toBe(true);
    expect(manages(eastManager, member("chef", "main"))).toBe(false);
    expect(manages(eastManager, member("owner"))).toBe(false);
    expect(manages(undefined, member("chef", "east"))).toBe(false);
  });
});

describe("where a new account belongs", () => {
  it("lets an owner place staff in a named location, and make owners of no location", () => {
    expect(placeMember(owner, "waiter", "main")).toEqual({ location: "main" });
    expect(placeMember(owner, "owner", "main")).toEqual({});
    expect(placeMember(owner, "waiter", undefined)).toEqual({ problem: "location-required" });
  });

  it("puts a manager's new staff in the manager's location", () => {
    expect(placeMember(eastManager, "chef", undefined)).toEqual({ location: "east" });
    expect(placeMember(eastManager, "chef", "east")).toEqual({ location: "east" });
    expect(placeMember(eastManager, "chef", "main")).toEqual({ problem: "foreign-location" });
    expect(placeMember(eastManager, "owner", undefined)).toEqual({ problem: "owner-only" });
  });
});

describe("where an account belongs after a change", () => {
  it("lets only an owner make an owner or move a member, and keeps an owner of no location", () => {
    const chef = member("chef", "east");
    expect(movedMember(owner, chef, { location: "main" })).toEqual({ location: "main" });
    expect(movedMember(owner, chef, { role: "owner" })).toEqual({});
    expect(movedMember(eastManager, chef, { location: "main" })).toEqual({ problem: "owner-only" });
    expect(movedMember(eastManager, chef, { role: "owner" })).toEqual({ problem: "owner-only" });
    expect(movedMember(eastManager, chef, { location: "east", role: "cashier" })).toEqual({ location: "east" });
    expect(movedMember(owner, member("owner"), { role: "waiter" })).toEqual({ problem: "location-required" });
  });
});
