/** Starts the reference servers (A, C, E) of a run, each in its own process(es). */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { answers, freePort, startProcess, waitUntil, type ManagedProcess } from "../processes";
import type { Exchange } from "./exchange";

export interface Reference {
  baseUrl: string;
  processes: ManagedProcess[];
  stop(): Promise<void>;
}

function exchangesFile(dir: string, name: string, exchanges: Exchange[]): string {
  const file = path.join(dir, `${name}.exchanges.json`);
  writeFileSync(file, JSON.stringify(exchanges));
  return file;
}

async function ready(baseUrl: string, probe: Exchange, processes: ManagedProcess[]): Promise<void> {
  const check = async () => {
    if (probe.method === "GET") return answers(baseUrl + probe.path);
    const res = await fetch(baseUrl + probe.path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
      signal: AbortSignal.timeout(2000),
    });
    await res.arrayBuffer();
    return res.status < 400;
  };
  await waitUntil(`reference at ${baseUrl}`, check, 60_000, processes);
}

function reference(baseUrl: string, processes: ManagedProcess[]): Reference {
  return { baseUrl, processes, stop: async () => void (await Promise.all(processes.map((p) => p.stop()))) };
}

/** A: raw node:http answering the captured bytes. */
export async function startRawReference(name: string, exchanges: Exchange[], logDir: string): Promise<Reference> {
  const port = await freePort();
  const proc = startProcess({
    name,
    script: "bench/references/raw-http.ts",
    env: { PORT: String(port), BENCH_EXCHANGES: exchangesFile(logDir, name, exchanges) },
    logDir,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await ready(baseUrl, exchanges[0], [proc]);
  return reference(baseUrl, [proc]);
}

/** C: bare moleculer + moleculer-web and a trivial action, one process. */
export async function startMoleculerReference(name: string, exchanges: Exchange[], logDir: string): Promise<Reference> {
  const port = await freePort();
  const proc = startProcess({
    name,
    script: "bench/references/moleculer-gateway.ts",
    env: { ROLE: "all", PORT: String(port), BENCH_EXCHANGES: exchangesFile(logDir, name, exchanges) },
    logDir,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await ready(baseUrl, exchanges[0], [proc]);
  return reference(baseUrl, [proc]);
}

/** E: the same split over NATS into a gateway node and an action node. */
export async function startSplitReference(
  name: string,
  exchanges: Exchange[],
  logDir: string,
  transporter: string,
): Promise<Reference> {
  const port = await freePort();
  const file = exchangesFile(logDir, name, exchanges);
  const namespace = `bench-ref-${randomBytes(4).toString("hex")}`;
  const common = { BENCH_EXCHANGES: file, TRANSPORTER: transporter, NAMESPACE: namespace };
  const action = startProcess({
    name: `${name}-action`,
    script: "bench/references/moleculer-gateway.ts",
    env: { ...common, ROLE: "action" },
    logDir,
  });
  const gateway = startProcess({
    name: `${name}-gateway`,
    script: "bench/references/moleculer-gateway.ts",
    env: { ...common, ROLE: "gateway", PORT: String(port) },
    logDir,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await ready(baseUrl, exchanges[0], [gateway, action]);
  return reference(baseUrl, [gateway, action]);
}
