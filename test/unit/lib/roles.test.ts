import { ANYONE, ANY_STAFF, decide, namedRoles, ROLES, type StaffIdentity, type Role } from "../../../lib/roles";

const as = (role: Role): StaffIdentity => ({ id: role, username: role, name: role, role });

describe("who may call what", () => {
  it("never exposes an action that declares no roles", () => {
    expect(decide(undefined, as("manager"))).toBe("not-exposed");
    expect(decide([], as("manager"))).toBe("not-exposed");
  });

  it("lets anyone call an `anyone` action, with or without a token", () => {
    expect(decide([ANYONE], undefined)).toBe("allow");
    expect(decide([ANYONE], as("chef"))).toBe("allow");
  });

  it("asks for a token before anything else", () => {
    expect(decide(["waiter"], undefined)).toBe("unauthenticated");
    expect(decide([ANY_STAFF], undefined)).toBe("unauthenticated");
  });

  it.each(ROLES)("lets a %s call any-staff actions", (role) => {
    expect(decide([ANY_STAFF], as(role))).toBe("allow");
  });

  it("allows the declared roles, managers and owners, and forbids the rest", () => {
    for (const role of ROLES) {
      const expected = ["waiter", "manager", "owner"].includes(role) ? "allow" : "forbidden";
      expect(decide(["waiter"], as(role))).toBe(expected);
    }
  });

  it("keeps what only an owner may do from a manager", () => {
    for (const role of ROLES) expect(decide(["owner"], as(role))).toBe(role === "owner" ? "allow" : "forbidden");
  });

  it("names the roles that would be allowed, managers and owners included", () => {
    expect(namedRoles(["waiter", ANYONE])).toEqual(["waiter", "manager", "owner"]);
    expect(namedRoles(["manager"])).toEqual(["manager", "owner"]);
    expect(namedRoles(["owner"])).toEqual(["owner"]);
  });
});
