/**
 * A dinner rush on limited stock: 100 orders placed at once for a dish with stock for fewer.
 * Every order either gets its stock or a 409 OUT_OF_STOCK, and the accepted ones account for
 * exactly the stock that left the shelf — never oversold, nothing left dangling.
 */
import { startBrigade, type Brigade } from "../support/brigade";
import { createDishes, createIngredients, eventually, ingredient, orderReaches } from "../support/meal";

describe("100 orders at once on limited stock", () => {
  let b: Brigade;
  let waiter: string;
  const STOCK = 60;

  beforeAll(async () => {
    b = await startBrigade({
      services: ["api", "staff", "menu", "inventory", "orders", "kitchen"],
      env: { KITCHEN_TIME_SCALE: "0.001", KITCHEN_CHEFS: "8", KITCHEN_POLL_MS: "20", BRIGADE_RECONCILE_MS: "200" },
    });
    await createIngredients(b, [
      { name: "Oysters", unit: "pcs", onHand: STOCK },
      { name: "Lemons", unit: "pcs", onHand: 10_000 },
    ]);
    await createDishes(b, [
      {
        name: "Oyster Plate",
        priceCents: 1800,
        station: "cold",
        prepSeconds: 60,
        recipe: [
          { ingredient: "oysters", qty: 1 },
          { ingredient: "lemons", qty: 1 },
        ],
      },
      {
        name: "Lemon Tart",
        priceCents: 700,
        station: "pastry",
        prepSeconds: 60,
        recipe: [{ ingredient: "lemons", qty: 2 }],
      },
    ]);
    waiter = await b.tokenFor("waiter");
  });
  afterAll(() => b.stop());

  it("accepts exactly what the stock covers and refuses the rest by name", async () => {
    // Quantities 1..3: 100 orders want about 200 oysters; there are 60.
    const wanted = Array.from({ length: 100 }, (_, i) => 1 + (i % 3));
    const answers = await Promise.all(
      wanted.map((qty, i) =>
        b.request("POST", "/api/orders", {
          token: waiter,
          body: {
            table: `T${i}`,
            lines: [
              { dish: "oyster-plate", qty },
              { dish: "lemon-tart", qty: 1 },
            ],
          },
        }),
      ),
    );

    const accepted = answers.flatMap((a, i) => (a.status === 201 ? [{ id: a.body.id as string, qty: wanted[i] }] : []));
    const refused = answers.filter((a) => a.status !== 201);
    for (const r of refused) {
      expect(r.status).toBe(409);
      expect(r.body.type).toBe("OUT_OF_STOCK");
      expect(r.body.data.dishes).toEqual([{ dish: "oyster-plate", name: "Oyster Plate", ingredients: ["oysters"] }]);
    }
    expect(accepted.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);

    const oystersTaken = accepted.reduce((sum, a) => sum + a.qty, 0);
    expect(oystersTaken).toBeLessThanOrEqual(STOCK);
    const oysters = await ingredient(b, "oysters");
    expect(STOCK - oysters.available).toBe(oystersTaken);
    // Refusals left no stock behind: whatever is short now is short by less than any refused order wanted.
    const smallestRefused = Math.min(...answers.flatMap((a, i) => (a.status === 409 ? [wanted[i]] : [])));
    expect(oysters.available).toBeLessThan(smallestRefused);

    const listed = await b.request("GET", "/api/orders?pageSize=100", { token: waiter });
    expect(listed.body.total).toBe(accepted.length);
    expect(new Set(listed.body.rows.map((o: { id: string }) => o.id))).toEqual(new Set(accepted.map((a) => a.id)));

    // Every accepted order is cooked; the shelf then holds exactly what was never ordered.
    for (const a of accepted) await orderReaches(b, a.id, "ready");
    await eventually(async () => {
      const now = await ingredient(b, "oysters");
      return now.reserved === 0 && now.onHand === STOCK - oystersTaken ? now : null;
    }, "the oysters to be consumed exactly");
    const lemons = await ingredient(b, "lemons");
    expect(lemons.onHand).toBe(10_000 - oystersTaken - 2 * accepted.length);
    expect(lemons.reserved).toBe(0);
  });
});
