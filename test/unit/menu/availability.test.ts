import { isAvailable } from "../../../services/menu/availability";
import { dishView, newDish, recipeProblems } from "../../../services/menu/dishes";

const burger = newDish(
  {
    name: "Classic Cheeseburger",
    category: "mains",
    priceCents: 1450,
    station: "grill",
    prepSeconds: 600,
    recipe: [
      { ingredient: "beef-mince", qty: 180 },
      { ingredient: "brioche-burger-buns", qty: 1 },
    ],
  },
  "2026-01-01T00:00:00.000Z",
);

describe("dish availability", () => {
  it("is available when every ingredient covers its recipe quantity, exactly enough included", () => {
    expect(isAvailable(burger.recipe, { "beef-mince": 180, "brioche-burger-buns": 1 })).toBe(true);
    expect(isAvailable(burger.recipe, { "beef-mince": 5000, "brioche-burger-buns": 40 })).toBe(true);
  });

  it("is unavailable when any one ingredient falls short", () => {
    expect(isAvailable(burger.recipe, { "beef-mince": 179, "brioche-burger-buns": 40 })).toBe(false);
    expect(isAvailable(burger.recipe, { "beef-mince": 5000, "brioche-burger-buns": 0 })).toBe(false);
  });

  it("is unavailable when the inventory does not know an ingredient", () => {
    expect(isAvailable(burger.recipe, { "beef-mince": 5000 })).toBe(false);
  });

  it("shows the dish with its id from the name, availability from the levels, allergens from the recipe", () => {
    const allergens = { "brioche-burger-buns": ["sesame" as const, "gluten" as const], cheddar: ["milk" as const] };
    expect(dishView(burger, { "beef-mince": 200, "brioche-burger-buns": 3 }, allergens)).toEqual({
      id: "classic-cheeseburger",
      name: "Classic Cheeseburger",
      category: "mains",
      priceCents: 1450,
      station: "grill",
      prepSeconds: 600,
      recipe: burger.recipe,
      modifierGroups: [],
      course: 2,
      taxRate: null,
      soldOut: false,
      allergens: ["gluten", "sesame"],
      available: true,
    });
  });

  it("is unavailable while sold out, whatever the stock", () => {
    const levels = { "beef-mince": 5000, "brioche-burger-buns": 40 };
    expect(dishView({ ...burger, soldOut: true }, levels, {})).toMatchObject({ soldOut: true, available: false });
  });
});

describe("recipe checks", () => {
  const known = new Set(["beef-mince", "brioche-burger-buns"]);

  it("accepts a recipe of known ingredients, each once", () => {
    expect(recipeProblems(burger.recipe, known)).toEqual([]);
  });

  it("names each unknown or repeated ingredient by its line", () => {
    const problems = recipeProblems(
      [
        { ingredient: "beef-mince", qty: 180 },
        { ingredient: "unicorn", qty: 1 },
        { ingredient: "beef-mince", qty: 20 },
      ],
      known,
    );
    expect(problems.map((p) => [p.field, p.type])).toEqual([
      ["recipe[1].ingredient", "unknownIngredient"],
      ["recipe[2].ingredient", "duplicateIngredient"],
    ]);
  });
});
