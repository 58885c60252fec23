/**
 * What an order line takes from the pantry, as the stores keep it: one object, ingredient id →
 * quantity, instead of a list of `{ ingredient, qty }`. NeDB holds every order and ticket in
 * memory, and the list costs an array plus an object per ingredient (176 bytes for two
 * ingredients against 56). Events and action params still carry StockLine lists; documents
 * written before hold the list, and both read the same.
 *
 * Ingredient ids are validated ids ([a-z0-9][a-z0-9_-]*): safe as field names on NeDB and MongoDB.
 */
import type { StockLine } from "./contracts";

export type Portions = Record<string, number>;

export function portionsOf(lines: readonly StockLine[]): Portions {
  const portions: Portions = {};
  for (const { ingredient, qty } of lines)
    portions[ingredient] = Object.hasOwn(portions, ingredient) ? portions[ingredient] + qty : qty;
  return portions;
}

/** The lines again, in ingredient id order (an object would list integer-like ids such as "7" first). */
export function portionLines(stored: Portions | readonly StockLine[]): StockLine[] {
  if (Array.isArray(stored)) return stored as StockLine[];
  const portions = stored as Portions;
  return Object.keys(portions)
    .sort()
    .map((ingredient) => ({ ingredient, qty: portions[ingredient] }));
}
