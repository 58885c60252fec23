/**
 * The operator's console. `npm run repl` starts a node that runs only this service (SERVICES=
 * operator) and joins the cluster from the same variables as any node; the Brigade commands in
 * the REPL (repl-commands.ts) read the cluster through the broker. The same views are actions
 * here, so a script or the dashboard can ask for them too: internal (`visibility: "public"`,
 * no roles), never reachable over HTTP.
 */
import type { Context, ServiceSchema } from "moleculer";
import { readBoard } from "./board";
import { readBreakers } from "../../lib/breakers";
import { readerOf } from "../../lib/collect";
import { drainKitchen } from "./drain";
import { readKitchen } from "./kitchen-load";
import { readStock } from "./stock-report";

const OperatorService: ServiceSchema = {
  name: "operator",

  actions: {
    board: {
      visibility: "public",
      params: {
        limit: { type: "number", integer: true, min: 1, max: 100, optional: true, convert: true },
        $$strict: true,
      },
      handler(ctx: Context<{ limit?: number }>) {
        return readBoard(ctx, { limit: ctx.params.limit });
      },
    },
    stock: {
      visibility: "public",
      params: { $$strict: true },
      handler(ctx: Context) {
        return readStock(ctx);
      },
    },
    kitchen: {
      visibility: "public",
      params: { $$strict: true },
      handler(ctx: Context) {
        return readKitchen(readerOf(ctx));
      },
    },
    breakers: {
      visibility: "public",
      params: { $$strict: true },
      handler(ctx: Context) {
        return readBreakers(readerOf(ctx));
      },
    },
    drain: {
      visibility: "public",
      params: {
        node: { type: "string", min: 1, max: 128 },
        draining: { type: "boolean", optional: true, convert: true },
        $$strict: true,
      },
      handler(ctx: Context<{ node: string; draining?: boolean }>) {
        return drainKitchen(readerOf(ctx), ctx.params.node, { draining: ctx.params.draining ?? true });
      },
    },
  },

  started() {
    this.logger.info(
      "Operator console attached. Brigade commands: board, stock, kitchen, breakers, drain <nodeID> (help lists them all).",
    );
  },
};

export default OperatorService;
