import type { ResolvedDish } from "../../../lib/contracts";
import { lineTotalCents, orderTotalCents, priceLines } from "../../../services/orders/pricing";
import { dishesShort, lineIngredients, reservationLines } from "../../../services/orders/stock-needs";
import { orderIdFor, requestFingerprint } from "../../../services/orders/order";

const dish = (id: string, priceCents: number, recipe: ResolvedDish["recipe"] = []): ResolvedDish => ({
  id,
  name: id.toUpperCase(),
  category: "mains",
  priceCents,
  station: "grill",
  prepSeconds: 60,
  recipe,
  modifierGroups: [],
  course: 2,
  taxRate: null,
  soldOut: false,
  allergens: [],
});
const unmodified = { modifiers: [], allergens: [], course: 2, seat: null };
const menu = new Map([
  [
    "burger",
    dish("burger", 1250, [
      { ingredient: "bun", qty: 1 },
      { ingredient: "beef", qty: 0.2 },
    ]),
  ],
  [
    "fries",
    dish("fries", 450, [
      { ingredient: "potato", qty: 0.3 },
      { ingredient: "oil", qty: 0.1 },
    ]),
  ],
  ["water", dish("water", 0)],
]);

describe("pricing", () => {
  it("snapshots each dish's name and price at the moment of ordering", () => {
    const lines = priceLines(
      [
        { dish: "burger", qty: 2, notes: "no onion" },
        { dish: "fries", qty: 3 },
      ],
      menu,
    );
    expect(lines).toEqual([
      { dish: "burger", name: "BURGER", qty: 2, unitPriceCents: 1250, notes: "no onion", ...unmodified },
      { dish: "fries", name: "FRIES", qty: 3, unitPriceCents: 450, notes: "", ...unmodified },
    ]);
    menu.get("burger")!.priceCents = 9999;
    expect(lines[0].unitPriceCents).toBe(1250);
    menu.get("burger")!.priceCents = 1250;
  });

  it("totals lines as quantity × unit price, in integer cents", () => {
    expect(lineTotalCents({ qty: 3, unitPriceCents: 450 })).toBe(1350);
    expect(
      orderTotalCents(
        priceLines(
          [
            { dish: "burger", qty: 2 },
            { dish: "fries", qty: 3 },
            { dish: "water", qty: 5 },
          ],
          menu,
        ),
      ),
    ).toBe(3850);
    expect(orderTotalCents([])).toBe(0);
  });

  it("keeps prices that used to lose cents in floating point exact", () => {
    expect(
      orderTotalCents([
        { qty: 3, unitPriceCents: 10 },
        { qty: 1, unitPriceCents: 20 },
      ]),
    ).toBe(50);
    expect(orderTotalCents(Array.from({ length: 50 }, () => ({ qty: 50, unitPriceCents: 1999 })))).toBe(4_997_500);
  });

  it("refuses a price that is not whole cents instead of storing it", () => {
    const odd = new Map([["odd", dish("odd", 12.5)]]);
    expect(() => priceLines([{ dish: "odd", qty: 1 }], odd)).toThrow(RangeError);
    expect(() => priceLines([{ dish: "missing", qty: 1 }], menu)).toThrow(/missing/);
  });
});

describe("stock an order needs", () => {
  it("multiplies a recipe by the line's quantity without float noise", () => {
    expect(lineIngredients([{ ingredient: "oil", qty: 0.1 }], 3)).toEqual([{ ingredient: "oil", qty: 0.3 }]);
    expect(
      lineIngredients(
        [
          { ingredient: "bun", qty: 1 },
          { ingredient: "bun", qty: 1 },
        ],
        2,
      ),
    ).toEqual([{ ingredient: "bun", qty: 4 }]);
  });

  it("reserves the sum over all lines per ingredient, in a stable order", () => {
    const lines = [
      { ingredients: lineIngredients(menu.get("burger")!.recipe, 2) },
      { ingredients: lineIngredients(menu.get("fries")!.recipe, 1) },
      { ingredients: lineIngredients(menu.get("burger")!.recipe, 1) },
    ];
    expect(reservationLines(lines)).toEqual([
      { ingredient: "beef", qty: 0.6 },
      { ingredient: "bun", qty: 3 },
      { ingredient: "oil", qty: 0.1 },
      { ingredient: "potato", qty: 0.3 },
    ]);
    expect(reservationLines([{ ingredients: [] }])).toEqual([]);
  });

  it("names each dish short of stock once, with the ingredients it lacks", () => {
    const lines = [
      {
        dish: "burger",
        name: "Burger",
        ingredients: [
          { ingredient: "bun", qty: 1 },
          { ingredient: "beef", qty: 0.2 },
        ],
      },
      { dish: "fries", name: "Fries", ingredients: [{ ingredient: "potato", qty: 0.3 }] },
      { dish: "burger", name: "Burger", ingredients: [{ ingredient: "bun", qty: 2 }] },
    ];
    expect(dishesShort(lines, ["beef", "bun"])).toEqual([
      { dish: "burger", name: "Burger", ingredients: ["bun", "beef"] },
    ]);
    expect(dishesShort(lines, ["potato"])).toEqual([{ dish: "fries", name: "Fries", ingredients: ["potato"] }]);
    expect(dishesShort(lines, ["saffron"])).toEqual([]);
  });
});

describe("order ids and idempotency", () => {
  it("derives the same id for the same waiter and key, and different ones otherwise", () => {
    const id = orderIdFor("anna", "key-1");
    expect(orderIdFor("anna", "key-1")).toBe(id);
    expect(orderIdFor("ben", "key-1")).not.toBe(id);
    expect(orderIdFor("anna", "key-2")).not.toBe(id);
    expect(id).toMatch(/^ord_[0-9a-f]{22}$/);
  });

  it("never makes an id of 12 or 24 characters (the MongoDB adapter would read an ObjectId)", () => {
    for (let i = 0; i < 200; i++) {
      for (const id of [orderIdFor("anna", `k${i}`), orderIdFor("anna", undefined)]) {
        expect([12, 24]).not.toContain(id.length);
      }
    }
  });

  it("fingerprints the request, so one key cannot be reused for a different order", () => {
    const a = requestFingerprint("4", [{ dish: "burger", qty: 1 }]);
    expect(requestFingerprint("4", [{ dish: "burger", qty: 1, notes: "" }])).toBe(a);
    expect(requestFingerprint("4", [{ dish: "burger", qty: 2 }])).not.toBe(a);
    expect(requestFingerprint("5", [{ dish: "burger", qty: 1 }])).not.toBe(a);
  });
});
