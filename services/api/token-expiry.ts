/**
 * Whether a login token has expired, read from the token itself. staff.resolveToken checks the
 * expiry too, but its answer is cached for up to a minute per token: without this second look a
 * token would outlive its `exp` by as long as its last resolution stays cached.
 */
import jwt from "jsonwebtoken";

/** True when the token's `exp` has passed, or when it has none (Brigade never signs one without). */
export function tokenExpired(token: string, nowMs = Date.now()): boolean {
  const claims = jwt.decode(token, { json: true });
  return typeof claims?.exp !== "number" || claims.exp * 1000 <= nowMs;
}
