/**
 * What the gateway reads from a login token itself, once staff.resolveToken has verified it.
 *  - Its expiry: staff.resolveToken checks it too, but its answer is cached for up to a minute
 *    per token; without this second look a token would outlive its `exp` by as long as its last
 *    resolution stays cached.
 *  - Its version: a live ticket carries it, so a stream can be checked against revocation.
 */
import jwt from "jsonwebtoken";

/** True when the token's `exp` has passed, or when it has none (Brigade never signs one without). */
export function tokenExpired(token: string, nowMs = Date.now()): boolean {
  const claims = jwt.decode(token, { json: true });
  return typeof claims?.exp !== "number" || claims.exp * 1000 <= nowMs;
}

/** The token's version claim (`ver`): a password, role or active change bumps the account's. */
export function tokenVersion(token: string): number | undefined {
  const ver = jwt.decode(token, { json: true })?.ver;
  return Number.isInteger(ver) ? (ver as number) : undefined;
}
