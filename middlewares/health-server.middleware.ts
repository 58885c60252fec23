/**
 * /health/live and /health/ready on HEALTH_PORT, for every node, gateway or not, so that an
 * orchestrator probes a kitchen node the way it probes the gateway. The answers are the
 * gateway's (services/api/health.ts).
 *
 * The server listens from the broker's `starting` hook, before the transporter connects: a node
 * that cannot reach NATS is alive (no restart loop) but not ready (no traffic), and says which
 * check failed.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Middleware, ServiceBroker } from "moleculer";
import { loadSettings } from "../lib/settings";
import { liveness, readiness, type HealthBroker } from "../services/api/health";

export interface HealthServerOptions {
  /** 0 picks a free port (tests); undefined keeps the server off. Default: HEALTH_PORT. */
  port?: number;
  host?: string;
}

const servers = new WeakMap<ServiceBroker, http.Server>();

/** Where this broker's health server listens, once it does. */
export function healthAddress(broker: ServiceBroker): AddressInfo | undefined {
  const address = servers.get(broker)?.address();
  return address && typeof address === "object" ? address : undefined;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
  res.end(JSON.stringify(body));
}

export function HealthServerMiddleware(broker: ServiceBroker, options: HealthServerOptions = {}): Middleware {
  const port = "port" in options ? options.port : loadSettings().healthPort;
  const host = options.host ?? "0.0.0.0";
  const logger = broker.getLogger("health");

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      return sendJson(res, 405, {
        name: "MethodNotAllowed",
        message: "Health probes are GET requests.",
        code: 405,
        type: "METHOD_NOT_ALLOWED",
        data: {},
      });
    }
    if (path === "/health/live") return sendJson(res, 200, liveness(broker));
    if (path === "/health/ready") {
      return void readiness(broker as unknown as HealthBroker).then(
        (report) => sendJson(res, report.ready ? 200 : 503, report),
        (err) => sendJson(res, 503, { ready: false, node: broker.nodeID, error: (err as Error).message }),
      );
    }
    sendJson(res, 404, {
      name: "NotFoundError",
      message: "Not found: the health port serves /health/live and /health/ready.",
      code: 404,
      type: "NOT_FOUND",
      data: {},
    });
  };

  return {
    name: "HealthServer",
    async starting() {
      if (port === undefined) return;
      const server = http.createServer(handle);
      // Probes come every few seconds from one prober; never let a keep-alive socket hold a stop.
      server.keepAliveTimeout = 1000;
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve();
        });
      });
      servers.set(broker, server);
      logger.info(`Health probes on http://${host}:${healthAddress(broker)!.port}/health/ready (and /health/live).`);
    },
    async stopped() {
      const server = servers.get(broker);
      if (!server) return;
      servers.delete(broker);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
