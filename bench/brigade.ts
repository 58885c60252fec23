/**
 * Brigade as the benchmark runs it: real nodes started the way `npm start` / `npm run node`
 * start them (Moleculer's runner over services/, configured from the environment alone), and
 * Brigade's one HTTP client (lib/client/api-client.ts) with what the benchmark asks of it: set
 * up a restaurant through the public API, as a manager would, and capture answers.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { answers, freePort, ROOT, startProcess, waitUntil, type ManagedProcess } from "./processes";
import { PER_CONNECTION_HEADERS, type Exchange } from "./references/exchange";
import { ApiClient, type Answer as ClientAnswer } from "../lib/client/api-client";
import type { Role } from "../lib/roles";

export const ADMIN_PASSWORD = `bench-admin-${randomBytes(6).toString("hex")}`;

/**
 * What every benchmarked node runs with: the production defaults (JSON logs at info, to a file),
 * plus one deliberate change. All load comes from one address, 127.0.0.1, and the per-address
 * limit (1200 a minute) is there to stop one abusive client, not to measure: it is raised to
 * its maximum, so the limiter still counts every request and refuses none at these rates.
 */
/**
 * The variables `npm start` sets in front of its command (package.json: SERVICEDIR, glibc's
 * MALLOC_MMAP_THRESHOLD_), read from there so that a benchmarked node starts as it does.
 */
export function npmStartVariables(): Record<string, string> {
  const start = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } })
    .scripts.start;
  const variables: Record<string, string> = {};
  for (const word of start.split(/\s+/)) {
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(\S*)$/.exec(word);
    if (!assignment) break;
    variables[assignment[1]] = assignment[2];
  }
  return variables;
}

function nodeEnv(extra: Record<string, string>): Record<string, string | undefined> {
  // Nothing Brigade reads leaks in from the benchmark's own environment (a test run's MONGO_URI…).
  const cleared = Object.fromEntries(BRIGADE_VARIABLES.map((name) => [name, undefined]));
  return {
    ...cleared,
    ...npmStartVariables(),
    NODE_ENV: "production",
    LOG_FORMAT: "json",
    LOG_LEVEL: "info",
    BRIGADE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    BRIGADE_SEED: "true",
    RATE_LIMIT_REQUESTS: "1000000",
    ...extra,
  };
}

const BRIGADE_VARIABLES = [
  "PORT",
  "NODE_ID",
  "NAMESPACE",
  "TRANSPORTER",
  "CACHER",
  "MONGO_URI",
  "DATA_DIR",
  "SERVICES",
  "METRICS_PORT",
  "HEALTH_PORT",
  "TRACING",
  "LOG_REQUEST_IDS",
  "TRACING_ENDPOINT",
  "BRIGADE_JWT_SECRET",
  "BRIGADE_TOKEN_TTL",
  "KITCHEN_CHEFS",
  "KITCHEN_TIME_SCALE",
  "KITCHEN_POLL_MS",
  "BRIGADE_RECONCILE_MS",
  "REQUEST_TIMEOUT_MS",
  "BODY_LIMIT",
  "CORS_ORIGINS",
  "TRUST_PROXY",
  "RATE_LIMIT_WINDOW",
  "RATE_LIMIT_LOGIN",
];

export interface NodeOptions {
  name: string;
  logDir: string;
  env: Record<string, string>;
  /** A directory for CPU profiles of this node (`node --cpu-prof`), or none. */
  cpuProfileDir?: string;
}

export function startNode(options: NodeOptions): ManagedProcess {
  return startProcess({
    name: options.name,
    script: "scripts/brigade-runner.ts",
    args: ["--config", "moleculer.config.ts", "--mask", "**/*.service.ts"],
    env: nodeEnv(options.env),
    logDir: options.logDir,
    nodeFlags: options.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`] : [],
  });
}

export async function waitReady(baseUrl: string, watch: ManagedProcess[], timeoutMs = 90_000): Promise<void> {
  await waitUntil(`${baseUrl}/health/ready`, () => answers(`${baseUrl}/health/ready`), timeoutMs, watch);
}

/** The MongoDB wire-protocol emulator (shared/MONGO.md): the one store every clustered node shares. */
export async function startStore(
  logDir: string,
  cpuProfileDir?: string,
): Promise<{ proc: ManagedProcess; uri: (database: string) => string }> {
  const entry = path.join(ROOT, "node_modules/.cache/congodb/package/dist_ts/congodb/index.js");
  if (!existsSync(entry))
    execFileSync("bash", [path.join(ROOT, "scripts/congodb/fetch.sh")], {
      cwd: ROOT,
      stdio: "ignore",
      timeout: 180_000,
    });
  const port = await freePort();
  const proc = startProcess({
    name: "store-emulator",
    script: "scripts/congodb/server.mjs",
    args: ["--port", String(port)],
    logDir,
    nodeFlags: cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`] : [],
  });
  await waitUntil(
    "the store emulator",
    async () => readFileSync(proc.logFile, "utf8").includes("CONGODB_READY"),
    30_000,
    [proc],
  );
  return { proc, uri: (database) => `mongodb://127.0.0.1:${port}/${database}` };
}

