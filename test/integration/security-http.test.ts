/**
 * HTTP hygiene at the gateway: body limits and content types, security headers on every kind of
 * answer, CORS closed unless configured, one error shape with no internals in it, and logs that
 * tell a client's mistake (debug) from our own fault (error).
 */
import { Errors, type BrokerOptions } from "moleculer";
import { startBrigade, type Brigade, ADMIN_PASSWORD } from "../support/brigade";
import { ANYONE } from "../../lib/roles";
import { LogCapture } from "../security/support/log-capture";
import { rawRequest } from "../security/support/raw-http";

const SHAPE = ["code", "data", "message", "name", "type"];
const INTERNALS =
  /node_modules|\.ts:\d|\n\s+at |\bTypeError|\bReferenceError|MoleculerError|staff\.resolveToken|inventory\.reserve|\$node/;

function expectSecurityHeaders(headers: Headers, what: string) {
  const seen = {
    what,
    nosniff: headers.get("x-content-type-options"),
    frame: headers.get("x-frame-options"),
    csp: /default-src 'self'/.test(headers.get("content-security-policy") ?? ""),
    referrer: headers.get("referrer-policy"),
    opener: headers.get("cross-origin-opener-policy"),
    poweredBy: headers.get("x-powered-by"),
  };
  expect(seen).toEqual({
    what,
    nosniff: "nosniff",
    frame: "SAMEORIGIN",
    csp: true,
    referrer: "no-referrer",
    opener: "same-origin",
    poweredBy: null,
  });
}

