/**
 * The meal from the cashier's side, through HTTP, with every real service in one broker:
 * order → the kitchen cooks it → served → bill → payments → the order is paid → takings.
 * Drinks are ordered because they cook fastest (60-90 s of prep × KITCHEN_TIME_SCALE 0.01).
 */
import { startBrigade, type Brigade } from "../support/brigade";
import { localDay } from "../../services/billing/bill-math";

const GIN = "gin-and-tonic"; // 900 cents
const LEMONADE = "fresh-lemonade"; // 450 cents

describe("billing, with the real services", () => {
  let b: Brigade;
  let waiter: string;
  let cashier: string;
  let chef: string;
  const today = localDay(new Date());

  beforeAll(async () => {
    b = await startBrigade({ env: { KITCHEN_TIME_SCALE: "0.01", BRIGADE_SEED: "true" } });
    [waiter, cashier, chef] = await Promise.all([b.tokenFor("waiter"), b.tokenFor("cashier"), b.tokenFor("chef")]);
  });
  afterAll(() => b.stop());

  const getOrder = async (id: string) => (await b.request("GET", `/api/orders/${id}`, { token: waiter })).body;

  /** Places an order, lets the kitchen cook it, serves it. */
  async function servedOrder(table: string, lines: { dish: string; qty: number }[]) {
    const placed = await b.request("POST", "/api/orders", { token: waiter, body: { table, lines } });
    expect(placed.status).toBe(201);
    for (;;) {
      const order = await getOrder(placed.body.id);
      if (order.status === "ready") break;
      expect(["placed", "cooking"]).toContain(order.status);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const served = await b.request("POST", `/api/orders/${placed.body.id}/serve`, { token: waiter });
    expect(served.status).toBe(200);
    return served.body as { id: string; totalCents: number };
  }

  const openBill = (table: string, token = waiter) => b.request("POST", "/api/bills", { token, body: { table } });
  const pay = (bill: string, body: object, headers: Record<string, string> = {}) =>
    b.request("POST", `/api/bills/${bill}/payments`, { token: cashier, body, headers });
  const takings = async (date = today) => {
    const res = await b.request("GET", `/api/takings?date=${date}`, { token: cashier });
    expect(res.status).toBe(200);
    return res.body;
  };

  it("serves a meal, bills it, takes cash with change, marks the order paid, and shows it in the takings", async () => {
    const order = await servedOrder("1", [
      { dish: GIN, qty: 2 },
      { dish: LEMONADE, qty: 1 },
    ]);
    expect(order.totalCents).toBe(2250);

    const bill = await openBill("1");
    expect(bill.status).toBe(201);
    expect(bill.body).toMatchObject({ table: "1", status: "open", orders: [order.id], totalCents: 2250, paidCents: 0 });
    expect((await getOrder(order.id)).bill).toBe(bill.body.id);

    const paid = await pay(bill.body.id, { method: "cash", amountCents: 3000, tipCents: 250 });
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({
      changeCents: 500,
      payment: {
        method: "cash",
        amountCents: 3000,
        appliedCents: 2250,
        tipCents: 250,
        changeCents: 500,
        bill: bill.body.id,
      },
      bill: { id: bill.body.id, status: "paid", paidCents: 2250, tipsCents: 250, dueCents: 0 },
    });
    expect(await getOrder(order.id)).toMatchObject({ status: "paid", bill: bill.body.id });

    expect(await takings()).toEqual({
      date: today,
      orders: 1,
      revenueCents: 2250,
      tipsCents: 250,
      refundsCents: 0,
      byMethod: { cash: 2500, card: 0 },
      topDishes: [
        { dish: GIN, name: "Gin and Tonic", qty: 2 },
        { dish: LEMONADE, name: "Fresh Lemonade", qty: 1 },
      ],
    });
    expect((await b.request("GET", "/api/takings", { token: cashier })).body.date).toBe(today);
  });

  it("refuses to bill a table with nothing served and unpaid", async () => {
    const res = await openBill("nobody-here");
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ type: "NOTHING_TO_BILL", code: 409 });
    expect(res.body.message).toMatch(/no served, unpaid orders/);
    const placed = await b.request("POST", "/api/orders", {
      token: waiter,
      body: { table: "2", lines: [{ dish: GIN, qty: 1 }] },
    });
    expect(placed.status).toBe(201);
    expect((await openBill("2")).body.type).toBe("NOTHING_TO_BILL"); // placed, not served yet
    expect((await openBill("2", chef)).status).toBe(403);
  });

  it("takes one payment for one Idempotency-Key, whether the retry comes after or alongside the first", async () => {
    const first = await servedOrder("3", [{ dish: GIN, qty: 1 }]);
    const second = await servedOrder("4", [{ dish: GIN, qty: 1 }]);
    const billA = (await openBill("3")).body;
    const billB = (await openBill("4")).body;

    const once = await pay(billA.id, { method: "card", amountCents: 900 }, { "idempotency-key": "till-7-a" });
    const again = await pay(billA.id, { method: "card", amountCents: 900 }, { "idempotency-key": "till-7-a" });
    expect(once.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.payment).toEqual(once.body.payment);
    expect(again.body.bill).toMatchObject({ status: "paid", paidCents: 900 });

    const together = await Promise.all(
      Array.from({ length: 4 }, () =>
        pay(billB.id, { method: "card", amountCents: 1000, tipCents: 100 }, { "idempotency-key": "till-7-b" }),
      ),
    );
    for (const res of together) expect(res.status).toBe(201);
    expect(new Set(together.map((res) => res.body.payment.id)).size).toBe(1);

    for (const bill of [billA, billB]) {
      const stored = (await b.request("GET", `/api/bills/${bill.id}`, { token: cashier })).body;
      expect(stored.payments).toHaveLength(1);
      expect(stored.status).toBe("paid");
    }
    expect((await getOrder(first.id)).status).toBe("paid");
    expect((await getOrder(second.id)).status).toBe("paid");
    const paidAgain = await pay(billA.id, { method: "card", amountCents: 900 });
    expect(paidAgain.status).toBe(409);
    expect(paidAgain.body.type).toBe("BILL_ALREADY_PAID");
  });

  it("takes partial payments until the bill is paid, and only then marks the orders paid", async () => {
    const order = await servedOrder("5", [{ dish: LEMONADE, qty: 4 }]); // 1800
    const bill = (await openBill("5", cashier)).body;
    const card = await pay(bill.id, { method: "card", amountCents: 1100, tipCents: 100 });
    expect(card.body).toMatchObject({ changeCents: 0, bill: { status: "open", paidCents: 1000, dueCents: 800 } });
    expect((await getOrder(order.id)).status).toBe("served");
    const tooMuchOnCard = await pay(bill.id, { method: "card", amountCents: 801 });
    expect(tooMuchOnCard.status).toBe(409);
    expect(tooMuchOnCard.body.type).toBe("OVERPAYMENT");
    const cash = await pay(bill.id, { method: "cash", amountCents: 1000 });
    expect(cash.body).toMatchObject({
      changeCents: 200,
      payment: { appliedCents: 800 },
      bill: { status: "paid", paidCents: 1800, tipsCents: 100 },
    });
    expect((await getOrder(order.id)).status).toBe("paid");
  });

  it("lets a manager refund up to what was paid, and nobody else", async () => {
    await servedOrder("6", [{ dish: GIN, qty: 2 }]); // 1800
    const bill = (await openBill("6")).body;
    await pay(bill.id, { method: "card", amountCents: 2000, tipCents: 200 });
    const before = await takings();

    const byCashier = await b.request("POST", `/api/bills/${bill.id}/refunds`, {
      token: cashier,
      body: { amountCents: 500, reason: "Warm gin" },
    });
    expect(byCashier.status).toBe(403);
    const refund = await b.request("POST", `/api/bills/${bill.id}/refunds`, {
      token: b.adminToken,
      body: { amountCents: 500, reason: "Warm gin" },
    });
    expect(refund.status).toBe(201);
    expect(refund.body).toMatchObject({
      refund: { amountCents: 500, reason: "Warm gin", bill: bill.id },
      bill: { refundedCents: 500, paidCents: 1800, status: "paid" },
    });

    const over = await b.request("POST", `/api/bills/${bill.id}/refunds`, {
      token: b.adminToken,
      body: { amountCents: 1301, reason: "Everything" },
    });
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({ type: "OVER_REFUND", data: { refundableCents: 1300 } });
    expect(
      (
        await b.request("POST", `/api/bills/${bill.id}/refunds`, {
          token: b.adminToken,
          body: { amountCents: 100, reason: "" },
        })
      ).status,
    ).toBe(422);
    expect(
      (
        await b.request("POST", `/api/bills/${bill.id}/refunds`, {
          token: b.adminToken,
          body: { amountCents: 100, reason: "x".repeat(201) },
        })
      ).status,
    ).toBe(422);

    const after = await takings();
    expect(after.refundsCents - before.refundsCents).toBe(500);
    expect(after.revenueCents).toBe(before.revenueCents); // reported apart, not netted
  });

  it("answers takings for a day with nothing taken, and refuses a malformed day or the wrong role", async () => {
    expect(await takings("2001-01-01")).toEqual({
      date: "2001-01-01",
      orders: 0,
      revenueCents: 0,
      tipsCents: 0,
      refundsCents: 0,
      byMethod: { cash: 0, card: 0 },
      topDishes: [],
    });
    for (const date of ["2001-02-30", "yesterday", "2001-1-1"]) {
      const res = await b.request("GET", `/api/takings?date=${date}`, { token: cashier });
      expect({ date, status: res.status }).toEqual({ date, status: 422 });
    }
    expect((await b.request("GET", "/api/takings", { token: waiter })).status).toBe(403);
    expect((await b.request("GET", "/api/takings", { token: b.adminToken })).status).toBe(200);
  });
});
