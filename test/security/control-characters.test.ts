/**
 * Text a person types reaches other people's screens and, soon, a receipt printer: a control
 * character in it (C0 with tab and line breaks, DEL, C1, ESC) is refused with a 422 naming the
 * field, on every route where a person types text, and ordinary text of any script is kept.
 */
import { startBrigade, type Brigade } from "../support/brigade";

const CONTROLS: [string, string][] = [
  ["a line break", "Table\n5"],
  ["a carriage return", "Table\r5"],
  ["a tab", "Table\t5"],
  ["ESC (a printer command)", "Table\u001b[1m5"],
  ["BEL", "Table\u00075"],
  ["NUL", "Table\u00005"],
  ["DEL", "Table\u007f5"],
  ["C1 NEL", "Table\u00855"],
  ["C1 CSI", "Table\u009b5"],
];

interface TypedField {
  what: string;
  method: string;
  path: string;
  field: string;
  body(value: string): Record<string, unknown>;
}

const DISH = {
  name: "Ctl dish",
  category: "mains",
  priceCents: 1000,
  station: "grill",
  prepSeconds: 60,
  recipe: [{ ingredient: "beef-mince", qty: 1 }],
};

const FIELDS: TypedField[] = [
  {
    what: "an order's table",
    method: "POST",
    path: "/api/orders",
    field: "table",
    body: (v) => ({ table: v, lines: [{ dish: "x", qty: 1 }] }),
  },
  {
    what: "an order line's notes",
    method: "POST",
    path: "/api/orders",
    field: "lines[0].notes",
    body: (v) => ({ table: "4", lines: [{ dish: "x", qty: 1, notes: v }] }),
  },
  {
    what: "a cancel's reason",
    method: "POST",
    path: "/api/orders/ord_x/cancel",
    field: "reason",
    body: (v) => ({ reason: v }),
  },
  { what: "a bill's table", method: "POST", path: "/api/bills", field: "table", body: (v) => ({ table: v }) },
  {
    what: "a table's name",
    method: "POST",
    path: "/api/tables",
    field: "name",
    body: (v) => ({ name: v, area: "Terrace", seats: 4 }),
  },
  {
    what: "a table's area",
    method: "PATCH",
    path: "/api/tables/4",
    field: "area",
    body: (v) => ({ area: v }),
  },
  {
    what: "a refund's reason",
    method: "POST",
    path: "/api/bills/bil_x/refunds",
    field: "reason",
    body: (v) => ({ amountCents: 100, reason: v }),
  },
  {
    what: "a staff member's name",
    method: "POST",
    path: "/api/staff",
    field: "name",
    body: (v) => ({ username: "ctl-user", name: v, role: "waiter", password: "ctl-password" }),
  },
  {
    what: "a renamed staff member",
    method: "PATCH",
    path: "/api/staff/admin",
    field: "name",
    body: (v) => ({ name: v }),
  },
  { what: "a dish's name", method: "POST", path: "/api/dishes", field: "name", body: (v) => ({ ...DISH, name: v }) },
  {
    what: "a dish's category",
    method: "POST",
    path: "/api/dishes",
    field: "category",
    body: (v) => ({ ...DISH, category: v }),
  },
  { what: "a renamed dish", method: "PATCH", path: "/api/dishes/some-dish", field: "name", body: (v) => ({ name: v }) },
  {
    what: "an ingredient's name",
    method: "POST",
    path: "/api/ingredients",
    field: "name",
    body: (v) => ({ name: v, unit: "g" }),
  },
  {
    what: "a renamed ingredient",
    method: "PATCH",
    path: "/api/ingredients/some-thing",
    field: "name",
    body: (v) => ({ name: v }),
  },
];

describe("control characters in typed text", () => {
  let b: Brigade;

  beforeAll(async () => {
    b = await startBrigade({ env: { BRIGADE_SEED: "true" } });
  });
  afterAll(() => b.stop());

  it.each(FIELDS.map((f) => [f.what, f] as const))("refuses them in %s, naming the field", async (_what, f) => {
    for (const [kind, value] of CONTROLS) {
      const res = await b.request(f.method, f.path, { token: b.adminToken, body: f.body(value) });
      expect({ kind, status: res.status, type: res.body.type }).toEqual({
        kind,
        status: 422,
        type: "VALIDATION_ERROR",
      });
      const problem = res.body.data.find((p: { field: string }) => p.field === f.field);
      expect({ kind, problem: problem?.message }).toEqual({
        kind,
        problem: expect.stringMatching(new RegExp(`'${f.field.replace(/[[\]]/g, "\\$&")}' field .*control characters`)),
      });
    }
  });

  it("keeps ordinary text of any script, and trims the edges", async () => {
    const drawn = await b.request("POST", "/api/tables", {
      token: b.adminToken,
      body: { name: "  Terrasse 2 ", area: " Überdachte Terrasse — 屋上 ", seats: 4 },
    });
    expect(drawn.status).toBe(201);
    expect(drawn.body).toMatchObject({ id: "terrasse-2", name: "Terrasse 2", area: "Überdachte Terrasse — 屋上" });
    const placed = await b.request("POST", "/api/orders", {
      token: b.adminToken,
      body: { table: "  terrasse-2 ", lines: [{ dish: "lemon-tart", qty: 1, notes: "sans gluten — ü, 辛い, 🍋" }] },
    });
    expect(placed.status).toBe(201);
    expect(placed.body.table).toBe("terrasse-2");
    expect(placed.body.lines[0].notes).toBe("sans gluten — ü, 辛い, 🍋");
  });
});
