/**
 * Brigade's business metrics, beside Moleculer's own, in the same registry and so on the same
 * Prometheus endpoint (METRICS_PORT).
 *
 * Services carry no metric code: the facts are the events they already emit. This middleware
 * sees each event where it is emitted (the broker's `emit`/`broadcast` hooks run on the sender
 * only), so a fact is counted once, on the node that made it, however many nodes listen.
 * Prometheus sums the nodes. The one gauge, stock available, is read from the inventory's own
 * list on the nodes that run it, after each of their writes and every few seconds, because
 * other inventory nodes write too.
 *
 * Every business metric carries the `location` its event names (lib/locations.ts: an event of a
 * document from before locations is main's), so one Prometheus holds a group of restaurants and a
 * dashboard picks one with `{location="…"}` or sums them.
 *
 * Moleculer names metrics with dots and its Prometheus reporter turns them into underscores:
 * `brigade.orders.placed.total` is scraped as `brigade_orders_placed_total`.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import type { Middleware, ServiceBroker } from "moleculer";
import { PAYMENT_METHODS, type EventPayloads, type IngredientView } from "../lib/contracts";
import { collectPages, OPERATOR_META } from "../lib/collect";
import { locationOf, MAIN_LOCATION } from "../lib/locations";

export const BRIGADE_METRICS = {
  ordersPlaced: "brigade.orders.placed.total",
  ordersCancelled: "brigade.orders.cancelled.total",
  ticketCookSeconds: "brigade.ticket.cook.seconds",
  orderReadySeconds: "brigade.order.ready.seconds",
  stockAvailable: "brigade.stock.available",
  payments: "brigade.payments.total",
  paymentsCents: "brigade.payments.cents.total",
  tipsCents: "brigade.tips.cents.total",
  eventLoopLag: "brigade.eventloop.lag.seconds",
} as const;

/** How often the event-loop lag gauge is written: the delays seen since, then a fresh count. */
const LAG_WINDOW_MS = 5_000;

export interface BrigadeMetricsOptions {
  /** How often inventory nodes re-read stock levels written by other nodes. */
  stockRefreshMs?: number;
  /** How long after a stock write the gauge is re-read (writes come in bursts). */
  stockDebounceMs?: number;
}

type MetricsRegistry = ServiceBroker["metrics"];

function register(metrics: MetricsRegistry) {
  const M = BRIGADE_METRICS;
  metrics.register({
    name: M.ordersPlaced,
    type: "counter",
    labelNames: ["location"],
    description: "Orders accepted (order.placed)",
    rate: false,
  });
  metrics.register({
    name: M.ordersCancelled,
    type: "counter",
    labelNames: ["location"],
    description: "Orders cancelled (order.cancelled)",
    rate: false,
  });
  // Quantiles as Moleculer's own histograms have them: its Prometheus reporter only writes a
  // histogram's _sum and _count lines when quantiles are on.
  metrics.register({
    name: M.ticketCookSeconds,
    type: "histogram",
    labelNames: ["station", "location"],
    unit: "seconds",
    description: "Time a ticket cooked, started to done, by station",
    // Whole seconds only: Moleculer writes buckets in object-key order, and "0.5" would sort
    // after "1800" in its output.
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 900, 1200, 1800],
    quantiles: [0.5, 0.9, 0.99],
  });
  metrics.register({
    name: M.orderReadySeconds,
    type: "histogram",
    labelNames: ["location"],
    unit: "seconds",
    description: "Time from an order placed to all its dishes ready",
    buckets: [1, 5, 30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600],
    quantiles: [0.5, 0.9, 0.99],
  });
  metrics.register({
    name: M.stockAvailable,
    type: "gauge",
    labelNames: ["ingredient", "location"],
    description: "Stock available (on hand less reserved), per ingredient, in its unit",
    rate: false,
  });
  metrics.register({
    name: M.payments,
    type: "counter",
    labelNames: ["method", "location"],
    description: "Payments taken, by method",
    rate: false,
  });
  metrics.register({
    name: M.paymentsCents,
    type: "counter",
    labelNames: ["method", "location"],
    unit: "cents",
    description: "Money applied to bills, by method, in cents",
    rate: false,
  });
  metrics.register({
    name: M.tipsCents,
    type: "counter",
    labelNames: ["method", "location"],
    unit: "cents",
    description: "Tips taken, by method, in cents",
    rate: false,
  });
  // Moleculer 0.15 measures no event-loop delay of its own; Node's histogram does, every 20 ms.
  metrics.register({
    name: M.eventLoopLag,
    type: "gauge",
    labelNames: ["stat"],
    unit: "seconds",
    description: "Event-loop delay over the last 5 s: p50, p99 and max",
    rate: false,
  });
  // Known series start at 0, so a scrape before the first order already shows them (main's:
  // another location's series appear with its first event).
  const location = MAIN_LOCATION;
  metrics.increment(M.ordersPlaced, { location }, 0);
  metrics.increment(M.ordersCancelled, { location }, 0);
  for (const method of PAYMENT_METHODS) {
    metrics.increment(M.payments, { method, location }, 0);
    metrics.increment(M.paymentsCents, { method, location }, 0);
    metrics.increment(M.tipsCents, { method, location }, 0);
  }
}

