/**
 * The benchmark's side of the load generator (./load-worker.ts): one long-lived child process,
 * one run at a time, each with a hard deadline. Only 127.0.0.1 is ever a target.
 */
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { cpuSeconds } from "./proc-stats";

export interface LoadRequest {
  id: number;
  url: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  connections: number;
  durationSeconds: number;
  timeoutSeconds: number;
}

export interface LoadResult {
  /** How long the run lasted, from autocannon's start to finish. */
  seconds: number;
  /** Responses received, whatever their status. */
  completed: number;
  /** 2xx responses. */
  ok: number;
  non2xx: number;
  /** Connection errors (refused, reset…), timeouts included. */
  errors: number;
  timeouts: number;
  resets: number;
  statusCodes: Record<string, number>;
  errorSamples: string[];
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  bytes: number;
}

export type WorkerMessage =
  | { type: "tick"; id: number; completed: number }
  | { type: "result"; id: number; result: LoadResult }
  | { type: "failed"; id: number; message: string };

export type LoadSpec = Omit<LoadRequest, "id" | "timeoutSeconds"> & { timeoutSeconds?: number };

export class LoadGenerator {
  private child: ChildProcess;
  private nextId = 1;

  constructor() {
    this.child = LoadGenerator.spawn();
  }

  private static spawn(): ChildProcess {
    return fork(path.join(__dirname, "load-worker.ts"), [], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** CPU seconds the load generator used so far (it shares the machine with the servers). */
  cpuSeconds(): number {
    return cpuSeconds(this.pid) ?? 0;
  }

  run(spec: LoadSpec, onTick?: (secondsDone: number) => void): Promise<LoadResult> {
    const request: LoadRequest = { timeoutSeconds: 10, ...spec, id: this.nextId++ };
    if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(request.url))
      throw new Error(`Refusing to load ${request.url}: the benchmark only targets 127.0.0.1.`);
    const child = this.child;
    return new Promise((resolve, reject) => {
      let ticks = 0;
      // autocannon stops itself at the duration; this only trips if the worker hangs.
      const deadline = setTimeout(
        () => {
          cleanup();
          child.kill("SIGKILL");
          this.child = LoadGenerator.spawn();
          reject(
            new Error(
              `The load run against ${request.url} did not finish within ${request.durationSeconds + 30} s; the load generator was restarted.`,
            ),
          );
        },
        (request.durationSeconds + 30) * 1000,
      );
      const onMessage = (message: WorkerMessage) => {
        if (message.id !== request.id) return;
        if (message.type === "tick") {
          ticks++;
          onTick?.(ticks);
          return;
        }
        cleanup();
        if (message.type === "result") resolve(message.result);
        else reject(new Error(`autocannon failed against ${request.url}: ${message.message}`));
      };
      const onExit = () => {
        cleanup();
        reject(new Error("The load generator exited during a run."));
      };
      const cleanup = () => {
        clearTimeout(deadline);
        child.off("message", onMessage);
        child.off("exit", onExit);
      };
      child.on("message", onMessage);
      child.once("exit", onExit);
      child.send(request);
    });
  }

  close(): void {
    if (this.child.connected) this.child.disconnect();
    this.child.kill("SIGTERM");
  }
}
