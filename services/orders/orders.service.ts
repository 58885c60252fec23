/**
 * Front of house: waiters place orders, serve them, cancel them; the kitchen's events move them
 * to cooking and ready; billing claims and settles them. The saga of a placement lives in
 * ./place-order.ts, the life cycle in ./lifecycle.ts, the safety net in ./reconcile.ts. It owns the
 * floor plan too (an order names one of its tables): the flows in ./floor.ts, the rules in ./tables.ts.
 */
import type { Context, ServiceSchema } from "moleculer";
import { dbMixin } from "../../mixins/db.mixin";
import type { Store } from "../../lib/store";
import type { StaffMeta } from "../../lib/roles";
import { ID_PATTERN, idParam } from "../../lib/ids";
import { ALLERGENS_RULE, type Allergen } from "../../lib/allergens";
import { loadSettings, type Settings } from "../../lib/settings";
import { pageOf, pageParams, paginate, type PageQuery } from "../../lib/paging";
import {
  MAX_COURSE,
  ORDER_STATUSES,
  type ClaimForBillParams,
  type EventName,
  type EventPayloads,
  type KitchenProgress,
  type KitchenProgressParams,
  type OrderStatus,
  type OrderView,
  type ReleaseFromBillParams,
  type ReleaseParams,
  type ReservationResult,
  type ReserveParams,
  type ResolvedDish,
  type ResolveDishesParams,
  type SettleParams,
} from "../../lib/contracts";
import { orderView, type OrderDoc } from "./order";
import { kitchenHandOff } from "./hand-off";
import type { KitchenHandOff } from "./hand-off-port";
import { placeOrder, type PlacementPorts } from "./place-order";
import { advanceOrder, loadOrder, moveOrder, type MovePorts } from "./order-moves";
import { reconcileOrders, type ReconcilePorts } from "./reconcile";
import { claimForBill, releaseFromBill, settleBill } from "./bill-claims";
import type { RequestedLine } from "./pricing";
import { answerCreated } from "../../lib/created";
import { personText, TABLE_RULE } from "../../lib/text-rules";
import { callerOf } from "../../lib/caller";
import { reservationOf } from "../../lib/reservation-id";
import { locationOf, requestLocation } from "../../lib/locations";
import type { LocationStores } from "../../lib/location-store";
import { MAIN_LOCATION } from "../../lib/locations";
import { TABLE_STATUSES, type MoveTableParams, type Page, type TableStatus, type TableView } from "../../lib/contracts";
import { patchParams } from "../../lib/patch-params";
import { DEMO_TABLES } from "../seed/demo-restaurant";
import type { TableDoc, TablePlan } from "./tables";
import { maxCovers } from "./tables";
import {
  createTable,
  getTable,
  listTables,
  removeTable,
  requireTable,
  seatTable,
  transferTable,
  updateTable,
  type FloorPorts,
} from "./floor";

const TABLE = TABLE_RULE;
const TABLES = "tables";
const TABLE_PLAN = {
  name: TABLE_RULE,
  area: personText(1, 32),
  seats: { type: "number", integer: true, min: 1, max: 50 },
} as const;
/** The largest party any table takes; the table's own limit (2 × seats) is checked when seating. */
const COVERS = { type: "number", integer: true, min: 1, max: maxCovers(TABLE_PLAN.seats.max) } as const;
const LINE = {
  type: "object",
  strict: true,
  props: {
    dish: idParam,
    qty: { type: "number", integer: true, min: 1, max: 50 },
    notes: { ...personText(0, 200), optional: true },
    seat: { type: "number", integer: true, min: 1, max: 99, optional: true },
    course: { type: "number", integer: true, min: 0, max: MAX_COURSE, optional: true },
    /** Option ids of the dish's modifier groups (./modifier-choice.ts checks them against the dish). */
    modifiers: {
      type: "array",
      max: 40,
      items: { type: "string", min: 1, max: 32, pattern: ID_PATTERN },
      optional: true,
    },
  },
} as const;

