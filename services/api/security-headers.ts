/**
 * The security headers of every answer (Content-Security-Policy, X-Frame-Options, …), as helmet
 * decides them, worked out once at start instead of per request.
 *
 * helmet runs eleven small middlewares per request, yet with our options none of them looks at
 * the request: the outcome is the same list of headers every time. So helmet runs once against
 * a recording response, and each request gets the recorded headers set (and X-Powered-By
 * removed) in one loop. Should a future helmet start to depend on the request or call back
 * later, `recordHelmet` refuses to start rather than send answers without those headers.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import helmet from "helmet";

export type HelmetOptions = Parameters<typeof helmet>[0];

export interface SecurityHeaders {
  set: readonly (readonly [string, string])[];
  removed: readonly string[];
}

export function recordHelmet(options: HelmetOptions): SecurityHeaders {
  const set: [string, string][] = [];
  const removed: string[] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set.push([name, String(value)]);
    },
    removeHeader(name: string) {
      removed.push(name);
    },
  };
  let finished = false;
  const request = new Proxy(
    {},
    {
      get: () => {
        throw new Error("helmet read the request: its headers can no longer be worked out once.");
      },
    },
  );
  helmet(options)(request as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
    finished = true;
  });
  if (!finished || set.length === 0)
    throw new Error("helmet did not finish at once: its headers can no longer be worked out once.");
  return { set, removed };
}

export function applySecurityHeaders(res: ServerResponse, headers: SecurityHeaders): void {
  for (const name of headers.removed) res.removeHeader(name);
  for (const [name, value] of headers.set) res.setHeader(name, value);
}