export type Answer<T = any> = ClientAnswer<T>;

/** Speaks Brigade's HTTP API (shared/API.md). */
export class BrigadeClient extends ApiClient {
  constructor(readonly baseUrl: string) {
    super(baseUrl, { timeoutMs: 15_000 });
  }

  async expect<T = any>(
    status: number | number[],
    method: string,
    path: string,
    options: { token?: string; body?: unknown } = {},
  ): Promise<T> {
    const res = await this.request<T>(method, path, options);
    if (!([] as number[]).concat(status).includes(res.status)) {
      throw new Error(`${method} ${path} answered ${res.status} (expected ${status}): ${res.text.slice(0, 400)}`);
    }
    return res.body;
  }

  async login(username: string, password: string): Promise<string> {
    const res = await this.call("post", "/api/auth/login", { body: { username, password } });
    if (res.status !== 200)
      throw new Error(`POST /api/auth/login answered ${res.status} (expected 200): ${res.text.slice(0, 400)}`);
    return (res.body as { token: string }).token;
  }

  /** A token for a new staff member of `role`, created by the admin. */
  async staffToken(adminToken: string, role: string): Promise<string> {
    const username = `bench-${role}-${randomBytes(3).toString("hex")}`;
    const password = `pw-${randomBytes(8).toString("hex")}`;
    const res = await this.call("post", "/api/staff", {
      token: adminToken,
      body: { username, name: `Bench ${role}`, role: role as Role, password },
    });
    if (res.status !== 201)
      throw new Error(`POST /api/staff answered ${res.status} (expected 201): ${res.text.slice(0, 400)}`);
    return this.login(username, password);
  }

  /** The `total` of a collection route (one row fetched). */
  async total(path: string, token: string): Promise<number> {
    const sep = path.includes("?") ? "&" : "?";
    return (await this.expect<{ total: number }>(200, "GET", `${path}${sep}pageSize=1`, { token })).total;
  }

  /** The bytes of one exchange as Brigade answers it, for the references to answer alike. */
  async capture(
    method: "GET" | "POST",
    path: string,
    options: { token?: string; body?: unknown } = {},
  ): Promise<Exchange> {
    const res = await this.request(method, path, options);
    if (res.status >= 300)
      throw new Error(`Capturing ${method} ${path} failed: ${res.status} ${res.text.slice(0, 300)}`);
    const headers = Object.fromEntries(
      [...res.headers.entries()].filter(([name]) => !PER_CONNECTION_HEADERS.has(name)),
    );
    return { method, path, status: res.status, headers, body: res.text };
  }
}

export interface BenchDish {
  name: string;
  station: string;
  prepSeconds: number;
}

/**
 * Ingredients with a stock no run can exhaust (a thousand tonnes each), and the dishes the load
 * orders, added by a manager through the API. Adding them again is harmless.
 */
export async function setUpKitchenStock(
  client: BrigadeClient,
  adminToken: string,
  dishes: BenchDish[],
): Promise<string[]> {
  const ingredients = ["Bench Flour", "Bench Oil"];
  for (const name of ingredients) {
    await client.expect([201, 409], "POST", "/api/ingredients", {
      token: adminToken,
      body: { name, unit: "g", onHand: 1_000_000_000, reorderPoint: 0, reorderQty: 0 },
    });
  }
  const ids: string[] = [];
  for (const dish of dishes) {
    const body = {
      name: dish.name,
      category: "bench",
      priceCents: 1250,
      station: dish.station,
      prepSeconds: dish.prepSeconds,
      recipe: [
        { ingredient: "bench-flour", qty: 120 },
        { ingredient: "bench-oil", qty: 15 },
      ],
      // The orders ask for "large": its recipe is reserved and consumed with the dish's.
      modifierGroups: [
        {
          id: "size",
          name: "Size",
          min: 0,
          max: 1,
          options: [{ id: "large", name: "Large", priceCents: 200, recipe: [{ ingredient: "bench-flour", qty: 40 }] }],
        },
      ],
    };
    const created = await client.request<{ id: string }>("POST", "/api/dishes", { token: adminToken, body });
    if (created.status === 201) ids.push(created.body.id);
    else if (created.status === 409) ids.push((created.body as unknown as { data: { id: string } }).data.id);
    else throw new Error(`Adding dish ${dish.name} failed: ${created.status} ${created.text.slice(0, 300)}`);
  }
  return ids;
}
