/**
 * Scenario 4, history: what a shift costs with months of meals behind it. For each size, a fresh
 * data folder gets that many whole meals (`npm run seed:history`, straight into the store), then
 * Brigade starts on it once (as after an upgrade), stops, and is measured from its restart:
 *   - restart: from spawning the process to /health/ready answering;
 *   - idle RSS two seconds later;
 *   - today's takings, the paid-orders list, a new order: the median of sequential requests, one
 *     at a time (the latency of one request, not throughput), and the CPU a new order costs;
 *   - disk: the data folder's bytes a meal.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { ADMIN_PASSWORD, BrigadeClient, startNode, waitReady } from "../brigade";
import { cpuSeconds, memory } from "../proc-stats";
import { freePort, ROOT, sleep } from "../processes";
import type { BenchPlan } from "../plan";
import type { Progress } from "../progress";
import type { HistoryPoint, HistoryResult } from "../results";

/** Meals behind the store at each measurement: none, a few days, four weeks, a year. */
export function historySizes(plan: BenchPlan): number[] {
  // BENCH_HISTORY_MEALS=0,100000 measures only those sizes (when looking into one of them).
  const only = process.env.BENCH_HISTORY_MEALS?.split(",").map(Number);
  if (only?.every((n) => Number.isInteger(n) && n >= 0)) return only;
  return plan.mode === "smoke" ? [0, 300] : [0, 1_000, 8_000, 100_000];
}

const SAMPLES = { smoke: 5, full: 40 } as const;

export function historySeconds(plan: BenchPlan): number {
  return historySizes(plan).reduce((sum, meals) => sum + 12 + meals / 5_000, 0);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : Number.NaN;
};

async function timed(samples: number, call: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await call();
    ms.push(performance.now() - started);
  }
  return median(ms);
}

const folderBytes = (dir: string) =>
  readdirSync(dir)
    .map((name) => statSync(path.join(dir, name)))
    .filter((s) => s.isFile())
    .reduce((sum, s) => sum + s.size, 0);

async function measure(plan: BenchPlan, meals: number, workDir: string, progress: Progress): Promise<HistoryPoint> {
  const logDir = path.join(workDir, `history-${meals}`);
  const dataDir = path.join(logDir, "data");
  mkdirSync(dataDir, { recursive: true });
  let seedSeconds = 0;
  if (meals > 0) {
    progress.phase(`history: writing ${meals} meals`);
    const started = performance.now();
    execFileSync(
      process.execPath,
      ["--require", "tsx/cjs", "scripts/seed-history.ts", "--meals", String(meals), "--data-dir", dataDir],
      { cwd: ROOT, stdio: "ignore", env: { ...process.env, MONGO_URI: "" } },
    );
    seedSeconds = (performance.now() - started) / 1000;
  }
  const env = async () => ({ PORT: String(await freePort()), DATA_DIR: dataDir });

  progress.phase(`history: first start on ${meals} meals`);
  const firstEnv = await env();
  const first = startNode({ name: `history-${meals}-first`, logDir, env: firstEnv });
  await waitReady(`http://127.0.0.1:${firstEnv.PORT}`, [first]);
  await first.stop();

  progress.phase(`history: restart on ${meals} meals`);
  const nodeEnv = await env();
  const baseUrl = `http://127.0.0.1:${nodeEnv.PORT}`;
  const spawned = performance.now();
  const node = startNode({ name: `history-${meals}`, logDir, env: nodeEnv });
  try {
    await waitReady(baseUrl, [node]);
    const restartSeconds = (performance.now() - spawned) / 1000;
    await sleep(2000);
    const idleRssMb = memory(node.pid)?.rssMb ?? Number.NaN;

    const client = new BrigadeClient(baseUrl);
    const admin = await client.login("admin", ADMIN_PASSWORD);
    const [waiter, cashier] = [await client.staffToken(admin, "waiter"), await client.staffToken(admin, "cashier")];
    const samples = SAMPLES[plan.mode];
    progress.phase(`history: requests on ${meals} meals`);
    const takingsMs = await timed(samples, () => client.expect(200, "GET", "/api/takings", { token: cashier }));
    const paidListMs = await timed(samples, () =>
      client.expect(200, "GET", "/api/orders?status=paid", { token: waiter }),
    );
    // Each order one dish of the menu in turn, so no one ingredient runs out over the samples.
    type MenuDish = { id: string; modifierGroups?: { min: number; options: { id: string }[] }[] };
    const menu = (await client.expect<{ rows: MenuDish[] }>(200, "GET", "/api/dishes?pageSize=100")).rows;
    // What each dish's required groups need (the steak's doneness): its first options.
    const required = (dish: MenuDish) =>
      (dish.modifierGroups ?? []).flatMap((group) => group.options.slice(0, group.min).map((option) => option.id));
    let turn = 0;
    const order = () => {
      const dish = menu[turn++ % menu.length];
      return { table: "7", lines: [{ dish: dish.id, qty: 1, modifiers: required(dish) }] };
    };
    const cpuBefore = cpuSeconds(node.pid) ?? Number.NaN;
    const newOrderMs = await timed(samples, () =>
      client.expect(201, "POST", "/api/orders", { token: waiter, body: order() }),
    );
    const newOrderCpuMs = (((cpuSeconds(node.pid) ?? Number.NaN) - cpuBefore) * 1000) / samples;
    await node.stop();
    const diskBytes = folderBytes(dataDir);
    return {
      meals,
      seedSeconds,
      restartSeconds,
      idleRssMb,
      takingsMs,
      paidListMs,
      newOrderMs,
      newOrderCpuMs,
      diskBytes,
      diskBytesPerMeal: meals > 0 ? diskBytes / meals : Number.NaN,
    };
  } finally {
    await node.stop();
  }
}

export async function runHistory(plan: BenchPlan, workDir: string, progress: Progress): Promise<HistoryResult> {
  const points: HistoryPoint[] = [];
  for (const meals of historySizes(plan)) points.push(await measure(plan, meals, workDir, progress));
  return { points };
}
