/**
 * The floor plan's tables and what is happening at each, derived, never stored twice. The table
 * document keeps the plan (name, area, seats) and the last seating; the status comes from the
 * table's open orders and their bill at the moment it is asked:
 *
 *   free ──seat──▶ seated ──order──▶ ordering ──bill──▶ billed ──pay──▶ free
 *     └─────────order (no seating)──────▶┘    ◀──order──┘
 *
 * A seating ends with the payment that leaves the table with no open order: nothing has to
 * clear it, so a lost event or a crash cannot leave a paid table "seated".
 */
import type { TableStatus, TableView } from "../../lib/contracts";
import { Conflict, Invalid } from "../../lib/errors";
import type { OrderStatus } from "../../lib/contracts";

/** Who sat down, how many, since when; `at`: when this record was written (a seat or a transfer). */
export interface Seating {
  /** null when the party came with an order and was never seated (then transferred). */
  covers: number | null;
  waiter: string;
  since: string;
  at: string;
}

export interface TableDoc {
  /** The table's id, from its name ("Terrace 2" → "terrace-2"); an order's `table` names it. */
  _id: string;
  location?: string;
  name: string;
  area: string;
  seats: number;
  seating: Seating | null;
  /** Bumped by every write; a seat or a transfer is conditional on the version it read. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** The plan's part of a table, as a manager writes it. */
export interface TablePlan {
  name: string;
  area: string;
  seats: number;
}

/** An order that is still the table's business: accepted, not paid, not cancelled. */
export const OPEN_ORDER_STATUSES = ["placed", "cooking", "ready", "served"] as const satisfies readonly OrderStatus[];

/** What the floor needs of an open order. */
export interface OpenOrder {
  _id: string;
  table: string;
  /** Set once a bill claimed it (billing): the table is waiting to pay. */
  bill: string | null;
  createdAt: string;
  createdBy: string;
}

/** A party may squeeze in at twice the seats (a chair brought, two tables pushed together), no more. */
export const COVERS_PER_SEAT = 2;
export const maxCovers = (seats: number) => seats * COVERS_PER_SEAT;

/**
 * The seating that still holds. `lastPaidAt`: the latest payment of an order of this table since
 * the seating was written. A payment with no open order placed before it ended the seating.
 */
export function currentSeating(
  seating: Seating | null,
  open: readonly OpenOrder[],
  lastPaidAt: string | null,
): Seating | null {
  if (!seating) return null;
  if (lastPaidAt === null || lastPaidAt < seating.at) return seating;
  return open.some((order) => order.createdAt <= lastPaidAt) ? seating : null;
}

export function tableStatus(seating: Seating | null, open: readonly OpenOrder[]): TableStatus {
  if (open.length > 0) return open.every((order) => order.bill) ? "billed" : "ordering";
  return seating ? "seated" : "free";
}

/** The table as the floor sees it now. */
export function tableView(doc: TableDoc, open: readonly OpenOrder[], lastPaidAt: string | null): TableView {
  const seating = currentSeating(doc.seating, open, lastPaidAt);
  const status = tableStatus(seating, open);
  const first = [...open].sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
  return {
    id: doc._id,
    name: doc.name,
    area: doc.area,
    seats: doc.seats,
    status,
    covers: seating?.covers ?? null,
    waiter: seating?.waiter ?? first?.createdBy ?? null,
    since: seating?.since ?? first?.createdAt ?? null,
  };
}

/** The seating a transfer carries to the new table: the party's, or one made from its first order. */
export function seatingToMove(view: TableView, at: string): Seating {
  return { covers: view.covers, waiter: view.waiter ?? "system", since: view.since ?? at, at };
}

export const TableOccupied = (view: TableView) =>
  Conflict(
    "TABLE_OCCUPIED",
    `Table ${view.name} is ${view.status}${view.covers ? ` (${view.covers} covers)` : ""}: pick a free table.`,
    { table: view.id, status: view.status },
  );

/** Why a party of `covers` may not sit at the table, or null when it may. */
export function seatRefusal(view: TableView, covers: number) {
  if (view.status !== "free") return TableOccupied(view);
  if (covers > maxCovers(view.seats))
    return Invalid([
      {
        field: "covers",
        type: "tooManyCovers",
        message: `Table ${view.name} has ${view.seats} seats: at most ${maxCovers(view.seats)} covers.`,
      },
    ]);
  return null;
}

/** Why the party at `from` may not move to `to`, or null when it may. */
export function transferRefusal(from: TableView, to: TableView) {
  if (from.id === to.id)
    return Invalid([{ field: "to", type: "sameTable", message: `The party is already at table ${from.name}.` }]);
  if (from.status === "free")
    return Conflict("TABLE_FREE", `Table ${from.name} is free: there is nobody to transfer.`, { table: from.id });
  if (to.status !== "free") return TableOccupied(to);
  return null;
}

/** Why the table may not be taken off the plan, or null when it may. */
export function removalRefusal(view: TableView) {
  if (view.status === "free") return null;
  return Conflict(
    "TABLE_IN_USE",
    `Table ${view.name} is ${view.status}: transfer the party or settle its bill before removing it.`,
    { table: view.id, status: view.status },
  );
}

/** The table's views, in plan order: by area, then by name as people count ("2" before "10"). */
export function byArea(a: TableView, b: TableView): number {
  return a.area.localeCompare(b.area) || a.name.localeCompare(b.name, undefined, { numeric: true });
}