interface PlaceParams {
  table: string;
  lines: RequestedLine[];
  allergies?: Allergen[];
  allergyConfirmed?: boolean;
}

/** A retry with the same Idempotency-Key waits this long for the first request before finishing it itself. */
const RETRY_WAIT_MS = 3_000;
/** A placement pending for this long lost its request (the node crashed mid-placement). */
const ABANDON_AFTER_MS = 60_000;

interface OrdersMethods {
  changed(location?: string): Promise<void>;
  emitEvent<E extends EventName>(event: E, payload: EventPayloads[E]): Promise<void>;
  placementPorts(ctx?: Context): PlacementPorts;
  /** For one location's orders (a request's), or for orders addressed by their unique id (events). */
  /** `location`: the request's, when the store is bound to it; otherwise each write names its document's. */
  movePorts(store: Store<OrderDoc>, location?: string): MovePorts;
  releaseStock(doc: OrderDoc): Promise<void>;
  reconcile(): Promise<void>;
  floorPorts(ctx: Context): FloorPorts;
  seedTables(): Promise<void>;
}
interface OrdersVars {
  store: LocationStores<OrderDoc>;
  stores: Record<string, LocationStores<never>>;
  tables: LocationStores<TableDoc>;
  config: Settings;
  handOff: KitchenHandOff;
  reconcileTimer?: NodeJS.Timeout;
  reconciling?: Promise<void>;
  /** Where the reconcile pass's kitchen check goes on from (reconcile.ts). */
  kitchenCheck: { after?: string };
  stopping?: boolean;
}

