/**
 * Locations through HTTP (API-service.md §1): the owner, `main`, staff placed in one location,
 * X-Brigade-Location and LOCATION_REQUIRED, the public menu's `?location=`, and the move of a
 * single restaurant's staff into `main`.
 */
import jwt from "jsonwebtoken";
import { startBrigade, type Brigade } from "../support/brigade";
import type { StaffDoc } from "../../services/staff/staff";
import type { Store } from "../../lib/store";

let b: Brigade;
const asOwner = (location?: string): { token: string; headers: Record<string, string> } => ({
  token: b.adminToken,
  headers: location ? { "x-brigade-location": location } : {},
});

async function member(role: string, location: string, username: string, token = b.adminToken): Promise<string> {
  const password = `pw-${username}-secret`;
  const res = await b.request("POST", "/api/staff", {
    token,
    body: { username, name: `Test ${role}`, role, password, location },
  });
  expect(res.status).toBe(201);
  return b.login(username, password);
}

beforeAll(async () => {
  b = await startBrigade({ services: ["api", "staff", "menu", "inventory", "orders", "billing"] });
});
afterAll(() => b.stop());

describe("a restaurant of one location", () => {
  it("starts with the location main, and the admin an owner of none", async () => {
    const me = await b.request("GET", "/api/auth/me", { token: b.adminToken });
    expect(me.body).toMatchObject({ username: "admin", role: "owner", location: null });
    const list = await b.request("GET", "/api/locations", { token: b.adminToken });
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 1, page: 1, totalPages: 1 });
    expect(list.body.rows[0]).toEqual({
      id: "main",
      name: "Main",
      timezone: expect.any(String),
      currency: "EUR",
      taxMode: "inclusive",
      taxRates: [],
      serviceChargeBps: 0,
      serviceChargeMinCovers: 0,
    });
  });

  it("needs no header and no ?location=: everything acts in main", async () => {
    expect((await b.request("GET", "/api/orders", { token: b.adminToken })).status).toBe(200);
    expect((await b.request("GET", "/api/dishes")).status).toBe(200);
    const waiter = await b.tokenFor("waiter");
    expect(jwt.decode(waiter)).toMatchObject({ role: "waiter", loc: "main" });
    const mine = await b.request("GET", "/api/locations", { token: waiter });
    expect(mine.body.rows.map((l: { id: string }) => l.id)).toEqual(["main"]);
  });

  it("moves staff from before locations into main, once, and makes the admin an owner", async () => {
    const staff = b.broker.getLocalService("staff") as unknown as {
      store: Store<StaffDoc>;
      ensureLocations(): Promise<void>;
    };
    await member("chef", "main", "old-chef");
    // What a version before locations left behind: no location, and an admin who was a manager.
    await staff.store.update({ _id: "old-chef" }, { $unset: { location: 1 } });
    await staff.store.update({ _id: "admin" }, { $set: { role: "manager" } });
    await staff.ensureLocations();
    expect(await staff.store.get("old-chef")).toMatchObject({ location: "main", role: "chef" });
    expect((await staff.store.get("admin"))?.role).toBe("owner");
    expect((await staff.store.get("admin"))?.location).toBeUndefined();
    const before = await staff.store.find({}, { sort: ["_id"] });
    await staff.ensureLocations();
    expect(await staff.store.find({}, { sort: ["_id"] })).toEqual(before);
  });
});

