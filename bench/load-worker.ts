/**
 * The load generator: a child process of the benchmark, so that autocannon's own CPU is never
 * counted as the server's and never runs on the event loop of anything measured. It takes one
 * run at a time over IPC, reports a tick every second, and answers with autocannon's figures.
 * Every run is bounded: autocannon stops at `durationSeconds`, each request gives up after
 * `timeoutSeconds`, and the parent kills this process if an answer is late.
 */
import type { LoadRequest, LoadResult, WorkerMessage } from "./load";

interface AutocannonResult {
  start: string | Date;
  finish: string | Date;
  errors: number;
  timeouts: number;
  non2xx: number;
  resets: number;
  mismatches: number;
  "2xx": number;
  statusCodeStats: Record<string, { count: number }>;
  latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  requests: { total: number; sent: number };
  throughput: { total: number };
}
interface AutocannonInstance {
  on(event: "tick", listener: (tick: { counter: number }) => void): void;
  on(event: "reqError", listener: (err: Error) => void): void;
}
type Autocannon = (
  options: Record<string, unknown>,
  done: (err: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;

// autocannon ships no type declarations; the shape used here is above.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require("autocannon") as Autocannon;

function send(message: WorkerMessage): void {
  process.send?.(message);
}

function run(request: LoadRequest): void {
  const errorSamples: string[] = [];
  const instance = autocannon(
    {
      url: request.url,
      method: request.method,
      headers: request.headers,
      body: request.body,
      connections: request.connections,
      duration: request.durationSeconds,
      timeout: request.timeoutSeconds,
      pipelining: 1,
    },
    (err, result) => {
      if (err) return send({ type: "failed", id: request.id, message: err.message });
      const seconds = (new Date(result.finish).getTime() - new Date(result.start).getTime()) / 1000;
      const statusCodes = Object.fromEntries(
        Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count]),
      );
      const answer: LoadResult = {
        seconds,
        completed: result.requests.total,
        ok: result["2xx"],
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        resets: result.resets,
        statusCodes,
        errorSamples,
        latencyMs: {
          p50: result.latency.p50,
          p90: result.latency.p90,
          p99: result.latency.p99,
          max: result.latency.max,
          mean: result.latency.mean,
        },
        bytes: result.throughput.total,
      };
      send({ type: "result", id: request.id, result: answer });
    },
  );
  instance.on("tick", (tick) => send({ type: "tick", id: request.id, completed: tick.counter }));
  instance.on("reqError", (err) => {
    if (errorSamples.length < 5) errorSamples.push(err.message);
  });
}

process.on("message", (message: LoadRequest) => run(message));
// The benchmark going away (crash, Ctrl-C) closes the IPC channel: stop with it.
process.on("disconnect", () => process.exit(0));
