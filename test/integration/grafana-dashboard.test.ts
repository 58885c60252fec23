/**
 * The Grafana dashboard (deploy/grafana/dashboards/brigade.json) queries only metrics Brigade
 * really exports: a Brigade with the production metrics options goes through a meal and opens
 * one circuit breaker, and every metric name in every panel's PromQL must be on its /metrics.
 */
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Errors, type ServiceBroker } from "moleculer";
import { metricsOptions } from "../../lib/broker-options";
import { loadSettings } from "../../lib/settings";
import { startBrigade, type Brigade } from "../support/brigade";
import { eventually, fastKitchen, orderReaches } from "../support/meal";

interface Dashboard {
  panels: { title: string; targets: { expr: string }[] }[];
}
const dashboard = JSON.parse(
  readFileSync(path.join(__dirname, "../../deploy/grafana/dashboards/brigade.json"), "utf8"),
) as Dashboard;

/** The metric names of a PromQL expression: identifiers that are not functions, keywords or labels. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // label values
    .replace(/\{[^}]*\}/g, "") // label matchers
    .replace(/\[[^\]]*\]/g, "") // ranges
    .replace(/\b(by|without)\s*\([^)]*\)/g, ""); // grouping labels
  const names: string[] = [];
  for (const match of bare.matchAll(/\b([a-zA-Z_:][\w:]*)\b(\s*\()?/g)) {
    if (match[2] || /^(and|or|unless|on|ignoring|group_left|group_right|offset|bool)$/.test(match[1])) continue;
    names.push(match[1]);
  }
  return names;
}

function metricsPort(broker: ServiceBroker): number {
  const reporter = (broker.metrics as unknown as { reporter: { server: { address(): AddressInfo } }[] }).reporter[0];
  return reporter.server.address().port;
}

describe("the Grafana dashboard's queries", () => {
  let b: Brigade;

  beforeAll(async () => {
    b = await startBrigade({
      env: { ...fastKitchen(2), BRIGADE_SEED: "true" },
      broker: {
        // The options every node runs with (lib/broker-options.ts), on a free port; process
        // metrics (memory) are off under NODE_ENV=test unless asked for.
        metrics: {
          ...(metricsOptions({ ...loadSettings(), metricsPort: 0 }) as object),
          collectProcessMetrics: true,
        } as never,
      },
    });
  });
  afterAll(() => b.stop());

  it("reads the metric names out of PromQL", () => {
    expect(
      metricNames("histogram_quantile(0.95, sum by (le, station) (rate(brigade_ticket_cook_seconds_bucket[15m])))"),
    ).toEqual(["brigade_ticket_cook_seconds_bucket"]);
    expect(metricNames('count(max by (a) (x_total{stat="p99"}) > 0) or vector(0)')).toEqual(["x_total"]);
  });

  it("uses only metrics a running Brigade exports", async () => {
    // A meal, so that the histograms have samples.
    const waiter = await b.tokenFor("waiter");
    const placed = await b.request("POST", "/api/orders", {
      token: waiter,
      body: { table: "4", lines: [{ dish: "gin-and-tonic", qty: 1 }] },
    });
    expect(placed.status).toBe(201);
    await orderReaches(b, placed.body.id, "ready");
    // One breaker opened: 20 server faults in a row from an action of a test's own.
    b.broker.createService({
      name: "flaky",
      actions: {
        fail() {
          throw new Errors.MoleculerServerError("down", 500, "DOWN");
        },
      },
    });
    await b.broker.waitForServices("flaky");
    for (let i = 0; i < 25; i++) await b.broker.call("flaky.fail").catch(() => undefined);

    const exported = await eventually(async () => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort(b.broker)}/metrics`)).text();
      const names = new Set(
        text
          .split("\n")
          .filter((line) => line && !line.startsWith("#"))
          .map((line) => /^[a-zA-Z_:][\w:]*/.exec(line)![0]),
      );
      // Process metrics are collected every few seconds, the stock gauge after a write.
      return names.has("process_memory_rss") && names.has("brigade_stock_available") ? names : null;
    }, "the process metrics to be collected");

    const queried = dashboard.panels.flatMap((p) =>
      p.targets.flatMap((t) => metricNames(t.expr).map((name) => ({ panel: p.title, name }))),
    );
    expect(queried.length).toBeGreaterThanOrEqual(dashboard.panels.length);
    expect(queried.filter((q) => !exported.has(q.name))).toEqual([]);
  });
});
