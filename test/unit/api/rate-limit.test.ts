import type { IncomingMessage } from "node:http";
import { clientAddress, rateLimitKey } from "../../../services/api/client-address";
import { createRateLimits, rateLimitPrefix } from "../../../services/api/rate-limit";
import { loadSettings, SettingsError } from "../../../lib/settings";
import { toHttpError } from "../../../lib/http-errors";

const quiet = { warn: () => undefined, info: () => undefined };

function request(socket: string | undefined, forwardedFor?: string | string[]) {
  return {
    socket: { remoteAddress: socket },
    headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor },
  } as unknown as IncomingMessage;
}

describe("the client's address", () => {
  it("is the socket's unless proxies are trusted: X-Forwarded-For alone proves nothing", () => {
    expect(clientAddress(request("198.51.100.4", "203.0.113.9"), 0)).toBe("198.51.100.4");
    expect(clientAddress(request("::ffff:198.51.100.4"), 0)).toBe("198.51.100.4");
    expect(clientAddress(request(undefined), 0)).toBe("unknown");
  });

  it("behind trusted proxies, is the right-most address they did not write", () => {
    // One proxy: it appended the client; anything left of that the client wrote itself.
    expect(clientAddress(request("10.0.0.2", "203.0.113.9"), 1)).toBe("203.0.113.9");
    expect(clientAddress(request("10.0.0.2", "1.1.1.1, 203.0.113.9"), 1)).toBe("203.0.113.9");
    // Two proxies: the last entry is the first proxy, the one before it the client.
    expect(clientAddress(request("10.0.0.3", "6.6.6.6, 203.0.113.9, 10.0.0.2"), 2)).toBe("203.0.113.9");
    expect(clientAddress(request("10.0.0.3", ["6.6.6.6, 203.0.113.9", "10.0.0.2"]), 2)).toBe("203.0.113.9");
    // Fewer entries than proxies: the furthest one we have.
    expect(clientAddress(request("10.0.0.3", "203.0.113.9"), 3)).toBe("203.0.113.9");
    // Garbage or no header: the socket.
    expect(clientAddress(request("10.0.0.2", "not-an-ip"), 1)).toBe("10.0.0.2");
    expect(clientAddress(request("10.0.0.2"), 1)).toBe("10.0.0.2");
  });

  it("counts an IPv6 client by its /64, an IPv4 client by its address", () => {
    expect(rateLimitKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(rateLimitKey("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(rateLimitKey("2001:0db8:0001:0002:ffff::")).toBe("2001:db8:1:2::/64");
    expect(rateLimitKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(rateLimitKey("::1")).toBe("0:0:0:0::/64");
    expect(rateLimitKey("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(rateLimitKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(rateLimitKey("192.0.2.1")).toBe("192.0.2.1");
    expect(rateLimitKey("")).toBe("unknown");
  });
});

describe("rate limits in memory", () => {
  const settings = (env: Record<string, string>) => loadSettings({ RATE_LIMIT_WINDOW: "60", ...env });

  it("lets a client make the configured number of requests per window, then says how long to wait", async () => {
    const limits = createRateLimits(settings({ RATE_LIMIT_REQUESTS: "3" }), quiet);
    expect(limits.store).toBe("memory");
    for (let i = 0; i < 3; i++) expect(await limits.request("a")).toEqual({ allowed: true });
    const refused = await limits.request("a");
    expect(refused.allowed).toBe(false);
    expect(refused.allowed === false && refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.allowed === false && refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(await limits.request("b")).toEqual({ allowed: true });
    await limits.close();
  });

  it("counts login attempts up front and gives back the successful ones", async () => {
    const limits = createRateLimits(settings({ RATE_LIMIT_LOGIN: "2" }), quiet);
    for (let i = 0; i < 10; i++) {
      expect((await limits.loginAttempt("a")).allowed).toBe(true);
      await limits.loginSucceeded("a");
    }
    expect((await limits.loginAttempt("a")).allowed).toBe(true);
    expect((await limits.loginAttempt("a")).allowed).toBe(true);
    expect((await limits.loginAttempt("a")).allowed).toBe(false);
    // Login attempts and ordinary requests are separate counts.
    expect((await limits.request("a")).allowed).toBe(true);
    await limits.close();
  });

  it("names the shared Redis keys after the namespace", () => {
    expect(rateLimitPrefix("")).toBe("brigade:rate");
    expect(rateLimitPrefix("eu")).toBe("brigade-eu:rate");
  });
});

describe("rate limit settings and answers", () => {
  it("reads TRUST_PROXY as a number of proxies, true meaning one", () => {
    expect(loadSettings({}).trustProxy).toBe(0);
    expect(loadSettings({ TRUST_PROXY: "true" }).trustProxy).toBe(1);
    expect(loadSettings({ TRUST_PROXY: "false" }).trustProxy).toBe(0);
    expect(loadSettings({ TRUST_PROXY: "2" }).trustProxy).toBe(2);
    expect(() => loadSettings({ TRUST_PROXY: "yes please" })).toThrow(SettingsError);
    expect(() => loadSettings({ TRUST_PROXY: "11" })).toThrow(SettingsError);
  });

  it("answers 429 with the wait the limiter computed", () => {
    const e = toHttpError({ name: "RateLimitExceeded", code: 429, data: { retryAfterSeconds: 17 } });
    expect(e.status).toBe(429);
    expect(e.retryAfterSeconds).toBe(17);
    expect(e.body).toMatchObject({ type: "RATE_LIMITED", data: { retryAfterSeconds: 17 } });
    expect(e.serverFault).toBe(false);
    expect(
      toHttpError({ name: "RateLimitExceeded", code: 429, data: { retryAfterSeconds: -3 } }).retryAfterSeconds,
    ).toBe(60);
  });
});
