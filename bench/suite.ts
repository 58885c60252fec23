/**
 * The whole benchmark: the embedded scenarios, then the cluster, then the verdict on each target.
 * A scenario that fails is recorded as an error beside whatever it measured; the others still run.
 */
import os from "node:os";
import { LoadGenerator } from "./load";
import type { BenchPlan } from "./plan";
import { createProgress } from "./progress";
import { evaluateTargets } from "./report";
import type { BenchResults, ScenarioError } from "./results";
import { clusterSeconds, runCluster, type ClusterEnvironment } from "./scenarios/cluster";
import { embeddedSeconds, runEmbedded } from "./scenarios/embedded";
import { historySeconds, runHistory } from "./scenarios/history";

export const SCENARIOS = ["embedded", "cluster", "history"] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface SuiteOptions {
  plan: BenchPlan;
  workDir: string;
  scenarios: Scenario[];
  cluster: ClusterEnvironment;
  cpuProfileDir?: string;
  quiet?: boolean;
}

export async function runSuite(options: SuiteOptions): Promise<BenchResults> {
  const startedAt = new Date();
  const errors: ScenarioError[] = [];
  const onError = (scenario: string, err: unknown) =>
    errors.push({ scenario, message: err instanceof Error ? err.message : String(err) });
  const planned =
    (options.scenarios.includes("embedded") ? embeddedSeconds(options.plan) : 0) +
    (options.scenarios.includes("cluster") ? clusterSeconds(options.plan) : 0) +
    (options.scenarios.includes("history") ? historySeconds(options.plan) : 0);
  const progress = createProgress(planned, options.quiet);
  const load = new LoadGenerator();
  const results: BenchResults = {
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: "",
    wallSeconds: 0,
    plan: options.plan,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      loadAverageAtStart: os.loadavg(),
    },
    errors,
    targets: [],
  };
  try {
    if (options.scenarios.includes("embedded")) {
      try {
        results.embedded = await runEmbedded(options.plan, load, progress, options.workDir, options.cpuProfileDir);
      } catch (err) {
        onError("embedded", err);
      }
    }
    if (options.scenarios.includes("cluster")) {
      try {
        results.cluster = await runCluster(
          options.plan,
          options.cluster,
          load,
          progress,
          options.workDir,
          onError,
          options.cpuProfileDir,
        );
      } catch (err) {
        onError("cluster", err);
      }
    }
    if (options.scenarios.includes("history")) {
      try {
        results.history = await runHistory(options.plan, options.workDir, progress);
      } catch (err) {
        onError("history", err);
      }
    }
  } finally {
    load.close();
    progress.stop();
  }
  const finishedAt = new Date();
  results.finishedAt = finishedAt.toISOString();
  results.wallSeconds = (finishedAt.getTime() - startedAt.getTime()) / 1000;
  results.targets = evaluateTargets(results);
  return results;
}
