/**
 * The benchmark's own node in a Brigade cluster: it sees which nodes run which services, asks a
 * kitchen node to drain or resume (kitchen.drain, as an operator would), and hears every
 * `ticket.done` — a service of its own gets one copy of each event, beside the orders service.
 */
import { ServiceBroker, type BrokerOptions, type Context } from "moleculer";
import type { EventPayloads, KitchenNodeStatus } from "../lib/contracts";

export interface TicketDone {
  ticket: string;
  node: string;
  doneAt: number;
  heardAt: number;
}

export class ClusterProbe {
  readonly broker: ServiceBroker;
  readonly done: TicketDone[] = [];

  constructor(transporter: string, namespace: string) {
    this.broker = new ServiceBroker({
      namespace,
      nodeID: `bench-probe-${process.pid}`,
      transporter: transporter as BrokerOptions["transporter"],
      serializer: "JSON",
      logger: false,
      heartbeatInterval: 5,
      heartbeatTimeout: 15,
    });
    const done = this.done;
    this.broker.createService({
      name: "benchProbe",
      events: {
        "ticket.done"(ctx: Context<EventPayloads["ticket.done"]>) {
          done.push({
            ticket: ctx.params.ticket,
            node: ctx.params.node,
            doneAt: Date.parse(ctx.params.doneAt),
            heardAt: Date.now(),
          });
        },
      },
    });
  }

  start(): Promise<void> {
    return this.broker.start();
  }

  stop(): Promise<void> {
    return this.broker.stop();
  }

  waitForServices(names: string[], timeoutMs: number): Promise<unknown> {
    return this.broker.waitForServices(names, timeoutMs);
  }

  /** True once `nodeID` is connected and runs `service`. */
  runs(nodeID: string, service: string): boolean {
    const list = this.broker.registry.getServiceList({ onlyAvailable: true }) as { name: string; nodeID: string }[];
    return list.some((s) => s.name === service && s.nodeID === nodeID);
  }

  drain(nodeID: string, draining: boolean): Promise<KitchenNodeStatus> {
    return this.broker.call<KitchenNodeStatus, { draining: boolean }>("kitchen.drain", { draining }, { nodeID });
  }

  /** Tickets finished (by their own `doneAt`) within [from, to). */
  doneBetween(from: number, to: number): TicketDone[] {
    return this.done.filter((d) => d.doneAt >= from && d.doneAt < to);
  }
}