function secondsBetween(from: unknown, to: unknown): number | undefined {
  if (typeof from !== "string" || typeof to !== "string") return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined;
}

/** One event, as a fact to count. Unknown events and malformed payloads count nothing. */
export function observeEvent(metrics: MetricsRegistry, event: string, payload: unknown): void {
  const M = BRIGADE_METRICS;
  if (typeof payload !== "object" || payload === null) return;
  const location = locationOf(payload as { location?: string });
  switch (event) {
    case "order.placed":
      // The orders service hands an unacknowledged order over again; that is not a new order.
      if ((payload as Partial<EventPayloads["order.placed"]>)?.resent !== true)
        metrics.increment(M.ordersPlaced, { location });
      return;
    case "order.cancelled":
      metrics.increment(M.ordersCancelled, { location });
      return;
    case "ticket.done": {
      const p = payload as Partial<EventPayloads["ticket.done"]>;
      const seconds = secondsBetween(p?.startedAt, p?.doneAt);
      if (seconds !== undefined && typeof p.station === "string")
        metrics.observe(M.ticketCookSeconds, seconds, { station: p.station, location });
      return;
    }
    case "order.ready": {
      const p = payload as Partial<EventPayloads["order.ready"]>;
      const seconds = secondsBetween(p?.placedAt, p?.at);
      if (seconds !== undefined) metrics.observe(M.orderReadySeconds, seconds, { location });
      return;
    }
    case "payment.taken": {
      const p = payload as Partial<EventPayloads["payment.taken"]>;
      if (!p || !(PAYMENT_METHODS as readonly unknown[]).includes(p.method)) return;
      const labels = { method: p.method as string, location };
      metrics.increment(M.payments, labels);
      if (Number.isInteger(p.appliedCents) && p.appliedCents! > 0)
        metrics.increment(M.paymentsCents, labels, p.appliedCents);
      if (Number.isInteger(p.tipCents) && p.tipCents! > 0) metrics.increment(M.tipsCents, labels, p.tipCents);
      return;
    }
    case "stock.low": {
      const p = payload as Partial<EventPayloads["stock.low"]>;
      if (typeof p?.ingredient === "string" && typeof p.available === "number")
        metrics.set(M.stockAvailable, p.available, { ingredient: p.ingredient, location });
      return;
    }
  }
}

