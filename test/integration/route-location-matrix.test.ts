/**
 * Route × role × location: every route of services/api/routes.ts, called by the staff of
 * another location (east) against main's things. A route that addresses one thing answers 404
 * for main's (as if it did not exist) and changes nothing; a list shows none of main's; a
 * creation lands in east; what belongs to the whole group says why it is the same everywhere.
 * A route added to routes.ts without a row here fails.
 */
import { API_ROUTES } from "../../services/api/routes";
import { startBrigade, type Brigade } from "../support/brigade";
import { eventually, fastKitchen } from "../support/meal";
import { snapshotStores } from "../security/support/store-snapshot";

type Thing = "staff" | "location" | "dish" | "ingredient" | "purchaseOrder" | "order" | "ticket" | "bill" | "table";
/** How the route holds across locations. */
type Rule =
  | { kind: "foreign-id"; thing: Thing; role: string; body?: object }
  | { kind: "list"; role: string; shows: Thing }
  | { kind: "group"; why: string }
  | { kind: "own"; role: string; body: (main: Fixture) => object; answers: (main: Fixture) => number };

interface Fixture {
  ids: Record<Thing, string>;
  /** A main dish and a main table with something served on it. */
  table: string;
}

const EXPECTED: Record<string, Rule> = {
  "POST /auth/login": { kind: "group", why: "anyone logs in; the account says where they work" },
  "GET /auth/me": { kind: "group", why: "the caller, wherever they work" },
  "GET /staff": { kind: "list", role: "manager", shows: "staff" },
  "POST /staff": { kind: "group", why: "a manager's new staff are the manager's location's (locations.test.ts)" },
  "PATCH /staff/:id": { kind: "foreign-id", thing: "staff", role: "manager", body: { name: "Taken over" } },
  "DELETE /staff/:id": { kind: "foreign-id", thing: "staff", role: "manager" },
  "GET /locations": { kind: "list", role: "waiter", shows: "location" },
  "POST /locations": { kind: "group", why: "only an owner creates a location (403 for everyone else)" },
  "PATCH /locations/:id": { kind: "foreign-id", thing: "location", role: "manager", body: { name: "Mine now" } },
  "GET /dishes": { kind: "list", role: "waiter", shows: "dish" },
  "GET /dishes/:id": { kind: "foreign-id", thing: "dish", role: "waiter" },
  "POST /dishes": {
    kind: "own",
    role: "manager",
    // Main's ingredient is no ingredient of east's: the recipe is refused.
    body: (main) => ({
      name: "Borrowed soup",
      category: "soups",
      priceCents: 500,
      station: "cold",
      prepSeconds: 60,
      recipe: [{ ingredient: main.ids.ingredient, qty: 1 }],
    }),
    answers: () => 422,
  },
  "PATCH /dishes/:id": { kind: "foreign-id", thing: "dish", role: "manager", body: { priceCents: 1 } },
  "DELETE /dishes/:id": { kind: "foreign-id", thing: "dish", role: "manager" },
  "GET /ingredients": { kind: "list", role: "purchaser", shows: "ingredient" },
  "GET /ingredients/:id": { kind: "foreign-id", thing: "ingredient", role: "purchaser" },
  "POST /ingredients": {
    kind: "own",
    role: "purchaser",
    body: () => ({ name: "East salt", unit: "g", onHand: 10 }),
    answers: () => 201,
  },
  "PATCH /ingredients/:id": { kind: "foreign-id", thing: "ingredient", role: "purchaser", body: { onHand: 1 } },
  "GET /purchase-orders": { kind: "list", role: "purchaser", shows: "purchaseOrder" },
  "POST /purchase-orders": {
    kind: "own",
    role: "purchaser",
    body: (main) => ({ lines: [{ ingredient: main.ids.ingredient, qty: 5 }] }),
    answers: () => 422,
  },
  "POST /purchase-orders/:id/receive": { kind: "foreign-id", thing: "purchaseOrder", role: "purchaser" },
  "POST /orders": {
    kind: "own",
    role: "waiter",
    body: (main) => ({ table: main.table, lines: [{ dish: main.ids.dish, qty: 1 }] }),
    answers: () => 422,
  },
  "GET /orders": { kind: "list", role: "waiter", shows: "order" },
  "GET /orders/:id": { kind: "foreign-id", thing: "order", role: "waiter" },
  "POST /orders/:id/serve": { kind: "foreign-id", thing: "order", role: "waiter" },
  "POST /orders/:id/cancel": { kind: "foreign-id", thing: "order", role: "waiter", body: { reason: "not mine" } },
  "GET /tables": { kind: "list", role: "waiter", shows: "table" },
  "GET /tables/:id": { kind: "foreign-id", thing: "table", role: "cashier" },
  // East draws its own table "7": ids are the location's own, main's "7" is untouched.
  "POST /tables": {
    kind: "own",
    role: "manager",
    body: (main) => ({ name: main.table, area: "East room", seats: 2 }),
    answers: () => 201,
  },
  "PATCH /tables/:id": { kind: "foreign-id", thing: "table", role: "manager", body: { seats: 1 } },
  "DELETE /tables/:id": { kind: "foreign-id", thing: "table", role: "manager" },
  "POST /tables/:id/seat": { kind: "foreign-id", thing: "table", role: "waiter", body: { covers: 2 } },
  "POST /tables/:id/transfer": { kind: "foreign-id", thing: "table", role: "waiter", body: { to: "1" } },
  "GET /tickets": { kind: "list", role: "chef", shows: "ticket" },
  "POST /tickets/:id/bump": { kind: "foreign-id", thing: "ticket", role: "chef" },
  // Main's table has a served order; east's table of the same name has nothing to bill.
  "POST /bills": { kind: "own", role: "cashier", body: (main) => ({ table: main.table }), answers: () => 409 },
  "GET /bills": { kind: "list", role: "cashier", shows: "bill" },
  "GET /bills/:id": { kind: "foreign-id", thing: "bill", role: "cashier" },
  "POST /bills/:id/payments": {
    kind: "foreign-id",
    thing: "bill",
    role: "cashier",
    body: { method: "cash", amountCents: 100 },
  },
  "POST /bills/:id/refunds": {
    kind: "foreign-id",
    thing: "bill",
    role: "manager",
    body: { amountCents: 1, reason: "x" },
  },
  "GET /takings": { kind: "group", why: "east's takings count east's payments (location-isolation.test.ts)" },
  "POST /live/tickets": {
    kind: "group",
    why: "a ticket is for the caller's own location's events (live-streams.test.ts)",
  },
  "GET /cluster": { kind: "group", why: "the nodes serve the whole group" },
};

