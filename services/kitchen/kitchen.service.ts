/**
 * The chefs: every placed order becomes one ticket per line at its dish's station; each
 * kitchen node cooks up to KITCHEN_CHEFS tickets at once, oldest first (./scheduler.ts).
 * Tickets outlive the process that cooks them: on restart, or when a node leaves the cluster,
 * a live kitchen adopts what was cooking and the queue simply carries on.
 */
import type { Context, ServiceSchema } from "moleculer";
import { dbMixin } from "../../mixins/db.mixin";
import { idParam } from "../../lib/ids";
import { loadSettings, type Settings } from "../../lib/settings";
import { pageParams, paginate, type PageQuery } from "../../lib/paging";
import {
  STATIONS,
  TICKET_STATUSES,
  type ConsumeParams,
  type EventPayloads,
  type KitchenDrainParams,
  type KitchenNodeStatus,
  type KitchenProgress,
  type KitchenProgressParams,
  type LocationBrief,
  type Station,
  type TicketStatus,
} from "../../lib/contracts";
import { QUEUE_ORDER, ticketView, type TicketDoc } from "./ticket";
import { Scheduler } from "./scheduler";
import type { OrderInbox } from "./order-inbox";
import type { LocationStores } from "../../lib/location-store";
import { NotFound } from "../../lib/errors";
import { locationOf, MAIN_LOCATION } from "../../lib/locations";

interface KitchenMethods {
  changed(location?: string): Promise<void>;
  isAlive(node: string): boolean;
  serves(location: string): boolean;
  servedLocations(): Promise<readonly string[]>;
}
interface KitchenVars {
  store: LocationStores<TicketDoc>;
  config: Settings;
  scheduler: Scheduler;
  /** In a cluster: placed orders come from the durable stream (./order-inbox.ts). */
  inbox?: OrderInbox;
  poll?: NodeJS.Timeout;
  startedAt: number;
}

