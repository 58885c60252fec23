/**
 * The broker's configuration, for every node, from the environment alone (lib/settings.ts).
 * With nothing set this is the embedded mode: one process, no transporter, memory cacher.
 */
import os from "node:os";
import type { BrokerOptions } from "moleculer";
import { isServerFault } from "./lib/errors";
import { loadSettings } from "./lib/settings";
import { cacherOptions, metricsOptions, tracingOptions } from "./lib/broker-options";
import { brigadeInternalMiddlewares, HotReloadWhenAsked } from "./middlewares/internal-order";
import { RequestContextMiddleware, pinoRequestMixin, textLogLine } from "./middlewares/request-context.middleware";
import { BrigadeMetricsMiddleware } from "./middlewares/brigade-metrics.middleware";
import { SharedCacheAtCallerMiddleware } from "./middlewares/shared-cache-at-caller.middleware";
import { HealthServerMiddleware } from "./middlewares/health-server.middleware";
import { replCommands } from "./services/operator/repl-commands";
import "./lib/param-validator";

const settings = loadSettings();

function logger(): BrokerOptions["logger"] {
  // Moleculer binds nodeID, ns, mod (and svc) to each module's logger; the request ID of the
  // call being handled comes from middlewares/request-context.middleware.ts.
  if (settings.logFormat === "json") {
    return {
      type: "Pino",
      options: {
        level: settings.logLevel,
        pino: { options: { base: { service: "brigade" }, mixin: pinoRequestMixin } },
      },
    };
  }
  return {
    type: "Console",
    options: { level: settings.logLevel, colors: process.stdout.isTTY, formatter: textLogLine, moduleColors: false },
  };
}

const config: BrokerOptions = {
  namespace: settings.namespace,
  // Moleculer's default (hostname-pid) is unique per process on a host and per container.
  nodeID: settings.nodeID ?? `${os.hostname().toLowerCase()}-${process.pid}`,
  // A nats:// URL; Moleculer picks the NATS transporter (nats 2.x client) from the scheme.
  transporter: (settings.transporter ?? null) as BrokerOptions["transporter"],
  serializer: "JSON",
  cacher: cacherOptions(settings),
  logger: logger(),

  // Every call has a deadline; the slowest action (an order placement: menu, stock, store)
  // takes tens of milliseconds, so 10 s only ever trips on a hung node.
  requestTimeout: settings.requestTimeoutMs,

  // Retries happen once per hop to another node (RetryAtTheHop) and only when repeating the call
  // is safe (safeToRetry): a timed-out read or idempotent action. Domain errors never. (No live
  // node at all fails at once, before any retry: a fast 503.)
  retryPolicy: {
    enabled: true,
    retries: 2,
    delay: 100,
    maxDelay: 1000,
    factor: 2,
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
    // On SIGTERM a node first tells its peers it offers nothing (they stop calling it at once)
    // and reports not ready on /health/ready, then keeps serving this long before it stops: the
    // time a load balancer polling readiness needs to take a gateway out. Its HTTP server closes
    // only after that, so no request is sent to a listener that is going away. (Embedded, no
    // peer routes here: 100 ms.)
    stopDelay: settings.transporter ? 2_000 : 100,
  },

  // Graceful shutdown: wait for in-flight requests (up to 10 s) before stopping services.
  tracking: { enabled: true, shutdownTimeout: 10_000 },

  // fastest-validator, safe against deep nesting and without echoing values (lib/param-validator.ts).
  validator: "Brigade" as never,
  metrics: metricsOptions(settings),
  tracing: tracingOptions(settings),

  // Factories, so every broker (several per test process) gets its own state. Moleculer's
  // internal middlewares come after ours (listed here, reordered: brigadeInternalMiddlewares),
  // so ours wrap the handlers innermost: the request scope covers exactly a handler's own work,
  // wherever the call came from. The one exception comes last, outermost: a shared-cache hit at
  // the caller answers before a call would leave the node (no timeout, breaker or retry to run).
  internalMiddlewares: false,
  middlewares: [
    RequestContextMiddleware,
    BrigadeMetricsMiddleware,
    HealthServerMiddleware,
    ...brigadeInternalMiddlewares(),
    HotReloadWhenAsked,
    SharedCacheAtCallerMiddleware,
  ] as unknown as BrokerOptions["middlewares"],

  // Brigade's operator commands in `npm run repl` (and `npm run dev`), beside moleculer-repl's.
  replOptions: { delimiter: "brigade $", customCommands: replCommands() },

  // How fast a node that dies without a word (kill -9, a lost machine) is seen gone, and so how
  // fast a kitchen adopts its tickets: the registry checks every heartbeatTimeout for nodes
  // silent longer than that, so 10–20 s here (Moleculer's 5/15 makes it 15–35 s). A node that
  // stops cleanly says goodbye and is gone at once. Seeing a slow node gone too early is safe:
  // every takeover is a conditional update.
  heartbeatInterval: 3,
  heartbeatTimeout: 10,

  started(broker) {
    const wanted = settings.services.join(",");
    broker.logger.info(
      `Brigade node ${broker.nodeID} started (services: ${wanted}; transporter: ${settings.transporter ?? "none, embedded"}).`,
    );
  },
};

export default config;
