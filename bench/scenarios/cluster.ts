/**
 * Scenarios 3 and 4 on one cluster laid out like docker-compose.yml: a node per service (api,
 * staff, menu, inventory, orders, billing, kitchen) over NATS, Redis as the shared cache, and
 * one store every node shares (the MongoDB wire emulator, or MONGO_URI's server).
 *
 *   4. Kitchen scaling, first: kitchen node 1 drains (takes tickets in, starts none) while a
 *      backlog of orders is placed; then it resumes, and nodes 2, 3, 4 join one by one. Each
 *      phase counts tickets finished (by their `doneAt`, from `ticket.done`) once the new node
 *      is up and warm. Afterwards nodes 2–4 stop and node 1 drains again: the kitchen takes
 *      orders in during scenario 3, as the embedded one does, without cooking.
 *   3. GET /api/dishes and POST /api/orders through the gateway node, beside reference E
 *      (bare moleculer-web gateway node + action node over the same NATS).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { connectNats, deleteOrderStreams, orderStreamNames } from "../../lib/order-stream";
import { ADMIN_PASSWORD, BrigadeClient, setUpKitchenStock, startNode, startStore, waitReady } from "../brigade";
import { compare, plannedSeconds, ratio, type MeteredProcess, type Target } from "../measure";
import type { LoadGenerator } from "../load";
import type { BenchPlan, KitchenPlan } from "../plan";
import { ClusterProbe } from "../probe";
import { freePort, isAlive, sleep, waitUntil, type ManagedProcess } from "../processes";
import { memory, resetPeak } from "../proc-stats";
import type { Progress } from "../progress";
import { startSplitReference } from "../references/start";
import { inFlight } from "./embedded";
import type { Comparison, KitchenPhase, KitchenResult, NodeMemory } from "../results";

export interface ClusterResult {
  menu?: Comparison;
  orders?: Comparison;
  kitchen?: KitchenResult;
  memory: NodeMemory[];
}

export interface ClusterEnvironment {
  transporter: string;
  cacher: string;
}

const SERVICE_NODES = ["api", "staff", "menu", "inventory", "orders", "billing"] as const;
const ORDER_DISHES = [
  { name: "Bench Steak", station: "grill", prepSeconds: 600 },
  { name: "Bench Salad", station: "cold", prepSeconds: 600 },
];

export function clusterSeconds(plan: BenchPlan): number {
  const k = plan.kitchen;
  const kitchenPhases = k.nodes.length + (k.nodes.length > 1 ? 1 : 0);
  return plannedSeconds(2, plan.http) * 2 + kitchenPhases * (k.warmupSeconds + k.measureSeconds);
}

interface RunningNode {
  name: string;
  nodeID: string;
  proc: ManagedProcess;
  idleRssMb: number;
  peakMb: number;
}

function metered(nodes: RunningNode[], store: ManagedProcess): MeteredProcess[] {
  return [...nodes.map((n) => ({ name: n.name, pid: n.proc.pid })), { name: store.name, pid: store.pid }];
}

export async function runCluster(
  plan: BenchPlan,
  env: ClusterEnvironment,
  load: LoadGenerator,
  progress: Progress,
  workDir: string,
  onError: (scenario: string, err: unknown) => void,
  cpuProfileDir?: string,
): Promise<ClusterResult> {
  const logDir = path.join(workDir, "cluster");
  mkdirSync(logDir, { recursive: true });
  const stoppers: { stop(): Promise<void> }[] = [];
  /** Every node started, stopped ones included (their memory is reported too). */
  const everyNode: RunningNode[] = [];
  const running = () => everyNode.filter((n) => isAlive(n.proc));
  const namespace = `bench-${randomBytes(4).toString("hex")}`;
  const probe = new ClusterProbe(env.transporter, namespace);
  const result: ClusterResult = { memory: [] };
  try {
    progress.phase("starting the store and the cluster");
    const store = await startStore(logDir, cpuProfileDir);
    stoppers.push(store.proc);
    const port = await freePort();
    const common = {
      NAMESPACE: namespace,
      TRANSPORTER: env.transporter,
      CACHER: env.cacher,
      MONGO_URI: process.env.BENCH_MONGO_URI ?? store.uri(`brigade_${namespace.replace(/-/g, "_")}`),
      BRIGADE_JWT_SECRET: randomBytes(32).toString("hex"),
      KITCHEN_CHEFS: String(plan.kitchen.chefs),
      KITCHEN_TIME_SCALE: String(plan.kitchen.timeScale),
    };
    const start = (name: string, services: string): RunningNode => {
      const nodeID = `${name}-${namespace}`;
      const proc = startNode({
        name,
        logDir,
        cpuProfileDir,
        env: { ...common, SERVICES: services, NODE_ID: nodeID, PORT: String(port) },
      });
      stoppers.push(proc);
      const node: RunningNode = { name, nodeID, proc, idleRssMb: NaN, peakMb: 0 };
      everyNode.push(node);
      return node;
    };
    for (const service of SERVICE_NODES) start(`node-${service}`, service);
    const kitchens = [start("node-kitchen-1", "kitchen")];

    await probe.start();
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitReady(
      baseUrl,
      running().map((n) => n.proc),
      180_000,
    );
    await waitUntil(
      "every service of the cluster",
      async () => !!(await probe.waitForServices(["staff", "menu", "inventory", "orders", "billing", "kitchen"], 1000)),
      180_000,
      running().map((n) => n.proc),
    );
    await sleep(2000);
    for (const node of everyNode) node.idleRssMb = memory(node.proc.pid)?.rssMb ?? NaN;

    progress.phase("setting up the clustered restaurant");
    const client = new BrigadeClient(baseUrl);
    const admin = await client.login("admin", ADMIN_PASSWORD);
    const waiter = await client.staffToken(admin, "waiter");
    const orderDishes = await setUpKitchenStock(client, admin, ORDER_DISHES);
    const [kitchenDish] = await setUpKitchenStock(client, admin, [
      { name: "Bench Fries", station: "fryer", prepSeconds: plan.kitchen.prepSeconds },
    ]);

    try {
      result.kitchen = await kitchenScaling(
        { client, admin, waiter, kitchenDish, probe, kitchens, start, progress, running },
        plan.kitchen,
      );
    } catch (err) {
      onError("kitchen scaling", err);
    } finally {
      // Back to one kitchen node that takes orders in without cooking them (see the top).
      for (const node of kitchens.slice(1)) await node.proc.stop();
      await probe.drain(kitchens[0].nodeID, true).catch((err) => onError("kitchen drain", err));
    }

    progress.phase("starting reference E");
    const orderBody = JSON.stringify({
      table: "7",
      lines: orderDishes.map((dish) => ({ dish, qty: 1, modifiers: ["large"] })),
    });
    const menuExchange = await client.capture("GET", "/api/dishes");
    const orderExchange = await client.capture("POST", "/api/orders", { token: waiter, body: JSON.parse(orderBody) });
    const refE = await startSplitReference("ref-E", [menuExchange, orderExchange], logDir, env.transporter);
    stoppers.push(refE);
    const refProcesses = refE.processes.map((p) => ({ name: p.name, pid: p.pid }));
    const brigade = metered(running(), store.proc);
    const json = { "content-type": "application/json" };

    try {
      const menuResults = await compare(
        [
          {
            key: "E",
            label: "E moleculer-web over NATS",
            url: `${refE.baseUrl}/api/dishes`,
            method: "GET",
            processes: refProcesses,
          },
          { key: "brigade", label: "Brigade cluster", url: `${baseUrl}/api/dishes`, method: "GET", processes: brigade },
        ],
        plan.http,
        load,
        progress,
      );
      result.menu = { endpoint: "menu", targets: menuResults, ratios: { E: ratio(menuResults, "brigade", "E") } };
    } catch (err) {
      onError("cluster menu", err);
    }

    try {
      const ordersBefore = await client.total("/api/orders", admin);
      const targets: Target[] = [
        {
          key: "E",
          label: "E moleculer-web over NATS",
          url: `${refE.baseUrl}/api/orders`,
          method: "POST",
          headers: json,
          body: orderBody,
          processes: refProcesses,
        },
        {
          key: "brigade",
          label: "Brigade cluster",
          url: `${baseUrl}/api/orders`,
          method: "POST",
          headers: { ...json, authorization: `Bearer ${waiter}` },
          body: orderBody,
          processes: brigade,
        },
      ];
      const orderResults = await compare(targets, plan.http, load, progress);
      // Placement is acknowledged before the kitchen's hand-off settles; the order is stored by then.
      const ordersAfter = await client.total("/api/orders", admin);
      result.orders = {
        endpoint: "orders",
        targets: orderResults,
        ratios: { E: ratio(orderResults, "brigade", "E") },
        stored: {
          answered201: orderResults.find((r) => r.key === "brigade")!.summary.statusCodes["201"] ?? 0,
          storedOrders: ordersAfter - ordersBefore,
          inFlightAtEnd: inFlight(plan),
        },
      };
    } catch (err) {
      onError("cluster orders", err);
    }

    const peaks = new Map<string, number>();
    for (const comparison of [result.menu, result.orders]) {
      for (const target of comparison?.targets ?? []) {
        if (target.key !== "brigade") continue;
        for (const [name, mb] of Object.entries(target.summary.peakRssMb))
          peaks.set(name, Math.max(peaks.get(name) ?? 0, mb));
      }
    }
    for (const node of everyNode) node.peakMb = Math.max(node.peakMb, peaks.get(node.name) ?? 0);
    return result;
  } finally {
    result.memory = everyNode.map((n) => ({ node: n.name, idleRssMb: n.idleRssMb, peakUnderLoadMb: n.peakMb }));
    progress.phase("stopping the cluster");
    await probe.stop().catch(() => undefined);
    await Promise.all(stoppers.map((s) => s.stop()));
    await deleteStreams(env.transporter, namespace).catch((err) => onError("cluster clean-up", err));
  }
}

