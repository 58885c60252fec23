// A MongoDB for tests: the real server named by MONGO_URI when there is one, otherwise CongoDB,
// a MongoDB wire-protocol emulator (see shared/MONGO.md), started as a child process on a free
// port. Anything proven against the emulator is the adapter contract, not MongoDB itself.
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";

export interface TestMongo {
  /** Connection string including a database name. */
  uri: string;
  /** Stops the emulator; a no-op for a real server. */
  stop(): Promise<void>;
  /** True when `uri` points at the CongoDB emulator rather than a real MongoDB. */
  emulated: boolean;
}

const root = resolve(__dirname, "../..");
const fetchScript = join(root, "scripts/congodb/fetch.sh");
const serverScript = join(root, "scripts/congodb/server.mjs");
const emulatorEntry = join(root, "node_modules/.cache/congodb/package/dist_ts/congodb/index.js");

const FETCH_TIMEOUT_MS = 180_000;
const START_TIMEOUT_MS = Number(process.env.CONGODB_START_TIMEOUT_MS ?? 15_000);
const STOP_TIMEOUT_MS = 5_000;
const FIX = "fix: run `bash scripts/congodb/fetch.sh` (needs the npm registry), or set MONGO_URI to a real MongoDB";

/**
 * `storageDir` runs the emulator on its file store in that directory, and `database` names the
 * database (a fresh random one by default), so that a second emulator on the same directory
 * sees what the first wrote.
 */
export async function startMongo(options: { storageDir?: string; database?: string } = {}): Promise<TestMongo> {
  const realUri = process.env.MONGO_URI?.trim();
  if (realUri) {
    return { uri: realUri, emulated: false, stop: async () => undefined };
  }

  await ensureEmulatorFetched();
  const { port, stop } = await spawnEmulator(options.storageDir);
  const database = options.database ?? `brigade_test_${randomBytes(6).toString("hex")}`;
  return { uri: `mongodb://127.0.0.1:${port}/${database}`, emulated: true, stop };
}

async function ensureEmulatorFetched(): Promise<void> {
  if (existsSync(emulatorEntry)) return;
  try {
    await promisify(execFile)("bash", [fetchScript], { cwd: root, timeout: FETCH_TIMEOUT_MS });
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    throw new Error(`MongoDB emulator could not be fetched: ${stderr?.trim() || message}\n${FIX}`);
  }
}

function spawnEmulator(storageDir?: string): Promise<{ port: number; stop(): Promise<void> }> {
  // The emulator watches its stdin: when this process dies without calling stop(), the pipe
  // closes and the emulator exits too, instead of lingering on its port.
  const storage = storageDir ? ["--storage-dir", storageDir] : [];
  const child = spawn(process.execPath, [serverScript, "--port", "0", "--exit-on-stdin-close", ...storage], {
    cwd: root,
    stdio: ["pipe", "pipe", "pipe"],
  });
  // "error" without "exit" happens when the spawn itself fails.
  const exited = new Promise<void>((done) => {
    child.once("exit", () => done());
    child.once("error", () => done());
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };

  return new Promise((resolvePort, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      lines.close();
      void stop();
      const detail = stderr.trim() ? `\n--- emulator stderr ---\n${stderr.trim()}` : "";
      reject(new Error(`MongoDB emulator did not start: ${why}${detail}\n${FIX}`));
    };
    const timer = setTimeout(() => fail(`no CONGODB_READY line within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      const match = /^CONGODB_READY (\d+)$/.exec(line.trim());
      if (!match || settled) return;
      settled = true;
      clearTimeout(timer);
      lines.close();
      child.removeListener("exit", onEarlyExit);
      // Neither the child nor its pipes should keep a test process alive on their own.
      child.unref();
      for (const stream of [child.stdin, child.stdout, child.stderr]) {
        (stream as unknown as { unref?: () => void }).unref?.();
      }
      resolvePort({ port: Number(match[1]), stop });
    });
    const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(`it exited early (code ${code}, signal ${signal})`);
    child.once("exit", onEarlyExit);
    child.once("error", (error) => fail(error.message));
  });
}
