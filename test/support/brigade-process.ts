/**
 * One embedded Brigade in a child process, started as `npm start` starts it (Moleculer's runner
 * through tsx), for tests that kill it or restart it on the same data folder.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";

const root = path.resolve(__dirname, "../..");

/** How `npm run node` starts a Brigade node from the sources: the runner, through tsx. */
export const RUNNER_ARGS = [
  "--require",
  "tsx/cjs",
  "scripts/brigade-runner.ts",
  "--config",
  "moleculer.config.ts",
  "--mask",
  "**/*.service.ts",
];

export interface BrigadeProcess {
  url: string;
  child: ChildProcess;
  /** Every line it wrote, stdout and stderr. */
  lines: string[];
  /** Resolves with the exit signal (or code) once the process is gone. */
  exited: Promise<NodeJS.Signals | number | null>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Resolves once the gateway listens; with `mayDie`, also when the process exits first (a test
 * that makes it kill itself early), with `url` empty.
 */
export async function startBrigadeProcess(
  env: Record<string, string>,
  options: { timeoutMs?: number; mayDie?: boolean } = {},
): Promise<BrigadeProcess> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = spawn(process.execPath, RUNNER_ARGS, {
    cwd: root,
    env: { ...process.env, SERVICEDIR: "services", PORT: "0", LOG_FORMAT: "text", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve(match: RegExpMatchArray): void }[] = [];
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(signal ?? code)),
  );
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on("line", (line) => {
      lines.push(line);
      for (const waiter of [...waiters]) {
        const match = line.match(waiter.pattern);
        if (match) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(match);
        }
      }
    });
  }
  const listening = await new Promise<RegExpMatchArray | null>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Brigade did not start:\n${lines.join("\n")}`)), timeoutMs);
    exited.then(() => {
      clearTimeout(timer);
      if (options.mayDie) resolve(null);
      else reject(new Error(`Brigade exited while starting:\n${lines.join("\n")}`));
    });
    waiters.push({
      pattern: /Brigade gateway listening on (http:\/\/[^\s]+?) \(/,
      resolve: (match) => {
        clearTimeout(timer);
        resolve(match);
      },
    });
  });
  return {
    url: listening?.[1] ?? "",
    child,
    lines,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
