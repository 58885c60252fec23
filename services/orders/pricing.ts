/**
 * What an order costs. Prices are taken from the menu at the moment of ordering and kept on
 * the order, so a later price change never alters an order already placed: a line's unit price
 * is its dish's plus its chosen modifiers' (./modifier-choice.ts). Integer cents only.
 */
import { allergenUnion } from "../../lib/allergens";
import type { OrderLine, ResolvedDish } from "../../lib/contracts";
import { chooseModifiers } from "./modifier-choice";

export interface RequestedLine {
  dish: string;
  qty: number;
  notes?: string;
  seat?: number;
  /** Left out: the dish's course. */
  course?: number;
  /** Option ids of the dish's modifier groups. */
  modifiers?: string[];
}

const wholeCents = (cents: number) => Number.isSafeInteger(cents) && cents >= 0;

/**
 * Each requested line with the dish's name, price, allergens and course snapshotted, and its
 * modifiers. The choices must have been checked (chooseModifiers' problems): here they throw.
 */
export function priceLines(lines: readonly RequestedLine[], dishes: ReadonlyMap<string, ResolvedDish>): OrderLine[] {
  return lines.map((line, index) => {
    const dish = dishes.get(line.dish);
    if (!dish) throw new Error(`priceLines: dish "${line.dish}" was not resolved`);
    if (!wholeCents(dish.priceCents)) {
      throw new RangeError(`Dish "${dish.id}" has a price that is not whole cents: ${dish.priceCents}`);
    }
    const { choice, problems } = chooseModifiers(dish, line.modifiers ?? [], `lines[${index}].modifiers`);
    if (problems.length > 0) throw new Error(`priceLines: unchecked modifiers: ${problems[0].message}`);
    const unitPriceCents = dish.priceCents + choice.priceCents;
    if (!wholeCents(unitPriceCents))
      throw new RangeError(`Line ${index} has a price that is not whole cents: ${unitPriceCents}`);
    return {
      dish: dish.id,
      name: dish.name,
      qty: line.qty,
      unitPriceCents,
      notes: line.notes ?? "",
      modifiers: choice.modifiers,
      allergens: allergenUnion(dish.allergens, choice.allergens),
      course: line.course ?? dish.course ?? null,
      seat: line.seat ?? null,
    };
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
