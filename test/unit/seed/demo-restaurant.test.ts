import { STATIONS } from "../../../lib/contracts";
import { ID_PATTERN } from "../../../lib/ids";
import { DEMO_DISHES, DEMO_INGREDIENTS } from "../../../services/seed/demo-restaurant";
import { seedDishes, MAX_PREP_SECONDS, MAX_PRICE_CENTS } from "../../../services/menu/dishes";
import { isAvailable } from "../../../services/menu/availability";
import { seedIngredients, UNITS } from "../../../services/inventory/ingredients";

describe("the demo restaurant", () => {
  const ingredients = seedIngredients(DEMO_INGREDIENTS);
  const dishes = seedDishes(DEMO_DISHES, DEMO_INGREDIENTS);

  it("has about a dozen dishes over several stations and two dozen ingredients", () => {
    expect(dishes.length).toBeGreaterThanOrEqual(10);
    expect(new Set(dishes.map((d) => d.station))).toEqual(new Set(STATIONS));
    expect(ingredients.length).toBeGreaterThanOrEqual(22);
  });

  it("gives everything a readable, unique id (no ObjectId-length suffix)", () => {
    for (const docs of [ingredients, dishes]) {
      const ids = docs.map((d) => d._id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) {
        expect(id).toMatch(ID_PATTERN);
        expect(id).not.toMatch(/-x$/);
      }
    }
  });

  it("cooks every dish from seeded ingredients, and can cook each one at the start", () => {
    const levels = Object.fromEntries(ingredients.map((i) => [i._id, i.available]));
    for (const dish of dishes) {
      for (const line of dish.recipe) expect(Object.keys(levels)).toContain(line.ingredient);
      expect(isAvailable(dish.recipe, levels)).toBe(true);
    }
  });

  it("uses whole cents, realistic prep times and whole quantities in known units", () => {
    for (const dish of dishes) {
      expect(Number.isInteger(dish.priceCents) && dish.priceCents > 0 && dish.priceCents <= MAX_PRICE_CENTS).toBe(true);
      expect(dish.prepSeconds >= 30 && dish.prepSeconds <= MAX_PREP_SECONDS).toBe(true);
      for (const line of dish.recipe) expect(Number.isInteger(line.qty) && line.qty > 0).toBe(true);
    }
    for (const ingredient of ingredients) {
      expect(UNITS).toContain(ingredient.unit);
      expect(ingredient).toMatchObject({ reserved: 0, available: ingredient.onHand, low: false });
      expect(ingredient.reorderPoint).toBeLessThan(ingredient.onHand);
    }
  });

  it("refuses a demo dish that names an ingredient the demo does not stock", () => {
    expect(() => seedDishes([{ ...DEMO_DISHES[0], recipe: [["Saffron", 1]] }], DEMO_INGREDIENTS)).toThrow(/Saffron/);
  });
});
