/**
 * TRACING=zipkin (and jaeger, through Jaeger's Zipkin-compatible collector): one request
 * through the gateway reaches a collector as one trace, a span per service it crossed, linked
 * parent to child. The collector here is a small HTTP server that keeps what it is sent.
 * (TRACING=console is run by the production-build test.)
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { BrokerOptions } from "moleculer";
import { startBrigade, type Brigade } from "../support/brigade";
import { eventually } from "../support/meal";
import { zipkinID } from "../../lib/zipkin-exporter";

interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  tags: Record<string, string>;
}

/** moleculer.config.ts as a node started with these variables would compute it. */
function configWith(env: Record<string, string>): BrokerOptions {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    let config: BrokerOptions | undefined;
    jest.isolateModules(() => {
      config = (require("../../moleculer.config") as { default: BrokerOptions }).default;
    });
    return config!;
  } finally {
    for (const key of Object.keys(env)) if (saved[key] === undefined) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

describe("tracing to a Zipkin collector", () => {
  const received: ZipkinSpan[] = [];
  const collector = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      if (req.method === "POST" && req.url === "/api/v2/spans") received.push(...(JSON.parse(body) as ZipkinSpan[]));
      res.writeHead(202).end();
    });
  });
  let b: Brigade;

  beforeAll(async () => {
    await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const { tracing } = configWith({ TRACING: "zipkin", TRACING_ENDPOINT: endpoint });
    b = await startBrigade({
      services: ["api", "staff", "menu", "inventory", "orders", "kitchen"],
      env: { BRIGADE_SEED: "true" },
      broker: { tracing },
    });
  });
  afterAll(async () => {
    await b.stop();
    await new Promise((resolve) => collector.close(resolve));
  });

  it("never puts a password or a token in a span", async () => {
    const login = await b.request("POST", "/api/auth/login", {
      body: { username: "admin", password: "admin-password-for-tests" },
      headers: { "x-request-id": "trace-login" },
    });
    expect(login.status).toBe(200);
    const token = login.body.token as string;
    expect((await b.request("GET", "/api/auth/me", { token, headers: { "x-request-id": "trace-me" } })).status).toBe(
      200,
    );
    const spans = await eventually(
      async () => {
        const trace = received.filter(
          (s) => s.traceId === zipkinID("trace-login") || s.traceId === zipkinID("trace-me"),
        );
        const names = trace.map((s) => s.name);
        return names.includes("action 'staff.login'") && names.includes("action 'staff.resolveToken'") ? trace : null;
      },
      "the login's and the token's spans at the collector",
      15_000,
    );
    const text = JSON.stringify(spans);
    expect(text).not.toContain("admin-password-for-tests");
    expect(text).not.toContain(token.split(".")[2]);
    expect(text).toContain("[secret]");
  });

  it("sends one trace per request, a span per service crossed, keyed by the request ID", async () => {
    const res = await b.request("GET", "/api/orders", {
      token: b.adminToken,
      headers: { "x-request-id": "table-4-rush" },
    });
    expect(res.status).toBe(200);
    const traceId = zipkinID("table-4-rush");
    expect(traceId).toMatch(/^[0-9a-f]{16}$/);

    const spans = await eventually(
      async () => {
        const trace = received.filter((s) => s.traceId === traceId);
        return trace.some((s) => s.name === "action 'orders.list'") ? trace : null;
      },
      "the request's spans at the collector",
      15_000,
    );
    const root = spans.find((s) => s.name === "GET /api/orders")!;
    expect(root).toBeDefined();
    const children = spans
      .filter((s) => s.parentId === root.id)
      .map((s) => s.name)
      .sort();
    // An owner's request also asks which locations the group has (services/api/location-choice.ts).
    expect(children).toEqual(["action 'orders.list'", "action 'staff.locationIds'", "action 'staff.resolveToken'"]);
    for (const span of spans) {
      expect(span.tags.requestID).toBe("table-4-rush");
      expect(span.id).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it("keeps an order's hand-off to the kitchen in the placing request's trace", async () => {
    const waiter = await b.tokenFor("waiter");
    const body = { table: "7", lines: [{ dish: "classic-cheeseburger", qty: 1 }] };
    const res = await b.request("POST", "/api/orders", {
      token: waiter,
      body,
      headers: { "x-request-id": "table-7-order" },
    });
    expect(res.status).toBe(201);
    const traceId = zipkinID("table-7-order");
    const spans = await eventually(
      async () => {
        const trace = received.filter((s) => s.traceId === traceId);
        return trace.some((s) => s.name.includes("order.placed")) ? trace : null;
      },
      "the kitchen's handling of the order in the request's trace",
      15_000,
    );
    const handOff = spans.find((s) => s.name.includes("order.placed"))!;
    const place = spans.find((s) => s.name === "action 'orders.place'")!;
    expect(place).toBeDefined();
    // The kitchen's handler hangs under the placement, and carries its request ID.
    expect(handOff.parentId).toBe(place.id);
    expect(handOff.tags.requestID).toBe("table-7-order");
  });
});

describe("choosing the exporter from TRACING", () => {
  it("is off by default", () => {
    expect(configWith({}).tracing).toEqual({ enabled: false });
  });

  it("sends Jaeger the Zipkin format, on the endpoint given", () => {
    expect(configWith({ TRACING: "jaeger", TRACING_ENDPOINT: "http://jaeger:9411" }).tracing).toEqual({
      enabled: true,
      events: true,
      exporter: [{ type: "BrigadeZipkin", options: { baseURL: "http://jaeger:9411", interval: 2 } }],
      // Spans carry params without their secrets (lib/secret-params.ts; a module of its own here).
      tags: { action: expect.any(Function) },
    });
  });

  it("draws traces on the log with TRACING=console", () => {
    expect(configWith({ TRACING: "console" }).tracing).toMatchObject({
      enabled: true,
      exporter: [{ type: "Console" }],
    });
  });

  it("keeps a UUID request ID as Moleculer's Zipkin exporter would, and hashes any other", () => {
    expect(zipkinID("0e2beb48-21cf-4abb-a66d-2e207ee42ea4")).toBe("0e2beb4821cf4abb");
    expect(zipkinID("table-4-rush")).toBe(zipkinID("table-4-rush"));
    expect(zipkinID("table-4-rush")).not.toBe(zipkinID("table-5-rush"));
  });
});
