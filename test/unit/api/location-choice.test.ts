import { chooseLocation, needsLocationList } from "../../../services/api/location-choice";
import type { StaffIdentity } from "../../../lib/roles";

const waiter: StaffIdentity = { id: "w", username: "w", name: "W", role: "waiter", location: "east" };
const owner: StaffIdentity = { id: "admin", username: "admin", name: "A", role: "owner" };
const GROUP = ["east", "main"];

describe("choosing a request's location", () => {
  it("puts a staff member in their own location, without asking for the list", () => {
    expect(needsLocationList({ staff: waiter, needed: true })).toBe(false);
    expect(chooseLocation({ staff: waiter, needed: true })).toEqual({ location: "east" });
    expect(chooseLocation({ staff: waiter, asked: "east", needed: true })).toEqual({ location: "east" });
  });

  it("answers a member naming another location as if it did not exist", () => {
    expect(chooseLocation({ staff: waiter, asked: "main", needed: true }, GROUP)).toEqual({
      refused: "unknown",
      asked: "main",
    });
  });

  it("lets an owner name any location of the group, and no other", () => {
    expect(needsLocationList({ staff: owner, needed: true })).toBe(true);
    expect(chooseLocation({ staff: owner, asked: "main", needed: true }, GROUP)).toEqual({ location: "main" });
    expect(chooseLocation({ staff: owner, asked: "west", needed: true }, GROUP)).toEqual({
      refused: "unknown",
      asked: "west",
    });
  });

  it("needs an owner to name the location in a group of several, unless the action is the group's", () => {
    expect(chooseLocation({ staff: owner, needed: true }, GROUP)).toEqual({ refused: "required" });
    expect(chooseLocation({ staff: owner, needed: false }, GROUP)).toEqual({});
  });

  it("looks up no list for anyone's request of the whole group that names none (a login)", () => {
    expect(needsLocationList({ needed: false })).toBe(false);
    expect(needsLocationList({ needed: true })).toBe(true);
    expect(needsLocationList({ needed: false, asked: "east" })).toBe(true);
    expect(needsLocationList({ staff: owner, needed: false })).toBe(true);
  });

  it("takes the only location of a group of one, for owners and anyone", () => {
    expect(chooseLocation({ staff: owner, needed: true }, ["main"])).toEqual({ location: "main" });
    expect(chooseLocation({ needed: true }, ["main"])).toEqual({ location: "main" });
    expect(chooseLocation({ needed: true }, GROUP)).toEqual({ refused: "required" });
    expect(chooseLocation({ asked: "east", needed: true }, GROUP)).toEqual({ location: "east" });
  });
});
