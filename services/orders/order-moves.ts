/**
 * Moving an order along its life cycle, safely under concurrency: each move is a conditional
 * update on the status it starts from, so of two concurrent moves exactly one wins; the loser
 * re-reads the order and either tries again from the new status or is refused (409).
 */
import type { EventName, EventPayloads, OrderStatus } from "../../lib/contracts";
import { Conflict, NotFound } from "../../lib/errors";
import type { Store } from "../../lib/store";
import { IN_KITCHEN, STATUS_EVENTS, STATUS_STAMPS, stepsToward, transition, type OrderAction } from "./lifecycle";
import type { OrderDoc } from "./order";
import { locationOf } from "../../lib/locations";

export interface MovePorts {
  store: Store<OrderDoc>;
  emit<E extends EventName>(event: E, payload: EventPayloads[E]): Promise<unknown>;
  /** After a write; `location`: the written document's, when the ports' store spans locations. */
  changed(location?: string): Promise<void>;
  now(): Date;
}

const ATTEMPTS = 5;

export async function loadOrder(store: Store<OrderDoc>, id: string): Promise<OrderDoc> {
  const doc = await store.get(id);
  // An order still being placed, or refused, does not exist for clients.
  if (!doc?.accepted) throw NotFound("order", id);
  return doc;
}

async function announce(ports: MovePorts, doc: OrderDoc, at: string): Promise<void> {
  const status = doc.status as OrderStatus;
  const event = STATUS_EVENTS[status as keyof typeof STATUS_EVENTS];
  if (!event) return;
  const base = { location: locationOf(doc), order: doc._id, table: doc.table, status, at, placedAt: doc.createdAt };
  if (event === "order.cancelled") await ports.emit(event, { ...base, reason: doc.cancelReason ?? "" });
  else await ports.emit(event, base);
}

/** Applies `action` to the order; throws NotFound or InvalidTransition (409) like a client expects. */
export async function moveOrder(
  ports: MovePorts,
  id: string,
  action: OrderAction,
  extra: Partial<OrderDoc> = {},
): Promise<OrderDoc> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const doc = await loadOrder(ports.store, id);
    const from = doc.status as OrderStatus;
    const to = transition(id, from, action);
    const at = ports.now().toISOString();
    const set: Partial<OrderDoc> & Record<string, unknown> = { ...extra, status: to, updatedAt: at };
    const stamp = STATUS_STAMPS[to as keyof typeof STATUS_STAMPS];
    if (stamp) set[stamp] = at;
    // The reservation still holds what the kitchen did not use; it goes back after the cancel.
    if (to === "cancelled") set.stockReleased = false;
    // What the kitchen needs of the order is read only to hand it to the kitchen (again), which
    // never happens once it has left the kitchen; an embedded node keeps every order in memory.
    // Emptied rather than `$unset`: NeDB deletes the field from its copy of the document, which
    // turns that object into a hash table larger than the field it lost.
    if (!IN_KITCHEN.includes(to)) set.kitchen = [];
    const after = await ports.store.updateIf(id, { status: from }, { $set: set });
    if (after) {
      await ports.changed(locationOf(after));
      await announce(ports, after, at);
      return after;
    }
  }
  throw Conflict("ORDER_BUSY", `Order ${id} kept changing while we tried to update it. Try again.`, { id });
}

/**
 * Brings an order up to `target` on the kitchen's path, as the kitchen's events report it.
 * Idempotent: a repeated, late or out-of-order event changes nothing; a cancelled order stays
 * cancelled. Returns the order afterwards, or null when it is unknown.
 */
export async function advanceOrder(
  ports: MovePorts,
  id: string,
  target: "cooking" | "ready",
): Promise<OrderDoc | null> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const doc = await ports.store.get(id);
    if (!doc?.accepted) return null;
    const steps = stepsToward(doc.status as OrderStatus, target);
    if (!steps || steps.length === 0) return doc;
    try {
      await moveOrder(ports, id, steps[0]);
    } catch (err) {
      // Someone else moved it meanwhile (a cancel, the other kitchen event): look again.
      if ((err as { type?: string }).type !== "INVALID_TRANSITION") throw err;
    }
  }
  return ports.store.get(id);
}