describe("a group of two locations", () => {
  let eastManager: string;
  let eastWaiter: string;

  beforeAll(async () => {
    const created = await b.request("POST", "/api/locations", {
      token: b.adminToken,
      body: {
        id: "east",
        name: "Brigade East",
        timezone: "America/New_York",
        currency: "USD",
        taxMode: "exclusive",
        taxRates: [{ id: "food", name: "Food", bps: 887 }],
      },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe("/api/locations/east");
    expect(created.body).toMatchObject({ id: "east", currency: "USD", serviceChargeBps: 0 });
    eastManager = await member("manager", "east", "east-manager");
    eastWaiter = await member("waiter", "east", "east-waiter");
  });

  it("refuses a second location of the same id, and bad fields, with the field named", async () => {
    const again = await b.request("POST", "/api/locations", { token: b.adminToken, body: { id: "east", name: "X" } });
    expect(again.status).toBe(409);
    expect(again.body.type).toBe("LOCATION_EXISTS");
    for (const [body, field] of [
      [{ id: "East!", name: "X" }, "id"],
      [{ id: "west", name: "X", timezone: "Mars/Olympus" }, "timezone"],
      [{ id: "west", name: "X", currency: "eur" }, "currency"],
      [{ id: "west", name: "X", taxMode: "sometimes" }, "taxMode"],
      [{ id: "west", name: "X", serviceChargeBps: 10_001 }, "serviceChargeBps"],
      [{ id: "west", name: "X", taxRates: [{ id: "a", name: "A", bps: 1.5 }] }, "taxRates[0].bps"],
      [{ id: "west", name: "X\u001b[2J" }, "name"],
      [{ id: "west", name: "X", taxRates: [{ id: "a", name: "A", bps: 100, extra: 1 }] }, "taxRates[0]"],
    ] as const) {
      const res = await b.request("POST", "/api/locations", { token: b.adminToken, body });
      expect(res.status).toBe(422);
      expect(res.body.data.map((p: { field: string }) => p.field)).toContain(field);
    }
    const twice = await b.request("POST", "/api/locations", {
      token: b.adminToken,
      body: {
        id: "west",
        name: "X",
        taxRates: [
          { id: "a", name: "A", bps: 100 },
          { id: "a", name: "B", bps: 200 },
        ],
      },
    });
    expect(twice.status).toBe(422);
    expect(twice.body.data[0]).toMatchObject({ field: "taxRates", type: "duplicate" });
    const list = await b.request("GET", "/api/locations", { token: b.adminToken });
    expect(list.body.rows.map((l: { id: string }) => l.id)).toEqual(["east", "main"]);
  });

  it("lets only an owner create a location; a manager edits their own, and another is 404", async () => {
    const byManager = await b.request("POST", "/api/locations", { token: eastManager, body: { id: "x1", name: "X" } });
    expect(byManager.status).toBe(403);
    const own = await b.request("PATCH", "/api/locations/east", {
      token: eastManager,
      body: { serviceChargeBps: 1250, serviceChargeMinCovers: 6 },
    });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: "east", serviceChargeBps: 1250, serviceChargeMinCovers: 6 });
    const other = await b.request("PATCH", "/api/locations/main", { token: eastManager, body: { name: "Mine" } });
    expect(other.status).toBe(404);
    expect(
      (await b.request("PATCH", "/api/locations/nowhere", { token: b.adminToken, body: { name: "N" } })).status,
    ).toBe(404);
    const seen = await b.request("GET", "/api/locations", { token: eastWaiter });
    expect(seen.body.rows.map((l: { id: string }) => l.id)).toEqual(["east"]);
  });

  it("asks an owner which location a restaurant route acts in, and refuses one that does not exist", async () => {
    const missing = await b.request("GET", "/api/orders", asOwner());
    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({ type: "LOCATION_REQUIRED", data: { locations: ["east", "main"] } });
    expect((await b.request("GET", "/api/orders", asOwner("east"))).status).toBe(200);
    const unknown = await b.request("GET", "/api/orders", asOwner("atlantis"));
    expect(unknown.status).toBe(404);
    expect(unknown.body.type).toBe("NOT_FOUND");
    // What the whole group owns needs no location.
    expect((await b.request("GET", "/api/staff", asOwner())).status).toBe(200);
    expect((await b.request("GET", "/api/locations", asOwner())).status).toBe(200);
  });

  it("answers a member naming another location's header as if it did not exist", async () => {
    expect((await b.request("GET", "/api/orders", { token: eastWaiter })).status).toBe(200);
    const other = await b.request("GET", "/api/orders", {
      token: eastWaiter,
      headers: { "x-brigade-location": "main" },
    });
    expect(other.status).toBe(404);
    expect(other.body.type).toBe("NOT_FOUND");
  });

  it("serves the public menu of the location named by ?location=, and asks for one in a group", async () => {
    const missing = await b.request("GET", "/api/dishes");
    expect(missing.status).toBe(422);
    expect(missing.body.type).toBe("LOCATION_REQUIRED");
    expect((await b.request("GET", "/api/dishes?location=main")).status).toBe(200);
    expect((await b.request("GET", "/api/dishes?location=atlantis")).status).toBe(404);
  });

  it("places staff: an owner names the location, a manager's staff get the manager's", async () => {
    const unnamed = await b.request("POST", "/api/staff", {
      token: b.adminToken,
      body: { username: "nowhere-chef", name: "N", role: "chef", password: "password-123" },
    });
    expect(unnamed.status).toBe(422);
    expect(unnamed.body.data[0].field).toBe("location");
    const byHeader = await b.request("POST", "/api/staff", {
      ...asOwner("east"),
      body: { username: "header-chef", name: "H", role: "chef", password: "password-123" },
    });
    expect(byHeader.body).toMatchObject({ location: "east" });
    const unknown = await b.request("POST", "/api/staff", {
      token: b.adminToken,
      body: { username: "atlantis-chef", name: "A", role: "chef", password: "password-123", location: "atlantis" },
    });
    expect(unknown.status).toBe(404);

    const mine = await b.request("POST", "/api/staff", {
      token: eastManager,
      body: { username: "east-cashier", name: "C", role: "cashier", password: "password-123" },
    });
    expect(mine.status).toBe(201);
    expect(mine.body.location).toBe("east");
    const foreign = await b.request("POST", "/api/staff", {
      token: eastManager,
      body: { username: "main-cashier", name: "C", role: "cashier", password: "password-123", location: "main" },
    });
    expect(foreign.status).toBe(404);
    const anOwner = await b.request("POST", "/api/staff", {
      token: eastManager,
      body: { username: "east-owner", name: "O", role: "owner", password: "password-123" },
    });
    expect(anOwner.status).toBe(403);
    const all = await b.request("GET", "/api/staff?pageSize=100", { token: b.adminToken });
    expect(all.body.rows.map((s: { username: string }) => s.username)).not.toContain("east-owner");
  });

  it("shows a manager only their location's staff, and hides the others as 404", async () => {
    const mainChef = await b.request("POST", "/api/staff", {
      token: b.adminToken,
      body: { username: "main-chef", name: "M", role: "chef", password: "password-123", location: "main" },
    });
    expect(mainChef.status).toBe(201);
    const list = await b.request("GET", "/api/staff?pageSize=100", { token: eastManager });
    const locations = new Set(list.body.rows.map((s: { location: string }) => s.location));
    expect([...locations]).toEqual(["east"]);
    expect(list.body.rows.map((s: { username: string }) => s.username)).not.toContain("admin");
    for (const [method, path, body] of [
      ["PATCH", "/api/staff/main-chef", { name: "Taken" }],
      ["DELETE", "/api/staff/main-chef", undefined],
      ["PATCH", "/api/staff/admin", { name: "Taken" }],
    ] as const) {
      const res = await b.request(method, path, { token: eastManager, body });
      expect(res.status).toBe(404);
    }
    const all = await b.request("GET", "/api/staff?pageSize=100", { token: b.adminToken });
    expect(all.body.rows.find((s: { username: string }) => s.username === "main-chef")).toMatchObject({
      name: "M",
      active: true,
    });
  });

  it("lets only an owner move a member, and the move ends the member's sessions", async () => {
    const password = "pw-mover-secret";
    await b.request("POST", "/api/staff", {
      token: b.adminToken,
      body: { username: "mover", name: "Mo", role: "waiter", password, location: "main" },
    });
    const token = await b.login("mover", password);
    const byManager = await b.request("PATCH", "/api/staff/east-waiter", {
      token: eastManager,
      body: { location: "main" },
    });
    expect(byManager.status).toBe(403);
    const moved = await b.request("PATCH", "/api/staff/mover", { token: b.adminToken, body: { location: "east" } });
    expect(moved.body).toMatchObject({ username: "mover", location: "east" });
    expect((await b.request("GET", "/api/orders", { token })).status).toBe(401);
    const again = await b.login("mover", password);
    expect(jwt.decode(again)).toMatchObject({ loc: "east" });
  });
});
