/**
 * What an order costs. Prices are taken from the menu at the moment of ordering and kept on
 * the order, so a later price change never alters an order already placed. Integer cents only.
 */
import type { OrderLine, ResolvedDish } from "../../lib/contracts";

export interface RequestedLine {
  dish: string;
  qty: number;
  notes?: string;
}

/** Each requested line with the dish's name and current price snapshotted. */
export function priceLines(lines: readonly RequestedLine[], dishes: ReadonlyMap<string, ResolvedDish>): OrderLine[] {
  return lines.map((line) => {
    const dish = dishes.get(line.dish);
    if (!dish) throw new Error(`priceLines: dish "${line.dish}" was not resolved`);
    if (!Number.isSafeInteger(dish.priceCents) || dish.priceCents < 0) {
      throw new RangeError(`Dish "${dish.id}" has a price that is not whole cents: ${dish.priceCents}`);
    }
    return { dish: dish.id, name: dish.name, qty: line.qty, unitPriceCents: dish.priceCents, notes: line.notes ?? "" };
  });
}

export function lineTotalCents(line: Pick<OrderLine, "qty" | "unitPriceCents">): number {
  return line.qty * line.unitPriceCents;
}

export function orderTotalCents(lines: readonly Pick<OrderLine, "qty" | "unitPriceCents">[]): number {
  const total = lines.reduce((sum, line) => sum + lineTotalCents(line), 0);
  if (!Number.isSafeInteger(total)) throw new RangeError(`Order total is out of range: ${total}`);
  return total;
}
