/**
 * In a cluster the cache is shared (Redis), yet Moleculer looks an answer up only on the node
 * that runs the action: a cached menu read still crosses NATS twice, to a menu node that reads
 * Redis and sends the answer back. This middleware reads the same Redis entry where the call
 * starts, before it leaves the node; a hit never travels. A miss goes on as before, and the
 * node that runs the action stores its answer, as before.
 *
 * It answers exactly what the callee would have. The callee stores an answer only for params
 * its validator accepted, under a key that spells each value with its type (`2` and `"2"` are
 * different keys). So a hit here means the callee accepted these very values before, and a call
 * whose values it would convert or refuse simply misses and goes there. One more condition makes
 * that hold: every param of the call must be part of the key. Otherwise a param the key leaves
 * out (one the callee refuses: `GET /api/dishes?colour=red`) could ride on another call's entry.
 * (Remote params schemas cannot be compiled here instead: patterns and functions do not survive
 * the trip between nodes.)
 *
 * Freshness is the callee's own: every write cleans the shared cache before it returns
 * (db.mixin `changed()`), and this reads that same cache, so a read after a write misses.
 * `ctx.meta.$cache = false` skips it, as it skips Moleculer's own cacher.
 *
 * Cached reads that cross nodes: the menu (gateway → menu), a token (gateway → staff, every
 * authenticated request), the dishes of an order (orders → menu), stock levels (menu → inventory).
 */
import { Cachers, type Context, type Middleware, type ServiceBroker } from "moleculer";

interface CacheOptions {
  enabled?: boolean;
  keys?: string[];
  keygen?: unknown;
}
interface RemoteAction {
  name: string;
  cache?: boolean | CacheOptions;
}
type KeyedCacher = {
  get(key: string): Promise<unknown>;
  getCacheKey(
    action: RemoteAction,
    opts: CacheOptions,
    ctx: { params: object; meta: object; headers?: object },
  ): string;
  opts: { missingResponse?: unknown };
};

function cacheOptions(action: RemoteAction): CacheOptions | undefined {
  if (!action.cache) return undefined;
  const opts = action.cache === true ? {} : action.cache;
  // A keygen function does not cross nodes: only the callee can build such a key.
  if (opts.enabled === false || opts.keygen) return undefined;
  return opts;
}

export function SharedCacheAtCallerMiddleware(broker: ServiceBroker): Middleware {
  return {
    name: "SharedCacheAtCaller",
    remoteAction(next: (ctx: Context) => Promise<unknown>, action: RemoteAction) {
      const cacher = broker.cacher as unknown as KeyedCacher | undefined;
      const opts = cacheOptions(action);
      // Only a cache every node shares: a memory cacher here never holds another node's answers.
      if (!cacher || !opts || !(cacher instanceof Cachers.Redis)) return next;
      // Keys may also name meta (#…) or headers (@…); only params names matter here.
      const keyedParams = opts.keys
        ? new Set(opts.keys.filter((key) => !key.startsWith("#") && !key.startsWith("@")))
        : undefined;

      return async function lookUpAtCaller(ctx: Context) {
        if ((ctx.meta as { $cache?: boolean }).$cache === false) return next(ctx);
        const params = (ctx.params as Record<string, unknown> | null) ?? {};
        if (keyedParams && Object.keys(params).some((name) => !keyedParams.has(name))) return next(ctx);
        const key = cacher.getCacheKey(action, opts, {
          params,
          meta: ctx.meta as object,
          headers: (ctx as { headers?: object }).headers,
        });
        const found = await cacher.get(key);
        if (found !== cacher.opts.missingResponse && found != null) {
          ctx.cachedResult = true;
          return found;
        }
        return next(ctx);
      } as never;
    },
  } as Middleware;
}