export function BrigadeMetricsMiddleware(broker: ServiceBroker, options: BrigadeMetricsOptions = {}): Middleware {
  const { stockRefreshMs = 15_000, stockDebounceMs = 250 } = options;
  const enabled = broker.isMetricsEnabled();
  let pending: NodeJS.Timeout | undefined;
  let periodic: NodeJS.Timeout | undefined;
  let refreshing: Promise<void> | undefined;
  let running = false;
  let lag: IntervalHistogram | undefined;
  let lagTimer: NodeJS.Timeout | undefined;

  const observe = (event: unknown, payload: unknown) => {
    if (!enabled || typeof event !== "string") return;
    try {
      observeEvent(broker.metrics, event, payload);
    } catch (err) {
      broker.logger.warn({ event, err }, "Could not record a metric for this event; the event itself went out.");
    }
    // moleculer-db broadcasts `cache.clean.inventory` after every inventory write.
    if (event === "cache.clean.inventory") scheduleStockRefresh(stockDebounceMs);
  };

  type Send = (this: ServiceBroker, event: string, payload?: unknown, opts?: unknown) => Promise<void>;
  const observing = (next: Send): Send =>
    function observed(this: ServiceBroker, event, payload, opts) {
      observe(event, payload);
      return next.call(this, event, payload, opts);
    };

  const hasLocalInventory = () => !!broker.getLocalService("inventory");

  /** The group's locations; main alone while the staff service cannot say (it may start later). */
  async function locations(): Promise<string[]> {
    try {
      const group = await broker.call<{ id: string }[]>("staff.groupLocations");
      return group.length ? group.map((l) => l.id) : [MAIN_LOCATION];
    } catch {
      return [MAIN_LOCATION];
    }
  }

  async function refreshStock(): Promise<void> {
    for (const location of await locations()) {
      const { rows } = await collectPages<IngredientView>(
        broker,
        "inventory.list",
        {},
        { nodeID: broker.nodeID, maxRows: 10_000, meta: { ...OPERATOR_META, location } },
      );
      for (const item of rows)
        broker.metrics.set(BRIGADE_METRICS.stockAvailable, item.available, { ingredient: item.id, location });
    }
  }

  let again = false;
  function refreshNow() {
    // One read at a time; a write during a read asks for one more read after it.
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = refreshStock()
      .catch((err) =>
        broker.logger.debug(
          { err: (err as Error).message },
          "Stock gauge not refreshed; the next write or tick retries.",
        ),
      )
      .finally(() => {
        refreshing = undefined;
        if (again) {
          again = false;
          scheduleStockRefresh(0);
        }
      });
  }

  function scheduleStockRefresh(delay: number) {
    if (!running || pending || !hasLocalInventory()) return;
    pending = setTimeout(() => {
      pending = undefined;
      refreshNow();
    }, delay);
    pending.unref();
  }

  // Moleculer's typings give `emit`/`broadcast` hooks the wrong return type (a Promise, not the
  // wrapped function), hence the cast of this object.
  const middleware = {
    name: "BrigadeMetrics",
    created() {
      if (enabled) register(broker.metrics);
    },
    emit: observing,
    broadcast: observing,
    async started() {
      if (!enabled) return;
      lag = monitorEventLoopDelay({ resolution: 20 });
      lag.enable();
      const writeLag = () => {
        if (!lag || lag.count === 0) return;
        const seconds = (ns: number) => ns / 1e9;
        broker.metrics.set(BRIGADE_METRICS.eventLoopLag, seconds(lag.percentile(50)), { stat: "p50" });
        broker.metrics.set(BRIGADE_METRICS.eventLoopLag, seconds(lag.percentile(99)), { stat: "p99" });
        broker.metrics.set(BRIGADE_METRICS.eventLoopLag, seconds(lag.max), { stat: "max" });
        lag.reset();
      };
      lagTimer = setInterval(writeLag, LAG_WINDOW_MS);
      lagTimer.unref();
      // A first value at once, so a scrape right after start shows the series.
      broker.metrics.set(BRIGADE_METRICS.eventLoopLag, 0, { stat: "p99" });
      if (!hasLocalInventory()) return;
      running = true;
      scheduleStockRefresh(0);
      periodic = setInterval(() => scheduleStockRefresh(0), stockRefreshMs);
      periodic.unref();
    },
    async stopping() {
      clearInterval(lagTimer);
      lag?.disable();
      running = false;
      again = false;
      clearInterval(periodic);
      clearTimeout(pending);
      pending = undefined;
      await refreshing;
    },
  };
  return middleware as unknown as Middleware;
}
