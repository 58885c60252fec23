/**
 * Every operation's documented example, sent to a running Brigade (the demo restaurant), must
 * get the operation's documented success status. The requests are read from the document, not
 * from examples.ts: what a reader pastes is what is tried. Ids the server makes (orders, bills,
 * tickets, purchase orders) are taken from the answers, in the order a service would go. Each
 * answer must also match the schema the document gives it (from services/api/openapi/answers.ts).
 */
import Ajv2020 from "ajv/dist/2020";
import type { OpenApiDocument } from "../../services/api/openapi/document";
import { EXAMPLES } from "../../services/api/openapi/examples";
import { startBrigade, type Answer, type Brigade } from "../support/brigade";
import { eventually } from "../support/meal";

type Schema = Record<string, any>;

describe("the documented examples, sent to a running Brigade", () => {
  let b: Brigade;
  let doc: OpenApiDocument;
  const tried = new Set<string>();
  const ajv = new Ajv2020({ strict: false, allErrors: true });

  /** The documented request of `method path`, with server-made ids filled in; expects the documented status. */
  async function send(method: string, path: string, ids: Record<string, string> = {}, token?: string): Promise<Answer> {
    const op = doc.paths[path]?.[method] as Schema | undefined;
    if (!op) throw new Error(`${method} ${path} is not in the document`);
    const headers: Record<string, string> = {};
    let url = path;
    const query = new URLSearchParams();
    for (const parameter of (op.parameters ?? []) as Schema[]) {
      const p = parameter.$ref ? (doc.components.parameters as Schema)[parameter.$ref.split("/").pop()] : parameter;
      const value = p.in === "path" ? (ids[p.name] ?? p.example ?? p.schema.enum?.[0]) : p.example;
      if (value === undefined) continue;
      if (p.in === "path") url = url.replace(`{${p.name}}`, encodeURIComponent(String(value)));
      else if (p.in === "query") query.set(p.name, String(value));
      else if (p.in === "header") headers[p.name] = String(value);
    }
    const body = op.requestBody?.content["application/json"].example;
    const res = await b.request(method.toUpperCase(), `${url}${query.size ? `?${query}` : ""}`, {
      token: op.security.length ? (token ?? b.adminToken) : undefined,
      body,
      headers,
    });
    const documented = Object.keys(op.responses).find((status) => status.startsWith("2"));
    expect({ operation: `${method} ${path}`, status: res.status, body: res.status < 300 ? "" : res.body }).toEqual({
      operation: `${method} ${path}`,
      status: Number(documented),
      body: "",
    });
    const answer = op.responses[documented!].content?.["application/json"]?.schema;
    if (answer) {
      // The document is the root, so the answer's `#/components/…` refs resolve in it.
      const valid = ajv.validate({ ...answer, components: doc.components }, res.body);
      expect({ operation: `${method} ${path}`, errors: valid ? null : ajv.errors }).toEqual({
        operation: `${method} ${path}`,
        errors: null,
      });
    }
    tried.add(`${method} ${path}`);
    return res;
  }

  beforeAll(async () => {
    // The login example's password is the admin's here, so the example logs in as written.
    const password = String(EXAMPLES["staff.login"].body?.password);
    b = await startBrigade({ env: { BRIGADE_SEED: "true", BRIGADE_ADMIN_PASSWORD: password } });
    doc = (await b.request("GET", "/api/openapi.json")).body;
  });
  afterAll(() => b.stop());

  it("gets the documented status for every operation", async () => {
    await send("get", "/health/live");
    await send("get", "/health/ready");
    await send("get", "/api/openapi.json");
    await send("get", "/api/docs");
    for (const file of (doc.paths["/api/docs/{file}"].get as Schema).parameters[0].schema.enum)
      await send("get", "/api/docs/{file}", { file });

    await send("post", "/api/auth/login");
    await send("get", "/api/auth/me");
    await send("post", "/api/live/tickets");
    await send("get", "/api/cluster");

    await send("get", "/api/tables");
    await send("get", "/api/tables/{id}");
    await send("post", "/api/tables");
    await send("patch", "/api/tables/{id}", { id: "13" });
    await send("delete", "/api/tables/{id}", { id: "13" });
    await send("post", "/api/tables/{id}/seat");
    await send("post", "/api/tables/{id}/transfer");

    await send("post", "/api/staff");
    await send("get", "/api/staff");
    await send("patch", "/api/staff/{id}");
    await send("delete", "/api/staff/{id}");

    await send("get", "/api/dishes");
    await send("get", "/api/dishes/{id}");
    await send("post", "/api/dishes");
    await send("patch", "/api/dishes/{id}");
    await send("delete", "/api/dishes/{id}");

    await send("get", "/api/ingredients");
    await send("get", "/api/ingredients/{id}");
    await send("post", "/api/ingredients");
    await send("patch", "/api/ingredients/{id}");

    const purchase = await send("post", "/api/purchase-orders");
    await send("get", "/api/purchase-orders");
    await send("post", "/api/purchase-orders/{id}/receive", { id: purchase.body.id });

    const placed = await send("post", "/api/orders");
    const id = placed.body.id as string;
    await send("get", "/api/orders");
    await send("get", "/api/orders/{id}", { id });
    await send("get", "/api/tickets");
    const tickets = await eventually(async () => {
      const rows = (await b.request("GET", "/api/tickets?pageSize=100", { token: b.adminToken })).body.rows as Schema[];
      const mine = rows.filter((t) => t.order === id);
      return mine.length > 0 && mine.every((t) => t.status === "cooking") ? mine : null;
    }, "the order's tickets to be cooking");
    for (const ticket of tickets) await send("post", "/api/tickets/{id}/bump", { id: ticket.id });
    await eventually(
      async () => (await b.request("GET", `/api/orders/${id}`, { token: b.adminToken })).body.status === "ready",
      "the order to be ready",
    );
    await send("post", "/api/orders/{id}/serve", { id });

    // Cancelled before it is ready: a second order of the same example, without the key.
    const second = await b.request("POST", "/api/orders", {
      token: b.adminToken,
      body: (doc.paths["/api/orders"].post as Schema).requestBody.content["application/json"].example,
    });
    expect(second.status).toBe(201);
    await send("post", "/api/orders/{id}/cancel", { id: second.body.id });

    const bill = await send("post", "/api/bills");
    await send("get", "/api/bills");
    await send("get", "/api/bills/{id}", { id: bill.body.id });
    await send("post", "/api/bills/{id}/payments", { id: bill.body.id });
    await send("post", "/api/bills/{id}/refunds", { id: bill.body.id });
    await send("get", "/api/takings");

    // Last: a second location asks an owner to name the location of everything after it.
    await send("get", "/api/locations");
    await send("patch", "/api/locations/{id}", { id: "main" });
    await send("post", "/api/locations");

    // The live stream never ends by itself: test/integration/dashboard-live.test.ts opens it.
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(documented.filter((op) => !tried.has(op))).toEqual(["get /api/live"]);
  });
});
