/**
 * A body nested thousands of levels deep, in every field of every route that takes a body (the
 * routes table, not a hand list) and in the login: a clean 4xx in the one error shape, and no
 * server fault in the logs. (fastest-validator turns a rejected value into a string for its
 * message; a 10,000-level array did that with a RangeError.)
 */
import type { BrokerOptions } from "moleculer";
import { startBrigade, type Brigade } from "../support/brigade";
import { API_ROUTES } from "../../services/api/routes";
import { LogCapture } from "./support/log-capture";

const SHAPE = ["code", "data", "message", "name", "type"];
const BODY_METHODS = new Set(["POST", "PATCH", "DELETE"]);

/** `[[[…"x"…]]]`, as raw JSON: 10,000 levels fit well inside the 64 kB body limit. */
const deep = (levels = 10_000) => `${"[".repeat(levels)}"x"${"]".repeat(levels)}`;

describe("deeply nested bodies", () => {
  let b: Brigade;
  const logs = new LogCapture();

  beforeAll(async () => {
    b = await startBrigade({ broker: { logger: [logs] as unknown as BrokerOptions["logger"] } });
  });
  afterAll(() => b.stop());

  /** The body fields each route's action declares (its path params left out), from the registry. */
  function bodyFields(action: string, path: string): string[] {
    const endpoint = b.broker.registry.getActionEndpoints(action)?.endpoints[0] as unknown as {
      action: { params?: Record<string, unknown> };
    };
    const params = Object.keys(endpoint.action.params ?? {}).filter((name) => !name.startsWith("$$"));
    return params.filter((name) => !path.includes(`:${name}`));
  }

  const withBody = API_ROUTES.filter((route) => BODY_METHODS.has(route.method));

  it("the routes table has routes with a body, and the login is one of them", () => {
    expect(withBody.length).toBeGreaterThan(10);
    expect(withBody.map((r) => r.action)).toContain("staff.login");
  });

  it.each(withBody.map((route) => [`${route.method} /api${route.path}`, route] as const))(
    "%s answers a 4xx for 10,000 levels in any field",
    async (_name, route) => {
      logs.clear();
      const path = `/api${route.path.replace(/:\w+/g, "anything")}`;
      const fields = [...bodyFields(route.action, route.path), "unknownField"];
      const bodies = fields.map((field) => `{"${field}": ${deep()}}`);
      // Deep inside an array of objects, where orders keep their lines and notes.
      bodies.push(`{"lines": [{"dish": "x", "qty": 1, "notes": ${deep()}}], "table": "4"}`);
      if (route.action === "staff.login") bodies.push(`{"username": ${deep()}, "password": "x"}`);
      for (const raw of bodies) {
        const res = await b.request(route.method, path, {
          token: route.action === "staff.login" ? undefined : b.adminToken,
          raw,
          headers: { "content-type": "application/json" },
        });
        expect({ raw: raw.slice(0, 40), status: res.status >= 400 && res.status < 500 }).toEqual({
          raw: raw.slice(0, 40),
          status: true,
        });
        expect(Object.keys(res.body).sort()).toEqual(SHAPE);
        expect(JSON.stringify(res.body).length).toBeLessThan(4000);
      }
      expect(logs.faults()).toEqual([]);
    },
  );

  it("names the field that nests too deep", async () => {
    const res = await b.request("POST", "/api/auth/login", {
      raw: `{"username": ${deep(50)}, "password": "x"}`,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(422);
    expect(res.body.data).toEqual([
      expect.objectContaining({ type: "tooDeep", field: expect.stringMatching(/^username/) }),
    ]);
  });
});
