/**
 * References C and E: bare Moleculer with a moleculer-web gateway, and one trivial action per
 * endpoint that returns the body Brigade answered (parsed once at start). No cacher, no
 * validation, no middlewares, no auth: the stack's own ceiling.
 *
 *   ROLE=all      gateway and actions in one process (reference C)
 *   ROLE=gateway  the gateway only; ROLE=action the actions only — over TRANSPORTER (reference E)
 *
 *   BENCH_EXCHANGES=<json file of Exchange[]> PORT=… [TRANSPORTER=nats://… NAMESPACE=…] node --import tsx bench/references/moleculer-gateway.ts
 */
import { readFileSync } from "node:fs";
import { ServiceBroker, type BrokerOptions, type Context } from "moleculer";
import ApiGateway from "moleculer-web";
import type { Exchange } from "./exchange";

const role = process.env.ROLE ?? "all";
const exchanges = JSON.parse(readFileSync(process.env.BENCH_EXCHANGES ?? "", "utf8")) as Exchange[];
const actionName = (exchange: Exchange) =>
  `ref${exchange.method === "GET" ? "Read" : "Write"}${exchange.path.replace(/[^a-z]/gi, "")}`;

const broker = new ServiceBroker({
  namespace: process.env.NAMESPACE ?? "",
  nodeID: `ref-${role}-${process.pid}`,
  transporter: (process.env.TRANSPORTER ?? null) as BrokerOptions["transporter"],
  logger: { type: "Console", options: { level: "warn" } },
});

if (role === "all" || role === "action") {
  broker.createService({
    name: "ref",
    actions: Object.fromEntries(
      exchanges.map((exchange) => {
        const body = JSON.parse(exchange.body) as unknown;
        return [
          actionName(exchange),
          (ctx: Context<unknown, { $statusCode?: number }>) => {
            ctx.meta.$statusCode = exchange.status;
            return body;
          },
        ];
      }),
    ),
  });
}

if (role === "all" || role === "gateway") {
  broker.createService({
    name: "api",
    mixins: [ApiGateway],
    settings: {
      port: Number(process.env.PORT ?? 0),
      ip: "127.0.0.1",
      routes: [
        {
          path: "/",
          mappingPolicy: "restrict",
          bodyParsers: { json: true },
          aliases: Object.fromEntries(
            exchanges.map((exchange) => [`${exchange.method} ${exchange.path}`, `ref.${actionName(exchange)}`]),
          ),
        },
      ],
    },
  });
}

void broker.start();
process.on("SIGTERM", () => void broker.stop().then(() => process.exit(0)));
