/**
 * Billing through HTTP against a stand-in `orders` service: the stand-in lets these tests make
 * the orders side fail or race on purpose (settle down, a payment landing mid-claim, a crash
 * mid-opening), which the real services cannot be made to do on demand. The meal end to end,
 * with the real services, is billing.test.ts.
 */
import type { ServiceSchema, Context } from "moleculer";
import { startBrigade, type Brigade } from "../support/brigade";
import type { BillPaid, ClaimForBillParams, OrderView, ReleaseFromBillParams, SettleParams } from "../../lib/contracts";
import type { Store } from "../../lib/store";
import type { BillDoc } from "../../services/billing/bill";
import type { LedgerDoc } from "../../services/billing/ledger";
import type { LocationStores } from "../../lib/location-store";

interface StandIn {
  orders: Map<string, OrderView>;
  settleFails: boolean;
  settled: SettleParams[];
  paidEvents: BillPaid[];
  /** Runs inside claimForBill, after the claim and before the answer. */
  duringClaim?: (params: ClaimForBillParams) => Promise<void>;
  serve(table: string, lines: { dish: string; qty: number; unitPriceCents: number }[]): OrderView;
}

function standInOrders(): { schema: ServiceSchema; state: StandIn } {
  let seq = 0;
  const state: StandIn = {
    orders: new Map(),
    settleFails: false,
    settled: [],
    paidEvents: [],
    serve(table, lines) {
      const id = `ord_fake${++seq}`;
      const order: OrderView = {
        id,
        table,
        status: "served",
        lines: lines.map((l) => ({
          ...l,
          name: l.dish.toUpperCase(),
          notes: "",
          modifiers: [],
          allergens: [],
          course: null,
          seat: null,
        })),
        allergies: [],
        allergyConfirmed: false,
        totalCents: lines.reduce((s, l) => s + l.qty * l.unitPriceCents, 0),
        createdAt: new Date().toISOString(),
        createdBy: "waiter",
        bill: null,
      };
      state.orders.set(id, order);
      return order;
    },
  };
  const schema: ServiceSchema = {
    name: "orders",
    actions: {
      claimForBill: {
        visibility: "public",
        async handler(ctx: Context<ClaimForBillParams>) {
          const claimed: OrderView[] = [];
          for (const order of state.orders.values()) {
            if (order.table !== ctx.params.table || order.status !== "served") continue;
            if (order.bill && order.bill !== ctx.params.bill) continue;
            order.bill = ctx.params.bill;
            claimed.push({ ...order });
          }
          await state.duringClaim?.(ctx.params);
          return claimed;
        },
      },
      settle: {
        visibility: "public",
        async handler(ctx: Context<SettleParams>) {
          if (state.settleFails) throw new Error("orders store is down");
          state.settled.push(ctx.params);
          for (const id of ctx.params.orders) {
            const order = state.orders.get(id)!;
            order.status = "paid";
          }
          return ctx.params.orders.length;
        },
      },
      releaseFromBill: {
        visibility: "public",
        async handler(ctx: Context<ReleaseFromBillParams>) {
          let released = 0;
          for (const order of state.orders.values()) {
            if (order.bill === ctx.params.bill && order.status === "served") {
              order.bill = null;
              released++;
            }
          }
          return released;
        },
      },
    },
    events: {
      "bill.paid"(ctx: Context<BillPaid>) {
        state.paidEvents.push(ctx.params);
      },
    },
  };
  return { schema, state };
}