let b: Brigade;
const east: Record<string, string> = {};
let main: Fixture;

async function member(location: string, role: string): Promise<string> {
  const username = `${location}-${role}-m`;
  const password = `pw-${username}-secret`;
  const res = await b.request("POST", "/api/staff", {
    token: b.adminToken,
    body: { username, name: `${location} ${role}`, role, password, location },
  });
  expect(res.status).toBe(201);
  return b.login(username, password);
}

async function mainFixture(): Promise<Fixture> {
  const [waiter, cashier, purchaser] = [
    await member("main", "waiter"),
    await member("main", "cashier"),
    await member("main", "purchaser"),
  ];
  const dishes = (await b.request("GET", "/api/dishes", { token: waiter })).body.rows;
  const dish = dishes[0];
  const ingredient = dish.recipe[0].ingredient as string;
  const po = await b.request("POST", "/api/purchase-orders", {
    token: purchaser,
    body: { lines: [{ ingredient, qty: 5 }] },
  });
  // A table of the demo's floor plan (1–12).
  const table = "7";
  const first = await b.request("POST", "/api/orders", {
    token: waiter,
    body: { table, lines: [{ dish: dish.id, qty: 1 }] },
  });
  const id = first.body.id as string;
  await eventually(
    async () => (await b.request("GET", `/api/orders/${id}`, { token: waiter })).body.status === "ready",
    "ready",
  );
  await b.request("POST", `/api/orders/${id}/serve`, { token: waiter });
  const bill = await b.request("POST", "/api/bills", { token: cashier, body: { table } });
  // A second served order on the table, unbilled, so the table has something to bill.
  const second = await b.request("POST", "/api/orders", {
    token: waiter,
    body: { table, lines: [{ dish: dish.id, qty: 1 }] },
  });
  await eventually(
    async () => (await b.request("GET", `/api/orders/${second.body.id}`, { token: waiter })).body.status === "ready",
    "ready",
  );
  await b.request("POST", `/api/orders/${second.body.id}/serve`, { token: waiter });
  return {
    table,
    ids: {
      staff: "main-waiter-m",
      location: "main",
      dish: dish.id,
      ingredient,
      purchaseOrder: po.body.id,
      order: second.body.id,
      ticket: `${id}-0`,
      bill: bill.body.id,
      table,
    },
  };
}

