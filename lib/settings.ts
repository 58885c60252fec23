/**
 * Every environment variable Brigade reads, parsed in one place.
 *
 * Defaults make the embedded mode (`npm start`, one process, no external server) work with
 * nothing set. Parsing is strict: a variable that is set but malformed stops the node with a
 * message naming the variable, instead of silently falling back to a default.
 */
import { isIP } from "node:net";

export interface Settings {
  nodeEnv: string;
  port: number;
  /** The address the gateway listens on: loopback unless HOST opens it (the image sets 0.0.0.0). */
  host: string;
  nodeID?: string;
  namespace: string;
  transporter?: string;
  cacher: string;
  mongoUri?: string;
  /** Folder of the NeDB files; `":memory:"` keeps every collection in memory (tests). */
  dataDir: string;
  logLevel: string;
  logFormat: "json" | "text";
  /** Request IDs in log lines: "auto" where the runtime's async context is cheap (middlewares/request-context). */
  logRequestIds: "auto" | "on" | "off";
  adminPassword?: string;
  jwtSecret?: string;
  tokenTtlSeconds: number;
  seed: boolean;
  kitchenChefs: number;
  /** KITCHEN_LOCATIONS: the locations a kitchen node cooks for; undefined = every location. */
  kitchenLocations?: string[];
  kitchenTimeScale: number;
  kitchenPollMs: number;
  reconcileMs: number;
  metricsPort?: number;
  healthPort?: number;
  tracing?: "console" | "jaeger" | "zipkin";
  tracingEndpoint?: string;
  bodyLimit: string;
  corsOrigins: string[];
  rateLimit: { windowSeconds: number; requests: number; loginAttempts: number };
  /** How many proxies in front of the gateway append to X-Forwarded-For (0: trust none, use the socket's address). */
  trustProxy: number;
  requestTimeoutMs: number;
  /** The services this node runs (`SERVICES`; Moleculer's runner reads the same variable to load them). */
  services: string[];
  /** Tests only: where the process kills itself (BRIGADE_FAULT), to prove what a crash leaves recoverable. */
  fault?: Fault;
}

/** `after-first-stock-write`: the process dies right after a stock movement's first write (`:<movement>` for one kind). */
export interface Fault {
  point: "after-first-stock-write";
  movement?: "reserve" | "release" | "consume" | "receive";
}

const FAULT = /^after-first-stock-write(?::(reserve|release|consume|receive))?$/;

function fault(env: Env): Fault | undefined {
  const raw = text(env, "BRIGADE_FAULT");
  if (raw === undefined) return undefined;
  const match = FAULT.exec(raw);
  if (!match)
    throw new SettingsError("BRIGADE_FAULT", raw, "after-first-stock-write[:reserve|release|consume|receive]");
  return { point: "after-first-stock-write", movement: match[1] as Fault["movement"] };
}

export class SettingsError extends Error {
  constructor(variable: string, value: string, expected: string) {
    super(`${variable}=${JSON.stringify(value)} is not valid: expected ${expected}. Fix or unset it.`);
    this.name = "SettingsError";
  }
}

type Env = Record<string, string | undefined>;

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SettingsError(name, raw, `an integer from ${min} to ${max}`);
  }
  return value;
}

function positive(env: Env, name: string, fallback: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new SettingsError(name, raw, "a number above 0");
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (["1", "true", "yes", "on"].includes(raw)) return true;
  if (["0", "false", "no", "off"].includes(raw)) return false;
  throw new SettingsError(name, raw, "true or false");
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[]): T | undefined {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined || raw === "none" || raw === "off") return undefined;
  if (!(allowed as readonly string[]).includes(raw)) throw new SettingsError(name, raw, allowed.join(", "));
  return raw as T;
}

