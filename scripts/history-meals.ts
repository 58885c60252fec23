/**
 * The documents one whole meal leaves behind (order → tickets cooked → served → bill → paid),
 * as the services write them: an order, a ticket per line, a stock reservation with what each
 * ticket consumed, a bill paid by one payment and that payment's ledger entry. Pure: no store,
 * no clock; `scripts/seed-history.ts` writes them.
 */
import { localDay } from "../services/billing/bill-math";
import type { BillDoc, PaymentEntry } from "../services/billing/bill";
import { ledgerDoc, type LedgerDoc } from "../services/billing/ledger";
import type { TicketDoc } from "../services/kitchen/ticket";
import type { DishDoc } from "../services/menu/dishes";
import type { OrderDoc } from "../services/orders/order";
import type { ReservationDoc } from "../services/inventory/reservations";
import { mergeLines } from "../services/inventory/stock";
import type { StockLine } from "../lib/contracts";
import { MAIN_LOCATION } from "../lib/locations";

export interface MealDocs {
  order: OrderDoc;
  tickets: TicketDoc[];
  reservation: ReservationDoc;
  bill: BillDoc;
  ledger: LedgerDoc;
}

/** A small deterministic generator (mulberry32): the same seed writes the same history. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** An id as lib/ids.ts makes them (`<prefix>_<time base 36><6 random>`), at a given time. */
function idAt(prefix: string, at: number, next: () => number): string {
  let rand = "";
  for (let i = 0; i < 6; i++) rand += ALPHABET[Math.floor(next() * 36)];
  return `${prefix}_${at.toString(36).padStart(9, "0")}${rand}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

export interface MealOptions {
  /** When the order was placed (ms). */
  at: number;
  dishes: readonly DishDoc[];
  tables: number;
  waiter: string;
  cashier: string;
  next: () => number;
}

export function meal({ at, dishes, tables, waiter, cashier, next }: MealOptions): MealDocs {
  const table = String(1 + Math.floor(next() * tables));
  const orderId = idAt("ord", at, next);
  const count = 1 + Math.floor(next() * 3);
  const chosen = [...new Set(Array.from({ length: count }, () => dishes[Math.floor(next() * dishes.length)]))];
  const lines = chosen.map((dish) => ({
    dish: dish._id,
    name: dish.name,
    qty: 1 + Math.floor(next() * 2),
    unitPriceCents: dish.priceCents,
  }));
  const totalCents = lines.reduce((sum, line) => sum + line.qty * line.unitPriceCents, 0);
  const longest = Math.max(...chosen.map((dish) => dish.prepSeconds));
  const cookingAt = at + 4;
  const readyAt = cookingAt + longest * 1000;
  const servedAt = readyAt + 60_000 + Math.floor(next() * 120_000);
  const billAt = servedAt + 20 * 60_000 + Math.floor(next() * 20 * 60_000);
  const paidAt = billAt + 60_000 + Math.floor(next() * 120_000);
  const billId = idAt("bill", billAt, next);

  const tickets: TicketDoc[] = chosen.map((dish, index) => ({
    _id: `${orderId}-${index}`,
    order: orderId,
    location: MAIN_LOCATION,
    index,
    table,
    dish: dish._id,
    name: dish.name,
    qty: lines[index].qty,
    station: dish.station,
    prepSeconds: dish.prepSeconds,
    ingredients: Object.fromEntries(dish.recipe.map((r) => [r.ingredient, r.qty * lines[index].qty])),
    status: "done",
    queuedAt: iso(at),
    node: "history",
    startedAt: iso(cookingAt),
    doneAt: iso(cookingAt + dish.prepSeconds * 1000),
  }));
  const consumed: Record<string, StockLine[]> = Object.fromEntries(
    tickets.map((ticket) => [
      ticket._id,
      mergeLines(Object.entries(ticket.ingredients).map(([ingredient, qty]) => ({ ingredient, qty: qty as number }))),
    ]),
  );
  const reservation: ReservationDoc = {
    _id: orderId,
    status: "held",
    remaining: Object.fromEntries(
      Object.values(consumed)
        .flat()
        .map((line) => [line.ingredient, 0]),
    ),
    consumed,
  };
  const order: OrderDoc = {
    _id: orderId,
    table,
    status: "paid",
    lines,
    totalCents,
    createdAt: iso(at),
    createdBy: waiter,
    updatedAt: iso(paidAt),
    accepted: true,
    handedOff: true,
    kitchen: [],
    bill: billId,
    acceptedAt: iso(at + 4),
    cookingAt: iso(cookingAt),
    readyAt: iso(readyAt),
    servedAt: iso(servedAt),
    paidAt: iso(paidAt),
  };
  const tipCents = Math.floor(next() * 4) * 100;
  const day = localDay(new Date(paidAt));
  const payment: PaymentEntry = {
    id: idAt("pay", paidAt, next),
    kind: "payment",
    method: next() < 0.7 ? "card" : "cash",
    amountCents: totalCents + tipCents,
    appliedCents: totalCents,
    tipCents,
    changeCents: 0,
    day,
    createdAt: iso(paidAt),
    createdBy: cashier,
  };
  const bill: BillDoc = {
    _id: billId,
    table,
    status: "paid",
    orders: [orderId],
    lines: lines.map((line) => ({ order: orderId, ...line })),
    totalCents,
    paidCents: totalCents,
    tipsCents: tipCents,
    refundedCents: 0,
    version: 2,
    payments: [payment],
    refunds: [],
    ledgerDirty: false,
    settled: true,
    announced: true,
    releaseAfterSettle: false,
    createdAt: iso(billAt),
    createdBy: waiter,
    paidAt: iso(paidAt),
    paidDay: day,
    settledAt: iso(paidAt + 2),
  };
  return { order, tickets, reservation, bill, ledger: ledgerDoc(bill, payment) };
}

/**
 * When each of `meals` meals was ordered: `perDay` a day, over the opening hours (12:00–23:00
 * local) of the days before `end`, the most recent last, so today holds at most one day's worth.
 */
export function mealTimes(meals: number, perDay: number, end: number, next: () => number): number[] {
  const times: number[] = [];
  const today = new Date(end);
  today.setHours(0, 0, 0, 0);
  const days = Math.ceil(meals / perDay);
  for (let d = days - 1; d >= 0 && times.length < meals; d--) {
    const open = today.getTime() - d * 86_400_000 + 12 * 3_600_000;
    const inDay = Math.min(perDay, meals - times.length);
    for (let i = 0; i < inDay; i++) {
      const at = open + Math.floor(((i + next()) / perDay) * 11 * 3_600_000);
      times.push(Math.min(at, end - 3 * 3_600_000 - (inDay - i)));
    }
  }
  return times;
}
