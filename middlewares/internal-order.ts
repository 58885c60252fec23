import * as Moleculer from "moleculer";
import type { Middleware, ServiceBroker } from "moleculer";
import { RetryAtTheHop } from "./retry-at-the-hop.middleware";

/**
 * Moleculer's internal middlewares in Moleculer's order but for three moves. A middleware later
 * in the list wraps the ones before it.
 *   - Moleculer puts Timeout after CircuitBreaker: the timeout fires outside the breaker, which
 *     never sees it, so a node that hangs — the worst kind — never trips its breaker. With
 *     Timeout inside CircuitBreaker a timeout counts as the failure it is, and Retry, outside
 *     both, sends the retry to another node. (test/cluster/circuit-breaker.test.ts shows the
 *     breaker opening on a hung node.)
 *   - Moleculer puts Validator inside Cacher: a cache hit is answered before the params are
 *     checked, so `GET /api/dishes?colour=red` answered 200 once the plain menu was cached (and
 *     422 before). With Validator outside Cacher bad params are refused whatever the cache holds,
 *     and cache keys are built from the params as validated (`?page=2` and page 2 share one).
 *   - Cacher (with Validator) goes outside ContextTracker, Timeout and CircuitBreaker: they guard
 *     a handler that runs, and a cache hit runs none. A hit no longer starts and clears a timer,
 *     enters the breaker's books or the shutdown's in-flight list, nor the request scope of our
 *     own middlewares (innermost): the cached menu read's CPU fell by about a tenth (bench/).
 *     A miss goes through all of them, as before.
 */
const HANDLER_GUARDS = ["ContextTracker", "Timeout", "CircuitBreaker"] as const;

export function brigadeInternalMiddlewares(): (string | typeof RetryAtTheHop)[] {
  const moved = new Set<string>(["Timeout", "Validator", "Cacher", ...HANDLER_GUARDS]);
  const list: (string | typeof RetryAtTheHop)[] = Moleculer.INTERNAL_MIDDLEWARES.filter((name) => !moved.has(name));
  // Just inside Retry: the guards (Timeout inside the breaker), then the cache, then validation.
  list.splice(list.indexOf("Retry"), 0, ...HANDLER_GUARDS, "Cacher", "Validator");
  list.splice(list.indexOf("Retry"), 1, RetryAtTheHop);
  return list;
}

/** `--hot` (npm run dev) asks for hot reload, which Moleculer adds only to its own middleware list. */
export function HotReloadWhenAsked(broker: ServiceBroker): Middleware | null {
  const { Middlewares } = Moleculer as unknown as { Middlewares: { HotReload(broker: ServiceBroker): Middleware } };
  return broker.options.hotReload ? Middlewares.HotReload(broker) : null;
}