const OrdersService: ServiceSchema<Record<string, never>, OrdersMethods, OrdersVars> = {
  name: "orders",
  mixins: [dbMixin<OrderDoc>("orders", { collections: [TABLES], localIdCollections: [TABLES] })],

  actions: {
    place: {
      roles: ["waiter"],
      params: {
        table: TABLE,
        lines: { type: "array", min: 1, max: 50, items: LINE },
        allergies: { ...ALLERGENS_RULE, optional: true },
        allergyConfirmed: { type: "boolean", optional: true },
        $$strict: true,
      },
      async handler(ctx: Context<PlaceParams, StaffMeta>): Promise<OrderView> {
        await requireTable(this.tables.for(ctx), ctx.params.table);
        const doc = await placeOrder(this.placementPorts(ctx), {
          location: requestLocation(ctx.meta),
          table: ctx.params.table,
          lines: ctx.params.lines,
          allergies: ctx.params.allergies,
          allergyConfirmed: ctx.params.allergyConfirmed,
          staffId: ctx.meta.staff?.id ?? "system",
          idempotencyKey: ctx.meta.idempotencyKey,
        });
        answerCreated(ctx.meta, `/api/orders/${doc._id}`);
        return orderView(doc);
      },
    },

    list: {
      idempotent: true,
      roles: ["waiter", "chef", "cashier"],
      params: {
        status: { type: "enum", values: [...ORDER_STATUSES], optional: true },
        table: { ...TABLE, optional: true },
        ...pageParams,
        $$strict: true,
      },
      async handler(ctx: Context<{ status?: OrderStatus; table?: string } & PageQuery>) {
        const query: Record<string, unknown> = { accepted: true };
        if (ctx.params.status) query.status = ctx.params.status;
        if (ctx.params.table) query.table = ctx.params.table;
        return paginate(this.store.for(ctx), query, ["-createdAt", "-_id"], ctx.params, orderView);
      },
    },

    get: {
      idempotent: true,
      roles: ["waiter", "chef", "cashier"],
      params: { id: idParam, $$strict: true },
      async handler(ctx: Context<{ id: string }>) {
        return orderView(await loadOrder(this.store.for(ctx), ctx.params.id));
      },
    },

    serve: {
      roles: ["waiter"],
      params: { id: idParam, $$strict: true },
      async handler(ctx: Context<{ id: string }>) {
        const doc = await moveOrder(
          this.movePorts(this.store.for(ctx), requestLocation(ctx.meta)),
          ctx.params.id,
          "serve",
        );
        this.logger.info({ order: doc._id }, "Order served.");
        return orderView(doc);
      },
    },

    cancel: {
      roles: ["waiter"],
      params: { id: idParam, reason: personText(1, 200), $$strict: true },
      async handler(ctx: Context<{ id: string; reason: string }>) {
        // order.cancelled goes out first (the kitchen voids what it has not finished), then the
        // stock the kitchen did not consume goes back: consumed stays consumed.
        const doc = await moveOrder(
          this.movePorts(this.store.for(ctx), requestLocation(ctx.meta)),
          ctx.params.id,
          "cancel",
          {
            cancelReason: ctx.params.reason,
          },
        );
        this.logger.info({ order: doc._id, reason: ctx.params.reason }, "Order cancelled.");
        await this.releaseStock(doc);
        return orderView(doc);
      },
    },

    listTables: {
      idempotent: true,
      roles: ["waiter", "cashier"],
      params: {
        status: { type: "enum", values: [...TABLE_STATUSES], optional: true },
        area: { ...personText(1, 32), optional: true },
        ...pageParams,
        $$strict: true,
      },
      async handler(ctx: Context<{ status?: TableStatus; area?: string } & PageQuery>): Promise<Page<TableView>> {
        const { status, area, ...page } = ctx.params;
        const tables = await listTables(this.floorPorts(ctx));
        return pageOf(
          tables.filter((t) => (!status || t.status === status) && (!area || t.area === area)),
          page,
        );
      },
    },

    getTable: {
      idempotent: true,
      roles: ["waiter", "cashier"],
      params: { id: idParam, $$strict: true },
      async handler(ctx: Context<{ id: string }>): Promise<TableView> {
        return getTable(this.floorPorts(ctx), ctx.params.id);
      },
    },

    createTable: {
      roles: ["manager"],
      params: { ...TABLE_PLAN, $$strict: true },
      async handler(ctx: Context<TablePlan>): Promise<TableView> {
        const table = await createTable(this.floorPorts(ctx), ctx.params);
        answerCreated(ctx.meta, `/api/tables/${table.id}`);
        return table;
      },
    },

    /** Changes the plan's part; the id stays what the first name made it, so orders keep their table. */
    updateTable: {
      roles: ["manager"],
      params: { id: idParam, ...patchParams(TABLE_PLAN), $$strict: true },
      async handler(ctx: Context<Partial<TablePlan> & { id: string }>): Promise<TableView> {
        const { id, ...patch } = ctx.params;
        return updateTable(this.floorPorts(ctx), id, patch);
      },
    },

    removeTable: {
      roles: ["manager"],
      params: { id: idParam, $$strict: true },
      async handler(ctx: Context<{ id: string }>) {
        return removeTable(this.floorPorts(ctx), ctx.params.id);
      },
    },

    seat: {
      roles: ["waiter"],
      params: { id: idParam, covers: COVERS, $$strict: true },
      async handler(ctx: Context<{ id: string; covers: number }, StaffMeta>): Promise<TableView> {
        return seatTable(this.floorPorts(ctx), ctx.params.id, ctx.params.covers, ctx.meta.staff?.id ?? "system");
      },
    },

    /** The party moves: its open orders and open bill go to a free table. */
    transfer: {
      roles: ["waiter"],
      params: { id: idParam, to: idParam, $$strict: true },
      async handler(ctx: Context<{ id: string; to: string }, StaffMeta>): Promise<TableView> {
        return transferTable(this.floorPorts(ctx), ctx.params.id, ctx.params.to, ctx.meta.staff?.id ?? "system");
      },
    },

    /** Billing: attach a table's served, unbilled orders to `bill`. Again with the same bill → the same orders. */
    claimForBill: {
      idempotent: true,
      visibility: "public",
      params: { table: TABLE, bill: idParam, $$strict: true },
      async handler(ctx: Context<ClaimForBillParams>): Promise<OrderView[]> {
        return claimForBill(this.movePorts(this.store.for(ctx), requestLocation(ctx.meta)), ctx.params);
      },
    },

    /** Billing: the bill is paid, its orders become paid. Idempotent. */
    settle: {
      idempotent: true,
      visibility: "public",
      params: { bill: idParam, orders: { type: "array", max: 500, items: idParam }, $$strict: true },
      async handler(ctx: Context<SettleParams>): Promise<OrderView[]> {
        return settleBill(this.movePorts(this.store.for(ctx), requestLocation(ctx.meta)), ctx.params);
      },
    },

    /** Billing: a bill that could not be created gives its (still unpaid) orders back. */
    releaseFromBill: {
      idempotent: true,
      visibility: "public",
      params: { bill: idParam, $$strict: true },
      async handler(ctx: Context<ReleaseFromBillParams>) {
        return {
          bill: ctx.params.bill,
          released: await releaseFromBill(
            this.movePorts(this.store.for(ctx), requestLocation(ctx.meta)),
            ctx.params.bill,
          ),
        };
      },
    },
  },

  events: {
    /** The kitchen has the order's tickets: the hand-off is done. */
    "order.accepted": {
      async handler(ctx: Context<EventPayloads["order.accepted"]>) {
        // Events name an order by its id, unique across the group.
        await this.store.acrossLocations.update(
          { _id: ctx.params.order, handedOff: false },
          { $set: { handedOff: true } },
        );
      },
    },
    "ticket.started": {
      async handler(ctx: Context<EventPayloads["ticket.started"]>) {
        await advanceOrder(this.movePorts(this.store.acrossLocations), ctx.params.order, "cooking");
      },
    },
    "ticket.done": {
      async handler(ctx: Context<EventPayloads["ticket.done"]>) {
        if (ctx.params.orderDone)
          await advanceOrder(this.movePorts(this.store.acrossLocations), ctx.params.order, "ready");
      },
    },
    /** Billing also calls orders.settle; listening too means a lost call still ends with paid orders. */
    "bill.paid": {
      async handler(ctx: Context<EventPayloads["bill.paid"]>) {
        await settleBill(this.movePorts(this.store.acrossLocations), {
          bill: ctx.params.bill,
          orders: ctx.params.orders,
        });
      },
    },
  },

  methods: {
    async emitEvent(event, payload) {
      await this.broker.emit(event, payload);
    },

    placementPorts(ctx?: Context): PlacementPorts {
      const call = callerOf(this.broker, ctx);
      return {
        store: this.store.for(ctx ?? {}),
        resolveDishes: async (ids) =>
          call<ResolvedDish[]>("menu.resolve", { dishes: ids } satisfies ResolveDishesParams),
        reserve: (params) => call<ReservationResult>("inventory.reserve", params satisfies ReserveParams),
        release: (params) => call("inventory.release", params satisfies ReleaseParams),
        // Within the placing request: the kitchen's side of the hand-off logs under its request ID.
        handOff: ctx ? { send: (order) => this.handOff.send(order, ctx) } : this.handOff,
        changed: () => this.changed(requestLocation(ctx?.meta)),
        logger: this.logger,
        now: () => new Date(),
        retryWaitMs: RETRY_WAIT_MS,
      };
    },

    floorPorts(ctx: Context): FloorPorts {
      const call = callerOf(this.broker, ctx);
      return {
        location: requestLocation(ctx.meta as StaffMeta),
        tables: this.tables.for(ctx),
        orders: this.store.for(ctx),
        moveBill: (params) => call<{ moved: number }>("billing.moveTable", params satisfies MoveTableParams),
        emit: (event, payload) => this.emitEvent(event, payload),
        changed: () => this.changed(requestLocation(ctx.meta as StaffMeta)),
        now: () => new Date(),
      };
    },

    /** The demo's floor plan, into a fresh main only: a restaurant with orders keeps the plan it has (or none). */
    async seedTables() {
      if (!this.config.seed) return;
      const tables = this.tables.at(MAIN_LOCATION);
      if ((await tables.count()) > 0 || (await this.store.at(MAIN_LOCATION).count()) > 0) return;
      const at = new Date().toISOString();
      let inserted = 0;
      for (const table of DEMO_TABLES)
        if (
          await tables.insertOnce({
            _id: table.name,
            ...table,
            seating: null,
            version: 0,
            createdAt: at,
            updatedAt: at,
          })
        )
          inserted++;
      this.logger.info({ collection: TABLES, inserted }, "Seeded the demo restaurant's floor plan.");
    },

    movePorts(store: Store<OrderDoc>, location?: string): MovePorts {
      return {
        store,
        emit: (event, payload) => this.emitEvent(event, payload),
        changed: (written) => this.changed(written ?? location),
        now: () => new Date(),
      };
    },

    async releaseStock(doc) {
      try {
        await this.broker.call("inventory.release", { reservation: reservationOf(doc._id) } satisfies ReleaseParams, {
          meta: { location: locationOf(doc) },
        });
        await this.store.acrossLocations.update(
          { _id: doc._id, stockReleased: false },
          { $set: { stockReleased: true } },
        );
      } catch (err) {
        this.logger.warn(
          { order: doc._id, err },
          "Could not give the order's stock back yet; the reconcile loop will.",
        );
      }
    },

    async reconcile() {
      if (this.stopping) return;
      if (this.reconciling) return this.reconciling;
      const ports: ReconcilePorts = {
        // The reconcile sweeps every location; what it asks of another service names the order's.
        store: this.store.acrossLocations,
        handOff: this.handOff,
        release: (params, location) => this.broker.call("inventory.release", params, { meta: { location } }),
        progress: async (orders) => {
          // No kitchen running (yet): nothing to compare with; its orders wait for one.
          if (!this.broker.registry.getActionEndpoints("kitchen.progress")?.hasAvailable()) return null;
          return this.broker.call<KitchenProgress[], KitchenProgressParams>("kitchen.progress", { orders });
        },
        advance: (order, target) => advanceOrder(this.movePorts(this.store.acrossLocations), order, target),
        logger: this.logger,
        now: () => new Date(),
        graceMs: Math.max(1_000, 2 * this.config.reconcileMs),
        abandonAfterMs: ABANDON_AFTER_MS,
        batch: 100,
        kitchenCheck: this.kitchenCheck,
      };
      this.reconciling = reconcileOrders(ports)
        .then((report) => {
          if (report.resent || report.abandoned || report.released || report.advanced)
            this.logger.info(report, "Reconciled orders.");
        })
        .catch((err) => {
          // A service we need may be down (or starting): the next round tries again.
          this.logger.warn({ err: (err as Error).message }, "Reconciling orders failed this round.");
        })
        .finally(() => {
          this.reconciling = undefined;
        });
      return this.reconciling;
    },
  },

  created() {
    this.config = loadSettings();
    this.kitchenCheck = {};
    this.handOff = kitchenHandOff(this.broker, this.config, this.logger);
    this.tables = this.stores[TABLES] as unknown as LocationStores<TableDoc>;
  },

  async started() {
    await this.seedTables();
    await this.handOff.start?.();
    this.reconcileTimer = setInterval(() => void this.reconcile(), this.config.reconcileMs);
    this.reconcileTimer.unref();
    setImmediate(() => void this.reconcile());
  },

  async stopped() {
    this.stopping = true;
    clearInterval(this.reconcileTimer);
    await this.reconciling;
    await this.handOff.stop?.();
  },
};

export default OrdersService;