const KitchenService: ServiceSchema<Record<string, never>, KitchenMethods, KitchenVars> = {
  name: "kitchen",
  mixins: [dbMixin<TicketDoc>("tickets")],

  actions: {
    list: {
      idempotent: true,
      roles: ["chef"],
      params: {
        status: { type: "enum", values: [...TICKET_STATUSES], optional: true },
        station: { type: "enum", values: [...STATIONS], optional: true },
        ...pageParams,
        $$strict: true,
      },
      async handler(ctx: Context<{ status?: TicketStatus; station?: Station } & PageQuery>) {
        const query: Record<string, unknown> = {};
        if (ctx.params.status) query.status = ctx.params.status;
        if (ctx.params.station) query.station = ctx.params.station;
        return paginate(this.store.for(ctx), query, QUEUE_ORDER, ctx.params, ticketView);
      },
    },

    bump: {
      roles: ["chef"],
      params: { id: idParam, $$strict: true },
      async handler(ctx: Context<{ id: string }>) {
        // Only a ticket of the chef's own location: another's is 404, as if it did not exist.
        if (!(await this.store.for(ctx).get(ctx.params.id))) throw NotFound("ticket", ctx.params.id);
        return ticketView(await this.scheduler.bump(ctx.params.id));
      },
    },

    /** The orders service's reconciliation asks where orders are, in case a ticket event was lost. */
    progress: {
      idempotent: true,
      visibility: "public",
      params: { orders: { type: "array", min: 1, max: 500, items: idParam }, $$strict: true },
      async handler(ctx: Context<KitchenProgressParams>): Promise<KitchenProgress[]> {
        return this.scheduler.progress(ctx.params.orders);
      },
    },

    /** Operators: this node's chefs. Call with `{ nodeID }` to ask a given node. */
    status: {
      idempotent: true,
      visibility: "public",
      params: { $$strict: true },
      handler(): KitchenNodeStatus {
        return this.scheduler.status();
      },
    },

    /** Operators: stop (or resume) starting tickets on this node before taking it down. Call with `{ nodeID }`. */
    drain: {
      visibility: "public",
      params: { draining: { type: "boolean", optional: true }, $$strict: true },
      handler(ctx: Context<KitchenDrainParams>): KitchenNodeStatus {
        this.scheduler.drain(ctx.params.draining ?? true);
        return this.scheduler.status();
      },
    },
  },

  events: {
    "order.placed": {
      async handler(ctx: Context<EventPayloads["order.placed"]>) {
        // In a cluster the stream is the kitchen's inbox; this event is then only a notice, which
        // makes a kitchen serving the order's location pull that location's orders, if not yet.
        if (this.inbox) {
          const location = locationOf(ctx.params);
          if (this.serves(location)) this.inbox.serve(location);
          return;
        }
        await this.scheduler.accept(ctx.params);
      },
    },
    "order.cancelled": {
      async handler(ctx: Context<EventPayloads["order.cancelled"]>) {
        await this.scheduler.voidOrder(ctx.params.order);
      },
    },
  },

  methods: {
    serves(location: string) {
      return !this.config.kitchenLocations || this.config.kitchenLocations.includes(location);
    },

    /** KITCHEN_LOCATIONS, or the group's locations (main alone while the staff service cannot say). */
    async servedLocations(): Promise<readonly string[]> {
      if (this.config.kitchenLocations) return this.config.kitchenLocations;
      try {
        const group = await this.broker.call<LocationBrief[]>("staff.groupLocations");
        return [...new Set([MAIN_LOCATION, ...group.map((l) => l.id)])];
      } catch {
        return [MAIN_LOCATION];
      }
    },

    isAlive(node: string) {
      const info = this.broker.registry.nodes.get(node);
      if (info) return info.available;
      // Without a transporter no other node exists. In a cluster, a node we have not heard of
      // may just not be discovered yet: wait a heartbeat timeout before calling it gone.
      const discovery = (this.broker.options.heartbeatTimeout ?? 15) * 1000;
      return !!this.broker.transit && Date.now() - this.startedAt < discovery;
    },
  },

  created() {
    this.config = loadSettings();
  },

  async started() {
    this.startedAt = Date.now();
    if (this.config.kitchenLocations)
      this.logger.info(
        { locations: this.config.kitchenLocations },
        "This kitchen cooks only these locations' tickets.",
      );
    this.scheduler = new Scheduler({
      // The kitchen's queue spans the locations this node serves (KITCHEN_LOCATIONS); ticket ids are unique.
      store: this.store.acrossLocations,
      consume: (params, location) =>
        this.broker.call("inventory.consume", params satisfies ConsumeParams, { meta: { location } }),
      emit: (event, payload) => this.broker.emit(event, payload),
      changed: (location) => this.changed(location),
      nodeID: this.broker.nodeID,
      isAlive: (node) => this.isAlive(node),
      canConsume: () => !!this.broker.registry.getActionEndpoints("inventory.consume")?.hasAvailable(),
      logger: this.logger,
      now: () => new Date(),
      chefs: this.config.kitchenChefs,
      timeScale: this.config.kitchenTimeScale,
      locations: this.config.kitchenLocations,
    });
    if (this.config.transporter) {
      // Required here, not imported: the NATS client stays unloaded on an embedded node.
      const { OrderInbox } = require("./order-inbox") as typeof import("./order-inbox");
      this.inbox = new OrderInbox({
        transporter: this.config.transporter,
        namespace: this.config.namespace,
        nodeID: this.broker.nodeID,
        accept: (placed) => this.scheduler.accept(placed),
        locations: () => this.servedLocations(),
        logger: this.logger,
      });
      this.inbox.start();
    }
    this.poll = setInterval(() => this.scheduler.wake(), this.config.kitchenPollMs);
    this.poll.unref();
    // Resume at once whatever a previous run left cooking or queued.
    this.scheduler.wake();
  },

  async stopped() {
    // First take no more orders (those fetched but not started go back to the stream), then stop
    // cooking and hand what is on the stove back to the other kitchens.
    await this.inbox?.stop();
    clearInterval(this.poll);
    await this.scheduler?.stop();
  },
};

export default KitchenService;
