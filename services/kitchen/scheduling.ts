/**
 * The kitchen's timing and ownership rules, without a broker or a clock of their own, so each
 * decision is unit-tested: how long a ticket takes, when it is due, how many more this node
 * may start, and which cooking tickets have lost their cook.
 */
import type { TicketDoc } from "./ticket";

/** A ticket takes its dish's prep time, scaled (tests and demos run the kitchen fast). */
export function prepMs(prepSeconds: number, timeScale: number): number {
  return Math.max(0, Math.round(prepSeconds * timeScale * 1000));
}

/** When a ticket started at `startedAt` is done: the same moment whichever node finishes it. */
export function dueAt(startedAt: string, prepSeconds: number, timeScale: number): number {
  return Date.parse(startedAt) + prepMs(prepSeconds, timeScale);
}

export function remainingMs(startedAt: string, prepSeconds: number, timeScale: number, now: number): number {
  return Math.max(0, dueAt(startedAt, prepSeconds, timeScale) - now);
}

/** How many more tickets this node may start now. */
export function freeChefs(chefs: number, cooking: number, draining: boolean): number {
  return draining ? 0 : Math.max(0, chefs - cooking);
}

/**
 * A cooking ticket whose cook is gone: its node has left the cluster, or it is this node's
 * own name but this process is not cooking it (a restart that kept the node ID).
 */
export function isOrphan(
  ticket: Pick<TicketDoc, "_id" | "status" | "node">,
  me: string,
  isAlive: (node: string) => boolean,
  cookingHere: ReadonlySet<string>,
): boolean {
  if (ticket.status !== "cooking") return false;
  if (!ticket.node) return true;
  if (ticket.node === me) return !cookingHere.has(ticket._id);
  return !isAlive(ticket.node);
}

/** Orphans in the order they are adopted: the earliest started finishes first anyway. */
export function adoptionOrder<T extends Pick<TicketDoc, "startedAt" | "_id">>(orphans: readonly T[]): T[] {
  return [...orphans].sort(
    (a, b) => (a.startedAt ?? "").localeCompare(b.startedAt ?? "") || a._id.localeCompare(b._id),
  );
}
