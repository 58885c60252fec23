/**
 * Opening a bill for a table: the orders service claims the table's served, unpaid, unbilled
 * orders for it, one conditional update per order, so two bills opened at once never share an
 * order. The bill copies their lines, so the takings never need to ask the orders service.
 *
 * A table with an open bill keeps that bill: opening again adds the orders served since (and
 * answers 200 with the bill as it now is, rather than 201). Only a table with no open bill and
 * nothing to claim is refused (409 NOTHING_TO_BILL). `orders.claimForBill` answers every order
 * attached to the bill, not only the ones it just claimed, so orders claimed by an `open` that
 * stopped before writing them onto the bill are picked up by the next `open` for the table.
 *
 * A new bill is stored as `opening` before anything is claimed for it: if the process stops
 * mid-way, the reconcile loop finds the stale `opening` bill and gives its orders back
 * (`abandonOpening`). The final switch to `open` is conditional on still being `opening`, so
 * a bill the loop has given up can never come back with orders it no longer holds.
 */
import type { MoveTableParams, OrderView } from "../../lib/contracts";
import type { Store } from "../../lib/store";
import { Conflict } from "../../lib/errors";
import { changeBill, linesOf, newBill, type BillDoc } from "./bill";
import { dueCents, localDay } from "./bill-math";
import { finishPaidBill } from "./paid-bill";
import type { BillingPorts } from "./ports";

export const NothingToBill = (table: string) =>
  Conflict(
    "NOTHING_TO_BILL",
    `Table ${table} has no served, unpaid orders to bill. Serve its orders first (POST /api/orders/:id/serve).`,
    { table },
  );

export async function openBill(
  ports: BillingPorts,
  table: string,
  staff: string,
): Promise<{ bill: BillDoc; created: boolean }> {
  const [current] = await ports.bills.find({ table, status: "open" }, { sort: ["createdAt"], limit: 1 });
  if (current) {
    const grown = await addToOpenBill(ports, current);
    if (grown) return { bill: await closeIfNothingDue(ports, grown), created: false };
  }
  return { bill: await closeIfNothingDue(ports, await createBill(ports, table, staff)), created: true };
}

/**
 * Free dishes exist (a price of 0): a bill of only those has nothing to pay and could never
 * take a payment, so it is paid the moment it opens and its orders are settled.
 */
async function closeIfNothingDue(ports: BillingPorts, bill: BillDoc): Promise<BillDoc> {
  if (bill.status !== "open" || dueCents(bill) > 0) return bill;
  const now = ports.now();
  const closed = await ports.bills.updateIf(
    bill._id,
    { status: "open", version: bill.version },
    {
      $set: { status: "paid", paidAt: now.toISOString(), paidDay: localDay(now), settled: false, announced: false },
      $inc: { version: 1 },
    },
  );
  if (!closed) return (await ports.bills.get(bill._id)) ?? bill;
  await finishPaidBill(ports, bill._id);
  return (await ports.bills.get(bill._id)) ?? closed;
}

const totalOf = (orders: OrderView[]) => orders.reduce((sum, order) => sum + order.totalCents, 0);

/** The open bill with any newly served orders added; null when it was paid meanwhile. */
async function addToOpenBill(ports: BillingPorts, bill: BillDoc): Promise<BillDoc | null> {
  const claimed = await ports.orders.claimForBill({ table: bill.table, bill: bill._id });
  let stranded = false;
  const grown = await changeBill<BillDoc | null>(ports.bills, bill._id, (current) => {
    const fresh = claimed.filter((order) => !current.orders.includes(order.id));
    if (current.status !== "open") {
      stranded = fresh.length > 0;
      return { done: null };
    }
    if (fresh.length === 0) return { done: current };
    return {
      update: {
        $push: { orders: { $each: fresh.map((o) => o.id) }, lines: { $each: linesOf(fresh) } },
        $inc: { totalCents: totalOf(fresh) },
      },
      result: (after) => after,
    };
  });
  if (grown) {
    if (grown.orders.length > bill.orders.length)
      ports.logger.info({ bill: bill._id, orders: grown.orders.length }, "Served orders added to the open bill.");
    return grown;
  }
  if (stranded) {
    // The last payment landed between our claim and our write: these orders are claimed by a
    // paid bill they are not on. Once the bill's own orders are settled they are given back,
    // and the new bill below can claim them.
    await ports.bills.update({ _id: bill._id, status: "paid" }, { $set: { releaseAfterSettle: true } });
    await finishPaidBill(ports, bill._id);
  }
  return null;
}

async function createBill(ports: BillingPorts, table: string, staff: string): Promise<BillDoc> {
  const doc = newBill(table, staff, ports.now());
  await ports.bills.insert(doc);
  let claimed: OrderView[];
  try {
    claimed = await ports.orders.claimForBill({ table, bill: doc._id });
  } catch (err) {
    await abandonOpening(ports, doc._id).catch(() => undefined);
    throw err;
  }
  if (claimed.length === 0) {
    await ports.bills.remove({ _id: doc._id, status: "opening" });
    throw NothingToBill(table);
  }
  const opened = await ports.bills.updateIf(
    doc._id,
    { status: "opening" },
    {
      $set: { status: "open", orders: claimed.map((o) => o.id), lines: linesOf(claimed), totalCents: totalOf(claimed) },
      $inc: { version: 1 },
    },
  );
  if (!opened) {
    throw Conflict(
      "BILL_NOT_OPENED",
      `Opening a bill for table ${table} took too long and was undone; open it again.`,
      { table },
    );
  }
  ports.logger.info(
    { bill: doc._id, table, orders: opened.orders.length, totalCents: opened.totalCents },
    "Bill opened.",
  );
  return opened;
}

/**
 * Gives up a bill stuck in `opening`: marks it `abandoned` first (so its opener can no longer
 * finish it), then asks the orders service to release whatever was claimed for it, then forgets
 * it. A failed release leaves it `abandoned` for the next reconcile pass.
 */
export async function abandonOpening(ports: BillingPorts, id: string): Promise<void> {
  await ports.bills.update({ _id: id, status: "opening" }, { $set: { status: "abandoned" } });
  const bill = await ports.bills.get(id);
  if (bill?.status !== "abandoned") return;
  await ports.orders.releaseFromBill({ bill: id });
  await ports.bills.remove({ _id: id, status: "abandoned" });
  ports.logger.warn(
    { bill: id, table: bill.table },
    "Gave up a bill that never finished opening; its orders can be billed again.",
  );
}

/**
 * A transfer: the table's open bill (or one still opening) now belongs to the new table. Its
 * payments and lines stay as they are; the bill is the party's, wherever it sits.
 */
export async function moveBillTable(bills: Store<BillDoc>, { from, to }: MoveTableParams): Promise<number> {
  return bills.update(
    { table: from, status: { $in: ["opening", "open"] } },
    { $set: { table: to }, $inc: { version: 1 } },
  );
}
