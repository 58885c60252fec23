/**
 * Brigade's metrics, scraped from the Prometheus endpoint as Prometheus would, after a real
 * meal through the API: every counter moved by exactly what happened, the histograms counted
 * each ticket and each ready order, the stock gauge follows the inventory.
 */
import { ServiceBroker, type ServiceSchema } from "moleculer";
import type { AddressInfo } from "node:net";
import { startBrigade, type Brigade } from "../support/brigade";
import { createDishes, createIngredients, eventually, ingredient, orderReaches } from "../support/meal";
import config from "../../moleculer.config";
import { BRIGADE_METRICS } from "../../middlewares/brigade-metrics.middleware";

type Samples = Map<string, number>;

/** `name{label="v",…} value` lines, keyed by name and labels without the per-node defaults. */
function parsePrometheus(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels = (match[2] ?? "")
      .split(/,(?=[a-zA-Z_]\w*=")/)
      .filter(Boolean)
      .filter((l) => !l.startsWith("namespace=") && !l.startsWith("nodeID="))
      .sort();
    samples.set(labels.length ? `${match[1]}{${labels.join(",")}}` : match[1], Number(match[3]));
  }
  return samples;
}

function metricsPort(broker: ServiceBroker): number {
  const reporter = (broker.metrics as unknown as { reporter: { server: { address(): AddressInfo } }[] }).reporter[0];
  return reporter.server.address().port;
}

describe("metrics on the Prometheus endpoint", () => {
  let b: Brigade;
  let waiter: string;
  let cashier: string;
  const scrape = async () => {
    const res = await fetch(`http://127.0.0.1:${metricsPort(b.broker)}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    return parsePrometheus(await res.text());
  };
  const delta = (before: Samples, after: Samples, key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);

  beforeAll(async () => {
    b = await startBrigade({
      services: ["api", "staff", "menu", "inventory", "orders", "kitchen", "billing"],
      env: { KITCHEN_TIME_SCALE: "0.01", KITCHEN_CHEFS: "2", KITCHEN_POLL_MS: "20", BRIGADE_RECONCILE_MS: "100" },
      broker: { metrics: { enabled: true, reporter: [{ type: "Prometheus", options: { port: 0 } }] } },
    });
    await createIngredients(b, [
      { name: "Soda syrup", unit: "ml", onHand: 100_000 },
      { name: "Beef patty", unit: "pcs", onHand: 100 },
      { name: "Lamb shoulder", unit: "pcs", onHand: 10 },
    ]);
    await createDishes(b, [
      {
        name: "House Soda",
        priceCents: 350,
        station: "bar",
        prepSeconds: 5,
        recipe: [{ ingredient: "soda-syrup", qty: 30 }],
      },
      {
        name: "Smash Burger",
        priceCents: 1250,
        station: "grill",
        prepSeconds: 20,
        recipe: [{ ingredient: "beef-patty", qty: 2 }],
      },
      {
        name: "Slow Roast",
        priceCents: 2400,
        station: "grill",
        prepSeconds: 3600,
        recipe: [{ ingredient: "lamb-shoulder", qty: 1 }],
      },
    ]);
    [waiter, cashier] = await Promise.all([b.tokenFor("waiter"), b.tokenFor("cashier")]);
  });
  afterAll(() => b.stop());

  it("names every Brigade metric the Prometheus way, known series at 0 before any order", async () => {
    const samples = await scrape();
    expect(samples.get('brigade_orders_placed_total{location="main"}')).toBe(0);
    expect(samples.get('brigade_orders_cancelled_total{location="main"}')).toBe(0);
    for (const method of ["cash", "card"]) {
      expect(samples.get(`brigade_payments_total{location="main",method="${method}"}`)).toBe(0);
      expect(samples.get(`brigade_payments_cents_total{location="main",method="${method}"}`)).toBe(0);
      expect(samples.get(`brigade_tips_cents_total{location="main",method="${method}"}`)).toBe(0);
    }
    // Moleculer's own metrics are on the same endpoint.
    expect([...samples.keys()].some((k) => k.startsWith("moleculer_request_total"))).toBe(true);
  });

  it("moves each counter by exactly what a meal did", async () => {
    const before = await scrape();
    const place = async (table: string, lines: { dish: string; qty: number }[]) => {
      const res = await b.request("POST", "/api/orders", { token: waiter, body: { table, lines } });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const first = await place("5", [{ dish: "house-soda", qty: 1 }]);
    const second = await place("5", [
      { dish: "smash-burger", qty: 2 },
      { dish: "house-soda", qty: 1 },
    ]);
    const roast = await place("8", [{ dish: "slow-roast", qty: 1 }]);
    expect(
      (
        await b.request("POST", `/api/orders/${roast}/cancel`, {
          token: waiter,
          body: { reason: "changed their mind" },
        })
      ).status,
    ).toBe(200);

    for (const id of [first, second]) {
      await orderReaches(b, id, "ready");
      expect((await b.request("POST", `/api/orders/${id}/serve`, { token: waiter })).status).toBe(200);
    }
    const bill = await b.request("POST", "/api/bills", { token: cashier, body: { table: "5" } });
    expect(bill.status).toBe(201);
    const due = bill.body.totalCents as number;
    const paid = await b.request("POST", `/api/bills/${bill.body.id}/payments`, {
      token: cashier,
      body: { method: "cash", amountCents: due + 300, tipCents: 200 },
    });
    expect(paid.status).toBe(201);
    const settled = await b.request("GET", `/api/bills/${bill.body.id}`, { token: cashier });
    expect(settled.body).toMatchObject({ status: "paid", paidCents: due, tipsCents: 200 });

    // order.ready is announced as the order moves, a moment after the client can see it.
    const after = await eventually(async () => {
      const now = await scrape();
      return delta(before, now, 'brigade_order_ready_seconds_count{location="main"}') === 2 ? now : null;
    }, "both orders to be counted ready");
    expect(delta(before, after, 'brigade_orders_placed_total{location="main"}')).toBe(3);
    expect(delta(before, after, 'brigade_orders_cancelled_total{location="main"}')).toBe(1);
    expect(delta(before, after, 'brigade_payments_total{location="main",method="cash"}')).toBe(1);
    expect(delta(before, after, 'brigade_payments_cents_total{location="main",method="cash"}')).toBe(due);
    expect(delta(before, after, 'brigade_tips_cents_total{location="main",method="cash"}')).toBe(200);
    expect(delta(before, after, 'brigade_payments_total{location="main",method="card"}')).toBe(0);
    // One ticket per line: two sodas at the bar, one burger (qty 2) at the grill; the cancelled
    // roast never finished, so it was never timed.
    expect(delta(before, after, 'brigade_ticket_cook_seconds_count{location="main",station="bar"}')).toBe(2);
    expect(delta(before, after, 'brigade_ticket_cook_seconds_count{location="main",station="grill"}')).toBe(1);
    expect(after.get('brigade_ticket_cook_seconds_bucket{le="+Inf",location="main",station="grill"}')).toBe(
      after.get('brigade_ticket_cook_seconds_count{location="main",station="grill"}'),
    );
    // A 20 s burger at 0.01 scale cooks in about 0.2 s: within the 1 s bucket.
    expect(delta(before, after, 'brigade_ticket_cook_seconds_bucket{le="1",location="main",station="grill"}')).toBe(1);
    expect(after.get('brigade_order_ready_seconds_sum{location="main"}')).toBeGreaterThan(0);
  });

  it("follows stock available per ingredient", async () => {
    const beef = await ingredient(b, "beef-patty");
    expect(beef.available).toBe(96);
    await eventually(
      async () => (await scrape()).get('brigade_stock_available{ingredient="beef-patty",location="main"}') === 96,
      "the beef gauge to read 96",
    );
    const res = await b.request("PATCH", "/api/ingredients/beef-patty", { token: b.adminToken, body: { onHand: 40 } });
    expect(res.status).toBe(200);
    await eventually(
      async () => (await scrape()).get('brigade_stock_available{ingredient="beef-patty",location="main"}') === 40,
      "the beef gauge to follow a stock count",
    );
  });
});

describe("each fact is counted once, on the node that made it", () => {
  const namespace = `metrics-${process.pid}-${Date.now()}`;
  const node = (nodeID: string) =>
    new ServiceBroker({
      ...config,
      namespace,
      nodeID,
      transporter: "Fake",
      logger: { type: "Console", options: { level: "error" } },
      metrics: { enabled: true },
      started: undefined,
      replOptions: null,
    });
  const front = node("front-1");
  const back = node("back-1");
  const heard: string[] = [];
  front.createService({
    name: "till",
    actions: {
      async sell(ctx) {
        await ctx.emit("order.placed", { order: "ord_1", table: "1", lines: [], placedAt: new Date().toISOString() });
        await ctx.emit("order.placed", {
          order: "ord_1",
          table: "1",
          lines: [],
          placedAt: new Date().toISOString(),
          resent: true,
        });
        await ctx.emit("payment.taken", {
          payment: "pay_1",
          bill: "bil_1",
          method: "card",
          appliedCents: 1250,
          tipCents: 0,
        });
      },
    },
  } as ServiceSchema);
  back.createService({
    name: "listener",
    events: {
      "order.placed"() {
        heard.push("order.placed");
      },
      "payment.taken"() {
        heard.push("payment.taken");
      },
    },
  } as ServiceSchema);

  beforeAll(async () => {
    await Promise.all([front.start(), back.start()]);
    await front.waitForServices("listener");
  });
  afterAll(() => Promise.all([front.stop(), back.stop()]));

  const value = (broker: ServiceBroker, name: string, labels?: Record<string, string>) =>
    (broker.metrics.getMetric(name) as unknown as { get(labels?: object): { value: number } | null }).get(labels)
      ?.value ?? 0;

  it("counts on the emitter, not on the listeners", async () => {
    await front.call("till.sell");
    await eventually(async () => heard.length === 3, "the listener on the other node to hear all three events");
    expect(value(front, BRIGADE_METRICS.ordersPlaced, { location: "main" })).toBe(1);
    expect(value(back, BRIGADE_METRICS.ordersPlaced, { location: "main" })).toBe(0);
    expect(value(front, BRIGADE_METRICS.paymentsCents, { method: "card", location: "main" })).toBe(1250);
    expect(value(back, BRIGADE_METRICS.paymentsCents, { method: "card", location: "main" })).toBe(0);
  });
});
