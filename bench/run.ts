/**
 * `npm run bench` — how fast Brigade serves, and how it grows with nodes, beside its own ceiling.
 *
 *   npm run bench                   the full run (about 6–8 minutes on 2 cores)
 *   npm run bench -- --smoke        a few seconds per scenario (what npm test runs); or BENCH_SMOKE=1
 *   npm run bench -- --only embedded   or --only cluster, --only history, or a comma list
 *   npm run bench -- --out DIR      where <date>.json, <date>.svg and <date>.md go (default bench/results)
 *   npm run bench -- --cpu-prof     also write a CPU profile of every Brigade node (node --cpu-prof)
 *   npm run bench -- --keep         keep the logs and stores of the run
 *
 * The cluster scenarios need NATS (BENCH_TRANSPORTER, default nats://127.0.0.1:4222) and Redis
 * (BENCH_CACHER, default redis://127.0.0.1:6379); the store is the MongoDB emulator, started by
 * the run, unless BENCH_MONGO_URI names a MongoDB. Only 127.0.0.1 is ever loaded.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { chart } from "./chart";
import { benchPlan } from "./plan";
import { killAllSync, ROOT } from "./processes";
import { markdown, printTables } from "./report";
import { runSuite, SCENARIOS, type Scenario } from "./suite";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      smoke: { type: "boolean", default: process.env.BENCH_SMOKE === "1" || process.env.BENCH_SMOKE === "true" },
      only: { type: "string" },
      out: { type: "string" },
      "cpu-prof": { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
    },
  });
  const plan = benchPlan(values.smoke ? "smoke" : "full");
  const scenarios = (values.only?.split(",").map((s) => s.trim()) ?? [...SCENARIOS]) as Scenario[];
  const unknown = scenarios.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length)
    throw new Error(`Unknown scenario(s) ${unknown.join(", ")}: use --only with ${SCENARIOS.join(", ")}.`);
  const outDir = path.resolve(values.out ?? path.join(ROOT, "bench/results"));
  const workDir = mkdtempSync(path.join(os.tmpdir(), "brigade-bench-"));
  const cpuProfileDir = values["cpu-prof"] ? path.join(outDir, "profiles") : undefined;
  if (cpuProfileDir) mkdirSync(cpuProfileDir, { recursive: true });

  const results = await runSuite({
    plan,
    workDir,
    scenarios,
    cpuProfileDir,
    quiet: values.quiet,
    cluster: {
      transporter: process.env.BENCH_TRANSPORTER ?? "nats://127.0.0.1:4222",
      cacher: process.env.BENCH_CACHER ?? "redis://127.0.0.1:6379",
    },
  });

  mkdirSync(outDir, { recursive: true });
  const stamp = results.startedAt.slice(0, 10) + (plan.mode === "smoke" ? "-smoke" : "");
  const files = {
    json: path.join(outDir, `${stamp}.json`),
    svg: path.join(outDir, `${stamp}.svg`),
    md: path.join(outDir, `${stamp}.md`),
  };
  writeFileSync(files.json, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(files.svg, chart(results));
  writeFileSync(files.md, `${markdown(results)}\n`);

  console.log(printTables(results));
  console.log(
    `\nFinished in ${results.wallSeconds.toFixed(0)} s. Results: ${files.json}\nChart: ${files.svg}\nTables (Markdown): ${files.md}`,
  );
  if (values.keep || results.errors.length) console.log(`Logs and stores of this run: ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
  return results.errors.length ? 1 : 0;
}

main().then(
  (code) => {
    killAllSync();
    process.exit(code);
  },
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    killAllSync();
    process.exit(2);
  },
);
