/**
 * The cashier: bills for a table's served orders, payments (cash or card, tips, change),
 * refunds by a manager, and a day's takings computed from the stored payments and refunds.
 * The rules live beside this schema: bill-math.ts (arithmetic), open-bill.ts, take-payment.ts,
 * give-refund.ts, paid-bill.ts and reconcile.ts (the flows), ledger.ts (the records).
 */
import type { Context, ServiceSchema } from "moleculer";
import { dbMixin } from "../../mixins/db.mixin";
import type { Store } from "../../lib/store";
import {
  PAYMENT_METHODS,
  type BillView,
  type EventName,
  type EventPayloads,
  type GroupTakings,
  type LocationBrief,
  type MoveTableParams,
  type Takings,
} from "../../lib/contracts";
import { Forbidden, Invalid } from "../../lib/errors";
import { idParam } from "../../lib/ids";
import { pageParams, paginate, type PageQuery } from "../../lib/paging";
import type { StaffMeta } from "../../lib/roles";
import { loadSettings, type Settings } from "../../lib/settings";
import { computeTakings, groupTotals, isCalendarDay, localDay } from "./bill-math";
import { AMOUNT, billView, loadBill, REASON, TABLE, TIP, VISIBLE_STATUSES, type BillDoc } from "./bill";
import { LEDGER_COLLECTION, type LedgerDoc } from "./ledger";
import { moveBillTable, openBill } from "./open-bill";
import { takePayment, type PaymentParams } from "./take-payment";
import { giveRefund, type RefundParams } from "./give-refund";
import { reconcileBills, type ReconcileReport } from "./reconcile";
import type { BillingPorts } from "./ports";
import { answerCreated } from "../../lib/created";
import { callerAt, callerOf, type Call } from "../../lib/caller";
import type { LocationStores } from "../../lib/location-store";
import { requestLocation } from "../../lib/locations";

interface BillingMethods {
  changed(): Promise<void>;
  /** A request's: its location's bills and ledger, its orders. */
  ports(ctx: Context): BillingPorts;
  /** Work no request drives, for one location (a reconcile pass repairing one of its bills). */
  portsAt(location: string): BillingPorts;
  portsOver(bills: Store<BillDoc>, ledger: Store<LedgerDoc>, call: Call): BillingPorts;
  takingsAt(location: string, date: string): Promise<Takings>;
  reconcile(): Promise<ReconcileReport>;
}

interface BillingVars {
  store: LocationStores<BillDoc>;
  stores: Record<string, LocationStores<never>>;
  ledgerStores: LocationStores<LedgerDoc>;
  config: Settings;
  timer?: NodeJS.Timeout;
  reconciling?: Promise<ReconcileReport>;
}

type ListParams = PageQuery & { status?: (typeof VISIBLE_STATUSES)[number]; table?: string };

const staffOf = (ctx: Context<unknown, StaffMeta>) => ctx.meta.staff?.id ?? "system";

