/**
 * Billing's flows on a real in-memory NeDB store, with no broker. Every read of a bill yields to
 * the event loop before answering, so concurrent calls really interleave between reading a bill
 * and writing it back: exactly the window the version condition must guard.
 */
import type { Store, Doc } from "../../../lib/store";
import type { EventName, OrderView } from "../../../lib/contracts";
import type { BillDoc } from "../../../services/billing/bill";
import type { LedgerDoc } from "../../../services/billing/ledger";
import type { BillingPorts } from "../../../services/billing/ports";
import { openBill } from "../../../services/billing/open-bill";
import { takePayment } from "../../../services/billing/take-payment";
import { giveRefund } from "../../../services/billing/give-refund";
import { memoryStore } from "../../support/memory-store";

/** A store whose reads answer only after the other pending calls had their turn. */
function yieldingReads<T extends Doc>(store: Store<T>): Store<T> {
  const get = store.get.bind(store);
  store.get = async (id: string) => {
    const doc = await get(id);
    await new Promise((resolve) => setImmediate(resolve));
    return doc;
  };
  return store;
}

function served(id: string, table: string, totalCents: number): OrderView {
  return {
    id,
    table,
    status: "served",
    lines: [
      {
        dish: "dish",
        name: "Dish",
        qty: 1,
        unitPriceCents: totalCents,
        notes: "",
        modifiers: [],
        allergens: [],
        course: null,
        seat: null,
      },
    ],
    allergies: [],
    allergyConfirmed: false,
    totalCents,
    createdAt: new Date().toISOString(),
    createdBy: "w",
    bill: null,
  };
}

async function setUp(orders: OrderView[]) {
  const events: { event: EventName; payload: unknown }[] = [];
  const settled: string[] = [];
  const ports: BillingPorts = {
    bills: yieldingReads(await memoryStore<BillDoc>()),
    ledger: await memoryStore<LedgerDoc>(),
    orders: {
      async claimForBill({ table, bill }) {
        const claimed = orders.filter(
          (o) => o.table === table && o.status === "served" && (!o.bill || o.bill === bill),
        );
        for (const o of claimed) o.bill = bill;
        return claimed.map((o) => ({ ...o }));
      },
      async settle({ bill }) {
        settled.push(bill);
      },
      async releaseFromBill() {},
    },
    async emit(event, payload) {
      events.push({ event, payload });
    },
    logger: { info() {}, warn() {}, error() {} },
    now: () => new Date(),
  };
  return { ports, events, settled };
}

describe("payments racing on one bill", () => {
  it("never apply more than is due, whatever the interleaving", async () => {
    const { ports, settled, events } = await setUp([served("o1", "t", 1000)]);
    const { bill } = await openBill(ports, "t", "w");
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => takePayment(ports, { id: bill._id, method: "card", amountCents: 300 }, "c")),
    );
    const taken = results.filter((r) => r.status === "fulfilled");
    expect(taken).toHaveLength(3);
    for (const r of results)
      if (r.status === "rejected") expect((r.reason as { type: string }).type).toBe("OVERPAYMENT");
    const after = (await ports.bills.get(bill._id))!;
    expect(after).toMatchObject({ paidCents: 900, status: "open" });
    expect(after.payments).toHaveLength(3);
    expect(await ports.ledger.count()).toBe(3);
    expect(settled).toEqual([]);
    expect(events.filter((e) => e.event === "payment.taken")).toHaveLength(3);
  });

  it("pay a bill in full exactly once when the last payments race; it is settled and announced once", async () => {
    const { ports, settled, events } = await setUp([served("o1", "t", 1000)]);
    const { bill } = await openBill(ports, "t", "w");
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => takePayment(ports, { id: bill._id, method: "cash", amountCents: 2000 }, "c")),
    );
    const taken = results.filter(
      (r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof takePayment>>> => r.status === "fulfilled",
    );
    expect(taken).toHaveLength(1);
    expect(taken[0].value).toMatchObject({ changeCents: 1000, bill: { status: "paid", paidCents: 1000 } });
    for (const r of results)
      if (r.status === "rejected") expect((r.reason as { type: string }).type).toBe("BILL_ALREADY_PAID");
    expect(settled).toEqual([bill._id]);
    expect(events.filter((e) => e.event === "bill.paid")).toHaveLength(1);
  });

  it("with one Idempotency-Key, take one payment and give every caller its answer", async () => {
    const { ports } = await setUp([served("o1", "t", 1000)]);
    const { bill } = await openBill(ports, "t", "w");
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        takePayment(ports, { id: bill._id, method: "cash", amountCents: 400, tipCents: 100 }, "c", "key-1"),
      ),
    );
    expect(new Set(answers.map((a) => a.payment.id)).size).toBe(1);
    for (const a of answers) expect(a.payment).toEqual(answers[0].payment);
    const after = (await ports.bills.get(bill._id))!;
    expect(after).toMatchObject({ paidCents: 300, tipsCents: 100 });
    expect(await ports.ledger.count()).toBe(1);
  });
});

describe("refunds racing on one bill", () => {
  it("never add up above what was paid", async () => {
    const { ports } = await setUp([served("o1", "t", 1000)]);
    const { bill } = await openBill(ports, "t", "w");
    await takePayment(ports, { id: bill._id, method: "card", amountCents: 1000 }, "c");
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => giveRefund(ports, { id: bill._id, amountCents: 300, reason: "cold" }, "m")),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    for (const r of results)
      if (r.status === "rejected") expect((r.reason as { type: string }).type).toBe("OVER_REFUND");
    expect((await ports.bills.get(bill._id))!.refundedCents).toBe(900);
    expect(await ports.ledger.count({ kind: "refund" })).toBe(3);
  });
});

describe("opening bills at once for one table", () => {
  it("never bills an order twice", async () => {
    const orders = Array.from({ length: 6 }, (_, i) => served(`o${i}`, "t", 100));
    const { ports } = await setUp(orders);
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => openBill(ports, "t", "w")));
    const billed = (await ports.bills.find({ status: "open" })).flatMap((b) => b.orders);
    expect(billed.sort()).toEqual(orders.map((o) => o.id).sort());
    for (const r of results)
      if (r.status === "rejected") expect((r.reason as { type: string }).type).toBe("NOTHING_TO_BILL");
  });
});

describe("a bill with nothing to pay", () => {
  it("is paid as it opens (free dishes only), and its orders are settled", async () => {
    const { ports, settled, events } = await setUp([served("o1", "t", 0)]);
    const { bill } = await openBill(ports, "t", "w");
    expect(bill).toMatchObject({ status: "paid", totalCents: 0, settled: true, announced: true });
    expect(settled).toEqual([bill._id]);
    expect(events.filter((e) => e.event === "bill.paid")).toHaveLength(1);
  });
});