/** A comma list of location ids (KITCHEN_LOCATIONS); unset, empty or `all`: every location. */
function locationList(env: Env, name: string): string[] | undefined {
  const raw = text(env, name);
  if (raw === undefined || raw.toLowerCase() === "all") return undefined;
  const ids = [
    ...new Set(
      raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  const bad = ids.find((id) => !/^[a-z][a-z0-9-]{1,31}$/.test(id));
  if (bad !== undefined || ids.length === 0)
    throw new SettingsError(name, raw, "a comma list of location ids (such as 'main,east'), or 'all'");
  return ids;
}

/** An IPv4 or IPv6 address, or a host name: what `server.listen` binds. */
function host(env: Env, name: string, fallback: string): string {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (isIP(raw) === 0 && !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(raw))
    throw new SettingsError(name, raw, "an IP address (0.0.0.0 for every interface) or a host name");
  return raw;
}

function url(env: Env, name: string, schemes: string[]): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  const scheme = raw.split("://")[0];
  if (!raw.includes("://") || !schemes.includes(scheme)) {
    throw new SettingsError(name, raw, `a URL starting with ${schemes.map((s) => `${s}://`).join(" or ")}`);
  }
  return raw;
}

export function loadSettings(env: Env = process.env): Settings {
  const nodeEnv = text(env, "NODE_ENV") ?? "development";
  const cacherRaw = text(env, "CACHER") ?? "Memory";
  if (cacherRaw !== "Memory" && !/^redis:\/\/[^/?#]+(\/\d{1,2})?\/?$/.test(cacherRaw)) {
    throw new SettingsError("CACHER", cacherRaw, "Memory or a redis://[user:password@]host[:port][/db] URL");
  }
  return {
    nodeEnv,
    port: int(env, "PORT", 3000, 0, 65535),
    host: host(env, "HOST", "127.0.0.1"),
    nodeID: text(env, "NODE_ID"),
    namespace: text(env, "NAMESPACE") ?? "",
    transporter: url(env, "TRANSPORTER", ["nats"]),
    cacher: cacherRaw,
    mongoUri: url(env, "MONGO_URI", ["mongodb", "mongodb+srv"]),
    dataDir: text(env, "DATA_DIR") ?? (nodeEnv === "test" ? ":memory:" : "./data"),
    logLevel: oneOf(env, "LOG_LEVEL", ["fatal", "error", "warn", "info", "debug", "trace"] as const) ?? "info",
    logFormat: oneOf(env, "LOG_FORMAT", ["json", "text"] as const) ?? (nodeEnv === "production" ? "json" : "text"),
    logRequestIds: oneOf(env, "LOG_REQUEST_IDS", ["auto", "on", "off"] as const) ?? "auto",
    adminPassword: text(env, "BRIGADE_ADMIN_PASSWORD"),
    jwtSecret: text(env, "BRIGADE_JWT_SECRET"),
    tokenTtlSeconds: int(env, "BRIGADE_TOKEN_TTL", 12 * 3600, 10, 30 * 24 * 3600),
    seed: bool(env, "BRIGADE_SEED", true),
    kitchenChefs: int(env, "KITCHEN_CHEFS", 4, 1, 256),
    kitchenTimeScale: positive(env, "KITCHEN_TIME_SCALE", 1),
    kitchenLocations: locationList(env, "KITCHEN_LOCATIONS"),
    kitchenPollMs: int(env, "KITCHEN_POLL_MS", 500, 10, 60_000),
    reconcileMs: int(env, "BRIGADE_RECONCILE_MS", 5_000, 50, 3_600_000),
    metricsPort: text(env, "METRICS_PORT") === undefined ? undefined : int(env, "METRICS_PORT", 0, 0, 65535),
    healthPort: text(env, "HEALTH_PORT") === undefined ? undefined : int(env, "HEALTH_PORT", 0, 0, 65535),
    tracing: oneOf(env, "TRACING", ["console", "jaeger", "zipkin"] as const),
    tracingEndpoint: text(env, "TRACING_ENDPOINT"),
    bodyLimit: text(env, "BODY_LIMIT") ?? "64kb",
    corsOrigins: (text(env, "CORS_ORIGINS") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    rateLimit: {
      windowSeconds: int(env, "RATE_LIMIT_WINDOW", 60, 1, 3600),
      requests: int(env, "RATE_LIMIT_REQUESTS", 1200, 1, 1_000_000),
      loginAttempts: int(env, "RATE_LIMIT_LOGIN", 10, 1, 10_000),
    },
    // `true` means one proxy; a number counts the hops (a CDN in front of a load balancer is 2).
    trustProxy:
      text(env, "TRUST_PROXY")?.toLowerCase() === "true"
        ? 1
        : text(env, "TRUST_PROXY")?.toLowerCase() === "false"
          ? 0
          : int(env, "TRUST_PROXY", 0, 0, 10),
    requestTimeoutMs: int(env, "REQUEST_TIMEOUT_MS", 10_000, 100, 600_000),
    services: (text(env, "SERVICES") ?? ALL_SERVICES.join(","))
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    fault: fault(env),
  };
}

/** Every Brigade service; `SERVICES` picks a subset. */
export const ALL_SERVICES = ["api", "staff", "menu", "inventory", "orders", "kitchen", "billing"] as const;

/**
 * ioredis takes a URL only as its own first argument, and Moleculer hands it one options object,
 * where a `url` key is ignored (and ioredis quietly connects to localhost:6379): spell it out.
 */
export function redisAddress(url: string): {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
} {
  const u = new URL(url);
  return {
    // An IPv6 host comes bracketed ("[::1]"), which a socket would look up as a name.
    host: u.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: Number(u.pathname.slice(1) || 0),
  };
}
