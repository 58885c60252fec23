/** Ingredients: the stored document, the view clients see, and the rules for their fields. */
import type { MoveMark } from "./movements";
import type { IngredientView, StockLine } from "../../lib/contracts";
import type { FieldProblem } from "../../lib/errors";
import { idParam, slugId } from "../../lib/ids";
import type { DemoIngredient } from "../seed/demo-restaurant";
import { personText } from "../../lib/text-rules";
import { allergenUnion, type Allergen } from "../../lib/allergens";

/** Stock is counted in whole grams, millilitres or pieces: integer arithmetic never drifts. */
export const UNITS = ["g", "ml", "pcs"] as const;
export type Unit = (typeof UNITS)[number];

/** A thousand tonnes: far above any kitchen, far below where integers lose precision. */
export const MAX_STOCK = 1_000_000_000;
export const MAX_LINE_QTY = 10_000_000;
/** An order's lines arrive unmerged (dish × recipe line), so this leaves room for a big table. */
export const MAX_LINES = 500;

export interface IngredientDoc {
  _id: string;
  /** Its location, stamped by the store (lib/location-store.ts). */
  location?: string;
  name: string;
  unit: Unit;
  onHand: number;
  reserved: number;
  available: number;
  reorderPoint: number;
  reorderQty: number;
  /** Absent on ingredients from before allergens, and on those with none. */
  allergens?: Allergen[];
  /** `stock.low` was sent for the current dip below the reorder point (see stock.ts). */
  low: boolean;
  createdAt: string;
  updatedAt: string;
  /** Movements under way that changed this ingredient (./movements.ts); empty at rest. */
  moves?: Record<string, MoveMark>;
}

export const INGREDIENT_NAME = personText(1, 80);
export const UNIT = { type: "enum", values: [...UNITS] } as const;
export const STOCK_AMOUNT = { type: "number", integer: true, min: 0, max: MAX_STOCK } as const;
export const LINE_QTY = { type: "number", integer: true, min: 1, max: MAX_LINE_QTY } as const;

/** `[{ingredient, qty}]`, as reservations, consumptions and purchase orders take them. */
export const stockLinesParam = {
  type: "array",
  min: 1,
  max: MAX_LINES,
  items: { type: "object", strict: true, props: { ingredient: idParam, qty: LINE_QTY } },
} as const;

export interface NewIngredient {
  name: string;
  unit: Unit;
  onHand?: number;
  reorderPoint?: number;
  reorderQty?: number;
  allergens?: Allergen[];
}

export function newIngredient(fields: NewIngredient, now: string): IngredientDoc {
  const onHand = fields.onHand ?? 0;
  const reorderPoint = fields.reorderPoint ?? 0;
  const allergens = allergenUnion(fields.allergens);
  return {
    _id: slugId(fields.name),
    name: fields.name,
    unit: fields.unit,
    onHand,
    reserved: 0,
    available: onHand,
    reorderPoint,
    reorderQty: fields.reorderQty ?? 0,
    // Starting below the reorder point is not a crossing: nothing to announce.
    low: onHand < reorderPoint,
    ...(allergens.length ? { allergens } : {}),
    createdAt: now,
    updatedAt: now,
  };
}

export function seedIngredients(demo: readonly DemoIngredient[], now = new Date().toISOString()): IngredientDoc[] {
  return demo.map((ingredient) => newIngredient(ingredient, now));
}

export function ingredientView(doc: IngredientDoc): IngredientView {
  return {
    id: doc._id,
    name: doc.name,
    unit: doc.unit,
    onHand: doc.onHand,
    reserved: doc.reserved,
    available: doc.available,
    reorderPoint: doc.reorderPoint,
    reorderQty: doc.reorderQty,
    allergens: doc.allergens ?? [],
    low: doc.low,
  };
}

/** Field problems for the lines naming ingredients that do not exist, e.g. `lines[2].ingredient`. */
export function unknownIngredients(
  lines: readonly StockLine[],
  known: ReadonlySet<string>,
  field = "lines",
): FieldProblem[] {
  return lines.flatMap((line, index) =>
    known.has(line.ingredient)
      ? []
      : [
          {
            field: `${field}[${index}].ingredient`,
            type: "unknownIngredient",
            message: `There is no ingredient "${line.ingredient}": create it first (POST /api/ingredients).`,
          },
        ],
  );
}
