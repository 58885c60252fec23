/**
 * Who may call what, proved over HTTP: every route of services/api/routes.ts, called without a
 * token and as each role, against the table below (written from API.md, not from the code).
 * A route added to routes.ts without a row here fails; so does a row for a route that is gone.
 */
import { API_ROUTES } from "../../services/api/routes";
import { ROLES, type Role } from "../../lib/roles";
import { startBrigade, type Brigade } from "../support/brigade";

type Allowed = "anyone" | "any staff" | readonly Role[];

const EXPECTED: Record<string, Allowed> = {
  "POST /auth/login": "anyone",
  "GET /auth/me": "any staff",

  "GET /staff": ["manager"],
  "POST /staff": ["manager"],
  "PATCH /staff/:id": ["manager"],
  "DELETE /staff/:id": ["manager"],

  "GET /locations": "any staff",
  "POST /locations": ["owner"],
  "PATCH /locations/:id": ["manager"],

  "GET /dishes": "anyone",
  "GET /dishes/:id": "anyone",
  "POST /dishes": ["manager"],
  "PATCH /dishes/:id": ["manager", "chef"],
  "DELETE /dishes/:id": ["manager"],

  "GET /ingredients": ["purchaser", "chef", "manager"],
  "GET /ingredients/:id": ["purchaser", "chef", "manager"],
  "POST /ingredients": ["purchaser", "manager"],
  "PATCH /ingredients/:id": ["purchaser", "manager"],

  "GET /purchase-orders": ["purchaser", "manager"],
  "POST /purchase-orders": ["purchaser", "manager"],
  "POST /purchase-orders/:id/receive": ["purchaser", "manager"],

  "POST /orders": ["waiter", "manager"],
  "GET /orders": ["waiter", "chef", "cashier", "manager"],
  "GET /orders/:id": ["waiter", "chef", "cashier", "manager"],
  "POST /orders/:id/serve": ["waiter", "manager"],
  "POST /orders/:id/cancel": ["waiter", "manager"],

  "GET /tables": ["waiter", "cashier", "manager"],
  "GET /tables/:id": ["waiter", "cashier", "manager"],
  "POST /tables": ["manager"],
  "PATCH /tables/:id": ["manager"],
  "DELETE /tables/:id": ["manager"],
  "POST /tables/:id/seat": ["waiter", "manager"],
  "POST /tables/:id/transfer": ["waiter", "manager"],

  "GET /tickets": ["chef", "manager"],
  "POST /tickets/:id/bump": ["chef", "manager"],

  "POST /bills": ["waiter", "cashier", "manager"],
  "GET /bills": ["waiter", "cashier", "manager"],
  "GET /bills/:id": ["waiter", "cashier", "manager"],
  "POST /bills/:id/payments": ["cashier", "manager"],
  "POST /bills/:id/refunds": ["manager"],
  "GET /takings": ["cashier", "manager"],

  "POST /live/tickets": "any staff",
  "GET /cluster": ["manager"],
};

type Caller = Role | "anonymous";
const CALLERS: Caller[] = ["anonymous", ...ROLES];

function expectedStatus(allowed: Allowed, caller: Caller): "allowed" | 401 | 403 {
  if (allowed === "anyone") return "allowed";
  if (caller === "anonymous") return 401;
  // An owner may do everything; a manager everything but what only an owner may.
  if (allowed === "any staff" || caller === "owner") return "allowed";
  if (caller === "manager" && allowed.some((role) => role !== "owner")) return "allowed";
  return allowed.includes(caller) ? "allowed" : 403;
}

