/**
 * What the live stream tells whom. The stream carries hints, not state: "order X is ready",
 * "the bills changed". A page reloads what it shows through the REST API, with the caller's own
 * permissions, so a missed hint (a reconnect) costs a refresh, never a wrong screen; and each
 * role only hears about what its views show.
 */
import type { EventName } from "../../lib/contracts";
import { runsTheHouse, type Role } from "../../lib/roles";

/** Domain events forwarded as they are, to these roles (and managers). */
export const FORWARDED_EVENTS: Readonly<Record<EventName, readonly Role[]>> = {
  "order.placed": ["waiter", "chef"],
  "order.accepted": ["waiter", "chef"],
  "order.cooking": ["waiter"],
  "order.ready": ["waiter", "chef"],
  "order.served": ["waiter", "cashier"],
  "order.paid": ["waiter", "cashier"],
  "order.cancelled": ["waiter", "chef", "cashier"],
  "ticket.started": ["chef"],
  "ticket.done": ["chef"],
  "stock.low": ["purchaser", "chef"],
  "dish.soldOut": ["waiter", "chef"],
  "dish.backOn": ["waiter", "chef"],
  "ingredient.allergensChanged": ["waiter", "chef"],
  "bill.paid": ["waiter", "cashier"],
  "payment.taken": ["cashier"],
  "bill.refunded": ["cashier"],
  // The floor plan: the waiters' floor and the cashier's tables.
  "table.created": ["waiter", "cashier"],
  "table.updated": ["waiter", "cashier"],
  "table.removed": ["waiter", "cashier"],
  "table.seated": ["waiter", "cashier"],
  "table.transferred": ["waiter", "cashier"],
};

/**
 * A service's collection changed (moleculer-db's `cache.clean.<service>` broadcast, sent after
 * every write): becomes `changed` `{ what }` for the roles whose views show that data. This is
 * how the floor hears that a dish became unavailable, or the cashier that a waiter opened a
 * bill: no domain event says so.
 */
export const CHANGE_HINTS: Readonly<Record<string, readonly Role[]>> = {
  orders: ["waiter", "chef", "cashier"],
  kitchen: ["chef"],
  billing: ["waiter", "cashier"],
  inventory: ["purchaser", "chef", "waiter"],
  menu: ["waiter"],
};

/** The cluster view is for managers and owners alone. */
export const CLUSTER_EVENT = "cluster.changed";

export function mayReceive(role: Role, audience: readonly Role[]): boolean {
  return runsTheHouse(role) || audience.includes(role);
}

export interface LiveMessage {
  event: string;
  payload: unknown;
}

/**
 * One server-sent event. Every message is the default (`message`) type with the event's name in
 * the JSON, so a page needs one listener; `id` lets a reader count what it got.
 */
export function sseFrame(id: number, message: LiveMessage): string {
  // JSON.stringify never emits a raw newline, so the data fits the one `data:` line SSE needs.
  return `id: ${id}\ndata: ${JSON.stringify(message)}\n\n`;
}

/** A comment line: ignored by EventSource, but it keeps proxies and NATs from closing an idle stream. */
export const KEEPALIVE_FRAME = ": keepalive\n\n";
