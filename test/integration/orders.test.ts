/**
 * Orders through HTTP with the real menu, inventory and kitchen in one broker: placing,
 * refusing, cooking, serving, cancelling, and the same Idempotency-Key sent again.
 * The kitchen runs 100× fast (KITCHEN_TIME_SCALE 0.01) with two chefs.
 */
import { startBrigade, type Brigade } from "../support/brigade";
import {
  createDishes,
  createIngredients,
  eventually,
  ingredient,
  order,
  orderReaches,
  ticketsOf,
  KITCHEN_SERVICES,
  fastKitchen,
} from "../support/meal";

const SODA = "house-soda"; // bar, 5 s → 50 ms
const BURGER = "smash-burger"; // grill, 20 s → 200 ms
const ROAST = "slow-roast"; // grill, 1 h → 36 s: stays cooking until something happens to it
const TRUFFLE = "truffle-pasta"; // saute, needs the one truffle in stock

/** What a line without modifiers, seat or allergens answers besides its dish, price and notes. */
const PLAIN_LINE = { modifiers: [], allergens: [], course: 2, seat: null };

describe("orders", () => {
  let b: Brigade;
  let waiter: string;
  let chef: string;

  beforeAll(async () => {
    b = await startBrigade({
      services: KITCHEN_SERVICES,
      env: fastKitchen(2),
    });
    await createIngredients(b, [
      { name: "Soda syrup", unit: "ml", onHand: 100_000 },
      { name: "Beef patty", unit: "pcs", onHand: 1_000 },
      { name: "Bun", unit: "pcs", onHand: 1_000 },
      { name: "Lamb shoulder", unit: "pcs", onHand: 50 },
      { name: "Truffle", unit: "pcs", onHand: 1 },
      { name: "Pasta", unit: "g", onHand: 100_000 },
    ]);
    await createDishes(b, [
      {
        name: "House Soda",
        priceCents: 350,
        station: "bar",
        prepSeconds: 5,
        recipe: [{ ingredient: "soda-syrup", qty: 30 }],
      },
      {
        name: "Smash Burger",
        priceCents: 1250,
        station: "grill",
        prepSeconds: 20,
        recipe: [
          { ingredient: "beef-patty", qty: 2 },
          { ingredient: "bun", qty: 1 },
        ],
      },
      {
        name: "Slow Roast",
        priceCents: 2400,
        station: "grill",
        prepSeconds: 3600,
        recipe: [{ ingredient: "lamb-shoulder", qty: 1 }],
      },
      {
        name: "Truffle Pasta",
        priceCents: 2900,
        station: "saute",
        prepSeconds: 30,
        recipe: [
          { ingredient: "truffle", qty: 1 },
          { ingredient: "pasta", qty: 120 },
        ],
      },
    ]);
    [waiter, chef] = await Promise.all([b.tokenFor("waiter", "wanda"), b.tokenFor("chef")]);
  });
  afterAll(() => b.stop());

  const place = (body: unknown, headers: Record<string, string> = {}, token = waiter) =>
    b.request("POST", "/api/orders", { token, body, headers });

  it("takes an order, cooks every line, and lets the waiter serve it when ready", async () => {
    const before = { beef: await ingredient(b, "beef-patty"), soda: await ingredient(b, "soda-syrup") };
    const placed = await place({
      table: "4",
      lines: [
        { dish: BURGER, qty: 2, notes: "no pickles" },
        { dish: SODA, qty: 3 },
      ],
    });

    expect(placed.status).toBe(201);
    expect(placed.headers.get("location")).toBe(`/api/orders/${placed.body.id}`);
    expect(placed.body).toEqual({
      id: expect.stringMatching(/^ord_/),
      table: "4",
      status: "placed",
      lines: [
        { dish: BURGER, name: "Smash Burger", qty: 2, unitPriceCents: 1250, notes: "no pickles", ...PLAIN_LINE },
        { dish: SODA, name: "House Soda", qty: 3, unitPriceCents: 350, notes: "", ...PLAIN_LINE },
      ],
      totalCents: 2 * 1250 + 3 * 350,
      allergies: [],
      allergyConfirmed: false,
      createdAt: expect.any(String),
      createdBy: "wanda",
      bill: null,
    });

    const ready = await orderReaches(b, placed.body.id, "ready");
    expect(ready.readyAt).toEqual(expect.any(String));
    const tickets = await ticketsOf(b, placed.body.id);
    expect(tickets.map((t) => [t.dish, t.station, t.status, t.qty])).toEqual([
      [BURGER, "grill", "done", 2],
      [SODA, "bar", "done", 3],
    ]);
    for (const t of tickets) {
      expect(t.node).toBe(b.broker.nodeID);
      expect(Date.parse(t.doneAt!)).toBeGreaterThanOrEqual(Date.parse(t.startedAt!));
    }
    expect(tickets[0].notes).toBe("no pickles");

    // Cooking consumed exactly the recipes, and nothing stays reserved.
    const after = { beef: await ingredient(b, "beef-patty"), soda: await ingredient(b, "soda-syrup") };
    expect(after.beef.onHand).toBe(before.beef.onHand - 4);
    expect(after.beef.reserved).toBe(before.beef.reserved);
    expect(after.soda.onHand).toBe(before.soda.onHand - 90);

    const served = await b.request("POST", `/api/orders/${placed.body.id}/serve`, { token: waiter });
    expect(served.status).toBe(200);
    expect(served.body).toMatchObject({ id: placed.body.id, status: "served", servedAt: expect.any(String) });

    const again = await b.request("POST", `/api/orders/${placed.body.id}/serve`, { token: waiter });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      type: "INVALID_TRANSITION",
      data: { id: placed.body.id, from: "served", action: "serve" },
    });
  });

  it("keeps the price an order was placed at when the menu changes afterwards", async () => {
    const placed = await place({ table: "5", lines: [{ dish: SODA, qty: 1 }] });
    expect(placed.status).toBe(201);
    const patched = await b.request("PATCH", `/api/dishes/${SODA}`, { token: b.adminToken, body: { priceCents: 500 } });
    expect(patched.status).toBe(200);
    expect((await order(b, placed.body.id)).lines[0].unitPriceCents).toBe(350);
    const later = await place({ table: "5", lines: [{ dish: SODA, qty: 1 }] });
    expect(later.body.lines[0].unitPriceCents).toBe(500);
    await b.request("PATCH", `/api/dishes/${SODA}`, { token: b.adminToken, body: { priceCents: 350 } });
  });

  it("refuses to serve an order before it is ready, and unknown orders with 404", async () => {
    const placed = await place({ table: "6", lines: [{ dish: ROAST, qty: 1 }] });
    const early = await b.request("POST", `/api/orders/${placed.body.id}/serve`, { token: waiter });
    expect(early.status).toBe(409);
    expect(early.body.type).toBe("INVALID_TRANSITION");
    expect((await b.request("GET", "/api/orders/ord_nope", { token: waiter })).status).toBe(404);
    expect((await b.request("POST", "/api/orders/ord_nope/serve", { token: waiter })).status).toBe(404);
    await b.request("POST", `/api/orders/${placed.body.id}/cancel`, { token: waiter, body: { reason: "test over" } });
  });

  it("validates what a waiter sends, and only lets waiters and managers order", async () => {
    const cases: [unknown, string][] = [
      [{ table: "1", lines: [] }, "lines"],
      [{ table: "", lines: [{ dish: SODA, qty: 1 }] }, "table"],
      [{ table: "12345678901234567", lines: [{ dish: SODA, qty: 1 }] }, "table"],
      [{ table: "1", lines: [{ dish: SODA, qty: 0 }] }, "lines[0].qty"],
      [{ table: "1", lines: [{ dish: SODA, qty: 51 }] }, "lines[0].qty"],
      [{ table: "1", lines: [{ dish: SODA, qty: 1.5 }] }, "lines[0].qty"],
      [{ table: "1", lines: [{ dish: SODA, qty: 1, notes: "x".repeat(201) }] }, "lines[0].notes"],
      [{ table: "1", lines: [{ dish: "Not An Id!", qty: 1 }] }, "lines[0].dish"],
      [{ table: "1", lines: [{ dish: SODA, qty: 1, priceCents: 1 }] }, "lines[0]"],
      [{ table: "1", lines: [{ dish: SODA, qty: 1 }], status: "paid" }, "status"],
      [{ table: "1", lines: Array.from({ length: 51 }, () => ({ dish: SODA, qty: 1 })) }, "lines"],
    ];
    for (const [body, field] of cases) {
      const res = await place(body);
      expect({ body, status: res.status }).toEqual({ body, status: 422 });
      expect(
        res.body.data.map((p: { field: string; message: string }) => `${p.field} ${p.message}`).join(" "),
      ).toContain(field);
    }

    const unknown = await place({
      table: "1",
      lines: [
        { dish: SODA, qty: 1 },
        { dish: "no-such-dish", qty: 1 },
      ],
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.data).toEqual([expect.objectContaining({ field: "lines[1].dish" })]);

    expect((await place({ table: "1", lines: [{ dish: SODA, qty: 1 }] }, {}, chef)).status).toBe(403);
    expect(
      (await b.request("POST", "/api/orders", { body: { table: "1", lines: [{ dish: SODA, qty: 1 }] } })).status,
    ).toBe(401);
    expect((await place({ table: "1", lines: [{ dish: SODA, qty: 1 }] }, {}, b.adminToken)).status).toBe(201);
  });

  it("refuses an order it cannot cook with 409 naming the dishes short, and reserves nothing", async () => {
    const truffle = await ingredient(b, "truffle");
    const pasta = await ingredient(b, "pasta");
    const res = await place({
      table: "7",
      lines: [
        { dish: SODA, qty: 1 },
        { dish: TRUFFLE, qty: 2 },
      ],
    });

    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      name: "OutOfStockError",
      type: "OUT_OF_STOCK",
      data: { dishes: [{ dish: TRUFFLE, name: "Truffle Pasta", ingredients: ["truffle"] }] },
    });
    expect(res.body.message).toContain("Truffle Pasta");
    expect(await ingredient(b, "truffle")).toEqual(truffle);
    expect(await ingredient(b, "pasta")).toEqual(pasta);
    const listed = await b.request("GET", "/api/orders?table=7", { token: waiter });
    expect(listed.body.total).toBe(0);
  });

  it("cancels an order while it cooks: what was cooked stays used, the rest goes back", async () => {
    const lamb = await ingredient(b, "lamb-shoulder");
    // Three roasts, two chefs: two start cooking (and consume), one waits in the queue.
    const placed = await place({
      table: "8",
      lines: [
        { dish: ROAST, qty: 1 },
        { dish: ROAST, qty: 1 },
        { dish: ROAST, qty: 1 },
      ],
    });
    expect(placed.status).toBe(201);
    await orderReaches(b, placed.body.id, "cooking");
    await eventually(
      async () => (await ticketsOf(b, placed.body.id)).filter((t) => t.status === "cooking").length === 2,
      "two roasts cooking",
    );
    // A ticket is claimed first and its ingredients consumed right after: wait for both.
    await eventually(
      async () => (await ingredient(b, "lamb-shoulder")).onHand === lamb.onHand - 2,
      "two roasts' lamb consumed",
    );
    expect((await ticketsOf(b, placed.body.id)).map((t) => t.status).sort()).toEqual(["cooking", "cooking", "queued"]);

    const cancelled = await b.request("POST", `/api/orders/${placed.body.id}/cancel`, {
      token: waiter,
      body: { reason: "guest left" },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({
      status: "cancelled",
      cancelReason: "guest left",
      cancelledAt: expect.any(String),
    });

    const after = await ingredient(b, "lamb-shoulder");
    expect(after.onHand).toBe(lamb.onHand - 2); // two roasts were started: used
    expect(after.reserved).toBe(lamb.reserved); // the third went back
    expect(after.available).toBe(lamb.available - 2);
    await eventually(
      async () => (await ticketsOf(b, placed.body.id)).every((t) => t.status === "void"),
      "every ticket void",
    );

    const twice = await b.request("POST", `/api/orders/${placed.body.id}/cancel`, {
      token: waiter,
      body: { reason: "again" },
    });
    expect(twice.status).toBe(409);
    expect(twice.body.type).toBe("INVALID_TRANSITION");
    expect((await b.request("POST", `/api/orders/${placed.body.id}/cancel`, { token: waiter, body: {} })).status).toBe(
      422,
    );
    // The kitchen never brings a cancelled order back.
    expect((await order(b, placed.body.id)).status).toBe("cancelled");
  });

  it("cannot cancel an order once it is ready", async () => {
    const placed = await place({ table: "9", lines: [{ dish: SODA, qty: 1 }] });
    await orderReaches(b, placed.body.id, "ready");
    const res = await b.request("POST", `/api/orders/${placed.body.id}/cancel`, {
      token: waiter,
      body: { reason: "too late" },
    });
    expect(res.status).toBe(409);
    expect(res.body.data).toMatchObject({ from: "ready", action: "cancel" });
  });

  describe("with an Idempotency-Key", () => {
    const body = { table: "10", lines: [{ dish: BURGER, qty: 1 }] };

    it("answers a retry with the same order and reserves once", async () => {
      const beef = await ingredient(b, "beef-patty");
      const first = await place(body, { "Idempotency-Key": "retry-1" });
      const second = await place(body, { "Idempotency-Key": "retry-1" });
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      // The same order, as it is now (the kitchen may have started it meanwhile).
      expect(second.body).toEqual({ ...first.body, status: expect.stringMatching(/^(placed|cooking|ready)$/) });
      const other = await place(body, { "Idempotency-Key": "retry-2" });
      expect(other.body.id).not.toBe(first.body.id);

      const used = beef.available - (await ingredient(b, "beef-patty")).available;
      expect(used).toBe(2 * 2); // two orders (retry-1 once, retry-2), two patties each
    });

    it("makes one order of the same key sent many times at once", async () => {
      const beef = await ingredient(b, "beef-patty");
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => place({ ...body, table: "11" }, { "Idempotency-Key": "burst-1" })),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);

      const listed = await b.request("GET", "/api/orders?table=11", { token: waiter });
      expect(listed.body.total).toBe(1);
      expect(beef.available - (await ingredient(b, "beef-patty")).available).toBe(2);
      await orderReaches(b, answers[0].body.id, "ready");
      expect(await ticketsOf(b, answers[0].body.id)).toHaveLength(1);
    });

    it("refuses the same key for a different order", async () => {
      await place(body, { "Idempotency-Key": "reused-1" });
      const res = await place({ ...body, lines: [{ dish: BURGER, qty: 2 }] }, { "Idempotency-Key": "reused-1" });
      expect(res.status).toBe(409);
      expect(res.body.type).toBe("IDEMPOTENCY_KEY_REUSED");
    });

    it("gives a retry of a refused order the same refusal", async () => {
      const first = await place({ table: "12", lines: [{ dish: TRUFFLE, qty: 5 }] }, { "Idempotency-Key": "short-1" });
      const again = await place({ table: "12", lines: [{ dish: TRUFFLE, qty: 5 }] }, { "Idempotency-Key": "short-1" });
      expect(first.status).toBe(409);
      expect(again.status).toBe(409);
      expect(again.body).toEqual(first.body);
      expect((await ingredient(b, "truffle")).reserved).toBe(0);
    });

    it("keeps keys of different waiters apart", async () => {
      const other = await b.tokenFor("waiter");
      const mine = await place(body, { "Idempotency-Key": "shared-key" });
      const theirs = await place(body, { "Idempotency-Key": "shared-key" }, other);
      expect(theirs.status).toBe(201);
      expect(theirs.body.id).not.toBe(mine.body.id);
    });
  });

  it("lists orders by status and table, newest first, with paging", async () => {
    const a = await place({ table: "20", lines: [{ dish: SODA, qty: 1 }] });
    const c = await place({ table: "20", lines: [{ dish: SODA, qty: 2 }] });
    const page = await b.request("GET", "/api/orders?table=20&pageSize=1", { token: chef });
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ total: 2, page: 1, pageSize: 1, totalPages: 2 });
    expect(page.body.rows[0].id).toBe(c.body.id);
    const second = await b.request("GET", "/api/orders?table=20&pageSize=1&page=2", { token: chef });
    expect(second.body.rows[0].id).toBe(a.body.id);

    await orderReaches(b, a.body.id, "ready");
    await orderReaches(b, c.body.id, "ready");
    const ready = await b.request("GET", "/api/orders?table=20&status=ready", { token: waiter });
    expect(ready.body.rows.map((o: { id: string }) => o.id).sort()).toEqual([a.body.id, c.body.id].sort());
    expect((await b.request("GET", "/api/orders?status=eaten", { token: waiter })).status).toBe(422);
    expect((await b.request("GET", "/api/orders", { token: await b.tokenFor("purchaser") })).status).toBe(403);
  });
});
