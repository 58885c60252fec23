/**
 * The broker's cacher, metrics and tracing options, built from the settings: moleculer.config.ts
 * stays a list of choices, and each of these parts can be read (and tested) on its own.
 */
import type { BrokerOptions } from "moleculer";
import { freezeAnswer } from "./frozen-answer";
import { actionSpanTags, secretFreeKeygen } from "./secret-params";
import { redisAddress, type Settings } from "./settings";
import "./zipkin-exporter";
import "./fail-open-redis-cacher";

/** The memory cacher embedded; in a cluster, Redis, where a failing Redis is a cache miss. */
export function cacherOptions(settings: Settings): BrokerOptions["cacher"] {
  // Cached answers are shared, read-only values (lib/frozen-answer.ts): frozen once when stored
  // instead of deep-copied on every hit (a fifth of a cached menu read's CPU, measured in bench/),
  // and serialized once for the gateway. Keys hash secret params (a token): lib/secret-params.ts.
  if (settings.cacher === "Memory")
    return { type: "Memory", options: { ttl: 60, clone: freezeAnswer, keygen: secretFreeKeygen as never } };
  return {
    // Moleculer's Redis cacher, where a failing Redis is a cache miss (lib/fail-open-redis-cacher.ts).
    type: "FailOpenRedis" as "Redis",
    options: {
      ttl: 60,
      prefix: `brigade${settings.namespace ? `-${settings.namespace}` : ""}`,
      keygen: secretFreeKeygen as never,
      // A Redis outage must not stall requests: fail cache reads at once instead of queueing
      // them, give up on a Redis that does not answer (frozen, cut off) after commandTimeout, and
      // let ioredis keep reconnecting in the background.
      redis: {
        ...redisAddress(settings.cacher),
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        connectTimeout: 2000,
        commandTimeout: 500,
      },
    },
  };
}

/** Prometheus on METRICS_PORT, every series labelled with its namespace and node. */
export function metricsOptions(settings: Settings): BrokerOptions["metrics"] {
  if (settings.metricsPort === undefined) return { enabled: false };
  return {
    enabled: true,
    reporter: [
      {
        type: "Prometheus",
        options: {
          port: settings.metricsPort,
          path: "/metrics",
          defaultLabels: (registry: { broker: { namespace: string; nodeID: string } }) => ({
            namespace: registry.broker.namespace,
            nodeID: registry.broker.nodeID,
          }),
        },
      },
    ],
  };
}

/** Traces to the console, or to Zipkin (or Jaeger's Zipkin-compatible collector). */
export function tracingOptions(settings: Settings): BrokerOptions["tracing"] {
  if (!settings.tracing) return { enabled: false };
  // Jaeger takes Zipkin's format on its collector's port 9411, so both go through one exporter
  // (lib/zipkin-exporter.ts); TRACING_ENDPOINT is that collector's base URL.
  const exporter =
    settings.tracing === "console"
      ? ({ type: "Console" } as const)
      : ({
          type: "BrigadeZipkin",
          options: { baseURL: settings.tracingEndpoint ?? "http://127.0.0.1:9411", interval: 2 },
        } as unknown as { type: "Zipkin" });
  // Spans carry their action's params, but never a token or a password (lib/secret-params.ts).
  return { enabled: true, exporter: [exporter], events: true, tags: { action: actionSpanTags as never } };
}
