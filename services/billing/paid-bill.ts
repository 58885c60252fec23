/**
 * What follows a bill's last payment, once the bill itself is stored as `paid` (that write is
 * the fact; everything here may fail and be retried by the reconcile loop):
 *   1. `orders.settle`: its orders become `paid` (idempotent on the orders side); `settled` is
 *      set only after it answered.
 *   2. Orders claimed for the bill after it was paid (a race with `open`) are given back.
 *   3. `bill.paid` goes out: emitted first and marked after, so a crash repeats it rather than
 *      losing it (consumers are idempotent).
 */
import type { BillDoc } from "./bill";
import type { BillingPorts } from "./ports";
import { locationOf } from "../../lib/locations";

export async function finishPaidBill(ports: BillingPorts, id: string): Promise<void> {
  let bill = await ports.bills.get(id);
  if (bill?.status !== "paid") return;

  if (!bill.settled) {
    try {
      await ports.orders.settle({ bill: bill._id, orders: bill.orders });
      bill =
        (await ports.bills.updateIf(
          id,
          { settled: false },
          { $set: { settled: true, settledAt: ports.now().toISOString() } },
        )) ?? (await ports.bills.get(id))!;
    } catch (err) {
      ports.logger.warn(
        { bill: id, err: (err as Error).message },
        "Bill is paid but its orders could not be marked paid yet; the reconcile loop will retry.",
      );
    }
  }

  if (bill.settled && bill.releaseAfterSettle) {
    try {
      await ports.orders.releaseFromBill({ bill: bill._id });
      await ports.bills.update({ _id: id, releaseAfterSettle: true }, { $set: { releaseAfterSettle: false } });
    } catch (err) {
      ports.logger.warn(
        { bill: id, err: (err as Error).message },
        "Could not give back orders claimed after the bill was paid; the reconcile loop will retry.",
      );
    }
  }

  if (!bill.announced) {
    await ports.emit("bill.paid", paidEvent(bill));
    await ports.bills.update({ _id: id, announced: false }, { $set: { announced: true } });
  }
}

function paidEvent(bill: BillDoc) {
  return {
    location: locationOf(bill),
    bill: bill._id,
    table: bill.table,
    orders: bill.orders,
    totalCents: bill.totalCents,
    paidAt: bill.paidAt ?? bill.createdAt,
  };
}
