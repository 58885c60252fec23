/**
 * What an order takes from the pantry: each line's ingredients (recipe × quantity), the one
 * all-or-nothing reservation for the whole order, and — when stock is short — which dishes
 * to name to the waiter (the client asked for dishes, not ingredients).
 */
import type { RecipeLine, StockLine } from "../../lib/contracts";
import type { ShortDish } from "../../lib/errors";

// Recipes may use fractions (0.2 kg); rounding keeps 0.1 × 3 from becoming 0.30000000000000004.
const PRECISION = 1e6;
const round = (qty: number) => Math.round(qty * PRECISION) / PRECISION;

function merge(lines: Iterable<StockLine>): StockLine[] {
  const totals = new Map<string, number>();
  for (const { ingredient, qty } of lines) totals.set(ingredient, (totals.get(ingredient) ?? 0) + qty);
  return [...totals]
    .map(([ingredient, qty]) => ({ ingredient, qty: round(qty) }))
    .filter((line) => line.qty > 0)
    .sort((a, b) => (a.ingredient < b.ingredient ? -1 : a.ingredient > b.ingredient ? 1 : 0));
}

/** The ingredients one order line uses: its dish's recipe times the line's quantity. */
export function lineIngredients(recipe: readonly RecipeLine[], qty: number): StockLine[] {
  return merge(recipe.map((r) => ({ ingredient: r.ingredient, qty: r.qty * qty })));
}

/** The whole order's reservation: every line's ingredients, summed per ingredient. */
export function reservationLines(lines: readonly { ingredients: readonly StockLine[] }[]): StockLine[] {
  return merge(lines.flatMap((line) => line.ingredients));
}

/** The dishes that use any of the short ingredients, each named once, in the order's order. */
export function dishesShort(
  lines: readonly { dish: string; name: string; ingredients: readonly StockLine[] }[],
  shortIngredients: readonly string[],
): ShortDish[] {
  const short = new Set(shortIngredients);
  const byDish = new Map<string, ShortDish>();
  for (const line of lines) {
    const missing = line.ingredients.map((i) => i.ingredient).filter((i) => short.has(i));
    if (missing.length === 0) continue;
    const entry = byDish.get(line.dish) ?? { dish: line.dish, name: line.name, ingredients: [] };
    for (const ingredient of missing) if (!entry.ingredients.includes(ingredient)) entry.ingredients.push(ingredient);
    byDish.set(line.dish, entry);
  }
  return [...byDish.values()];
}
