import type { ResolvedDish } from "../../../lib/contracts";
import { chooseModifiers } from "../../../services/orders/modifier-choice";
import { priceLines } from "../../../services/orders/pricing";
import { allergyConflicts, conflictAllergens } from "../../../services/orders/allergy-gate";

const steak: ResolvedDish = {
  id: "steak",
  name: "Steak",
  category: "mains",
  priceCents: 2850,
  station: "grill",
  prepSeconds: 900,
  recipe: [{ ingredient: "ribeye", qty: 1 }],
  course: 2,
  taxRate: null,
  soldOut: false,
  allergens: ["milk"],
  modifierGroups: [
    {
      id: "doneness",
      name: "Doneness",
      min: 1,
      max: 1,
      options: [
        { id: "rare", name: "Rare", priceCents: 0, allergens: [] },
        { id: "well-done", name: "Well done", priceCents: 0, allergens: [] },
      ],
    },
    {
      id: "extras",
      name: "Extras",
      min: 0,
      max: 2,
      options: [
        {
          id: "extra-cheese",
          name: "Extra cheese",
          priceCents: 150,
          recipe: [{ ingredient: "cheddar", qty: 30 }],
          allergens: ["milk"],
        },
        {
          id: "hazelnut-butter",
          name: "Hazelnut butter",
          priceCents: 200,
          recipe: [{ ingredient: "hazelnuts", qty: 10 }],
          allergens: ["nuts"],
        },
        {
          id: "fried-egg",
          name: "Fried egg",
          priceCents: 150,
          recipe: [{ ingredient: "eggs", qty: 1 }],
          allergens: ["eggs"],
        },
      ],
    },
  ],
};
const fries: ResolvedDish = {
  ...steak,
  id: "fries",
  name: "Fries",
  priceCents: 450,
  allergens: [],
  modifierGroups: [],
};
const field = "lines[0].modifiers";

describe("choosing modifiers", () => {
  it("lists the choices in the dish's order, with what they add to price, recipe and allergens", () => {
    const { choice, problems } = chooseModifiers(steak, ["hazelnut-butter", "rare", "extra-cheese"], field);
    expect(problems).toEqual([]);
    expect(choice.modifiers).toEqual([
      { group: "doneness", option: "rare", name: "Rare", priceCents: 0 },
      { group: "extras", option: "extra-cheese", name: "Extra cheese", priceCents: 150 },
      { group: "extras", option: "hazelnut-butter", name: "Hazelnut butter", priceCents: 200 },
    ]);
    expect(choice.priceCents).toBe(350);
    expect(choice.recipe).toEqual([
      { ingredient: "cheddar", qty: 30 },
      { ingredient: "hazelnuts", qty: 10 },
    ]);
    expect(choice.allergens).toEqual(["milk", "nuts"]);
  });

  it("refuses a missing required group, naming it", () => {
    const { problems } = chooseModifiers(steak, ["extra-cheese"], field);
    expect(problems).toEqual([
      { field, group: "doneness", type: "modifierRequired", message: expect.stringMatching(/Doneness/) },
    ]);
  });

  it("refuses more choices than a group allows, naming it", () => {
    const { problems } = chooseModifiers(steak, ["rare", "well-done", "extra-cheese"], field);
    expect(problems).toEqual([expect.objectContaining({ field, group: "doneness", type: "tooManyModifiers" })]);
    const extras = chooseModifiers(steak, ["rare", "extra-cheese", "hazelnut-butter", "fried-egg"], field).problems;
    expect(extras).toEqual([expect.objectContaining({ group: "extras", type: "tooManyModifiers" })]);
  });

  it("refuses an option of another dish, and one chosen twice, at its place in the list", () => {
    const { problems } = chooseModifiers(fries, ["rare"], field);
    expect(problems).toEqual([
      expect.objectContaining({
        field: "lines[0].modifiers[0]",
        type: "unknownModifier",
        message: expect.stringMatching(/Fries has no modifiers/),
      }),
    ]);
    const twice = chooseModifiers(steak, ["rare", "rare"], field).problems;
    expect(twice.map((p) => [p.field, p.type])).toEqual([["lines[0].modifiers[1]", "duplicateModifier"]]);
    const unknown = chooseModifiers(steak, ["rare", "truffle"], field).problems;
    expect(unknown[0].message).toMatch(/Doneness \(rare, well-done\); Extras/);
  });
});

describe("pricing lines with modifiers", () => {
  const menu = new Map([
    ["steak", steak],
    ["fries", fries],
  ]);

  it("adds the modifiers to the unit price, and snapshots them, the allergens, the course and the seat", () => {
    const [line, side] = priceLines(
      [
        { dish: "steak", qty: 2, seat: 1, modifiers: ["rare", "extra-cheese"] },
        { dish: "fries", qty: 1, course: 1 },
      ],
      menu,
    );
    expect(line).toMatchObject({ unitPriceCents: 3000, seat: 1, course: 2, allergens: ["milk"] });
    expect(line.modifiers.map((m) => m.option)).toEqual(["rare", "extra-cheese"]);
    expect(side).toMatchObject({ unitPriceCents: 450, seat: null, course: 1, modifiers: [], allergens: [] });
  });

  it("refuses to price choices nobody checked", () => {
    expect(() => priceLines([{ dish: "steak", qty: 1 }], menu)).toThrow(/unchecked modifiers/);
  });
});

describe("the allergy gate", () => {
  const lines = [
    { dish: "steak", name: "Steak", allergens: ["milk" as const, "nuts" as const] },
    { dish: "fries", name: "Fries", allergens: [] },
    { dish: "tart", name: "Tart", allergens: ["gluten" as const, "eggs" as const, "nuts" as const] },
  ];

  it("names each line that meets the guests' allergies, and what it meets", () => {
    const conflicts = allergyConflicts(lines, ["nuts", "eggs"]);
    expect(conflicts).toEqual([
      { line: 0, dish: "steak", name: "Steak", allergens: ["nuts"] },
      { line: 2, dish: "tart", name: "Tart", allergens: ["eggs", "nuts"] },
    ]);
    expect(conflictAllergens(conflicts)).toEqual(["eggs", "nuts"]);
  });

  it("lets everything through when nobody declared an allergy, or nothing meets one", () => {
    expect(allergyConflicts(lines, [])).toEqual([]);
    expect(allergyConflicts(lines, ["fish"])).toEqual([]);
  });
});
