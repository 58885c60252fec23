/**
 * A manager gives money back on a bill. Like a payment, the refund is journalled into the bill
 * by one conditional update on its version, so two refunds at once can never together exceed
 * what was paid; it is then copied to the ledger as its own record. A refund changes neither
 * what was paid nor the bill's status: it is reported on its own in the takings.
 */
import type { BillView, RefundView } from "../../lib/contracts";
import { checkRefund, localDay } from "./bill-math";
import { billView, changeBill, refundIdFor, refundView, replayedEntry, type BillDoc, type RefundEntry } from "./bill";
import { recordJournal } from "./ledger";
import type { BillingPorts } from "./ports";
import { locationOf } from "../../lib/locations";

export interface RefundParams {
  id: string;
  amountCents: number;
  reason: string;
}

export async function giveRefund(
  ports: BillingPorts,
  params: RefundParams,
  staff: string,
  idempotencyKey?: string,
): Promise<{ refund: RefundView; bill: BillView }> {
  const refundId = refundIdFor(params.id, idempotencyKey);
  let fresh = false;

  const { bill, entry } = await changeBill<{ bill: BillDoc; entry: RefundEntry }>(ports.bills, params.id, (current) => {
    const earlier = replayedEntry(
      current.refunds,
      refundId,
      "refund",
      (r) => r.amountCents === params.amountCents && r.reason === params.reason,
    );
    if (earlier) return { done: { bill: current, entry: earlier } };
    checkRefund(current, params.amountCents);
    const now = ports.now();
    const entry: RefundEntry = {
      id: refundId,
      kind: "refund",
      amountCents: params.amountCents,
      reason: params.reason,
      day: localDay(now),
      createdAt: now.toISOString(),
      createdBy: staff,
    };
    return {
      update: { $inc: { refundedCents: params.amountCents }, $push: { refunds: entry }, $set: { ledgerDirty: true } },
      result: (after: BillDoc) => {
        fresh = true;
        return { bill: after, entry };
      },
    };
  });

  if (bill.ledgerDirty) await recordJournal(ports.bills, ports.ledger, bill);
  if (fresh) {
    ports.logger.info({ bill: bill._id, refund: entry.id, amountCents: entry.amountCents, by: staff }, "Refund given.");
    await ports.emit("bill.refunded", {
      location: locationOf(bill),
      refund: entry.id,
      bill: bill._id,
      amountCents: entry.amountCents,
      reason: entry.reason,
    });
  }
  return { refund: refundView(bill._id, entry), bill: billView(bill) };
}
