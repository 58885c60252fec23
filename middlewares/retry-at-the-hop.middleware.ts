import * as Moleculer from "moleculer";
import type { Middleware, ServiceBroker } from "moleculer";

export type ActionDef = { name: string; cache?: unknown; idempotent?: boolean; retryPolicy?: object };

/**
 * Whether a call that failed at this hop may be sent again (to the next node). Only a failure of
 * the hop itself counts — this very call timed out, here or on the node it went to, or that node
 * went away mid-call — not one the other node met further down (a timeout of *its* call to a
 * third service was already retried, or not, where it happened). And only when running the
 * action twice does no harm: a cached read, or an action that says `idempotent: true`. A
 * timed-out write may have happened; sending it again could place an order twice.
 */
export function safeToRetry(err: (Error & { data?: { action?: string } }) | undefined, action: ActionDef): boolean {
  if (err?.name !== "RequestTimeoutError" && err?.name !== "RequestRejectedError") return false;
  if (err.data?.action !== action.name) return false;
  return !!action.cache || action.idempotent === true;
}

/**
 * Moleculer's Retry, at one level only: where a call leaves for another node (`remoteAction`),
 * which is where another node can answer it. Moleculer also wraps every local action, so a
 * retryable error surfacing through a local handler re-runs that whole handler — the gateway's
 * HTTP handler included (a retried `api.rest` answers 404), and each level of a call chain
 * multiplies the retries of the level below.
 */
export function RetryAtTheHop(broker: ServiceBroker): Middleware {
  const { Middlewares } = Moleculer as unknown as {
    Middlewares: {
      Retry(
        broker: ServiceBroker,
      ): Middleware & { remoteAction: (this: ServiceBroker, handler: unknown, action: ActionDef) => unknown };
    };
  };
  const retry = Middlewares.Retry(broker);
  return {
    name: "Retry",
    created: retry.created,
    remoteAction(this: ServiceBroker, handler: unknown, action: ActionDef) {
      const policy = { ...action.retryPolicy, check: (err: Error) => safeToRetry(err, action) };
      return retry.remoteAction.call(this, handler, { ...action, retryPolicy: policy });
    },
  } as Middleware;
}
