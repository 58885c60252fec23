/**
 * Stock arithmetic, pure. An ingredient keeps three numbers that always satisfy
 * `available = onHand - reserved`, all whole units, none ever negative:
 *   reserve  q: available -q, reserved +q   (only when available >= q)
 *   release  q: available +q, reserved -q
 *   consume  q: onHand    -q, reserved -q   (available does not move: it was reserved)
 *   receive  q: onHand    +q, available +q
 * The store applies them as conditional `$inc` updates; this module decides what to apply.
 */
import type { StockLine } from "../../lib/contracts";

export interface StockLevel {
  onHand: number;
  reserved: number;
  available: number;
}

export interface LowWatch {
  available: number;
  reorderPoint: number;
  /** Set when `stock.low` was sent for the current dip below the reorder point. */
  low: boolean;
}

/** One line per ingredient (quantities summed), in id order so every caller takes stock in the same order. */
export function mergeLines(lines: readonly StockLine[]): StockLine[] {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.ingredient, (totals.get(line.ingredient) ?? 0) + line.qty);
  return [...totals.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([ingredient, qty]) => ({ ingredient, qty }));
}

/** The ingredients of `lines` that `levels` (id → available) cannot cover; unknown ones count as short. */
export function shortOf(lines: readonly StockLine[], levels: Readonly<Record<string, number>>): string[] {
  return mergeLines(lines)
    .filter((line) => (levels[line.ingredient] ?? 0) < line.qty)
    .map((line) => line.ingredient);
}

export const reserveIncrement = (qty: number) => ({ available: -qty, reserved: qty });
export const releaseIncrement = (qty: number) => ({ available: qty, reserved: -qty });
export const consumeIncrement = (qty: number) => ({ onHand: -qty, reserved: -qty });
export const receiveIncrement = (qty: number) => ({ onHand: qty, available: qty });

/**
 * `stock.low` fires once per dip: when available stock falls below the reorder point while the
 * ingredient is not yet flagged; the flag is cleared (re-armed) once stock is back at or above it.
 */
export function lowTransition(stock: LowWatch): "fell" | "recovered" | null {
  const below = stock.available < stock.reorderPoint;
  if (below && !stock.low) return "fell";
  if (!below && stock.low) return "recovered";
  return null;
}

/** A stock count sets `onHand`; stock held by open orders cannot be counted away. */
export function countTo(
  level: StockLevel,
  onHand: number,
): { onHand: number; available: number } | { belowReserved: number } {
  if (onHand < level.reserved) return { belowReserved: level.reserved };
  return { onHand, available: onHand - level.reserved };
}

/** What a reservation still holds per ingredient, before anything of it is consumed. */
export function holdings(lines: readonly StockLine[]): Record<string, number> {
  return Object.fromEntries(mergeLines(lines).map((line) => [line.ingredient, line.qty]));
}

/** The lines a release gives back: what is still held, without the zeros. */
export function unconsumed(remaining: Readonly<Record<string, number>>): StockLine[] {
  return mergeLines(
    Object.entries(remaining)
      .filter(([, qty]) => qty > 0)
      .map(([ingredient, qty]) => ({ ingredient, qty })),
  );
}

/** The lines of `want` that exceed what the reservation still holds. */
export function overConsumed(remaining: Readonly<Record<string, number>>, want: readonly StockLine[]): string[] {
  return mergeLines(want)
    .filter((line) => (remaining[line.ingredient] ?? 0) < line.qty)
    .map((line) => line.ingredient);
}

/** True when every number is a whole, non-negative amount and `available = onHand - reserved`. */
export function isConsistent(level: StockLevel): boolean {
  const whole = [level.onHand, level.reserved, level.available].every((n) => Number.isInteger(n) && n >= 0);
  return whole && level.available === level.onHand - level.reserved;
}