/**
 * The cluster's orders and kitchen nodes made JetStream streams for their namespace on the shared
 * NATS, which keeps them on disk after the nodes are gone: one pair more per bench run otherwise.
 */
async function deleteStreams(transporter: string, namespace: string): Promise<void> {
  const nc = await connectNats(transporter, `bench-clean-up-${process.pid}`);
  try {
    await deleteOrderStreams(await nc.jetstreamManager(), orderStreamNames(namespace));
  } finally {
    await nc.close();
  }
}

interface KitchenContext {
  client: BrigadeClient;
  admin: string;
  waiter: string;
  kitchenDish: string;
  probe: ClusterProbe;
  kitchens: RunningNode[];
  start(name: string, services: string): RunningNode;
  progress: Progress;
  running(): RunningNode[];
}

async function placeBacklog(ctx: KitchenContext, k: KitchenPlan): Promise<void> {
  const body = {
    table: "1",
    lines: Array.from({ length: k.linesPerOrder }, () => ({ dish: ctx.kitchenDish, qty: 1, modifiers: ["large"] })),
  };
  let next = 0;
  const worker = async () => {
    while (next < k.backlogOrders) {
      next++;
      await ctx.client.expect(201, "POST", "/api/orders", { token: ctx.waiter, body });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** Counts the tickets finished over one phase, once its nodes are warm. */
async function measurePhase(
  ctx: KitchenContext,
  k: KitchenPlan,
  count: number,
  queued: () => Promise<number>,
): Promise<KitchenPhase> {
  ctx.progress.phase(`kitchen: ${count} node(s), warming up`);
  await sleep(k.warmupSeconds * 1000);
  ctx.progress.advance(k.warmupSeconds);
  for (const node of ctx.running()) resetPeak(node.proc.pid);
  ctx.progress.phase(`kitchen: ${count} node(s), counting finished tickets`);
  const from = Date.now();
  for (let s = 0; s < k.measureSeconds; s++) {
    await sleep(1000);
    ctx.progress.advance(1);
  }
  const to = Date.now();
  // A ticket finished just before `to` may be heard a moment later.
  await sleep(500);
  const done = ctx.probe.doneBetween(from, to);
  const perNode: Record<string, number> = {};
  for (const d of done) perNode[d.node] = (perNode[d.node] ?? 0) + 1;
  const windowSeconds = (to - from) / 1000;
  for (const node of ctx.running()) node.peakMb = Math.max(node.peakMb, memory(node.proc.pid)?.peakMb ?? 0);
  return {
    nodes: count,
    ticketsPerSecond: done.length / windowSeconds,
    scaling: NaN,
    idealTicketsPerSecond: (k.chefs / (k.prepSeconds * k.timeScale)) * count,
    perNode,
    queuedAfter: await queued(),
    windowSeconds,
  };
}

async function kitchenScaling(ctx: KitchenContext, k: KitchenPlan): Promise<KitchenResult> {
  const [first] = ctx.kitchens;
  const tickets = k.backlogOrders * k.linesPerOrder;
  const queued = () => ctx.client.total("/api/tickets?status=queued", ctx.admin);

  ctx.progress.phase(`kitchen: placing a backlog of ${k.backlogOrders} orders (${tickets} tickets)`);
  await ctx.probe.drain(first.nodeID, true);
  const queuedBefore = await queued();
  await placeBacklog(ctx, k);
  await waitUntil(
    "the backlog's tickets in the kitchen",
    async () => (await queued()) >= queuedBefore + tickets,
    120_000,
    ctx.running().map((n) => n.proc),
  );

  const phases: KitchenPhase[] = [];
  for (const count of k.nodes) {
    if (count === 1) {
      await ctx.probe.drain(first.nodeID, false);
    } else {
      ctx.progress.phase(`kitchen: starting kitchen node ${count}`);
      while (ctx.kitchens.length < count)
        ctx.kitchens.push(ctx.start(`node-kitchen-${ctx.kitchens.length + 1}`, "kitchen"));
      const joined = ctx.kitchens[count - 1];
      await waitUntil(`kitchen node ${count}`, async () => ctx.probe.runs(joined.nodeID, "kitchen"), 120_000, [
        joined.proc,
      ]);
      await sleep(1000);
      joined.idleRssMb = memory(joined.proc.pid)?.rssMb ?? NaN;
    }
    phases.push(await measurePhase(ctx, k, count, queued));
  }

  // One node again, the others drained: the first phase ran right after the backlog was placed,
  // on a cluster still settling, so the baseline is the mean of both one-node figures.
  let oneNodeAgain: KitchenPhase | undefined;
  if (k.nodes.length > 1) {
    for (const node of ctx.kitchens.slice(1)) await ctx.probe.drain(node.nodeID, true);
    ctx.progress.phase("kitchen: back to one node, letting the others finish what they cook");
    await sleep(k.prepSeconds * k.timeScale * 1000 + 1000);
    oneNodeAgain = await measurePhase(ctx, k, 1, queued);
  }
  const ones = [phases.find((p) => p.nodes === 1), oneNodeAgain].filter((p): p is KitchenPhase => !!p);
  const baseline = ones.reduce((sum, p) => sum + p.ticketsPerSecond, 0) / ones.length;
  for (const phase of [...phases, ...(oneNodeAgain ? [oneNodeAgain] : [])])
    phase.scaling = phase.ticketsPerSecond / baseline;

  for (const node of ctx.kitchens) await ctx.probe.drain(node.nodeID, true).catch(() => undefined);
  // What was cooking when the kitchens drained finishes within one prep time.
  await sleep(k.prepSeconds * k.timeScale * 1000 + 1000);
  const doneStored = await ctx.client.total("/api/tickets?status=done", ctx.admin);
  return {
    chefsPerNode: k.chefs,
    prepSeconds: k.prepSeconds * k.timeScale,
    backlogTickets: tickets,
    phases,
    oneNodeAgain,
    oneNodeBaseline: baseline,
    doneHeard: ctx.probe.done.length,
    doneStored,
  };
}
