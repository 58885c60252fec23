/**
 * The one client against a small echo server (no broker): how `call` fills a documented path,
 * its query and headers, and what `request` refuses. The compile-time half is the
 * `@ts-expect-error` lines: `npm run typecheck` fails if one of them stops being an error.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApiClient } from "../../../lib/client/api-client";

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

describe("ApiClient", () => {
  let server: Server;
  let client: ApiClient;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    client = new ApiClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("fills a documented path, its query, its token and its Idempotency-Key", async () => {
    const res = await client.call("post", "/api/bills/{id}/payments", {
      path: { id: "bill 1" },
      body: { method: "card", amountCents: 1200 },
      token: "a.b.c",
      idempotencyKey: "pay-1",
    });
    const echo = res.body as unknown as Echo;
    expect(echo).toMatchObject({ method: "POST", url: "/api/bills/bill%201/payments" });
    expect(echo.headers).toMatchObject({
      authorization: "Bearer a.b.c",
      "idempotency-key": "pay-1",
      "content-type": "application/json",
    });
    expect(JSON.parse(echo.body)).toEqual({ method: "card", amountCents: 1200 });

    const list = (await client.call("get", "/api/orders", { query: { status: "ready", pageSize: 5 } }))
      .body as unknown as Echo;
    expect(list.url).toBe("/api/orders?status=ready&pageSize=5");
  });

  it("sends a raw body as it is, and keeps a path that looks like another host on this one", async () => {
    const echo = (await client.request<Echo>("POST", "//elsewhere.example/api", { raw: "{not json" })).body;
    expect(echo).toMatchObject({ url: "//elsewhere.example/api", body: "{not json" });
    expect(() => client.url("@elsewhere.example/api")).toThrow(/refusing to leave/);
  });

  it("refuses to run a documented path without its id", () => {
    expect(() => client.call("get", "/api/orders/{id}", {} as never)).toThrow(/needs its "id"/);
  });

  it("checks documented operations at compile time", () => {
    const never = () => {
      // @ts-expect-error: no such route
      void client.call("get", "/api/no-such-route");
      const iou = { method: "iou", amountCents: 1 } as const;
      // @ts-expect-error: a payment's method is cash or card
      void client.call("post", "/api/bills/{id}/payments", { path: { id: "b" }, body: iou });
      // @ts-expect-error: a GET has no body
      void client.call("get", "/api/dishes", { body: { name: "x" } });
      // Answers are typed from the document: a login answers a token and the staff member.
      void client.call("post", "/api/auth/login", { body: { username: "a", password: "b" } }).then(({ body }) => {
        const token: string = body.token;
        // @ts-expect-error: a role is one of Brigade's five
        const role: "owner" = body.staff.role;
        return [token, role];
      });
    };
    expect(typeof never).toBe("function");
  });
});
