// The documents of one meal of history agree with each other as the services' own would: the
// bill bills the order, each line was cooked once, the reservation consumed what the tickets used.
import { meal, mealTimes, random } from "../../../scripts/history-meals";
import { seedDishes } from "../../../services/menu/dishes";
import { DEMO_DISHES, DEMO_INGREDIENTS } from "../../../services/seed/demo-restaurant";
import { portionLines } from "../../../lib/portions";

const dishes = seedDishes(DEMO_DISHES, DEMO_INGREDIENTS, "2026-01-01T00:00:00.000Z");
const at = Date.parse("2026-06-01T12:30:00.000Z");
const one = (seed: number) => meal({ at, dishes, tables: 20, waiter: "w", cashier: "c", next: random(seed) });

describe("a meal of history", () => {
  it("is paid in full by one payment, on the day it was paid, with its ledger entry", () => {
    const { order, bill, ledger } = one(1);
    const sum = order.lines.reduce((s, l) => s + l.qty * l.unitPriceCents, 0);
    expect(order).toMatchObject({ status: "paid", accepted: true, bill: bill._id, totalCents: sum });
    expect(bill).toMatchObject({ status: "paid", orders: [order._id], totalCents: sum, paidCents: sum, settled: true });
    expect(bill.payments).toHaveLength(1);
    expect(bill.payments[0]).toMatchObject({ appliedCents: sum, day: bill.paidDay });
    expect(bill.payments[0].amountCents).toBe(sum + bill.tipsCents);
    expect(ledger).toMatchObject({ _id: bill.payments[0].id, bill: bill._id, table: bill.table, day: bill.paidDay });
    expect(Date.parse(order.createdAt) < Date.parse(order.servedAt!)).toBe(true);
    expect(Date.parse(order.servedAt!) < Date.parse(bill.paidAt!)).toBe(true);
  });

  it("cooked each line once, and its reservation consumed exactly what the tickets used", () => {
    const { order, tickets, reservation } = one(2);
    expect(tickets.map((t) => t._id)).toEqual(order.lines.map((_, i) => `${order._id}-${i}`));
    expect(tickets.every((t) => t.status === "done")).toBe(true);
    expect(reservation._id).toBe(order._id);
    for (const ticket of tickets) expect(reservation.consumed?.[ticket._id]).toEqual(portionLines(ticket.ingredients));
    expect(Object.values(reservation.remaining).every((qty) => qty === 0)).toBe(true);
  });

  it("writes the same history for the same seed, and another for another", () => {
    expect(one(3)).toEqual(one(3));
    expect(one(3).order._id).not.toBe(one(4).order._id);
  });

  it("spreads meals over the days before the end, the latest last, at most a day's worth a day", () => {
    const end = Date.parse("2026-06-10T22:00:00.000Z");
    const times = mealTimes(1_000, 300, end, random(5));
    expect(times).toHaveLength(1_000);
    expect(Math.max(...times)).toBeLessThan(end);
    const days = new Map<string, number>();
    for (const t of times) {
      const d = new Date(t);
      const key = `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
      days.set(key, (days.get(key) ?? 0) + 1);
    }
    expect(Math.max(...days.values())).toBeLessThanOrEqual(300);
  });
});
