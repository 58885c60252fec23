/**
 * How an accepted order reaches the kitchen, re-sent by the reconcile loop until the kitchen
 * answers `order.accepted` (the order's `handedOff` flag is the outbox):
 *   - embedded (no TRANSPORTER): the `order.placed` broker event, handled in the same process;
 *   - cluster: the kitchen's JetStream stream (./jetstream-hand-off.ts), durable across kitchen
 *     and NATS restarts, taken by exactly one kitchen node at a time.
 * Moleculer events are fire-and-forget — a node that dies between storing an order and emitting
 * loses the emit — which is why the state, not the message, is the record in both modes.
 */
import type { Logger } from "../../lib/logger";
import type { Settings } from "../../lib/settings";
import type { EventEmitter, KitchenHandOff } from "./hand-off-port";

export function eventHandOff(broker: EventEmitter): KitchenHandOff {
  return {
    async send(order, ctx) {
      // In one process emit resolves once the kitchen's handler has run; across nodes, once sent.
      await (ctx ?? broker).emit("order.placed", order);
    },
  };
}

/** The hand-off this node's settings call for: the durable stream whenever there is a NATS transporter. */
export function kitchenHandOff(
  broker: EventEmitter & { nodeID: string },
  settings: Pick<Settings, "transporter" | "namespace">,
  logger: Pick<Logger, "info" | "warn" | "debug">,
): KitchenHandOff {
  if (!settings.transporter) return eventHandOff(broker);
  // Required here, not imported: the NATS client stays unloaded on an embedded node.
  const { JetStreamHandOff } = require("./jetstream-hand-off") as typeof import("./jetstream-hand-off");
  return new JetStreamHandOff({
    transporter: settings.transporter,
    namespace: settings.namespace,
    nodeID: broker.nodeID,
    broker,
    logger,
  });
}