describe("route × role matrix", () => {
  let b: Brigade;
  const tokens = new Map<Caller, string | undefined>();

  beforeAll(async () => {
    b = await startBrigade();
    tokens.set("anonymous", undefined);
    for (const role of ROLES) tokens.set(role, await b.tokenFor(role));
  });
  afterAll(() => b.stop());

  it("has exactly one expected row per route, and no row for a route that does not exist", () => {
    const routes = API_ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(routes.filter((r) => !(r in EXPECTED))).toEqual([]);
    expect(Object.keys(EXPECTED).filter((r) => !routes.includes(r))).toEqual([]);
  });

  it("answers every route, for every caller, with exactly the allowed / 401 / 403 of the table", async () => {
    const mismatches: string[] = [];
    let calls = 0;
    for (const route of API_ROUTES) {
      const allowed = EXPECTED[`${route.method} ${route.path}`];
      if (!allowed) continue; // reported by the test above
      // Ids nobody has: an allowed call ends in 404/422, never changes anything, never 401/403.
      const path = `/api${route.path.replace(/:id/g, "nobody-here")}`;
      for (const caller of CALLERS) {
        const token = tokens.get(caller);
        const res = await fetch(b.url + path, {
          method: route.method,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(route.method === "GET" ? {} : { "content-type": "application/json" }),
          },
          body: route.method === "GET" ? undefined : "{}",
        });
        // Only the status matters; a streaming route must not hold the test open.
        await res.body?.cancel();
        calls++;
        const want = expectedStatus(allowed, caller);
        const got = res.status === 401 || res.status === 403 ? res.status : "allowed";
        if (got !== want) mismatches.push(`${route.method} ${path} as ${caller}: expected ${want}, got ${res.status}`);
        if (res.status >= 500) mismatches.push(`${route.method} ${path} as ${caller}: server fault ${res.status}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(calls).toBe(API_ROUTES.length * CALLERS.length);
  });

  it("ignores a bad token on a route anyone may use, and refuses it everywhere else", async () => {
    const junk = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl";
    expect((await b.request("GET", "/api/dishes", { token: junk })).status).toBe(200);
    expect((await b.request("GET", "/api/auth/me", { token: junk })).status).toBe(401);
    expect(
      (await b.request("GET", "/api/auth/me", { headers: { authorization: "Basic YWRtaW46YWRtaW4=" } })).status,
    ).toBe(401);
  });

  it("exposes no internal action and nothing by auto-aliasing, even to a manager", async () => {
    const probes: [string, string][] = [
      ["POST", "/api/inventory/reserve"],
      ["GET", "/api/inventory/reserve"],
      ["POST", "/api/inventory/consume"],
      ["POST", "/api/inventory/release"],
      ["GET", "/api/inventory/levels"],
      ["POST", "/api/inventory.reserve"],
      ["GET", "/api/staff/resolveToken"],
      ["POST", "/api/staff/resolveToken"],
      ["POST", "/api/staff.resolveToken"],
      ["POST", "/api/orders/claimForBill"],
      ["POST", "/api/orders/settle"],
      ["POST", "/api/orders/releaseFromBill"],
      ["POST", "/api/menu/resolve"],
      ["POST", "/api/kitchen/progress"],
      ["POST", "/api/kitchen/drain"],
      ["GET", "/api/kitchen/status"],
      ["POST", "/api/billing/reconcile"],
      ["POST", "/api/billing/moveTable"],
      ["GET", "/api/operator/board"],
      ["GET", "/api/~node/actions"],
      ["GET", "/api/$node/services"],
      ["GET", "/api/list-aliases"],
      ["GET", "/api/api/listAliases"],
      ["POST", "/api/api/addRoute"],
      ["GET", "/list-aliases"],
      ["PUT", "/api/dishes/margherita"],
      ["GET", "/api/staff/admin"],
    ];
    const exposed: string[] = [];
    for (const [method, path] of probes) {
      for (const token of [undefined, b.adminToken]) {
        const res = await b.request(method, path, { token, ...(method === "GET" ? {} : { body: {} }) });
        if (res.status !== 404) exposed.push(`${method} ${path}${token ? " (manager)" : ""} → ${res.status}`);
      }
    }
    expect(exposed).toEqual([]);
  });

  it("opens the live stream only with a live ticket, never with nothing or a login token", async () => {
    expect((await b.request("GET", "/api/live")).status).toBe(401);
    expect((await b.request("GET", `/api/live?ticket=${b.adminToken}`)).status).toBe(401);
    expect((await b.request("GET", "/api/live", { token: b.adminToken })).status).toBe(401);
  });

  it("answers a browser preflight without running the action it names", async () => {
    const before = await b.request("GET", "/api/staff", { token: b.adminToken });
    const preflight = await b.request("OPTIONS", "/api/staff", {
      token: b.adminToken,
      headers: { origin: "https://elsewhere.example", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    const after = await b.request("GET", "/api/staff", { token: b.adminToken });
    expect(after.body.total).toBe(before.body.total);
  });
});
