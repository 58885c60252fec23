/**
 * The broker's configuration, for every node, from the environment alone (lib/settings.ts).
 * With nothing set this is the embedded mode: one process, no transporter, memory cacher.
 */
import os from "node:os";
import type { BrokerOptions, Errors } from "moleculer";
import { loadSettings } from "./lib/settings";
import { ALL_SERVICES } from "./lib/settings";
import { RequestContextMiddleware, pinoRequestMixin, textLogLine } from "./middlewares/request-context.middleware";
import { BrigadeMetricsMiddleware } from "./middlewares/brigade-metrics.middleware";
import { HealthServerMiddleware } from "./middlewares/health-server.middleware";
import { replCommands } from "./services/operator/repl-commands";
import "./lib/zipkin-exporter";

const settings = loadSettings();

/** Only faults of the callee count against it; a 4xx says nothing about a node's health. */
function isServerFault(err: Errors.MoleculerError | Error | undefined): boolean {
  const code = (err as { code?: number } | undefined)?.code;
  return !code || code >= 500;
}

function cacher(): BrokerOptions["cacher"] {
  if (settings.cacher === "Memory") return { type: "Memory", options: { ttl: 60, clone: true } };
  return {
    type: "Redis",
    options: {
      ttl: 60,
      prefix: `brigade${settings.namespace ? `-${settings.namespace}` : ""}`,
      // A Redis outage must not stall requests: fail cache reads at once instead of queueing
      // them, and let ioredis keep reconnecting in the background.
      redis: { url: settings.cacher, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 },
    },
  };
}

function logger(): BrokerOptions["logger"] {
  // Moleculer binds nodeID, ns, mod (and svc) to each module's logger; the request ID of the
  // call being handled comes from middlewares/request-context.middleware.ts.
  if (settings.logFormat === "json") {
    return { type: "Pino", options: { level: settings.logLevel, pino: { options: { base: { service: "brigade" }, mixin: pinoRequestMixin } } } };
  }
  return { type: "Console", options: { level: settings.logLevel, colors: process.stdout.isTTY, formatter: textLogLine, moduleColors: false } };
}

function metrics(): BrokerOptions["metrics"] {
  if (settings.metricsPort === undefined) return { enabled: false };
  return {
    enabled: true,
    reporter: [{ type: "Prometheus", options: { port: settings.metricsPort, path: "/metrics", defaultLabels: (registry: { broker: { namespace: string; nodeID: string } }) => ({ namespace: registry.broker.namespace, nodeID: registry.broker.nodeID }) } }],
  };
}

function tracing(): BrokerOptions["tracing"] {
  if (!settings.tracing) return { enabled: false };
  // Jaeger takes Zipkin's format on its collector's port 9411, so both go through one exporter
  // (lib/zipkin-exporter.ts); TRACING_ENDPOINT is that collector's base URL.
  const exporter =
    settings.tracing === "console"
      ? ({ type: "Console" } as const)
      : ({ type: "BrigadeZipkin", options: { baseURL: settings.tracingEndpoint ?? "http://127.0.0.1:9411", interval: 2 } } as unknown as { type: "Zipkin" });
  return { enabled: true, exporter: [exporter], events: true };
}

const config: BrokerOptions = {
  namespace: settings.namespace,
  // Moleculer's default (hostname-pid) is unique per process on a host and per container.
  nodeID: settings.nodeID ?? `${os.hostname().toLowerCase()}-${process.pid}`,
  // A nats:// URL; Moleculer picks the NATS transporter (nats 2.x client) from the scheme.
  transporter: (settings.transporter ?? null) as BrokerOptions["transporter"],
  serializer: "JSON",
  cacher: cacher(),
  logger: logger(),

  // Every call has a deadline; the slowest action (an order placement: menu, stock, store)
  // takes tens of milliseconds, so 10 s only ever trips on a hung node.
  requestTimeout: settings.requestTimeoutMs,

  // Retries happen here and nowhere else, and only for errors Moleculer marks retryable
  // (node gone, request timeout, service not available). Domain errors are never retried.
  retryPolicy: {
    enabled: true,
    retries: 2,
    delay: 100,
    maxDelay: 1000,
    factor: 2,
    check: (err: Error) => !!(err as { retryable?: boolean }).retryable,
  },

  // Concurrent handler executions per action and node. 50 keeps a 2-core node responsive; the
  // queue absorbs a dinner-rush burst; past it a caller gets a fast 429-like QueueIsFull.
  bulkhead: { enabled: true, concurrency: 50, maxQueueSize: 1000 },

  // Trips an endpoint (node + action) when half of at least 20 calls in 60 s fail with a
  // server fault; the balancer then routes around it, and after 10 s one call probes it.
  circuitBreaker: {
    enabled: true,
    threshold: 0.5,
    minRequestCount: 20,
    windowTime: 60,
    halfOpenTime: 10_000,
    check: isServerFault,
  },

  registry: {
    // Spread calls over nodes, but keep a call in-process when this node runs the service.
    strategy: "RoundRobin",
    preferLocal: true,
    // Stay registered briefly after SIGTERM so peers stop routing here before we go.
    stopDelay: 100,
  },

  // Graceful shutdown: wait for in-flight requests (up to 10 s) before stopping services.
  tracking: { enabled: true, shutdownTimeout: 10_000 },

  validator: true,
  metrics: metrics(),
  tracing: tracing(),

  // Factories, so every broker (several per test process) gets its own state. Moleculer adds its
  // internal middlewares after these, so ours wrap the handlers innermost: the request scope
  // covers exactly a handler's own work, wherever the call came from.
  middlewares: [RequestContextMiddleware, BrigadeMetricsMiddleware, HealthServerMiddleware] as unknown as BrokerOptions["middlewares"],

  // Brigade's operator commands in `npm run repl` (and `npm run dev`), beside moleculer-repl's.
  replOptions: { delimiter: "brigade $", customCommands: replCommands() },

  heartbeatInterval: 5,
  heartbeatTimeout: 15,

  started(broker) {
    const wanted = process.env.SERVICES ?? ALL_SERVICES.join(",");
    broker.logger.info(`Brigade node ${broker.nodeID} started (services: ${wanted}; transporter: ${settings.transporter ?? "none, embedded"}).`);
  },
};

export default config;
