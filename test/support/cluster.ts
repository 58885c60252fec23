/**
 * Real Brigade clusters for test/cluster: each node is its own process, started the way an
 * operator starts one (`npm run node`: scripts/brigade-runner.ts with SERVICES and the cluster's
 * variables), joined through a real NATS server, sharing Redis and one MongoDB (the CongoDB
 * emulator of ./mongo.ts in CI — every node of a cluster must share it: NeDB files are per
 * process). A cluster gets a NAMESPACE of its own, so test clusters on one NATS and one Redis
 * never see each other, and every port is picked free.
 *
 * When NATS (with JetStream) or Redis does not answer, `startCluster` throws: these tests fail,
 * they never skip.
 *
 * Beside the nodes, a test may join an *observer*: an in-process broker from the project's own
 * moleculer.config.ts, running no Brigade service, that records the domain events it hears and
 * can call any node's actions (`{ nodeID }`) — a way to look inside the cluster.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, type WriteStream } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { randomBytes } from "node:crypto";
import Redis from "ioredis";
import { connect as connectNats } from "nats";
import { ServiceBroker, type ServiceSchema } from "moleculer";
import config from "../../moleculer.config";
import { deleteOrderStreams, orderStreamNames } from "../../lib/order-stream";
import type { Brigade } from "./brigade";
import { eventually } from "./meal";
import { RUNNER_ARGS } from "./brigade-process";

const root = resolve(__dirname, "../..");

export const TEST_NATS_URL = process.env.BRIGADE_TEST_NATS ?? "nats://127.0.0.1:4222";
export const TEST_REDIS_URL = process.env.BRIGADE_TEST_REDIS ?? "redis://127.0.0.1:6379";
export const CLUSTER_JWT_SECRET = "brigade-cluster-tests-shared-secret-0123456789";
export const CLUSTER_ADMIN_PASSWORD = "cluster-admin-password";

/** Brigade's variables: none of the test process's own may leak into a node. */
const BRIGADE_VARIABLES = [
  "PORT",
  "HOST",
  "SERVICES",
  "SERVICEDIR",
  "NODE_ID",
  "NAMESPACE",
  "TRANSPORTER",
  "CACHER",
  "MONGO_URI",
  "DATA_DIR",
  "LOG_LEVEL",
  "LOG_FORMAT",
  "BRIGADE_ADMIN_PASSWORD",
  "BRIGADE_JWT_SECRET",
  "BRIGADE_TOKEN_TTL",
  "BRIGADE_SEED",
  "BRIGADE_RECONCILE_MS",
  "KITCHEN_CHEFS",
  "KITCHEN_TIME_SCALE",
  "KITCHEN_POLL_MS",
  "METRICS_PORT",
  "HEALTH_PORT",
  "TRACING",
  "TRACING_ENDPOINT",
  "BODY_LIMIT",
  "CORS_ORIGINS",
  "RATE_LIMIT_WINDOW",
  "RATE_LIMIT_REQUESTS",
  "RATE_LIMIT_LOGIN",
  "TRUST_PROXY",
  "REQUEST_TIMEOUT_MS",
  "NODE_ENV",
];

/* ------------------------------------------------------------------ infrastructure checks */

function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}

/** NATS with JetStream must answer; otherwise the test fails here, naming what to start. */
export async function requireNats(url = TEST_NATS_URL): Promise<void> {
  const { host, port } = hostPort(url);
  let nc: Awaited<ReturnType<typeof connectNats>>;
  try {
    nc = await connectNats({ servers: `${host}:${port}`, timeout: 3000, maxReconnectAttempts: 0 });
  } catch (err) {
    throw new Error(
      `Cluster tests need NATS with JetStream at ${url}, and it does not answer (${(err as Error).message}). Start it: nats-server -js -a ${host} -p ${port} (or bash .ci/run).`,
    );
  }
  try {
    await nc.jetstreamManager({ timeout: 3000 });
  } catch (err) {
    throw new Error(`NATS at ${url} answers but without JetStream (${(err as Error).message}). Start it with -js.`);
  } finally {
    await nc.close();
  }
}

