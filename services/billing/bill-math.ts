/**
 * The cashier's arithmetic, pure: what is due, how a payment splits into applied amount, tip
 * and change, how much may still be refunded, and a day's takings. No broker, no store.
 *
 * The payment rule (one rule for both methods):
 *   - `amountCents` is everything the customer hands over (cash) or has charged (card),
 *     tip included; `tipCents` is the part of it they leave as a tip. So the tip is kept out of
 *     the amount handed over, and `amountCents` must exceed `tipCents`.
 *   - what goes towards the bill is `offered = amountCents − tipCents`;
 *     applied = min(offered, due); change = offered − applied.
 *   - cash: `offered` may exceed what is due; the difference is given back as change.
 *   - card: no change exists, so `offered` may not exceed what is due (409 OVERPAYMENT);
 *     the card is charged `amountCents` = applied + tip.
 *   - `offered` below what is due is a partial payment: the bill stays open.
 *
 * Definitions used by the takings (and nowhere contradicted):
 *   - revenue  = the sum of applied amounts of the day's payments (tips and change excluded);
 *   - tips     = the sum of the day's tips;
 *   - refunds  = the sum of the day's refunds, reported on their own, never netted from revenue;
 *   - byMethod = per method, applied + tip: the money that method actually took in (the cash
 *     drawer or the card terminal, change already handed back), so cash + card = revenue + tips;
 *   - orders and topDishes = the orders and dish quantities of the bills paid in full that day.
 * A payment's or refund's day is the server's local calendar day (TZ) of the moment it was taken.
 */
import { Conflict, Invalid } from "../../lib/errors";
import type { PaymentMethod, Takings } from "../../lib/contracts";
import type { GroupTakings } from "../../lib/contracts";

export interface BillAmounts {
  totalCents: number;
  paidCents: number;
  refundedCents: number;
}

export interface PaymentRequest {
  method: PaymentMethod;
  amountCents: number;
  tipCents: number;
}

export interface AppliedPayment {
  appliedCents: number;
  tipCents: number;
  changeCents: number;
  /** The payment settles what was left: the bill becomes paid. */
  paidInFull: boolean;
}

export function dueCents(bill: Pick<BillAmounts, "totalCents" | "paidCents">): number {
  return Math.max(0, bill.totalCents - bill.paidCents);
}

/** How a payment lands on an open bill; throws the 4xx the cashier should see when it cannot. */
export function applyPayment(
  bill: Pick<BillAmounts, "totalCents" | "paidCents">,
  payment: PaymentRequest,
): AppliedPayment {
  const due = dueCents(bill);
  if (due === 0) throw Conflict("NOTHING_DUE", "Nothing is due on this bill any more.", { dueCents: 0 });
  const offered = payment.amountCents - payment.tipCents;
  if (offered <= 0) {
    throw Invalid([
      {
        field: "tipCents",
        type: "tipTooLarge",
        message: `tipCents (${payment.tipCents}) must be less than amountCents (${payment.amountCents}): amountCents is the whole sum handed over, tip included`,
      },
    ]);
  }
  if (payment.method === "card" && offered > due) {
    throw Conflict(
      "OVERPAYMENT",
      `A card payment cannot exceed what is due: ${due} cents are due, so charge at most ${due + payment.tipCents} cents with this tip.`,
      { dueCents: due, maxAmountCents: due + payment.tipCents },
    );
  }
  const appliedCents = Math.min(offered, due);
  return {
    appliedCents,
    tipCents: payment.tipCents,
    changeCents: offered - appliedCents,
    paidInFull: appliedCents === due,
  };
}

/** What may still be refunded: what was paid towards the bill (tips excluded) minus refunds so far. */
export function refundableCents(bill: Pick<BillAmounts, "paidCents" | "refundedCents">): number {
  return Math.max(0, bill.paidCents - bill.refundedCents);
}

export function checkRefund(bill: Pick<BillAmounts, "paidCents" | "refundedCents">, amountCents: number): void {
  const refundable = refundableCents(bill);
  if (amountCents > refundable) {
    throw Conflict(
      "OVER_REFUND",
      `Cannot refund ${amountCents} cents: only ${refundable} cents of this bill were paid and not yet refunded.`,
      { refundableCents: refundable, requestedCents: amountCents },
    );
  }
}

/* ------------------------------------------------------------------ days */

const pad = (n: number) => String(n).padStart(2, "0");

/** The server's local calendar day of a moment, `YYYY-MM-DD`. */
export function localDay(at: Date): string {
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

/** True for a real calendar day written `YYYY-MM-DD` (no 2024-02-30). */
export function isCalendarDay(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(year, month - 1, day);
  return date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === day;
}

/* ------------------------------------------------------------------ takings */

export interface TakenPayment {
  kind: "payment";
  method: PaymentMethod;
  appliedCents: number;
  tipCents: number;
}

export interface GivenRefund {
  kind: "refund";
  amountCents: number;
}

export interface PaidBillDishes {
  orders: string[];
  lines: { dish: string; name: string; qty: number }[];
}

export const TOP_DISHES = 10;

/** The group's totals: each currency's locations summed, never two currencies together. */
export function groupTotals(days: readonly (Takings & { currency: string })[]): GroupTakings["totals"] {
  const byCurrency = new Map<string, GroupTakings["totals"][number]>();
  for (const day of days) {
    let total = byCurrency.get(day.currency);
    if (!total) {
      total = {
        currency: day.currency,
        locations: 0,
        orders: 0,
        revenueCents: 0,
        tipsCents: 0,
        refundsCents: 0,
        byMethod: { cash: 0, card: 0 },
      };
      byCurrency.set(day.currency, total);
    }
    total.locations++;
    total.orders += day.orders;
    total.revenueCents += day.revenueCents;
    total.tipsCents += day.tipsCents;
    total.refundsCents += day.refundsCents;
    for (const method of Object.keys(total.byMethod) as (keyof typeof total.byMethod)[])
      total.byMethod[method] += day.byMethod[method];
  }
  return [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

/** A day's takings from that day's stored payments and refunds and the bills paid that day. */
export function computeTakings(
  date: string,
  entries: (TakenPayment | GivenRefund)[],
  paidBills: PaidBillDishes[],
): Takings {
  const takings: Takings = {
    date,
    orders: 0,
    revenueCents: 0,
    tipsCents: 0,
    refundsCents: 0,
    byMethod: { cash: 0, card: 0 },
    topDishes: [],
  };
  for (const entry of entries) {
    if (entry.kind === "refund") {
      takings.refundsCents += entry.amountCents;
      continue;
    }
    takings.revenueCents += entry.appliedCents;
    takings.tipsCents += entry.tipCents;
    takings.byMethod[entry.method] += entry.appliedCents + entry.tipCents;
  }
  const dishes = new Map<string, { dish: string; name: string; qty: number }>();
  for (const bill of paidBills) {
    takings.orders += bill.orders.length;
    for (const line of bill.lines) {
      const seen = dishes.get(line.dish);
      if (seen) seen.qty += line.qty;
      else dishes.set(line.dish, { dish: line.dish, name: line.name, qty: line.qty });
    }
  }
  takings.topDishes = [...dishes.values()]
    .sort((a, b) => b.qty - a.qty || a.name.localeCompare(b.name) || a.dish.localeCompare(b.dish))
    .slice(0, TOP_DISHES);
  return takings;
}
