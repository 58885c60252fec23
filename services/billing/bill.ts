/**
 * A bill as the billing service stores it, how it is shown, and the one way it changes:
 * a conditional update on its `version` (optimistic concurrency), retried a few times.
 *
 * The bill carries a journal of its payments and refunds, written in the same atomic update
 * that moves its sums: a payment can never be half applied. The same entries are then copied
 * into the ledger collection (ledger.ts), which the takings read; `ledgerDirty` marks a bill
 * whose latest entries may not have reached the ledger yet, so the reconcile loop can finish
 * the copy after a crash.
 */
import { personText, TABLE_RULE } from "../../lib/text-rules";
import { createHash } from "node:crypto";
import type { BillLine, BillView, OrderView, PaymentMethod, PaymentView, RefundView } from "../../lib/contracts";
import { Conflict, NotFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import type { Store } from "../../lib/store";
import { dueCents } from "./bill-math";

/**
 * `opening`: stored before its orders are claimed, so a crash mid-way leaves a trace the
 * reconcile loop can undo; `abandoned`: an opening that was given up (orders being released).
 * Neither is ever shown to a client.
 */
export type BillStatus = "opening" | "open" | "paid" | "abandoned";

export interface PaymentEntry {
  id: string;
  kind: "payment";
  method: PaymentMethod;
  amountCents: number;
  appliedCents: number;
  tipCents: number;
  changeCents: number;
  /** The server's local day the payment was taken, for the takings. */
  day: string;
  createdAt: string;
  createdBy: string;
}

export interface RefundEntry {
  id: string;
  kind: "refund";
  amountCents: number;
  reason: string;
  day: string;
  createdAt: string;
  createdBy: string;
}

export interface BillDoc {
  _id: string;
  /** Its location, stamped by the store (lib/location-store.ts); absent only before locations (main). */
  location?: string;
  table: string;
  status: BillStatus;
  orders: string[];
  /** The ordered dishes, copied when the orders joined the bill: the takings need no other service. */
  lines: BillLine[];
  totalCents: number;
  /** Applied towards the total; tips and change excluded. */
  paidCents: number;
  tipsCents: number;
  refundedCents: number;
  /** Bumped by every change; each write is conditional on the version it read. */
  version: number;
  payments: PaymentEntry[];
  refunds: RefundEntry[];
  ledgerDirty: boolean;
  /** Paid, and the orders service confirmed its orders are `paid` too. */
  settled: boolean;
  /** `bill.paid` went out. */
  announced: boolean;
  /** Orders were claimed for this bill after it was paid: give them back once it is settled. */
  releaseAfterSettle: boolean;
  createdAt: string;
  createdBy: string;
  paidAt?: string;
  /** The server's local day the bill was paid in full. */
  paidDay?: string;
  settledAt?: string;
}

/** The statuses a client may see and filter on. */
export const VISIBLE_STATUSES = ["open", "paid"] as const;

export const TABLE = TABLE_RULE;
export const REASON = personText(1, 200);
export const AMOUNT = { type: "number", integer: true, min: 1, max: 10_000_000 } as const;
export const TIP = { type: "number", integer: true, min: 0, max: 1_000_000 } as const;

export function newBill(table: string, createdBy: string, now: Date): BillDoc {
  return {
    _id: newId("bill"),
    table,
    status: "opening",
    orders: [],
    lines: [],
    totalCents: 0,
    paidCents: 0,
    tipsCents: 0,
    refundedCents: 0,
    version: 0,
    payments: [],
    refunds: [],
    ledgerDirty: false,
    settled: false,
    announced: false,
    releaseAfterSettle: false,
    createdAt: now.toISOString(),
    createdBy,
  };
}

export function linesOf(orders: OrderView[]): BillLine[] {
  return orders.flatMap((order) =>
    order.lines.map((line) => ({
      order: order.id,
      dish: line.dish,
      name: line.name,
      qty: line.qty,
      unitPriceCents: line.unitPriceCents,
    })),
  );
}

/**
 * The payment's id. With an Idempotency-Key it is derived from the bill and the key, so a retry,
 * even one that arrives while the first is still running, names the same payment.
 */
export function paymentIdFor(bill: string, idempotencyKey: string | undefined): string {
  return entryIdFor("pay", bill, idempotencyKey);
}

export function refundIdFor(bill: string, idempotencyKey: string | undefined): string {
  return entryIdFor("ref", bill, idempotencyKey);
}

function entryIdFor(prefix: string, bill: string, idempotencyKey: string | undefined): string {
  if (!idempotencyKey) return newId(prefix);
  return `${prefix}_${createHash("sha256").update(`${bill}\n${idempotencyKey}`).digest("hex").slice(0, 24)}`;
}

export function paymentView(bill: string, entry: PaymentEntry): PaymentView {
  return {
    id: entry.id,
    bill,
    method: entry.method,
    amountCents: entry.amountCents,
    appliedCents: entry.appliedCents,
    tipCents: entry.tipCents,
    changeCents: entry.changeCents,
    createdAt: entry.createdAt,
    createdBy: entry.createdBy,
  };
}

export function refundView(bill: string, entry: RefundEntry): RefundView {
  return {
    id: entry.id,
    bill,
    amountCents: entry.amountCents,
    reason: entry.reason,
    createdAt: entry.createdAt,
    createdBy: entry.createdBy,
  };
}

export function billView(doc: BillDoc): BillView {
  const view: BillView = {
    id: doc._id,
    table: doc.table,
    orders: doc.orders,
    lines: doc.lines,
    totalCents: doc.totalCents,
    paidCents: doc.paidCents,
    dueCents: dueCents(doc),
    tipsCents: doc.tipsCents,
    refundedCents: doc.refundedCents,
    status: doc.status === "paid" ? "paid" : "open",
    createdAt: doc.createdAt,
    createdBy: doc.createdBy,
    payments: doc.payments.map((p) => paymentView(doc._id, p)),
    refunds: doc.refunds.map((r) => refundView(doc._id, r)),
  };
  if (doc.paidAt) view.paidAt = doc.paidAt;
  return view;
}

/** A bill a client may see; `opening` and `abandoned` ones do not exist for clients. */
export async function loadBill(bills: Store<BillDoc>, id: string): Promise<BillDoc> {
  const doc = await bills.get(id);
  if (!doc || !(VISIBLE_STATUSES as readonly string[]).includes(doc.status)) throw NotFound("bill", id);
  return doc;
}

/**
 * The journal entry a request with this id already made, for a retry to answer with; the same
 * Idempotency-Key with a different ask (`sameAsk` false) is refused. Undefined: a new entry.
 */
export function replayedEntry<E extends { id: string }>(
  entries: readonly E[],
  id: string,
  kind: "payment" | "refund",
  sameAsk: (earlier: E) => boolean,
): E | undefined {
  const earlier = entries.find((entry) => entry.id === id);
  if (earlier && !sameAsk(earlier)) {
    throw Conflict(
      "IDEMPOTENCY_KEY_REUSED",
      `This Idempotency-Key was already used for a different ${kind} on this bill. Use a new key for a new ${kind}.`,
      { [kind]: earlier.id },
    );
  }
  return earlier;
}

export const VERSION_ATTEMPTS = 20;

/**
 * Reads the bill, lets `decide` compute a change from what it read, and writes it only if the
 * bill is still at that version; on a lost race, reads again and decides again. `decide`
 * returns `{ done }` to finish without writing (a replay, say) or throws a domain error.
 */
export async function changeBill<R>(
  bills: Store<BillDoc>,
  id: string,
  decide: (bill: BillDoc) => { update: object; result: (after: BillDoc) => R } | { done: R },
): Promise<R> {
  for (let attempt = 0; attempt < VERSION_ATTEMPTS; attempt++) {
    const bill = await loadBill(bills, id);
    const decision = decide(bill);
    if ("done" in decision) return decision.done;
    const update = decision.update as { $inc?: Record<string, number> };
    const after = await bills.updateIf(
      id,
      { version: bill.version },
      { ...update, $inc: { ...update.$inc, version: 1 } },
    );
    if (after) return decision.result(after);
    // Someone else changed the bill first; a short random pause spreads the next round.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 3 * (attempt + 1)));
  }
  throw Conflict(
    "BILL_BUSY",
    `Bill ${id} is changing too fast to apply this; send the request again (with the same Idempotency-Key, it is safe).`,
    { bill: id },
  );
}
