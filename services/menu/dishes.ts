/** Dishes: the stored document, what clients and the orders service see, and the field rules. */
import { STATIONS, type DishView, type RecipeLine, type ResolvedDish, type StockLevels } from "../../lib/contracts";
import type { FieldProblem } from "../../lib/errors";
import { idParam, slugId } from "../../lib/ids";
import type { DemoDish, DemoIngredient } from "../seed/demo-restaurant";
import { isAvailable } from "./availability";
import { personText } from "../../lib/text-rules";

export const MAX_PRICE_CENTS = 10_000_000;
export const MAX_PREP_SECONDS = 7200;
export const MAX_RECIPE_LINES = 30;
export const MAX_RECIPE_QTY = 1_000_000;

export interface DishDoc extends DishFields {
  _id: string;
  createdAt: string;
  updatedAt: string;
}

export const DISH_NAME = personText(1, 80);
export const CATEGORY = personText(1, 40);
export const PRICE_CENTS = { type: "number", integer: true, min: 0, max: MAX_PRICE_CENTS } as const;
export const STATION = { type: "enum", values: [...STATIONS] } as const;
export const PREP_SECONDS = { type: "number", integer: true, min: 1, max: MAX_PREP_SECONDS } as const;
/** Quantities in the ingredient's unit (whole grams, millilitres, pieces), like the stock. */
export const RECIPE = {
  type: "array",
  min: 1,
  max: MAX_RECIPE_LINES,
  items: {
    type: "object",
    strict: true,
    props: { ingredient: idParam, qty: { type: "number", integer: true, min: 1, max: MAX_RECIPE_QTY } },
  },
} as const;

/** What a manager sets on a dish: the view without its id and the computed availability. */
export type DishFields = Omit<DishView, "id" | "available">;

export function newDish(fields: DishFields, now: string): DishDoc {
  return {
    _id: slugId(fields.name),
    name: fields.name,
    category: fields.category,
    priceCents: fields.priceCents,
    station: fields.station,
    prepSeconds: fields.prepSeconds,
    recipe: fields.recipe.map((line) => ({ ingredient: line.ingredient, qty: line.qty })),
    createdAt: now,
    updatedAt: now,
  };
}

/** The demo menu, its recipes pointing at the demo ingredients' ids. */
export function seedDishes(
  dishes: readonly DemoDish[],
  ingredients: readonly DemoIngredient[],
  now = new Date().toISOString(),
): DishDoc[] {
  const known = new Set(ingredients.map((ingredient) => ingredient.name));
  return dishes.map((dish) => {
    for (const [name] of dish.recipe)
      if (!known.has(name)) throw new Error(`Demo dish ${dish.name} uses an unknown ingredient: ${name}.`);
    return newDish({ ...dish, recipe: dish.recipe.map(([name, qty]) => ({ ingredient: slugId(name), qty })) }, now);
  });
}

export function resolvedDish(doc: DishDoc): ResolvedDish {
  return {
    id: doc._id,
    name: doc.name,
    category: doc.category,
    priceCents: doc.priceCents,
    station: doc.station,
    prepSeconds: doc.prepSeconds,
    recipe: doc.recipe.map((line) => ({ ingredient: line.ingredient, qty: line.qty })),
  };
}

export function dishView(doc: DishDoc, levels: Readonly<StockLevels>): DishView {
  return { ...resolvedDish(doc), available: isAvailable(doc.recipe, levels) };
}

/** A recipe names each ingredient once, and only ingredients the inventory knows. */
export function recipeProblems(recipe: readonly RecipeLine[], known: ReadonlySet<string>): FieldProblem[] {
  const seen = new Set<string>();
  return recipe.flatMap((line, index): FieldProblem[] => {
    const field = `recipe[${index}].ingredient`;
    if (seen.has(line.ingredient)) {
      return [
        {
          field,
          type: "duplicateIngredient",
          message: `The recipe lists "${line.ingredient}" twice: give it once with the total quantity.`,
        },
      ];
    }
    seen.add(line.ingredient);
    if (!known.has(line.ingredient)) {
      return [
        {
          field,
          type: "unknownIngredient",
          message: `There is no ingredient "${line.ingredient}": create it first (POST /api/ingredients).`,
        },
      ];
    }
    return [];
  });
}
