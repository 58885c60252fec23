/**
 * The processes a benchmark run starts: Brigade nodes, reference servers, the store emulator.
 * Each is a direct child (`node --require tsx/cjs …`, no npm or tsx wrapper in between), so its pid is
 * the process that does the work and /proc reports its CPU and memory. Output goes to a log file;
 * every child is stopped when the run ends, however it ends.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "..");

export interface ManagedProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  exited: Promise<void>;
  /** The last lines of its log, for an error message. */
  tail(lines?: number): string;
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ManagedProcess>();

/** Stops every child still running; safe to call from an exit handler (synchronous signals only). */
export function killAllSync(): void {
  for (const proc of running) {
    try {
      process.kill(proc.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
  running.clear();
}

let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", killAllSync);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      killAllSync();
      process.exit(130);
    });
  }
}

export interface StartOptions {
  name: string;
  /** Script path relative to the project root; .ts files run through tsx. */
  script: string;
  args?: string[];
  env?: Record<string, string | undefined>;
  logDir: string;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeFlags?: string[];
}

export function startProcess(options: StartOptions): ManagedProcess {
  installExitHook();
  const logFile = path.join(options.logDir, `${options.name}.log`);
  const fd = openSync(logFile, "a");
  // tsx's CommonJS hook only, as `npm start` runs it: no loader thread (an isolate of its own, 16 MB).
  const loader = options.script.endsWith(".ts") ? ["--require", "tsx/cjs"] : [];
  const child = spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), ...loader, options.script, ...(options.args ?? [])],
    {
      cwd: ROOT,
      env: { ...process.env, ...options.env } as NodeJS.ProcessEnv,
      stdio: ["ignore", fd, fd],
    },
  );
  closeSync(fd);
  if (!child.pid) throw new Error(`Could not start ${options.name} (${options.script}).`);
  // Which pid was which, for matching CPU profiles (CPU.<date>.<pid>.….cpuprofile) to nodes.
  appendFileSync(path.join(options.logDir, "pids.txt"), `${child.pid} ${options.name}\n`);
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  const proc: ManagedProcess = {
    name: options.name,
    pid: child.pid,
    child,
    logFile,
    exited,
    tail(lines = 15) {
      try {
        return readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
      } catch {
        return "(no log)";
      }
    },
    async stop(graceMs = 8000) {
      running.delete(proc);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(proc);
  void exited.then(() => running.delete(proc));
  return proc;
}

export function isAlive(proc: ManagedProcess): boolean {
  return proc.child.exitCode === null && proc.child.signalCode === null;
}

/** A TCP port free right now on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true, failing with the processes' logs after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  watch: ManagedProcess[] = [],
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = watch.find((p) => !isAlive(p));
    if (dead) throw new Error(`${dead.name} exited while waiting for ${what}:\n${dead.tail()}`);
    try {
      if (await check()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) {
      const logs = watch.map((p) => `--- ${p.name} (${p.logFile}) ---\n${p.tail()}`).join("\n");
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.\n${logs}`);
    }
    await sleep(150);
  }
}

/** True once `url` answers with a status below 400 (within a short per-try deadline). */
export async function answers(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.status < 400;
}
