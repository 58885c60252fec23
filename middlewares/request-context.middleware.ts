/**
 * Every log line written while a request is handled carries that request's ID.
 *
 * Moleculer's loggers are bound once per module (nodeID, ns, mod, svc), not per call, and a
 * Context has no logger of its own. So this middleware runs each local action and event
 * handler inside an AsyncLocalStorage scope holding `ctx.requestID`; the log formats below
 * read it back. The scope follows every `await` in the handler, so a service keeps writing
 * `this.logger.info({ order }, "Order placed.")` and gets the request ID for free. The ID
 * crosses nodes inside the context, so one request reads the same on every node.
 *
 * What it costs depends on the runtime. Node 24, and Node 22 started with
 * `--experimental-async-context-frame` (the Docker image sets it), carry the scope in the async
 * context frame at next to no cost. Older runtimes carry it through promise hooks, which run on
 * every promise the process makes once a scope was entered. Measured with the benchmark's order
 * load: a quarter of an order placement's CPU on Node 20 (0.42 against 0.32 ms), a fifth on
 * Node 22 without the flag.
 * So LOG_REQUEST_IDS=auto (the default) turns request IDs on where they are cheap, `on` turns
 * them on anywhere, and `off` nowhere. Without them a line still names what it is about (the
 * order, the ticket, the bill), and traces (TRACING) carry the request ID either way.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Context, Middleware, Service, ServiceBroker } from "moleculer";
import { loadSettings, type Settings } from "../lib/settings";

interface RequestScope {
  requestID: string;
}

const scope = new AsyncLocalStorage<RequestScope>();

/** The request being handled, if any: for log lines and error reports. */
export function currentRequestID(): string | undefined {
  return scope.getStore()?.requestID;
}

function within<T>(ctx: Context | undefined, run: () => T): T {
  const requestID = ctx?.requestID;
  // Nested handlers of the same request reuse the scope: no new store per hop.
  if (!requestID || scope.getStore()?.requestID === requestID) return run();
  return scope.run({ requestID }, run);
}

/** Whether AsyncLocalStorage rides the async context frame here (no promise hooks). */
export function asyncContextFrame(
  nodeVersion = process.versions.node,
  flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)],
): boolean {
  if (flags.includes("--no-async-context-frame")) return false;
  return Number(nodeVersion.split(".")[0]) >= 24 || flags.includes("--experimental-async-context-frame");
}

export function requestIdsInLogs(setting: Settings["logRequestIds"], frame = asyncContextFrame()): boolean {
  return setting === "on" || (setting === "auto" && frame);
}

export function RequestContextMiddleware(_broker: ServiceBroker): Middleware {
  // Never entering a scope keeps the promise hooks off for good on runtimes without the frame.
  if (!requestIdsInLogs(loadSettings().logRequestIds)) return { name: "RequestContext" };
  return {
    name: "RequestContext",
    localAction(next) {
      return function boundToRequest(this: Service, ctx: Context) {
        return within(ctx, () => next.call(this, ctx));
      } as typeof next;
    },
    localEvent(next) {
      return function boundToRequest(this: unknown, ...args: unknown[]) {
        return within(args[0] as Context, () => (next as (...a: unknown[]) => unknown).apply(this, args));
      } as typeof next;
    },
  };
}

/** pino's `mixin`: merged into every JSON line; `requestID` only within a request. */
export function pinoRequestMixin(): Record<string, string> {
  const requestID = currentRequestID();
  return requestID ? { requestID } : {};
}

interface FormatterThis {
  levelColorStr: Record<string, string>;
}
interface Bindings {
  nodeID: string;
  mod: string;
}

/**
 * The development format: `[time] LEVEL node/MODULE [request]: message`. Moleculer's "short"
 * format drops the node ID, which is the first thing one needs when several nodes write to
 * one terminal.
 */
export function textLogLine(
  this: FormatterThis,
  type: string,
  args: unknown[],
  bindings: Bindings,
  { printArgs }: { printArgs(args: unknown[]): unknown[] },
): unknown[] {
  const requestID = currentRequestID();
  const where = `${bindings.nodeID}/${bindings.mod.toUpperCase()}${requestID ? ` [${requestID}]` : ""}:`;
  return [`[${new Date().toISOString().substring(11)}]`, this.levelColorStr[type], where, ...printArgs(args)];
}
