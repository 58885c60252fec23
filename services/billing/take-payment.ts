/**
 * Taking a payment on a bill (the split into applied, tip and change is bill-math's).
 *
 * The payment is journalled into the bill by one conditional update on the bill's version, so
 * concurrent payments never over-apply: the loser reads the new sums and decides again. With an
 * Idempotency-Key the payment's id is derived from bill and key; a retry (sequential or
 * concurrent) finds that id in the journal and gets the first answer back, and no second
 * payment is taken. The same key with a different payment is refused.
 */
import type { PaymentMethod, PaymentView, BillView } from "../../lib/contracts";
import { Conflict } from "../../lib/errors";
import { applyPayment, dueCents, localDay } from "./bill-math";
import {
  billView,
  changeBill,
  paymentIdFor,
  paymentView,
  replayedEntry,
  type BillDoc,
  type PaymentEntry,
} from "./bill";
import { recordJournal } from "./ledger";
import { finishPaidBill } from "./paid-bill";
import type { BillingPorts } from "./ports";
import { locationOf } from "../../lib/locations";

export interface PaymentParams {
  id: string;
  method: PaymentMethod;
  amountCents: number;
  tipCents?: number;
}

export interface PaymentAnswer {
  payment: PaymentView;
  bill: BillView;
  changeCents: number;
}

export async function takePayment(
  ports: BillingPorts,
  params: PaymentParams,
  staff: string,
  idempotencyKey?: string,
): Promise<PaymentAnswer> {
  const paymentId = paymentIdFor(params.id, idempotencyKey);
  const tipCents = params.tipCents ?? 0;
  let fresh = false;

  const { bill, entry } = await changeBill<{ bill: BillDoc; entry: PaymentEntry }>(
    ports.bills,
    params.id,
    (current) => {
      const earlier = replayedEntry(
        current.payments,
        paymentId,
        "payment",
        (p) => p.method === params.method && p.amountCents === params.amountCents && p.tipCents === tipCents,
      );
      if (earlier) return { done: { bill: current, entry: earlier } };
      if (current.status === "paid") {
        throw Conflict(
          "BILL_ALREADY_PAID",
          `Bill ${current._id} is already paid in full; nothing more can be paid on it.`,
          { bill: current._id },
        );
      }
      const outcome = applyPayment(current, { method: params.method, amountCents: params.amountCents, tipCents });
      const now = ports.now();
      const entry: PaymentEntry = {
        id: paymentId,
        kind: "payment",
        method: params.method,
        amountCents: params.amountCents,
        appliedCents: outcome.appliedCents,
        tipCents: outcome.tipCents,
        changeCents: outcome.changeCents,
        day: localDay(now),
        createdAt: now.toISOString(),
        createdBy: staff,
      };
      const set: Partial<BillDoc> = { ledgerDirty: true };
      if (outcome.paidInFull)
        Object.assign(set, {
          status: "paid",
          paidAt: entry.createdAt,
          paidDay: entry.day,
          settled: false,
          announced: false,
        });
      return {
        update: {
          $inc: { paidCents: outcome.appliedCents, tipsCents: outcome.tipCents },
          $push: { payments: entry },
          $set: set,
        },
        result: (after: BillDoc) => {
          fresh = true;
          return { bill: after, entry };
        },
      };
    },
  );

  // A replay finishes whatever the first attempt may not have: the ledger copy, the settling.
  if (bill.ledgerDirty) await recordJournal(ports.bills, ports.ledger, bill);
  if (fresh) {
    ports.logger.info(
      {
        bill: bill._id,
        payment: entry.id,
        method: entry.method,
        appliedCents: entry.appliedCents,
        dueCents: dueCents(bill),
      },
      "Payment taken.",
    );
    await ports.emit("payment.taken", {
      location: locationOf(bill),
      payment: entry.id,
      bill: bill._id,
      method: entry.method,
      appliedCents: entry.appliedCents,
      tipCents: entry.tipCents,
    });
  }
  let final = bill;
  if (bill.status === "paid" && (!bill.settled || !bill.announced || bill.releaseAfterSettle)) {
    await finishPaidBill(ports, bill._id);
    final = (await ports.bills.get(bill._id)) ?? bill;
  }
  return { payment: paymentView(bill._id, entry), bill: billView(final), changeCents: entry.changeCents };
}
