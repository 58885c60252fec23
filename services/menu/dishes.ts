/** Dishes: the stored document, what clients and the orders service see, and the field rules. */
import {
  MAX_COURSE,
  STATIONS,
  type DishView,
  type IngredientAllergens,
  type ModifierGroup,
  type ModifierGroupView,
  type RecipeLine,
  type ResolvedDish,
  type StockLevels,
} from "../../lib/contracts";
import type { FieldProblem } from "../../lib/errors";
import { idParam, slugId } from "../../lib/ids";
import type { DemoDish, DemoIngredient } from "../seed/demo-restaurant";
import { isAvailable } from "./availability";
import { personText } from "../../lib/text-rules";
import { defaultCourse } from "./courses";
import { recipeAllergens } from "./dish-allergens";
import { modifierGroupsRule, storedGroups } from "./modifier-groups";

export const MAX_PRICE_CENTS = 10_000_000;
export const MAX_PREP_SECONDS = 7200;
export const MAX_RECIPE_LINES = 30;
export const MAX_RECIPE_QTY = 1_000_000;

/**
 * A dish as stored. The fields that came with modifiers are absent on dishes from before them,
 * and on dishes that never set them: `course` then follows the category, no `soldOut` is on sale.
 */
export interface DishDoc extends DishFields {
  _id: string;
  soldOut?: boolean;
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
export const MODIFIER_GROUPS = modifierGroupsRule(RECIPE, PRICE_CENTS);
export const COURSE = { type: "number", integer: true, min: 0, max: MAX_COURSE } as const;
/** The id of one of the location's tax rates (services/staff/locations.ts). */
export const TAX_RATE = { type: "string", min: 1, max: 16, pattern: /^[a-z][a-z0-9-]{0,15}$/ } as const;

/** What a manager sets on a dish. Its allergens are not among them: they come from the recipe. */
export interface DishFields {
  name: string;
  category: string;
  priceCents: number;
  station: DishView["station"];
  prepSeconds: number;
  recipe: RecipeLine[];
  modifierGroups?: ModifierGroup[];
  /** Left out: the category's (./courses.ts), even after the category changes. */
  course?: number;
  taxRate?: string;
}

export function newDish(fields: DishFields, now: string): DishDoc {
  const doc: DishDoc = {
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
  if (fields.modifierGroups?.length) doc.modifierGroups = storedGroups(fields.modifierGroups);
  if (fields.course !== undefined) doc.course = fields.course;
  if (fields.taxRate !== undefined) doc.taxRate = fields.taxRate;
  return doc;
}

/** The demo menu, its recipes pointing at the demo ingredients' ids. */
export function seedDishes(
  dishes: readonly DemoDish[],
  ingredients: readonly DemoIngredient[],
  now = new Date().toISOString(),
): DishDoc[] {
  const known = new Set(ingredients.map((ingredient) => ingredient.name));
  return dishes.map((dish) => {
    const recipeOf = (lines: readonly [string, number][]) =>
      lines.map(([name, qty]) => {
        if (!known.has(name)) throw new Error(`Demo dish ${dish.name} uses an unknown ingredient: ${name}.`);
        return { ingredient: slugId(name), qty };
      });
    const modifierGroups = dish.modifierGroups?.map((group) => ({
      ...group,
      options: group.options.map(({ recipe, ...option }) => ({
        ...option,
        ...(recipe ? { recipe: recipeOf(recipe) } : {}),
      })),
    }));
    return newDish({ ...dish, recipe: recipeOf(dish.recipe), modifierGroups }, now);
  });
}

function groupViews(groups: readonly ModifierGroup[] | undefined, allergens: IngredientAllergens): ModifierGroupView[] {
  return storedGroups(groups ?? []).map((group) => ({
    ...group,
    options: group.options.map((option) => ({ ...option, allergens: recipeAllergens(option.recipe, allergens) })),
  }));
}

/** The dish with what is derived: its allergens (from `allergens`, ingredient → allergens), its course. */
export function resolvedDish(doc: DishDoc, allergens: IngredientAllergens): ResolvedDish {
  return {
    id: doc._id,
    name: doc.name,
    category: doc.category,
    priceCents: doc.priceCents,
    station: doc.station,
    prepSeconds: doc.prepSeconds,
    recipe: doc.recipe.map((line) => ({ ingredient: line.ingredient, qty: line.qty })),
    modifierGroups: groupViews(doc.modifierGroups, allergens),
    course: doc.course ?? defaultCourse(doc.category),
    taxRate: doc.taxRate ?? null,
    soldOut: doc.soldOut === true,
    allergens: recipeAllergens(doc.recipe, allergens),
  };
}

export function dishView(doc: DishDoc, levels: Readonly<StockLevels>, allergens: IngredientAllergens): DishView {
  return { ...resolvedDish(doc, allergens), available: doc.soldOut !== true && isAvailable(doc.recipe, levels) };
}

/** A recipe names each ingredient once, and only ingredients the inventory knows. */
export function recipeProblems(
  recipe: readonly RecipeLine[],
  known: ReadonlySet<string>,
  at = "recipe",
): FieldProblem[] {
  const seen = new Set<string>();
  return recipe.flatMap((line, index): FieldProblem[] => {
    const field = `${at}[${index}].ingredient`;
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
