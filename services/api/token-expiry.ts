/**
 * Whether a login token has expired, read from the token itself. staff.resolveToken checks the
 * expiry too, but its answer is cached for up to a minute per token: without this second look a
 * token would outlive its `exp` by as long as its last resolution stays cached.
 *
 * Only the payload's `exp` is read, and nothing here is trusted beyond that: the signature was
 * verified by staff.resolveToken, which answered before this runs. (jsonwebtoken's `decode`
 * also parsed and checked the header on every request, for nothing.)
 */

/** True when the token's `exp` has passed, or when it has none (Brigade never signs one without). */
export function tokenExpired(token: string, nowMs = Date.now()): boolean {
  const payload = token.split(".")[1];
  if (!payload) return true;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return true;
  }
  const exp = (claims as { exp?: unknown } | null)?.exp;
  return typeof exp !== "number" || exp * 1000 <= nowMs;
}
