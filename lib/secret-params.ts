/**
 * Params that hold a secret (a token, a password) and where they must not show.
 *  - Cache keys: a cached action may be keyed on a token (staff.resolveToken); Moleculer would
 *    spell it out in the key, readable by anyone who can read the cache (a Redis MONITOR, a dump)
 *    and in the cacher's debug lines. Secret params are keyed on their SHA-256 instead. Set on
 *    the cacher, so the caller-side lookup (middlewares/shared-cache-at-caller.middleware.ts)
 *    builds the very same key.
 *  - Traces: Moleculer tags every action span with its params (a login's password) unless told.
 */
import { createHash } from "node:crypto";

/** Params whose values never appear in a cache key, a log line or a metric label. */
export const SECRET_PARAMS: ReadonlySet<string> = new Set(["token", "password", "ticket", "pin"]);

export const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

interface KeyContext {
  params?: Record<string, unknown> | null;
  meta?: unknown;
  headers?: unknown;
}
interface DefaultKeygen {
  defaultKeygen(action: unknown, opts: unknown, ctx: KeyContext): string;
}

export function secretFreeKeygen(this: DefaultKeygen, action: unknown, opts: unknown, ctx: KeyContext): string {
  const params = ctx?.params;
  if (!params || typeof params !== "object" || !Object.keys(params).some((name) => SECRET_PARAMS.has(name)))
    return this.defaultKeygen(action, opts, ctx);
  const hashed = Object.fromEntries(
    Object.entries(params).map(([name, value]) => [
      name,
      SECRET_PARAMS.has(name) ? `sha256:${sha256(typeof value === "string" ? value : JSON.stringify(value))}` : value,
    ]),
  );
  return this.defaultKeygen(action, opts, { ...ctx, params: hashed });
}

/** The params as a trace may show them: each secret replaced by a mark. */
export function withoutSecrets(params: unknown): unknown {
  if (!params || typeof params !== "object" || Array.isArray(params)) return params;
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => [name, SECRET_PARAMS.has(name) ? "[secret]" : value]),
  );
}

/** Moleculer's action span tags: the params, without their secrets. */
export function actionSpanTags(ctx: { params?: unknown }): Record<string, unknown> {
  return { params: withoutSecrets(ctx.params) };
}
