/**
 * Side-by-side measurement. A shared 2-core machine drifts by tens of percent from one minute to
 * the next, so targets are never measured one after the other in long blocks: each round runs
 * every target briefly, in a rotating order, and a ratio is taken within a round (neighbours in
 * time) before the median over rounds. CPU and peak memory of every server process are read from
 * /proc around each run.
 */
import type { LoadGenerator, LoadResult } from "./load";
import { CpuMeter, memory, resetPeak } from "./proc-stats";
import type { Progress } from "./progress";

export interface MeteredProcess {
  name: string;
  pid: number;
}

export interface Target {
  /** Short key: "A", "C", "E" or "brigade". */
  key: string;
  label: string;
  url: string;
  method: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /** The server processes whose CPU and memory this target costs. */
  processes: MeteredProcess[];
}

export interface MeasurePlan {
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
}

export interface RunRecord {
  round: number;
  load: LoadResult;
  /** CPU seconds each server process used during the run. */
  cpuSeconds: Record<string, number>;
  /** CPU seconds of the load generator during the run (it shares the two cores). */
  loadGeneratorCpuSeconds: number;
  /** Peak RSS (MB) of each server process during the run. */
  peakRssMb: Record<string, number>;
}

export interface TargetSummary {
  /** 2xx answers per second: the median over rounds. */
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** The worst round's p99. */
  p99WorstMs: number;
  /** CPU milliseconds of the server processes per answered request, over all rounds. */
  cpuMsPerRequest: number;
  /** Every run, warm-up included: nothing is left out of the counts. */
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  errorSamples: string[];
  peakRssMb: Record<string, number>;
}

export interface TargetResult {
  key: string;
  label: string;
  warmup: RunRecord | null;
  runs: RunRecord[];
  summary: TargetSummary;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const okPerSecond = (load: LoadResult) => (load.seconds > 0 ? load.ok / load.seconds : 0);

async function runOnce(
  target: Target,
  seconds: number,
  connections: number,
  round: number,
  load: LoadGenerator,
  progress: Progress,
): Promise<RunRecord> {
  const pids = target.processes.map((p) => p.pid);
  for (const pid of pids) resetPeak(pid);
  const meter = new CpuMeter(pids);
  const loadCpuBefore = load.cpuSeconds();
  meter.start();
  const result = await load.run(
    {
      url: target.url,
      method: target.method,
      headers: target.headers ?? {},
      body: target.body,
      connections,
      durationSeconds: seconds,
    },
    () => progress.advance(1),
  );
  const used = meter.stop();
  const cpuSeconds: Record<string, number> = {};
  const peakRssMb: Record<string, number> = {};
  for (const proc of target.processes) {
    cpuSeconds[proc.name] = used.get(proc.pid) ?? 0;
    peakRssMb[proc.name] = memory(proc.pid)?.peakMb ?? NaN;
  }
  return { round, load: result, cpuSeconds, loadGeneratorCpuSeconds: load.cpuSeconds() - loadCpuBefore, peakRssMb };
}

function summarize(warmup: RunRecord | null, runs: RunRecord[]): TargetSummary {
  const all = warmup ? [warmup, ...runs] : runs;
  const sum = (pick: (r: RunRecord) => number, records = all) => records.reduce((total, r) => total + pick(r), 0);
  const statusCodes: Record<string, number> = {};
  for (const r of all)
    for (const [code, count] of Object.entries(r.load.statusCodes))
      statusCodes[code] = (statusCodes[code] ?? 0) + count;
  const peakRssMb: Record<string, number> = {};
  for (const r of all)
    for (const [name, mb] of Object.entries(r.peakRssMb)) peakRssMb[name] = Math.max(peakRssMb[name] ?? 0, mb);
  const cpu = sum((r) => Object.values(r.cpuSeconds).reduce((a, b) => a + b, 0), runs);
  const answered = sum((r) => r.load.completed, runs);
  return {
    reqPerSec: median(runs.map((r) => okPerSecond(r.load))),
    p50Ms: median(runs.map((r) => r.load.latencyMs.p50)),
    p99Ms: median(runs.map((r) => r.load.latencyMs.p99)),
    p99WorstMs: Math.max(...runs.map((r) => r.load.latencyMs.p99)),
    cpuMsPerRequest: answered > 0 ? (cpu * 1000) / answered : NaN,
    requests: sum((r) => r.load.completed),
    ok: sum((r) => r.load.ok),
    non2xx: sum((r) => r.load.non2xx),
    errors: sum((r) => r.load.errors),
    timeouts: sum((r) => r.load.timeouts),
    statusCodes,
    errorSamples: [...new Set(all.flatMap((r) => r.load.errorSamples))].slice(0, 5),
    peakRssMb,
  };
}

/** Warms every target up once, then runs `rounds` rounds over all of them in a rotating order. */
export async function compare(
  targets: Target[],
  plan: MeasurePlan,
  load: LoadGenerator,
  progress: Progress,
): Promise<TargetResult[]> {
  const warmups = new Map<string, RunRecord | null>();
  for (const target of targets) {
    progress.phase(`warm-up ${target.label}`);
    warmups.set(
      target.key,
      plan.warmupSeconds > 0 ? await runOnce(target, plan.warmupSeconds, plan.connections, 0, load, progress) : null,
    );
  }
  const runs = new Map<string, RunRecord[]>(targets.map((t) => [t.key, []]));
  for (let round = 1; round <= plan.rounds; round++) {
    const order = targets.map((_, i) => targets[(i + round - 1) % targets.length]);
    for (const target of order) {
      progress.phase(`round ${round}/${plan.rounds} ${target.label}`);
      runs.get(target.key)!.push(await runOnce(target, plan.seconds, plan.connections, round, load, progress));
    }
  }
  return targets.map((target) => ({
    key: target.key,
    label: target.label,
    warmup: warmups.get(target.key) ?? null,
    runs: runs.get(target.key)!,
    summary: summarize(warmups.get(target.key) ?? null, runs.get(target.key)!),
  }));
}

/** The median over rounds of subject/reference, each taken within one round. */
export function ratio(results: TargetResult[], subject: string, reference: string): number {
  const a = results.find((r) => r.key === subject);
  const b = results.find((r) => r.key === reference);
  if (!a || !b) return NaN;
  const perRound = a.runs.map((run) => {
    const ref = b.runs.find((r) => r.round === run.round);
    return ref && okPerSecond(ref.load) > 0 ? okPerSecond(run.load) / okPerSecond(ref.load) : NaN;
  });
  return median(perRound.filter(Number.isFinite));
}

/** Seconds of load a comparison will run (for the progress bar). */
export function plannedSeconds(targets: number, plan: MeasurePlan): number {
  return targets * (plan.warmupSeconds + plan.rounds * plan.seconds);
}
