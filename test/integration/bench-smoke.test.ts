/**
 * The benchmark (`npm run bench`) in its smoke plan: every scenario for a few seconds, so the
 * suite keeps working as Brigade changes. Nothing here judges speed — that is the benchmark's
 * job — only that each scenario produced figures, and that no request failed or went missing.
 * Needs what the cluster needs: NATS on 127.0.0.1:4222 and Redis on 127.0.0.1:6379 (.ci/run
 * starts both), and the MongoDB emulator (fetched by the run when missing).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TargetResult } from "../../bench/measure";
import type { BenchResults, Comparison } from "../../bench/results";

const ROOT = path.resolve(__dirname, "../..");

function runBench(outDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/run.ts", "--smoke", "--quiet", "--out", outDir], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("exit", (code) => resolve({ code, output }));
  });
}

function expectServed(target: TargetResult) {
  const s = target.summary;
  expect({
    target: target.label,
    ok: s.ok > 0,
    reqPerSec: s.reqPerSec > 0,
    p99: Number.isFinite(s.p99Ms),
    cpu: s.cpuMsPerRequest > 0,
  }).toEqual({
    target: target.label,
    ok: true,
    reqPerSec: true,
    p99: true,
    cpu: true,
  });
  expect({ target: target.label, non2xx: s.non2xx, errors: s.errors, timeouts: s.timeouts }).toEqual({
    target: target.label,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
  });
}

function expectComparison(comparison: Comparison | undefined, keys: string[]) {
  expect(comparison).toBeDefined();
  expect(comparison!.targets.map((t) => t.key)).toEqual(keys);
  comparison!.targets.forEach(expectServed);
  for (const value of Object.values(comparison!.ratios)) expect(value).toBeGreaterThan(0);
}

function expectEveryOrderStored(comparison: Comparison | undefined) {
  const stored = comparison!.stored!;
  expect(stored.answered201).toBeGreaterThan(0);
  expect(stored.storedOrders).toBeGreaterThanOrEqual(stored.answered201);
  expect(stored.storedOrders - stored.answered201).toBeLessThanOrEqual(stored.inFlightAtEnd);
}

describe("npm run bench -- --smoke", () => {
  let outDir: string;
  let results: BenchResults;
  let run: { code: number | null; output: string };

  beforeAll(async () => {
    outDir = mkdtempSync(path.join(os.tmpdir(), "bench-smoke-"));
    run = await runBench(outDir);
    const json = readdirSync(outDir).find((f) => f.endsWith("-smoke.json"));
    if (!json) throw new Error(`The benchmark wrote no results (exit ${run.code}):\n${run.output.slice(-4000)}`);
    results = JSON.parse(readFileSync(path.join(outDir, json), "utf8")) as BenchResults;
  }, 400_000);

  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it("finishes every scenario without an error", () => {
    expect(results.errors).toEqual([]);
    expect(run.code).toBe(0);
  });

  it("measures the embedded menu and order placement beside references A and C", () => {
    expectComparison(results.embedded?.menu, ["A", "C", "brigade"]);
    expectComparison(results.embedded?.orders, ["A", "C", "brigade"]);
    expectEveryOrderStored(results.embedded?.orders);
  });

  it("measures restart, idle memory, latencies and disk on a store with history", () => {
    const points = results.history?.points ?? [];
    expect(points.map((p) => p.meals)).toEqual([0, 300]);
    for (const p of points) {
      expect(p.restartSeconds).toBeGreaterThan(0);
      expect(p.idleRssMb).toBeGreaterThan(0);
      for (const ms of [p.takingsMs, p.paidListMs, p.newOrderMs, p.newOrderCpuMs]) expect(ms).toBeGreaterThan(0);
    }
    expect(points[1].diskBytesPerMeal).toBeGreaterThan(0);
  });

  it("measures the clustered menu and order placement beside reference E", () => {
    expectComparison(results.cluster?.menu, ["E", "brigade"]);
    expectComparison(results.cluster?.orders, ["E", "brigade"]);
    expectEveryOrderStored(results.cluster?.orders);
  });

  it("counts finished tickets for each number of kitchen nodes, with the backlog never running dry", () => {
    const kitchen = results.cluster!.kitchen!;
    expect(kitchen.phases.map((p) => p.nodes)).toEqual(results.plan.kitchen.nodes);
    for (const phase of kitchen.phases) {
      expect(phase.ticketsPerSecond).toBeGreaterThan(0);
      expect(phase.queuedAfter).toBeGreaterThan(0);
      // Every kitchen node of the phase finished tickets.
      expect(Object.keys(phase.perNode)).toHaveLength(phase.nodes);
    }
    // The probe heard every ticket the store says is done.
    expect(kitchen.doneHeard).toBe(kitchen.doneStored);
  });

  it("records the memory of every node, idle and under load", () => {
    const nodes = [...results.embedded!.memory, ...results.cluster!.memory];
    expect(nodes.map((n) => n.node)).toEqual(
      expect.arrayContaining(["brigade-embedded", "node-api", "node-orders", "node-kitchen-1", "node-kitchen-2"]),
    );
    for (const node of nodes) {
      expect(node.idleRssMb).toBeGreaterThan(10);
      expect(node.peakUnderLoadMb).toBeGreaterThan(10);
    }
    // The embedded node holds its orders in memory: beside its peak, all it stored (the load's,
    // and the one order the set-up placed to capture the exchange).
    const held = results.embedded!.memory[0].ordersHeld!;
    const placedByLoad = results.embedded!.orders!.stored!.storedOrders;
    expect(held).toBeGreaterThanOrEqual(placedByLoad);
    expect(held - placedByLoad).toBeLessThan(5);
  });

  it("writes the chart and a verdict on every target", () => {
    const svg = readFileSync(path.join(outDir, readdirSync(outDir).find((f) => f.endsWith("-smoke.svg"))!), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("Kitchen");
    expect(results.targets.map((t) => t.name)).toEqual(
      expect.arrayContaining(["cached menu read, embedded", "order placement, embedded", "cached menu read, cluster"]),
    );
    for (const target of results.targets) expect(target.met === null ? "not measured" : "judged").toBe("judged");
  });
});
