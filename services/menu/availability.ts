/**
 * Whether a dish can be ordered right now, from the inventory's available stock (id → amount,
 * one `inventory.levels` call per answer, however many dishes it shows). Pure.
 */
import type { RecipeLine, StockLevels } from "../../lib/contracts";

/** A dish is available when every ingredient has at least its recipe quantity available. */
export function isAvailable(recipe: readonly RecipeLine[], levels: Readonly<StockLevels>): boolean {
  return recipe.every((line) => (levels[line.ingredient] ?? 0) >= line.qty);
}
