/**
 * Who is on the other end of an HTTP request, for rate limits. The socket's address unless
 * Brigade runs behind proxies it trusts (TRUST_PROXY = how many): then the address those
 * proxies saw, read from X-Forwarded-For. Without that setting the header is ignored, since
 * anyone can send it and pick a fresh "address" for every request.
 */
import { isIP } from "node:net";
import type { IncomingMessage } from "node:http";

/** `::ffff:10.0.0.1` is an IPv4 client on a dual-stack socket: count it as `10.0.0.1`. */
function plain(address: string): string {
  const trimmed = address.trim();
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(trimmed) ? trimmed.slice(7) : trimmed;
}

/** The eight 16-bit groups of an IPv6 address (`::` expanded, an embedded IPv4 tail converted). */
function ipv6Groups(address: string): string[] {
  let text = address.toLowerCase().split("%")[0];
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    text = `${text.slice(0, v4.index) + ((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const left = head ? head.split(":") : [];
  const right = tail === undefined ? [] : tail ? tail.split(":") : [];
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...fill, ...right].map((group) => (parseInt(group, 16) || 0).toString(16));
}

/**
 * The key a client is counted under. One IPv6 host usually holds a whole /64, so counting
 * single IPv6 addresses would hand an attacker 2^64 fresh budgets: an IPv6 client counts by its /64.
 */
export function rateLimitKey(address: string): string {
  const ip = plain(address);
  if (isIP(ip) === 6) return `${ipv6Groups(ip).slice(0, 4).join(":")}::/64`;
  return ip || "unknown";
}

/**
 * The client's address. With `trustedProxies` = n, the last n hops of X-Forwarded-For were
 * written by our own proxies, so the client is the entry just before them (the right-most
 * untrusted one); anything left of it was written by the client and proves nothing.
 */
export function clientAddress(req: Pick<IncomingMessage, "socket" | "headers">, trustedProxies: number): string {
  const socket = plain(req.socket?.remoteAddress ?? "");
  if (trustedProxies <= 0) return socket || "unknown";
  const header = req.headers["x-forwarded-for"];
  const hops = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((hop) => plain(hop))
    .filter(Boolean);
  if (hops.length === 0) return socket || "unknown";
  // The socket is the nearest proxy (hop n); X-Forwarded-For holds hops n-1 … 1 and the client.
  const candidate = hops[Math.max(0, hops.length - trustedProxies)];
  return isIP(candidate) ? candidate : socket || "unknown";
}