beforeAll(async () => {
  b = await startBrigade({ env: { ...fastKitchen(4), BRIGADE_SEED: "true" } });
  main = await mainFixture();
  expect(Object.values(main.ids).every(Boolean)).toBe(true);
  const created = await b.request("POST", "/api/locations", {
    token: b.adminToken,
    body: { id: "east", name: "East" },
  });
  expect(created.status).toBe(201);
  for (const role of ["manager", "waiter", "chef", "cashier", "purchaser"]) east[role] = await member("east", role);
}, 60_000);
afterAll(() => b.stop());

describe("route × role × location", () => {
  it("has exactly one row per route, and none for a route that does not exist", () => {
    const routes = API_ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(routes.filter((r) => !(r in EXPECTED))).toEqual([]);
    expect(Object.keys(EXPECTED).filter((r) => !routes.includes(r))).toEqual([]);
  });

  it("answers another location's staff 404 for each of main's things, and changes nothing", async () => {
    const before = await snapshotStores(b.broker);
    const mismatches: string[] = [];
    for (const route of API_ROUTES) {
      const rule = EXPECTED[`${route.method} ${route.path}`];
      if (rule.kind !== "foreign-id") continue;
      const path = `/api${route.path.replace(":id", main.ids[rule.thing])}`;
      const res = await b.request(route.method, path, { token: east[rule.role], body: rule.body });
      if (res.status !== 404) mismatches.push(`${route.method} ${path} as east ${rule.role}: ${res.status}`);
    }
    expect(mismatches).toEqual([]);
    expect(await snapshotStores(b.broker)).toEqual(before);
  });

  it("lists none of main's things to another location's staff", async () => {
    const leaks: string[] = [];
    for (const route of API_ROUTES) {
      const rule = EXPECTED[`${route.method} ${route.path}`];
      if (rule.kind !== "list") continue;
      const res = await b.request("GET", `/api${route.path}?pageSize=100`, { token: east[rule.role] });
      const ids = (res.body.rows ?? []).map((row: { id?: string; username?: string }) => row.id ?? row.username);
      if (res.status !== 200 || ids.includes(main.ids[rule.shows]))
        leaks.push(`${route.path} as east ${rule.role}: ${res.status} ${ids.join(",")}`);
    }
    expect(leaks).toEqual([]);
  });

  it("creates in the caller's own location, never reaching main's things", async () => {
    const wrong: string[] = [];
    for (const route of API_ROUTES) {
      const rule = EXPECTED[`${route.method} ${route.path}`];
      if (rule.kind !== "own") continue;
      const res = await b.request(route.method, `/api${route.path}`, { token: east[rule.role], body: rule.body(main) });
      if (res.status !== rule.answers(main))
        wrong.push(`${route.method} ${route.path}: ${res.status} ${res.body?.type}`);
    }
    expect(wrong).toEqual([]);
    const mine = await b.request("GET", "/api/ingredients", { token: east.purchaser });
    expect(mine.body.rows.map((i: { name: string }) => i.name)).toEqual(["East salt"]);
    const tables = await b.request("GET", "/api/tables", { token: east.waiter });
    expect(tables.body.rows.map((t: { id: string; area: string }) => [t.id, t.area])).toEqual([["7", "East room"]]);
  });
});
