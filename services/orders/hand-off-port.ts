/**
 * What the orders service needs of a hand-off to the kitchen (./hand-off.ts picks one): the
 * broker event embedded, the JetStream stream in a cluster (./jetstream-hand-off.ts). Both
 * implementations depend on this file, and nothing here depends on them.
 */
import type { OrderPlaced } from "../../lib/contracts";

export interface KitchenHandOff {
  /**
   * Sends the order toward the kitchen. May be called again for the same order: the kitchen is
   * idempotent. `ctx`: the request placing it, whose request ID (and trace) the kitchen's
   * handling then shares, where the hand-off is a broker event.
   */
  send(order: OrderPlaced, ctx?: EventEmitter): Promise<void>;
  /** Connects whatever the hand-off needs, before the first send. */
  start?(): Promise<void>;
  /** Lets sends in flight finish, then lets go of the connection. */
  stop?(): Promise<void>;
}

export interface EventEmitter {
  emit(event: "order.placed", payload: OrderPlaced): Promise<unknown>;
}
