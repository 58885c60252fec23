/**
 * The life of an order, as a table of named transitions. Pure: the service turns each move
 * into a conditional update on `{ _id, status: from }`, so two concurrent moves cannot both win.
 *
 *   placed ──cook──▶ cooking ──ready──▶ ready ──serve──▶ served ──pay──▶ paid
 *     └──────cancel─────┴──cancel──▶ cancelled
 */
import type { OrderStatus } from "../../lib/contracts";
import { InvalidTransition } from "../../lib/errors";

export const ORDER_ACTIONS = ["cook", "ready", "serve", "pay", "cancel"] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

const transitions = {
  placed: { cook: "cooking", cancel: "cancelled" },
  cooking: { ready: "ready", cancel: "cancelled" },
  ready: { serve: "served" },
  served: { pay: "paid" },
  paid: {},
  cancelled: {},
} as const satisfies Record<OrderStatus, Partial<Record<OrderAction, OrderStatus>>>;

/** Where `action` takes an order that is `from`; undefined when the move is not allowed. */
export function nextStatus(from: OrderStatus, action: OrderAction): OrderStatus | undefined {
  const moves: Partial<Record<OrderAction, OrderStatus>> = transitions[from];
  return moves[action];
}

/** Like nextStatus, but an illegal move is the 409 INVALID_TRANSITION a client sees. */
export function transition(id: string, from: OrderStatus, action: OrderAction): OrderStatus {
  const to = nextStatus(from, action);
  if (!to) throw InvalidTransition("order", id, from, action);
  return to;
}

/** The event that announces an order has just become `status`. */
export const STATUS_EVENTS = {
  cooking: "order.cooking",
  ready: "order.ready",
  served: "order.served",
  paid: "order.paid",
  cancelled: "order.cancelled",
} as const satisfies Partial<Record<OrderStatus, string>>;

/** The document field stamped with the moment an order became `status`. */
export const STATUS_STAMPS = {
  cooking: "cookingAt",
  ready: "readyAt",
  served: "servedAt",
  paid: "paidAt",
  cancelled: "cancelledAt",
} as const satisfies Partial<Record<OrderStatus, string>>;

/** The forward path the kitchen drives: an order is never moved backwards by a late event. */
const KITCHEN_PATH: readonly OrderStatus[] = ["placed", "cooking", "ready", "served", "paid"];
const KITCHEN_ACTIONS: Partial<Record<OrderStatus, OrderAction>> = { placed: "cook", cooking: "ready" };

/**
 * The moves that bring an order from `from` up to `target` on the kitchen's path:
 * `[]` when it is already there or past it (a repeated or late event changes nothing),
 * `null` when it cannot get there at all (it was cancelled).
 */
export function stepsToward(from: OrderStatus, target: "cooking" | "ready"): OrderAction[] | null {
  const at = KITCHEN_PATH.indexOf(from);
  if (at < 0) return null;
  const goal = KITCHEN_PATH.indexOf(target);
  const steps: OrderAction[] = [];
  for (let i = at; i < goal; i++) steps.push(KITCHEN_ACTIONS[KITCHEN_PATH[i]]!);
  return steps;
}

/** Statuses in which the kitchen still has work for the order. */
export const IN_KITCHEN: readonly OrderStatus[] = ["placed", "cooking"];