/** Redis must answer PING; otherwise the test fails here. */
export async function requireRedis(url = TEST_REDIS_URL): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 3000,
    retryStrategy: () => null,
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    const { host, port } = hostPort(url);
    throw new Error(
      `Cluster tests need Redis at ${url}, and it does not answer (${(err as Error).message}). Start it: redis-server --bind ${host} --port ${port} (or bash .ci/run).`,
    );
  } finally {
    client.disconnect();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

/* ------------------------------------------------------------------ child processes */

const children = new Set<ChildProcess>();
// A test process that dies without its afterAll must not leave nodes or servers behind.
process.once("exit", () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process whose output lines are kept (the last few hundred) and written to a log file. */
class Watched {
  readonly lines: string[] = [];
  readonly exited: Promise<Exit>;
  private readonly listeners = new Set<(line: string) => void>();
  private readonly log: WriteStream;

  constructor(
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    children.add(child);
    this.log = createWriteStream(logFile, { flags: "a" });
    this.exited = new Promise((done) => {
      child.once("exit", (code, signal) => {
        children.delete(child);
        done({ code, signal });
      });
      // A program that cannot be started at all says so here, and never exits.
      child.once("error", (err) => {
        this.lines.push(`could not start: ${err.message}`);
        children.delete(child);
        done({ code: null, signal: null });
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on("line", (line) => {
        this.log.write(`${line}\n`);
        this.lines.push(line);
        if (this.lines.length > 400) this.lines.shift();
        for (const listener of this.listeners) listener(line);
      });
    }
    void this.exited.then(() => this.log.end());
  }

  get pid(): number {
    return this.child.pid!;
  }

  alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  tail(n = 40): string {
    return this.lines.slice(-n).join("\n");
  }

  /** The first line (already seen or coming) that matches, or an error with the output's tail. */
  waitForLine(pattern: RegExp, what: string, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    for (const line of this.lines) {
      const match = pattern.exec(line);
      if (match) return Promise.resolve(match);
    }
    return new Promise((resolveMatch, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(onLine);
      };
      const onLine = (line: string) => {
        const match = pattern.exec(line);
        if (!match) return;
        done();
        resolveMatch(match);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}. Log: ${this.logFile}\n${this.tail()}`));
      }, timeoutMs);
      this.listeners.add(onLine);
      void this.exited.then(({ code, signal }) => {
        if (!this.listeners.has(onLine)) return;
        done();
        reject(
          new Error(
            `The process exited (code ${code}, signal ${signal}) before ${what}. Log: ${this.logFile}\n${this.tail()}`,
          ),
        );
      });
    });
  }

  kill(signal: NodeJS.Signals): void {
    if (this.alive()) this.child.kill(signal);
  }

  /** Sends `signal`; SIGKILL after `graceMs` if the process is still there. */
  async stop(signal: NodeJS.Signals = "SIGTERM", graceMs = 20_000): Promise<Exit> {
    if (!this.alive()) return this.exited;
    this.child.kill(signal);
    const timer = setTimeout(() => this.kill("SIGKILL"), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}

/* ------------------------------------------------------------------ Brigade nodes */

export interface NodeSpec {
  /** A name for the logs (the node ID itself is Brigade's default: host name and pid). */
  name: string;
  /** What SERVICES says: service names under services/, or absolute paths of service files. */
  services: string[];
  env?: Record<string, string>;
}

export class ClusterNode extends Watched {
  nodeID = "";
  /** The gateway's base URL, when the node runs `api`. */
  url = "";

  constructor(
    readonly spec: NodeSpec,
    child: ChildProcess,
    logFile: string,
  ) {
    super(child, logFile);
  }

  get name(): string {
    return this.spec.name;
  }
}

export interface ClusterOptions {
  mongoUri: string;
  nats?: string;
  /** A redis:// URL for CACHER (default: the test Redis), or null for each node's memory cacher. */
  redis?: string | null;
  /** Variables for every node of this cluster (a node's own `env` wins). */
  env?: Record<string, string>;
  /** A prefix for the namespace, to tell test clusters apart in NATS and Redis. */
  name?: string;
}

export interface Observation {
  event: string;
  payload: any;
  at: number;
}

export class TestCluster {
  readonly namespace: string;
  readonly nats: string;
  readonly redis: string | null;
  readonly logDir: string;
  readonly nodes: ClusterNode[] = [];
  /** Domain events the observer heard, in order (`observe()` first). */
  readonly seen: Observation[] = [];
  private observerBroker?: ServiceBroker;

  constructor(readonly options: ClusterOptions) {
    this.namespace = `${options.name ?? "cluster"}-${randomBytes(4).toString("hex")}`;
    this.nats = options.nats ?? TEST_NATS_URL;
    this.redis = options.redis === undefined ? TEST_REDIS_URL : options.redis;
    this.logDir = join(os.tmpdir(), "brigade-cluster-tests", this.namespace);
    mkdirSync(this.logDir, { recursive: true });
  }

  nodeEnv(spec: NodeSpec): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !BRIGADE_VARIABLES.includes(k)) env[k] = v;
    return {
      ...env,
      NODE_ENV: "test",
      SERVICEDIR: "services",
      SERVICES: spec.services.join(","),
      TRANSPORTER: this.nats,
      NAMESPACE: this.namespace,
      ...(this.redis ? { CACHER: this.redis } : {}),
      MONGO_URI: this.options.mongoUri,
      BRIGADE_JWT_SECRET: CLUSTER_JWT_SECRET,
      BRIGADE_ADMIN_PASSWORD: CLUSTER_ADMIN_PASSWORD,
      BRIGADE_SEED: "false",
      PORT: "0",
      LOG_LEVEL: "info",
      LOG_FORMAT: "text",
      RATE_LIMIT_REQUESTS: "1000000",
      BRIGADE_RECONCILE_MS: "1000",
      KITCHEN_POLL_MS: "200",
      ...this.options.env,
      ...spec.env,
    };
  }

  /** Starts one node and waits until its broker has started (and, for a gateway, until it listens). */
  async startNode(spec: NodeSpec): Promise<ClusterNode> {
    const child = spawn(process.execPath, RUNNER_ARGS, {
      cwd: root,
      env: this.nodeEnv(spec),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const node = new ClusterNode(spec, child, join(this.logDir, `${spec.name}.log`));
    this.nodes.push(node);
    const started = await node.waitForLine(/Brigade node (\S+) started/, `node ${spec.name} to start`, 60_000);
    node.nodeID = started[1];
    if (spec.services.includes("api")) {
      const listening = await node.waitForLine(
        /Brigade gateway listening on (http:\/\/127\.0\.0\.1:\d+)/,
        `the gateway of ${spec.name} to listen`,
        10_000,
      );
      node.url = listening[1];
    }
    return node;
  }

  startNodes(specs: NodeSpec[]): Promise<ClusterNode[]> {
    return Promise.all(specs.map((spec) => this.startNode(spec)));
  }

  node(name: string): ClusterNode {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`No node named ${name} in this cluster.`);
    return node;
  }

  /**
   * An in-process broker built from moleculer.config.ts (the project's own fault-tolerance
   * settings), joined to this cluster, running only a watcher that records the domain events.
   */
  async observer(): Promise<ServiceBroker> {
    if (this.observerBroker) return this.observerBroker;
    const broker = this.joinBroker("observer");
    const seen = this.seen;
    const watched = [
      "order.placed",
      "order.accepted",
      "order.cooking",
      "order.ready",
      "ticket.started",
      "ticket.done",
      "order.cancelled",
    ];
    const watcher: ServiceSchema = {
      name: "cluster-watch",
      events: Object.fromEntries(
        watched.map((event) => [
          event,
          { handler: (ctx: { params: unknown }) => void seen.push({ event, payload: ctx.params, at: Date.now() }) },
        ]),
      ),
    };
    broker.createService(watcher);
    await broker.start();
    this.observerBroker = broker;
    return broker;
  }

  /** A broker of this cluster, from the project's config; `overrides` change options (a caller with a short timeout). */
  joinBroker(role: string, overrides: Partial<ConstructorParameters<typeof ServiceBroker>[0]> = {}): ServiceBroker {
    return new ServiceBroker({
      ...config,
      nodeID: `${role}-${process.pid}-${randomBytes(3).toString("hex")}`,
      namespace: this.namespace,
      transporter: this.nats as "NATS",
      cacher: undefined,
      metrics: { enabled: false },
      tracing: { enabled: false },
      // Quiet: it sees nodes come and go on purpose.
      logger: { type: "Console", options: { level: "error", formatter: "short" } },
      started: undefined,
      ...overrides,
    });
  }

  /** Events of one kind the observer heard. */
  heard(event: string): Observation[] {
    return this.seen.filter((o) => o.event === event);
  }

  /**
   * Waits until the observer sees each node of `names` with its services, and each of them sees
   * the others and the observer (or it would not send the observer the events it emits).
   */
  async waitForDiscovery(names: string[], timeoutMs = 20_000): Promise<void> {
    const broker = await this.observer();
    await eventually(
      async () => {
        for (const name of names) {
          const node = this.node(name);
          const info = broker.registry.nodes.get(node.nodeID);
          if (
            !info?.available ||
            !node.spec.services.every((svc) => svc.includes("/") || info.services.some((s) => s.name === svc))
          )
            return false;
          const known = await broker.call<{ id: string; available: boolean }[], object>(
            "$node.list",
            {},
            { nodeID: node.nodeID },
          );
          const wanted = [broker.nodeID, ...names.map((n) => this.node(n).nodeID)];
          if (!wanted.every((id) => known.some((n) => n.id === id && n.available))) return false;
        }
        return true;
      },
      `${names.join(", ")} and the observer to discover each other`,
      timeoutMs,
      100,
    );
  }

  /** Kills every node at once (a test's end), stops the observer, removes the namespace's streams. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop("SIGKILL")));
    await this.observerBroker?.stop();
    const { host, port } = hostPort(this.nats);
    const nc = await connectNats({ servers: `${host}:${port}`, timeout: 3000, maxReconnectAttempts: 0 }).catch(
      () => null,
    );
    if (nc) {
      await deleteOrderStreams(await nc.jetstreamManager(), orderStreamNames(this.namespace)).catch(() => undefined);
      await nc.close();
    }
  }
}

/** Two gateway nodes and one node of `back` services, discovered by each other and the observer. */
export async function twoGatewaysAndBack(cluster: TestCluster, back: string[]): Promise<ClusterNode[]> {
  const nodes = await cluster.startNodes([
    { name: "gateway-1", services: ["api"] },
    { name: "gateway-2", services: ["api"] },
    { name: "back", services: back },
  ]);
  await cluster.waitForDiscovery(["gateway-1", "gateway-2", "back"]);
  return nodes.slice(0, 2);
}

/** A cluster on the test NATS and Redis, after checking both answer. */
export async function startCluster(options: ClusterOptions): Promise<TestCluster> {
  const cluster = new TestCluster(options);
  await requireNats(cluster.nats);
  if (cluster.redis) await requireRedis(cluster.redis);
  return cluster;
}

/* ------------------------------------------------------------------ HTTP */

export interface HttpAnswer<T = any> {
  status: number;
  body: T;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * One HTTP request on a connection of its own (`Connection: close`), so a test sees exactly what
 * happened to it: an answer, or the error of its socket (ECONNREFUSED: it never reached a server).
 */
export function httpRequest<T = any>(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpAnswer<T>> {
  const url = new URL(path, base);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { connection: "close", ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (payload !== undefined) {
    headers["content-type"] = "application/json";
    headers["content-length"] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolveAnswer, reject) => {
    const req = http.request(url, { method, headers, agent: false, timeout: options.timeoutMs ?? 15_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          /* not JSON: keep the text */
        }
        resolveAnswer({ status: res.statusCode ?? 0, body: body as T, headers: res.headers, text });
      });
    });
    req.on("timeout", () =>
      req.destroy(
        Object.assign(new Error(`${method} ${path} got no answer within ${options.timeoutMs ?? 15_000} ms`), {
          code: "TIMEOUT",
        }),
      ),
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** What the API tests of test/support/meal.ts need from a Brigade, for a gateway of a cluster. */
export interface GatewayClient extends Pick<Brigade, "url" | "request" | "login" | "tokenFor" | "adminToken"> {}

export async function gatewayClient(url: string, adminPassword = CLUSTER_ADMIN_PASSWORD): Promise<GatewayClient> {
  const request: Brigade["request"] = async (method, path, opts = {}) => {
    const answer = await httpRequest(url, method, path, { token: opts.token, body: opts.body, headers: opts.headers });
    const headers = new Headers(answer.headers as Record<string, string>);
    return { status: answer.status, body: answer.body, headers, text: answer.text };
  };
  const login = async (username: string, password: string) => {
    const res = await request("POST", "/api/auth/login", { body: { username, password } });
    if (res.status !== 200)
      throw new Error(`login ${username} on ${url} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token as string;
  };
  // The staff service creates the admin when it starts on an empty collection: wait for it.
  const adminToken = await eventually(
    () => login("admin", adminPassword).catch(() => null),
    `the admin to log in on ${url}`,
    20_000,
    200,
  );
  const tokenFor = async (role: string, username = `${role}${randomBytes(3).toString("hex")}`) => {
    const password = `pw-${username}-secret`;
    const res = await request("POST", "/api/staff", {
      token: adminToken,
      body: { username, name: `Test ${role}`, role, password },
    });
    if (res.status !== 201) throw new Error(`creating ${role} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return login(username, password);
  };
  return { url, request, login, tokenFor, adminToken };
}

/** The client as the Brigade that test/support/meal.ts's helpers take (they use only these members). */
export function asBrigade(client: GatewayClient): Brigade {
  return client as unknown as Brigade;
}

/* ------------------------------------------------------------------ servers of a test's own */

function serverLogDir(dir = join(os.tmpdir(), "brigade-cluster-tests", "servers")): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

export class NatsServer extends Watched {
  constructor(
    child: ChildProcess,
    logFile: string,
    readonly port: number,
    readonly storeDir: string,
  ) {
    super(child, logFile);
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }
}

/**
 * A nats-server of the test's own (/usr/sbin/nats-server, JetStream on, storing in `storeDir`),
 * for a test that stops and restarts NATS without touching the shared one.
 */
export async function startNatsServer(
  options: { port?: number; storeDir?: string; logDir?: string } = {},
): Promise<NatsServer> {
  const port = options.port ?? (await freePort());
  const storeDir = options.storeDir ?? mkdtempSync(join(os.tmpdir(), "brigade-nats-"));
  const bin = process.env.BRIGADE_TEST_NATS_SERVER ?? "/usr/sbin/nats-server";
  const child = spawn(bin, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", storeDir], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const server = new NatsServer(child, join(serverLogDir(options.logDir), `nats-${port}.log`), port, storeDir);
  await server.waitForLine(/Server is ready/, `nats-server (${bin}) on port ${port}`, 15_000);
  return server;
}

export class RedisServer extends Watched {
  constructor(
    child: ChildProcess,
    logFile: string,
    readonly port: number,
  ) {
    super(child, logFile);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
}

/** A redis-server of the test's own, in memory only, for a test that stops Redis. */
export async function startRedisServer(options: { port?: number; logDir?: string } = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const bin = process.env.BRIGADE_TEST_REDIS_SERVER ?? "redis-server";
  const child = spawn(bin, ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const server = new RedisServer(child, join(serverLogDir(options.logDir), `redis-${port}.log`), port);
  await server.waitForLine(/Ready to accept connections/, `redis-server (${bin}) on port ${port}`, 15_000);
  return server;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