describe("HTTP hygiene", () => {
  let b: Brigade;
  const logs = new LogCapture();

  beforeAll(async () => {
    b = await startBrigade({
      services: ["api", "staff", "menu", "inventory"],
      broker: { logger: [logs] as unknown as BrokerOptions["logger"] },
    });
  });
  afterAll(() => b.stop());

  it("refuses a body too large (413), malformed JSON (400), other content types (415), a non-object (422), null values (422)", async () => {
    const login = (raw: string, type = "application/json") =>
      b.request("POST", "/api/auth/login", { raw, headers: { "content-type": type } });
    const cases: [Promise<{ status: number; body: any }>, number, string][] = [
      [login(JSON.stringify({ username: "admin", password: "x".repeat(70 * 1024) })), 413, "PAYLOAD_TOO_LARGE"],
      [login('{"username": "admin", "password": '), 400, "MALFORMED_JSON"],
      [login("{'username': 'admin'}"), 400, "MALFORMED_JSON"],
      [login("username=admin&password=x", "application/x-www-form-urlencoded"), 415, "UNSUPPORTED_MEDIA_TYPE"],
      [login('{"username":"admin","password":"x"}', "text/plain"), 415, "UNSUPPORTED_MEDIA_TYPE"],
      [login('{"username":"admin","password":"x"}', "application/json; charset=latin1"), 415, "UNSUPPORTED_MEDIA_TYPE"],
      [login('["admin", "x"]'), 422, "VALIDATION_ERROR"],
      [login('{"username": null, "password": "x"}'), 422, "VALIDATION_ERROR"],
      [login('{"username": {"$gt": ""}, "password": {"$ne": null}}'), 422, "VALIDATION_ERROR"],
      [login('{"__proto__": {"username": "admin"}, "password": "x"}'), 422, "VALIDATION_ERROR"],
    ];
    for (const [answer, status, type] of cases) {
      const res = await answer;
      expect({ status: res.status, type: res.body.type }).toEqual({ status, type });
      expect(Object.keys(res.body).sort()).toEqual(SHAPE);
      expect(JSON.stringify(res.body)).not.toMatch(INTERNALS);
    }
    // A JSON type other than application/json is read like it, never ignored as if empty.
    expect(
      (await login(JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }), "application/vnd.brigade+json"))
        .status,
    ).toBe(200);
    // The fields at fault are named, without echoing the client's values.
    const nulls = await b.request("PATCH", "/api/dishes/anything", {
      token: b.adminToken,
      body: { priceCents: null, recipe: [{ ingredient: "flour", qty: null }] },
    });
    expect(nulls.status).toBe(422);
    expect(nulls.body.data.map((p: { field: string }) => p.field).sort()).toEqual(["priceCents", "recipe[0].qty"]);
  });

  it("puts the security headers on every kind of answer", async () => {
    const waiter = await b.tokenFor("waiter");
    const answers: [string, Promise<{ headers: Headers; status: number }>, number][] = [
      ["an API answer", b.request("GET", "/api/dishes"), 200],
      [
        "a creation",
        b.request("POST", "/api/ingredients", { token: b.adminToken, body: { name: "Header salt", unit: "g" } }),
        201,
      ],
      ["a 401", b.request("GET", "/api/auth/me"), 401],
      ["a 403", b.request("GET", "/api/staff", { token: waiter }), 403],
      ["a 404 route", b.request("GET", "/api/nothing-here"), 404],
      ["a 404 id", b.request("GET", "/api/dishes/no-such-dish"), 404],
      ["a 422", b.request("GET", "/api/dishes?pageSize=1000"), 422],
      [
        "a 400",
        b.request("POST", "/api/auth/login", { raw: "{", headers: { "content-type": "application/json" } }),
        400,
      ],
      ["a 413", b.request("POST", "/api/auth/login", { body: { username: "x".repeat(70_000) } }), 413],
      ["a 415", b.request("POST", "/api/auth/login", { raw: "x", headers: { "content-type": "text/plain" } }), 415],
      ["liveness", b.request("GET", "/health/live"), 200],
      ["readiness", b.request("GET", "/health/ready"), 200],
      ["the dashboard", b.request("GET", "/"), 200],
      ["a missing static file", b.request("GET", "/no-such-file.js"), 404],
      [
        "a preflight",
        b.request("OPTIONS", "/api/dishes", {
          headers: { origin: "https://elsewhere.example", "access-control-request-method": "GET" },
        }),
        204,
      ],
    ];
    for (const [what, answer, status] of answers) {
      const res = await answer;
      expect({ what, status: res.status }).toEqual({ what, status });
      expectSecurityHeaders(res.headers, what);
    }
  });

  it("serves no file outside the dashboard's folder", async () => {
    for (const path of [
      "/../package.json",
      "/%2e%2e/package.json",
      "/..%2fpackage.json",
      "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
      "/.env.example",
    ]) {
      const res = await rawRequest(b.url, "GET", path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.text).not.toMatch(/"dependencies"|root:x:0|BRIGADE_/);
    }
  });

  it("keeps CORS closed when CORS_ORIGINS is not set", async () => {
    const res = await b.request("GET", "/api/dishes", { headers: { origin: "https://evil.example" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("drops a client's X-Request-ID that is not short and printable", async () => {
    const res = await b.request("GET", "/api/nothing-here", {
      headers: { "x-request-id": "<script>alert(1)</script>" },
    });
    expect(res.headers.get("x-request-id")).not.toContain("<script>");
    const kept = await b.request("GET", "/api/nothing-here", { headers: { "x-request-id": "till-7.req-42" } });
    expect(kept.headers.get("x-request-id")).toBe("till-7.req-42");
  });

  it("writes no token, live ticket or password in any log line, at any level", async () => {
    logs.clear();
    const token = await b.login("admin", ADMIN_PASSWORD);
    expect((await b.request("GET", "/api/auth/me", { token })).status).toBe(200);
    const ticket = await b.request("POST", "/api/live/tickets", { token });
    expect(ticket.status).toBe(200);
    await b.request("GET", `/api/live?ticket=${ticket.body.ticket}x`);
    await b.request("POST", "/api/auth/login", { body: { username: "admin", password: "a-wrong-password-123" } });
    const text = logs.entries.map((e) => e.text).join("\n");
    expect(logs.entries.length).toBeGreaterThan(0);
    for (const secret of [
      token.split(".")[2],
      ticket.body.ticket.split(".")[2],
      ADMIN_PASSWORD,
      "a-wrong-password-123",
    ])
      expect(text).not.toContain(secret);
  });

  it("logs no client error as a fault", async () => {
    logs.clear();
    const waiter = await b.tokenFor("waiter");
    const statuses = [
      (await b.request("GET", "/api/auth/me")).status,
      (await b.request("GET", "/api/auth/me", { token: "a.b.c" })).status,
      (await b.request("GET", "/api/staff", { token: waiter })).status,
      (await b.request("GET", "/api/nothing-here")).status,
      (await b.request("GET", "/api/dishes/no-such-dish")).status,
      (await b.request("POST", "/api/ingredients", { token: b.adminToken, body: { name: "Header salt", unit: "g" } }))
        .status,
      (await b.request("POST", "/api/dishes", { token: b.adminToken, body: { name: "" } })).status,
      (await b.request("POST", "/api/auth/login", { body: { username: "admin", password: "wrong-password" } })).status,
      (await b.request("POST", "/api/auth/login", { raw: "{", headers: { "content-type": "application/json" } }))
        .status,
      (await b.request("POST", "/api/auth/login", { raw: "x", headers: { "content-type": "text/plain" } })).status,
      (await b.request("POST", "/api/auth/login", { body: { username: "x".repeat(70_000) } })).status,
      (await b.request("GET", "/api/orders", { token: b.adminToken })).status,
    ];
    expect(statuses).toEqual([401, 401, 403, 404, 404, 409, 422, 401, 400, 415, 413, 503]);
    expect(logs.faults()).toEqual([]);
  });
});

describe("a fault on our side", () => {
  let b: Brigade;
  const logs = new LogCapture();

  beforeAll(async () => {
    b = await startBrigade({
      services: ["api", "staff"],
      broker: { logger: [logs] as unknown as BrokerOptions["logger"] },
    });
    // A menu whose list breaks the way a bug would.
    await b.broker.createService({
      name: "menu",
      actions: {
        list: {
          roles: [ANYONE],
          params: { $$strict: true },
          handler() {
            throw new TypeError(
              "Cannot read properties of undefined (reading 'adapter') at MenuService.list (services/menu/menu.service.ts:42:7)",
            );
          },
        },
        get: {
          roles: [ANYONE],
          params: { $$strict: true, id: "string" },
          handler() {
            throw new Errors.MoleculerError("Store connection lost: mongodb://10.0.0.5:27017/brigade", 500, "DB_DOWN");
          },
        },
      },
    });
  });
  afterAll(() => b.stop());

  it("answers 500 with a request id and nothing of the fault's insides, and logs it as an error", async () => {
    logs.clear();
    for (const path of ["/api/dishes", "/api/dishes/anything"]) {
      const res = await b.request("GET", path, { headers: { "x-request-id": `fault-${path.length}` } });
      expect(res.status).toBe(500);
      expect(Object.keys(res.body).sort()).toEqual(SHAPE);
      expect(res.body).toMatchObject({
        name: "InternalError",
        type: "INTERNAL_ERROR",
        data: { requestId: `fault-${path.length}` },
      });
      expect(JSON.stringify(res.body)).not.toMatch(
        /adapter|MenuService|menu\.service|TypeError|mongodb|10\.0\.0\.5|DB_DOWN/,
      );
      expectSecurityHeaders(res.headers, path);
    }
    const faults = logs.faults();
    expect(faults).toHaveLength(2);
    expect(faults.map((f) => f.text).join("\n")).toMatch(/fault-11[\s\S]*TypeError|TypeError[\s\S]*fault-11/);
  });
});

describe("CORS when CORS_ORIGINS is set", () => {
  let b: Brigade;

  beforeAll(async () => {
    // The gateway reads CORS_ORIGINS when its module loads: load a fresh copy with it set.
    process.env.CORS_ORIGINS = "https://pos.example, https://kitchen.example";
    jest.resetModules();
    const { startBrigade: startFresh } = await import("../support/brigade");
    b = await startFresh({ services: ["api", "menu", "inventory"] });
  });
  afterAll(async () => {
    await b.stop();
    delete process.env.CORS_ORIGINS;
  });

  it("lets the listed origins in, and only them", async () => {
    const allowed = await b.request("GET", "/api/dishes", { headers: { origin: "https://pos.example" } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://pos.example");
    const other = await b.request("GET", "/api/dishes", { headers: { origin: "https://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await b.request("OPTIONS", "/api/orders", {
      headers: {
        origin: "https://kitchen.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type,idempotency-key",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://kitchen.example");
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("idempotency-key");
    expectSecurityHeaders(preflight.headers, "a configured preflight");
  });
});
