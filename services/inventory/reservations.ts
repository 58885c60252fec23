/**
 * Reservations: stock set aside for an order until the kitchen uses it or the order is
 * cancelled. The reservation document is the one place where its consumptions and its release
 * meet, so both are single conditional updates on it: a consumption is recorded (under its key)
 * only while the reservation is held and still holds enough; a release flips `held` to
 * `released` once, and then gives back exactly what `remaining` says.
 */
import type { PendingMoves } from "./movements";
import type { StockLine } from "../../lib/contracts";
import { holdings } from "./stock";

export interface ReservationDoc extends PendingMoves {
  /** The caller's reservation id (`reservationOf(orderId)`, lib/reservation-id.ts): idempotency rides on `_id`. */
  _id: string;
  status: "held" | "released";
  /**
   * What was reserved, in documents written before it was left out: it is always `remaining`
   * plus everything `consumed`, and an embedded node keeps every reservation in memory.
   */
  lines?: StockLine[];
  /** Ingredient id → what is still reserved and not consumed (at first: all that was reserved). */
  remaining: Record<string, number>;
  /**
   * Consumption key (a ticket id) → the lines it used. Absent until the first consumption, whose
   * `$set` of `consumed.<key>` creates it (NeDB and MongoDB alike); older documents hold `{}`.
   */
  consumed?: Record<string, StockLine[]>;
  /**
   * Only in documents written before it was left out: nothing reads it, and the order with the
   * same id says when it was placed and accepted (the reservation is made between the two).
   */
  createdAt?: string;
  releasedAt?: string;
}

// An embedded node keeps every reservation in memory (NeDB), one per order, so a new one holds
// only what is read: an empty `consumed` and the creation time were 136 of its 248 bytes.
export function newReservation(id: string, lines: StockLine[]): ReservationDoc {
  return { _id: id, status: "held", remaining: holdings(lines) };
}

/** A release for a reservation never made (its reserve failed, or has not arrived yet): a late reserve then takes nothing. */
export function releasedUnheld(id: string, now: string): ReservationDoc {
  return { _id: id, status: "released", remaining: {}, releasedAt: now };
}

/**
 * The conditional update that records one consumption: it matches only while the reservation
 * is held, this key is new, and every line is still covered. Keys and ingredient ids are
 * validated ids ([a-z0-9_-]), so they are safe as field names.
 */
export function consumption(
  id: string,
  key: string,
  lines: readonly StockLine[],
): { query: Record<string, unknown>; update: Record<string, unknown> } {
  const query: Record<string, unknown> = { _id: id, status: "held", [`consumed.${key}`]: { $exists: false } };
  const inc: Record<string, number> = {};
  for (const line of lines) {
    query[`remaining.${line.ingredient}`] = { $gte: line.qty };
    inc[`remaining.${line.ingredient}`] = -line.qty;
  }
  return { query, update: { $set: { [`consumed.${key}`]: lines }, $inc: inc } };
}
