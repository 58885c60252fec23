/**
 * How an accepted order reaches the kitchen. Today: the `order.placed` event, re-sent by the
 * reconcile loop until the kitchen answers `order.accepted` (the order's `handedOff` flag is
 * the outbox). Moleculer events are fire-and-forget — a node that dies between storing an
 * order and emitting loses the emit — which is why the state, not the event, is the record.
 * A durable transport (NATS JetStream) replaces this one object; the services do not change.
 */
import type { OrderPlaced } from "../../lib/contracts";

export interface KitchenHandOff {
  /** Sends the order toward the kitchen. May be called again for the same order: the kitchen is idempotent. */
  send(order: OrderPlaced): Promise<void>;
}

export interface EventEmitter {
  emit(event: "order.placed", payload: OrderPlaced): Promise<unknown>;
}

export function eventHandOff(broker: EventEmitter): KitchenHandOff {
  return {
    async send(order) {
      // In one process emit resolves once the kitchen's handler has run; across nodes, once sent.
      await broker.emit("order.placed", order);
    },
  };
}
