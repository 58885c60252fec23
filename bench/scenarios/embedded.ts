/**
 * Scenarios 1 and 2, embedded: one Brigade process with every service (as `npm start`), beside
 * reference A (raw node:http, same bytes) and C (bare moleculer-web, trivial action).
 *   1. GET /api/dishes — the cached menu anyone may read;
 *   2. POST /api/orders — the whole placement: validation, menu prices, stock reservation, the
 *      store, the hand-off to the kitchen. No Idempotency-Key, so every request is a new order.
 */
import path from "node:path";
import { mkdirSync } from "node:fs";
import { ADMIN_PASSWORD, BrigadeClient, setUpKitchenStock, startNode, waitReady } from "../brigade";
import { compare, plannedSeconds, ratio, type Target } from "../measure";
import type { LoadGenerator } from "../load";
import type { BenchPlan } from "../plan";
import { freePort, sleep } from "../processes";
import { memory } from "../proc-stats";
import type { Progress } from "../progress";
import { startMoleculerReference, startRawReference, type Reference } from "../references/start";
import type { Comparison, NodeMemory } from "../results";

export interface EmbeddedResult {
  menu?: Comparison;
  orders?: Comparison;
  memory: NodeMemory[];
}

/** Dishes whose prep (10 minutes) keeps the chefs busy: the kitchen takes every order in but cooks few. */
const ORDER_DISHES = [
  { name: "Bench Steak", station: "grill", prepSeconds: 600 },
  { name: "Bench Salad", station: "cold", prepSeconds: 600 },
];

/** Requests a load run may leave unanswered when its time is up, over a comparison's runs of one target. */
export const inFlight = (plan: BenchPlan) =>
  plan.http.connections * (plan.http.rounds + (plan.http.warmupSeconds > 0 ? 1 : 0));

export function embeddedSeconds(plan: BenchPlan): number {
  return plannedSeconds(3, plan.http) * 2;
}

export async function runEmbedded(
  plan: BenchPlan,
  load: LoadGenerator,
  progress: Progress,
  workDir: string,
  cpuProfileDir?: string,
): Promise<EmbeddedResult> {
  const logDir = path.join(workDir, "embedded");
  mkdirSync(logDir, { recursive: true });
  const started: { stop(): Promise<void> }[] = [];
  try {
    progress.phase("starting embedded Brigade");
    const port = await freePort();
    const node = startNode({
      name: "brigade-embedded",
      logDir,
      cpuProfileDir,
      env: { PORT: String(port), DATA_DIR: path.join(logDir, "data") },
    });
    started.push(node);
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitReady(baseUrl, [node]);
    await sleep(2000);
    const idleRssMb = memory(node.pid)?.rssMb ?? NaN;

    progress.phase("setting up the embedded restaurant");
    const client = new BrigadeClient(baseUrl);
    const admin = await client.login("admin", ADMIN_PASSWORD);
    const waiter = await client.staffToken(admin, "waiter");
    const dishes = await setUpKitchenStock(client, admin, ORDER_DISHES);
    const orderBody = JSON.stringify({
      table: "12",
      lines: dishes.map((dish) => ({ dish, qty: 1, modifiers: ["large"] })),
    });
    const menuExchange = await client.capture("GET", "/api/dishes");
    const orderExchange = await client.capture("POST", "/api/orders", { token: waiter, body: JSON.parse(orderBody) });

    progress.phase("starting references A and C");
    const refA = await startRawReference("ref-A", [menuExchange, orderExchange], logDir);
    started.push(refA);
    const refC = await startMoleculerReference("ref-C", [menuExchange, orderExchange], logDir);
    started.push(refC);

    const brigade = [{ name: node.name, pid: node.pid }];
    const of = (ref: Reference) => ref.processes.map((p) => ({ name: p.name, pid: p.pid }));
    const json = { "content-type": "application/json" };

    const menuTargets: Target[] = [
      { key: "A", label: "A raw node:http", url: `${refA.baseUrl}/api/dishes`, method: "GET", processes: of(refA) },
      { key: "C", label: "C moleculer-web", url: `${refC.baseUrl}/api/dishes`, method: "GET", processes: of(refC) },
      { key: "brigade", label: "Brigade embedded", url: `${baseUrl}/api/dishes`, method: "GET", processes: brigade },
    ];
    const menuResults = await compare(menuTargets, plan.http, load, progress);
    const menu: Comparison = {
      endpoint: "menu",
      targets: menuResults,
      ratios: { A: ratio(menuResults, "brigade", "A"), C: ratio(menuResults, "brigade", "C") },
    };

    const ordersBefore = await client.total("/api/orders", admin);
    const orderTargets: Target[] = [
      {
        key: "A",
        label: "A raw node:http",
        url: `${refA.baseUrl}/api/orders`,
        method: "POST",
        headers: json,
        body: orderBody,
        processes: of(refA),
      },
      {
        key: "C",
        label: "C moleculer-web",
        url: `${refC.baseUrl}/api/orders`,
        method: "POST",
        headers: json,
        body: orderBody,
        processes: of(refC),
      },
      {
        key: "brigade",
        label: "Brigade embedded",
        url: `${baseUrl}/api/orders`,
        method: "POST",
        headers: { ...json, authorization: `Bearer ${waiter}` },
        body: orderBody,
        processes: brigade,
      },
    ];
    const orderResults = await compare(orderTargets, plan.http, load, progress);
    const ordersAfter = await client.total("/api/orders", admin);
    const answered201 = orderResults.find((r) => r.key === "brigade")!.summary.statusCodes["201"] ?? 0;
    const orders: Comparison = {
      endpoint: "orders",
      targets: orderResults,
      ratios: { A: ratio(orderResults, "brigade", "A"), C: ratio(orderResults, "brigade", "C") },
      stored: { answered201, storedOrders: ordersAfter - ordersBefore, inFlightAtEnd: inFlight(plan) },
    };

    const peak = Math.max(
      ...[...menuResults, ...orderResults]
        .filter((r) => r.key === "brigade")
        .map((r) => r.summary.peakRssMb[node.name] ?? 0),
    );
    return { menu, orders, memory: [{ node: node.name, idleRssMb, peakUnderLoadMb: peak, ordersHeld: ordersAfter }] };
  } finally {
    progress.phase("stopping embedded Brigade and references");
    await Promise.all(started.map((s) => s.stop()));
  }
}