const BillingService: ServiceSchema<Record<string, never>, BillingMethods, BillingVars> = {
  name: "billing",
  mixins: [dbMixin<BillDoc>("bills", { collections: [LEDGER_COLLECTION] })],

  actions: {
    /** 201 with a new bill; 200 with the table's open bill, newly served orders added. */
    open: {
      roles: ["waiter", "cashier"],
      params: { table: TABLE, $$strict: true },
      async handler(ctx: Context<{ table: string }, StaffMeta>): Promise<BillView> {
        const { bill, created } = await openBill(this.ports(ctx), ctx.params.table, staffOf(ctx));
        ctx.meta.$statusCode = created ? 201 : 200;
        ctx.meta.$location = `/api/bills/${bill._id}`;
        return billView(bill);
      },
    },

    list: {
      idempotent: true,
      roles: ["cashier", "waiter"],
      params: {
        status: { type: "enum", values: [...VISIBLE_STATUSES], optional: true },
        table: { ...TABLE, optional: true },
        ...pageParams,
        $$strict: true,
      },
      async handler(ctx: Context<ListParams>) {
        const { status, table, ...page } = ctx.params;
        const query: Record<string, unknown> = { status: status ?? { $in: [...VISIBLE_STATUSES] } };
        if (table !== undefined) query.table = table;
        return paginate(this.store.for(ctx), query, ["-createdAt"], page, billView);
      },
    },

    get: {
      idempotent: true,
      roles: ["cashier", "waiter"],
      params: { id: idParam, $$strict: true },
      async handler(ctx: Context<{ id: string }>) {
        return billView(await loadBill(this.store.for(ctx), ctx.params.id));
      },
    },

    pay: {
      roles: ["cashier"],
      params: {
        id: idParam,
        method: { type: "enum", values: [...PAYMENT_METHODS] },
        amountCents: AMOUNT,
        tipCents: { ...TIP, optional: true },
        $$strict: true,
      },
      async handler(ctx: Context<PaymentParams, StaffMeta>) {
        const answer = await takePayment(this.ports(ctx), ctx.params, staffOf(ctx), ctx.meta.idempotencyKey);
        answerCreated(ctx.meta, `/api/bills/${ctx.params.id}`);
        return answer;
      },
    },

    refund: {
      roles: ["manager"],
      params: { id: idParam, amountCents: AMOUNT, reason: REASON, $$strict: true },
      async handler(ctx: Context<RefundParams, StaffMeta>) {
        const answer = await giveRefund(this.ports(ctx), ctx.params, staffOf(ctx), ctx.meta.idempotencyKey);
        answerCreated(ctx.meta, `/api/bills/${ctx.params.id}`);
        return answer;
      },
    },

    /** Read from the stored payments, refunds and bills of the day each time: nothing to drift. */
    takings: {
      idempotent: true,
      roles: ["cashier"],
      params: {
        date: { type: "string", length: 10, optional: true },
        location: { type: "enum", values: ["all"], optional: true },
        $$strict: true,
      },
      async handler(ctx: Context<{ date?: string; location?: "all" }, StaffMeta>): Promise<Takings | GroupTakings> {
        const date = ctx.params.date ?? localDay(new Date());
        if (!isCalendarDay(date))
          throw Invalid([
            { field: "date", type: "date", message: `date must be a calendar day written YYYY-MM-DD (got "${date}")` },
          ]);
        if (ctx.params.location === "all") {
          if (ctx.meta.staff && ctx.meta.staff.role !== "owner") throw Forbidden(ctx.meta.staff.role, ["owner"]);
          const locations = await ctx.call<LocationBrief[]>("staff.groupLocations");
          const days = await Promise.all(
            locations.map(async (l) => ({
              ...(await this.takingsAt(l.id, date)),
              location: l.id,
              currency: l.currency,
            })),
          );
          return { date, locations: days, totals: groupTotals(days) };
        }
        return this.takingsAt(requestLocation(ctx.meta), date);
      },
    },

    /** Orders (a transfer): the table's open bill follows its party to another table. */
    moveTable: {
      visibility: "public",
      params: { from: TABLE, to: TABLE, $$strict: true },
      async handler(ctx: Context<MoveTableParams>): Promise<{ moved: number }> {
        const moved = await moveBillTable(this.store.for(ctx), ctx.params);
        if (moved) await this.changed();
        return { moved };
      },
    },

    /** One repair pass now (operators, tests); the loop runs it every BRIGADE_RECONCILE_MS anyway. */
    reconcile: {
      visibility: "public",
      params: { $$strict: true },
      async handler(): Promise<ReconcileReport> {
        return this.reconcile();
      },
    },
  },

  methods: {
    /** One location's day: its payments, refunds and paid bills of that day, read each time. */
    async takingsAt(location: string, date: string): Promise<Takings> {
      const [entries, paidBills] = await Promise.all([
        this.ledgerStores.at(location).find({ day: date }),
        this.store.at(location).find({ status: "paid", paidDay: date }),
      ]);
      return computeTakings(date, entries, paidBills);
    },

    ports(ctx: Context): BillingPorts {
      return this.portsOver(this.store.for(ctx), this.ledgerStores.for(ctx), callerOf(this.broker, ctx));
    },

    portsAt(location: string): BillingPorts {
      return this.portsOver(this.store.at(location), this.ledgerStores.at(location), callerAt(this.broker, location));
    },

    portsOver(bills: Store<BillDoc>, ledger: Store<LedgerDoc>, call: Call): BillingPorts {
      return {
        bills,
        ledger,
        orders: {
          claimForBill: (params) => call("orders.claimForBill", params),
          settle: (params) => call("orders.settle", params),
          releaseFromBill: (params) => call("orders.releaseFromBill", params),
        },
        emit: async <E extends EventName>(event: E, payload: EventPayloads[E]) => {
          await this.broker.emit(event, payload);
        },
        logger: this.logger,
        now: () => new Date(),
      };
    },

    /** One pass at a time per node: a slow pass is joined, not doubled. */
    reconcile() {
      const across = this.portsOver(
        this.store.acrossLocations,
        this.ledgerStores.acrossLocations,
        callerOf(this.broker),
      );
      const stale = Math.max(60_000, 3 * this.config.requestTimeoutMs);
      this.reconciling ??= reconcileBills(across, (location) => this.portsAt(location), stale).finally(() => {
        this.reconciling = undefined;
      });
      return this.reconciling;
    },
  },

  created() {
    this.config = loadSettings();
    this.ledgerStores = this.stores[LEDGER_COLLECTION] as unknown as LocationStores<LedgerDoc>;
  },

  started() {
    this.timer = setInterval(() => {
      this.reconcile().catch((err) =>
        this.logger.warn({ err: (err as Error).message }, "Billing reconcile pass failed; the next one retries."),
      );
    }, this.config.reconcileMs);
    this.timer.unref();
  },

  async stopped() {
    clearInterval(this.timer);
    await this.reconciling?.catch(() => undefined);
  },
};

export default BillingService;