describe("billing against a stand-in orders service", () => {
  let b: Brigade;
  let fake: StandIn;
  let waiter: string;
  let cashier: string;
  let chef: string;
  let bills: Store<BillDoc>;
  let ledger: Store<LedgerDoc>;

  beforeAll(async () => {
    b = await startBrigade({ services: ["api", "staff", "billing"], env: { BRIGADE_RECONCILE_MS: "3600000" } });
    const standIn = standInOrders();
    fake = standIn.state;
    b.broker.createService(standIn.schema);
    await b.broker.waitForServices(["orders"]);
    [waiter, cashier, chef] = await Promise.all([b.tokenFor("waiter"), b.tokenFor("cashier"), b.tokenFor("chef")]);
    const billing = b.broker.getLocalService("billing") as unknown as {
      store: LocationStores<BillDoc>;
      stores: Record<string, LocationStores<LedgerDoc>>;
    };
    bills = billing.store.at("main");
    ledger = billing.stores["billing-ledger"].at("main");
  });
  afterAll(() => b.stop());
  afterEach(() => {
    fake.settleFails = false;
    fake.duringClaim = undefined;
  });

  const open = (table: string, token = waiter) => b.request("POST", "/api/bills", { token, body: { table } });
  const pay = (bill: string, body: object, headers: Record<string, string> = {}) =>
    b.request("POST", `/api/bills/${bill}/payments`, { token: cashier, body, headers });
  const reconcile = () => b.broker.call("billing.reconcile", {});

  it("refuses to open a bill for a table with nothing served and unpaid (409 NOTHING_TO_BILL), leaving no bill behind", async () => {
    const before = await bills.count();
    const res = await open("empty-1");
    expect(res.status).toBe(409);
    expect(res.body.type).toBe("NOTHING_TO_BILL");
    expect(res.body.message).toMatch(/no served, unpaid orders/);
    expect(await bills.count()).toBe(before);
  });

  it("opens a bill with the table's served orders and their lines, for waiters and cashiers but not chefs", async () => {
    const o1 = fake.serve("t1", [{ dish: "burger", qty: 2, unitPriceCents: 1200 }]);
    const o2 = fake.serve("t1", [{ dish: "fries", qty: 1, unitPriceCents: 450 }]);
    fake.serve("t1-other", [{ dish: "soda", qty: 1, unitPriceCents: 300 }]);
    expect((await open("t1", chef)).status).toBe(403);
    const res = await open("t1", cashier);
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe(`/api/bills/${res.body.id}`);
    expect(res.body).toMatchObject({
      table: "t1",
      status: "open",
      totalCents: 2850,
      paidCents: 0,
      dueCents: 2850,
      payments: [],
      refunds: [],
    });
    expect(res.body.orders.sort()).toEqual([o1.id, o2.id].sort());
    expect(res.body.lines).toEqual(
      expect.arrayContaining([
        { order: o1.id, dish: "burger", name: "BURGER", qty: 2, unitPriceCents: 1200 },
        { order: o2.id, dish: "fries", name: "FRIES", qty: 1, unitPriceCents: 450 },
      ]),
    );
  });

  it("adds orders served later to the table's open bill instead of opening a second one", async () => {
    const o1 = fake.serve("t2", [{ dish: "salad", qty: 1, unitPriceCents: 900 }]);
    const first = await open("t2");
    expect(first.status).toBe(201);
    const same = await open("t2");
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ id: first.body.id, orders: [o1.id], totalCents: 900 });
    const o2 = fake.serve("t2", [{ dish: "cake", qty: 2, unitPriceCents: 700 }]);
    const grown = await open("t2");
    expect(grown.status).toBe(200);
    expect(grown.body).toMatchObject({ id: first.body.id, orders: [o1.id, o2.id], totalCents: 2300, dueCents: 2300 });
    expect(grown.body.lines.map((l: { dish: string }) => l.dish)).toEqual(["salad", "cake"]);
    const listed = await b.request("GET", "/api/bills?table=t2&status=open", { token: waiter });
    expect(listed.body.total).toBe(1);
  });

  it("never puts one order on two bills when a table's bill is opened twice at once", async () => {
    const served = Array.from({ length: 8 }, (_, i) =>
      fake.serve("t3", [{ dish: `d${i}`, qty: 1, unitPriceCents: 100 }]),
    );
    const answers = await Promise.all(Array.from({ length: 4 }, () => open("t3")));
    for (const a of answers) expect([200, 201, 409]).toContain(a.status);
    const opened = await b.request("GET", "/api/bills?table=t3", { token: cashier });
    const billed = opened.body.rows.flatMap((bill: { orders: string[] }) => bill.orders);
    expect(billed.sort()).toEqual(served.map((o) => o.id).sort());
    expect(new Set(billed).size).toBe(billed.length);
  });

  it("takes partial payments, then cash with change; paid in full settles the orders once and announces it", async () => {
    const order = fake.serve("t4", [{ dish: "steak", qty: 1, unitPriceCents: 3000 }]);
    const bill = (await open("t4")).body;
    const card = await pay(bill.id, { method: "card", amountCents: 1200, tipCents: 200 });
    expect(card.status).toBe(201);
    expect(card.body).toMatchObject({
      changeCents: 0,
      payment: { appliedCents: 1000, tipCents: 200, method: "card" },
      bill: { status: "open", paidCents: 1000, dueCents: 2000 },
    });
    const cash = await pay(bill.id, { method: "cash", amountCents: 5000, tipCents: 500 });
    expect(cash.body).toMatchObject({
      changeCents: 2500,
      payment: { appliedCents: 2000, tipCents: 500 },
      bill: { status: "paid", paidCents: 3000, tipsCents: 700, dueCents: 0 },
    });
    expect(fake.orders.get(order.id)!.status).toBe("paid");
    expect(fake.settled.filter((s) => s.bill === bill.id)).toEqual([{ bill: bill.id, orders: [order.id] }]);
    expect(fake.paidEvents.filter((e) => e.bill === bill.id)).toHaveLength(1);
    const again = await pay(bill.id, { method: "cash", amountCents: 100 });
    expect(again.status).toBe(409);
    expect(again.body.type).toBe("BILL_ALREADY_PAID");
    const stored = await ledger.find({ bill: bill.id });
    expect(stored.map((e) => e._id).sort()).toEqual([card.body.payment.id, cash.body.payment.id].sort());
  });

  it("refuses malformed payments with 422 and unknown bills with 404", async () => {
    fake.serve("t5", [{ dish: "soup", qty: 1, unitPriceCents: 800 }]);
    const bill = (await open("t5")).body;
    for (const body of [
      { method: "cheque", amountCents: 100 },
      { method: "cash", amountCents: 0 },
      { method: "cash", amountCents: 10.5 },
      { method: "cash", amountCents: 10_000_001 },
      { method: "cash", amountCents: 100, tipCents: -1 },
      { method: "cash", amountCents: 100, tipCents: 100 },
      { method: "cash", amountCents: 100, extra: true },
      { method: "cash" },
    ]) {
      const res = await pay(bill.id, body);
      expect({ body, status: res.status }).toEqual({ body, status: 422 });
    }
    expect((await pay("bill_nope", { method: "cash", amountCents: 100 })).status).toBe(404);
    expect((await pay("../x", { method: "cash", amountCents: 100 })).status).toBeGreaterThanOrEqual(400);
    const card = await pay(bill.id, { method: "card", amountCents: 900 });
    expect(card.status).toBe(409);
    expect(card.body).toMatchObject({ type: "OVERPAYMENT", data: { dueCents: 800, maxAmountCents: 800 } });
    expect((await b.request("GET", `/api/bills/${bill.id}`, { token: cashier })).body.paidCents).toBe(0);
  });

  it("never over-applies concurrent payments on one bill", async () => {
    fake.serve("t6", [{ dish: "platter", qty: 1, unitPriceCents: 1000 }]);
    const bill = (await open("t6")).body;
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => pay(bill.id, { method: "card", amountCents: 300 })),
    );
    const taken = answers.filter((a) => a.status === 201);
    for (const a of answers) expect([201, 409]).toContain(a.status);
    expect(taken).toHaveLength(3);
    const after = (await b.request("GET", `/api/bills/${bill.id}`, { token: cashier })).body;
    expect(after).toMatchObject({ paidCents: 900, dueCents: 100, status: "open" });
    expect(after.payments).toHaveLength(3);
    expect(await ledger.count({ bill: bill.id })).toBe(3);
  });

  it("takes one payment for one Idempotency-Key, sent twice in a row or at once, and refuses the key for another payment", async () => {
    fake.serve("t7", [{ dish: "pasta", qty: 2, unitPriceCents: 900 }]);
    const bill = (await open("t7")).body;
    const body = { method: "card", amountCents: 500 };
    const concurrent = await Promise.all(
      Array.from({ length: 5 }, () => pay(bill.id, body, { "idempotency-key": "tap-1" })),
    );
    for (const a of concurrent) expect(a.status).toBe(201);
    expect(new Set(concurrent.map((a) => a.body.payment.id)).size).toBe(1);
    const retry = await pay(bill.id, body, { "idempotency-key": "tap-1" });
    expect(retry.body.payment).toEqual(concurrent[0].body.payment);
    const after = (await b.request("GET", `/api/bills/${bill.id}`, { token: cashier })).body;
    expect(after.paidCents).toBe(500);
    expect(after.payments).toHaveLength(1);
    const reused = await pay(bill.id, { method: "card", amountCents: 600 }, { "idempotency-key": "tap-1" });
    expect(reused.status).toBe(409);
    expect(reused.body.type).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  it("keeps a bill paid when settling its orders fails, and settles them on the next reconcile pass", async () => {
    const order = fake.serve("t8", [{ dish: "wine", qty: 1, unitPriceCents: 2500 }]);
    const bill = (await open("t8")).body;
    fake.settleFails = true;
    const res = await pay(bill.id, { method: "cash", amountCents: 3000 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ changeCents: 500, bill: { status: "paid" } });
    expect(fake.orders.get(order.id)!.status).toBe("served");
    expect((await bills.get(bill.id))!.settled).toBe(false);

    await reconcile();
    expect(fake.orders.get(order.id)!.status).toBe("served"); // still down: nothing lost, nothing faked
    fake.settleFails = false;
    await reconcile();
    expect(fake.orders.get(order.id)!.status).toBe("paid");
    expect((await bills.get(bill.id))!.settled).toBe(true);
    expect(fake.paidEvents.filter((e) => e.bill === bill.id).length).toBeGreaterThanOrEqual(1);
  });

  it("gives back orders claimed by a bill that was paid while they were being added, and bills them anew", async () => {
    fake.serve("t9", [{ dish: "tea", qty: 1, unitPriceCents: 400 }]);
    const first = (await open("t9")).body;
    const late = fake.serve("t9", [{ dish: "scone", qty: 1, unitPriceCents: 350 }]);
    fake.duringClaim = async (params) => {
      fake.duringClaim = undefined;
      if (params.bill === first.id) await pay(first.id, { method: "cash", amountCents: 400 });
    };
    const res = await open("t9");
    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe(first.id);
    expect(res.body.orders).toEqual([late.id]);
    const paid = (await b.request("GET", `/api/bills/${first.id}`, { token: cashier })).body;
    expect(paid).toMatchObject({ status: "paid", orders: first.orders, totalCents: 400 });
    expect((await bills.get(first.id))!.releaseAfterSettle).toBe(false);
    expect(fake.orders.get(late.id)!).toMatchObject({ status: "served", bill: res.body.id });
  });

  it("gives up a bill that never finished opening and frees its orders for the next bill", async () => {
    const order = fake.serve("t10", [{ dish: "pie", qty: 1, unitPriceCents: 500 }]);
    const stuck: BillDoc = {
      ...((await bills.find({}, { limit: 1 }))[0] as BillDoc),
      _id: "bill_stuck1",
      table: "t10",
      status: "opening",
      orders: [],
      lines: [],
      payments: [],
      refunds: [],
      createdAt: new Date(Date.now() - 3_600_000).toISOString(),
    };
    await bills.insert(stuck);
    order.bill = "bill_stuck1"; // the crash came after the orders service claimed it
    expect((await open("t10")).status).toBe(409);
    expect((await b.request("GET", "/api/bills/bill_stuck1", { token: cashier })).status).toBe(404);
    await reconcile();
    expect(await bills.get("bill_stuck1")).toBeNull();
    const res = await open("t10");
    expect(res.status).toBe(201);
    expect(res.body.orders).toEqual([order.id]);
  });

  it("copies a journalled payment the ledger missed (a crash between the two writes) on the next pass", async () => {
    fake.serve("t11", [{ dish: "fish", qty: 1, unitPriceCents: 1500 }]);
    const bill = (await open("t11")).body;
    const paid = await pay(bill.id, { method: "card", amountCents: 1500 });
    await ledger.remove({ _id: paid.body.payment.id });
    await bills.update({ _id: bill.id }, { $set: { ledgerDirty: true } });
    await reconcile();
    expect(await ledger.get(paid.body.payment.id)).toMatchObject({
      kind: "payment",
      bill: bill.id,
      appliedCents: 1500,
    });
    expect((await bills.get(bill.id))!.ledgerDirty).toBe(false);
  });

  it("lists bills by status and table, paged, and refuses unknown filters", async () => {
    const paid = await b.request("GET", "/api/bills?status=paid&pageSize=2", { token: waiter });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ page: 1, pageSize: 2 });
    expect(paid.body.total).toBeGreaterThanOrEqual(3);
    for (const row of paid.body.rows) expect(row.status).toBe("paid");
    expect((await b.request("GET", "/api/bills?status=opening", { token: waiter })).status).toBe(422);
    expect((await b.request("GET", "/api/bills?owner=me", { token: waiter })).status).toBe(422);
  });
});
