/**
 * The orders' side of billing. A bill claims a table's served orders by setting their `bill`
 * with a conditional update (`bill: null` in the query), so two bills opened at once for one
 * table never share an order; paying the bill settles them served → paid. All idempotent:
 * billing retries these calls, and also announces `bill.paid`, which settles again.
 */
import type { ClaimForBillParams, OrderView, SettleParams } from "../../lib/contracts";
import { Conflict } from "../../lib/errors";
import { STATUS_STAMPS } from "./lifecycle";
import { orderView } from "./order";
import type { MovePorts } from "./order-moves";
import { locationOf } from "../../lib/locations";

/** The same things a life-cycle move needs: the store, events, cache cleaning and the clock. */
export type BillPorts = MovePorts;

/** Claims the table's served, unbilled orders; the answer is every order of the bill, so a retry gets the same. */
export async function claimForBill(ports: BillPorts, { table, bill }: ClaimForBillParams): Promise<OrderView[]> {
  const open = await ports.store.find({ table, status: "served", bill: null, accepted: true });
  let claimed = 0;
  for (const doc of open) {
    claimed += await ports.store.update(
      { _id: doc._id, status: "served", bill: null },
      { $set: { bill, updatedAt: ports.now().toISOString() } },
    );
  }
  if (claimed) await ports.changed(locationOf(open[0]));
  return (await ports.store.find({ bill }, { sort: ["createdAt", "_id"] })).map(orderView);
}

/** The bill is paid: its orders become paid, each once. An order not on the bill is refused. */
export async function settleBill(ports: BillPorts, { bill, orders }: SettleParams): Promise<OrderView[]> {
  const settled: OrderView[] = [];
  let changed: string | undefined;
  for (const id of orders) {
    const paidAt = ports.now().toISOString();
    const after = await ports.store.updateIf(
      id,
      { status: "served", bill },
      { $set: { status: "paid", [STATUS_STAMPS.paid]: paidAt, updatedAt: paidAt } },
    );
    if (after) {
      changed = locationOf(after);
      await ports.emit("order.paid", {
        location: locationOf(after),
        order: id,
        table: after.table,
        status: "paid",
        at: paidAt,
        placedAt: after.createdAt,
      });
      settled.push(orderView(after));
      continue;
    }
    const doc = await ports.store.get(id);
    if (doc?.status === "paid" && doc.bill === bill) {
      settled.push(orderView(doc));
      continue;
    }
    throw Conflict(
      "ORDER_NOT_ON_BILL",
      `Order ${id} is not a served order of bill ${bill} (it is ${doc?.status ?? "unknown"}${doc?.bill ? ` on bill ${doc.bill}` : ""}).`,
      { order: id, bill },
    );
  }
  if (changed) await ports.changed(changed);
  return settled;
}

/** Gives a bill's still-unpaid orders back, for another bill to claim. */
export async function releaseFromBill(ports: BillPorts, bill: string): Promise<number> {
  const released = await ports.store.update(
    { bill, status: "served" },
    { $set: { bill: null, updatedAt: ports.now().toISOString() } },
  );
  if (released) await ports.changed();
  return released;
}
