import { computeTakings, TOP_DISHES, type GivenRefund, type TakenPayment } from "../../../services/billing/bill-math";

const pay = (method: "cash" | "card", appliedCents: number, tipCents = 0): TakenPayment => ({
  kind: "payment",
  method,
  appliedCents,
  tipCents,
});
const refund = (amountCents: number): GivenRefund => ({ kind: "refund", amountCents });

describe("a day's takings", () => {
  it("is all zero on a day with nothing taken", () => {
    expect(computeTakings("2025-03-01", [], [])).toEqual({
      date: "2025-03-01",
      orders: 0,
      revenueCents: 0,
      tipsCents: 0,
      refundsCents: 0,
      byMethod: { cash: 0, card: 0 },
      topDishes: [],
    });
  });

  it("counts applied amounts as revenue, tips apart, and per method what that method took in", () => {
    const t = computeTakings("2025-03-01", [pay("cash", 4250, 250), pay("card", 1000, 0), pay("card", 2000, 300)], []);
    expect(t.revenueCents).toBe(7250);
    expect(t.tipsCents).toBe(550);
    expect(t.byMethod).toEqual({ cash: 4500, card: 3300 });
    expect(t.byMethod.cash + t.byMethod.card).toBe(t.revenueCents + t.tipsCents);
  });

  it("reports refunds on their own without netting them from revenue", () => {
    const t = computeTakings("2025-03-01", [pay("cash", 5000), refund(700), refund(300)], []);
    expect(t.refundsCents).toBe(1000);
    expect(t.revenueCents).toBe(5000);
    expect(t.byMethod.cash).toBe(5000);
  });

  it("counts the orders of the bills paid that day and ranks their dishes by quantity", () => {
    const t = computeTakings(
      "2025-03-01",
      [],
      [
        {
          orders: ["o1", "o2"],
          lines: [
            { dish: "burger", name: "Burger", qty: 2 },
            { dish: "fries", name: "Fries", qty: 1 },
          ],
        },
        {
          orders: ["o3"],
          lines: [
            { dish: "fries", name: "Fries", qty: 3 },
            { dish: "soda", name: "Soda", qty: 2 },
          ],
        },
      ],
    );
    expect(t.orders).toBe(3);
    expect(t.topDishes).toEqual([
      { dish: "fries", name: "Fries", qty: 4 },
      { dish: "burger", name: "Burger", qty: 2 },
      { dish: "soda", name: "Soda", qty: 2 },
    ]);
  });

  it(`keeps the top ${TOP_DISHES} dishes only`, () => {
    const lines = Array.from({ length: TOP_DISHES + 5 }, (_, i) => ({
      dish: `d${i}`,
      name: `Dish ${String(i).padStart(2, "0")}`,
      qty: i + 1,
    }));
    const t = computeTakings("2025-03-01", [], [{ orders: ["o"], lines }]);
    expect(t.topDishes).toHaveLength(TOP_DISHES);
    expect(t.topDishes[0]).toEqual({ dish: `d${TOP_DISHES + 4}`, name: `Dish ${TOP_DISHES + 4}`, qty: TOP_DISHES + 5 });
  });
});
