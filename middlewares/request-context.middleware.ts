/**
 * Every log line written while a request is handled carries that request's ID.
 *
 * Moleculer's loggers are bound once per module (nodeID, ns, mod, svc), not per call, and a
 * Context has no logger of its own. So this middleware runs each local action and event
 * handler inside an AsyncLocalStorage scope holding `ctx.requestID`; the log formats below
 * read it back. The scope follows every `await` in the handler, so a service keeps writing
 * `this.logger.info({ order }, "Order placed.")` and gets the request ID for free. The ID
 * crosses nodes inside the context, so one request reads the same on every node.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Context, Middleware, Service, ServiceBroker } from "moleculer";

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

export function RequestContextMiddleware(_broker: ServiceBroker): Middleware {
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
