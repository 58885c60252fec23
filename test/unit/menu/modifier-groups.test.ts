import type { ModifierGroup, RecipeLine } from "../../../lib/contracts";
import type { FieldProblem } from "../../../lib/errors";
import { modifierGroupProblems, storedGroups } from "../../../services/menu/modifier-groups";
import { recipeProblems } from "../../../services/menu/dishes";
import { defaultCourse } from "../../../services/menu/courses";
import { recipeAllergens } from "../../../services/menu/dish-allergens";

const known = new Set(["cheddar", "eggs", "cream"]);
const check = (recipe: readonly RecipeLine[], field: string): FieldProblem[] => recipeProblems(recipe, known, field);

const doneness: ModifierGroup = {
  id: "doneness",
  name: "Doneness",
  min: 1,
  max: 1,
  options: [
    { id: "rare", name: "Rare", priceCents: 0 },
    { id: "medium", name: "Medium", priceCents: 0 },
  ],
};
const extras: ModifierGroup = {
  id: "extras",
  name: "Extras",
  min: 0,
  max: 2,
  options: [
    { id: "extra-cheese", name: "Extra cheese", priceCents: 150, recipe: [{ ingredient: "cheddar", qty: 30 }] },
    { id: "fried-egg", name: "Fried egg", priceCents: 150, recipe: [{ ingredient: "eggs", qty: 1 }] },
  ],
};

describe("modifier groups", () => {
  it("accepts groups that ask for what they offer, with unique ids and known ingredients", () => {
    expect(modifierGroupProblems([doneness, extras], check)).toEqual([]);
  });

  it("refuses a min above the max, and a max above the options, naming the group's field", () => {
    const problems = modifierGroupProblems(
      [
        { ...doneness, min: 2, max: 1 },
        { ...extras, max: 3 },
      ],
      check,
    );
    expect(problems).toEqual([
      expect.objectContaining({ field: "modifierGroups[0].min", type: "minAboveMax" }),
      expect.objectContaining({ field: "modifierGroups[1].max", type: "maxAboveOptions" }),
    ]);
  });

  it("refuses a group id twice, and an option id twice in the dish (a line names options alone)", () => {
    const again: ModifierGroup = { ...extras, options: [{ id: "rare", name: "Rare again", priceCents: 0 }], max: 1 };
    const problems = modifierGroupProblems([doneness, { ...again, id: "doneness" }], check);
    expect(problems.map((p) => [p.field, p.type])).toEqual([
      ["modifierGroups[1].id", "duplicateGroup"],
      ["modifierGroups[1].options[0].id", "duplicateOption"],
    ]);
  });

  it("checks an option's recipe like a dish's, at the option's field", () => {
    const truffle = { id: "truffle", name: "Truffle", priceCents: 900, recipe: [{ ingredient: "truffle", qty: 5 }] };
    const problems = modifierGroupProblems([{ ...extras, options: [...extras.options, truffle] }], check);
    expect(problems).toEqual([
      expect.objectContaining({
        field: "modifierGroups[0].options[2].recipe[0].ingredient",
        type: "unknownIngredient",
      }),
    ]);
  });

  it("stores only what the rules name, and no empty recipe", () => {
    const sent = [{ ...extras, options: [{ id: "x", name: "X", priceCents: 0, recipe: [], secret: 1 }] }];
    expect(storedGroups(sent as ModifierGroup[])).toEqual([
      { id: "extras", name: "Extras", min: 0, max: 2, options: [{ id: "x", name: "X", priceCents: 0 }] },
    ]);
  });
});

describe("a dish's course and allergens, derived", () => {
  it("takes the course from the category: drinks 0, starters 1, mains and sides 2, desserts 3", () => {
    expect(["drinks", "starters", "mains", "sides", "desserts", "Desserts", "specials"].map(defaultCourse)).toEqual([
      0, 1, 2, 2, 3, 3, 2,
    ]);
  });

  it("takes the allergens from the recipe's ingredients, once each", () => {
    const byIngredient = {
      cheddar: ["milk" as const],
      cream: ["milk" as const],
      bun: ["gluten" as const, "sesame" as const],
    };
    const recipe = [
      { ingredient: "cheddar", qty: 30 },
      { ingredient: "cream", qty: 10 },
      { ingredient: "bun", qty: 1 },
      { ingredient: "beef", qty: 180 },
    ];
    expect(recipeAllergens(recipe, byIngredient)).toEqual(["gluten", "milk", "sesame"]);
    expect(recipeAllergens(undefined, byIngredient)).toEqual([]);
  });
});
