/**
 * The gateway's rate limits, per client address (./client-address.ts):
 *  - every API request counts against RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW seconds;
 *  - a login attempt counts against RATE_LIMIT_LOGIN per window *before* its password is
 *    checked (so a thousand guesses sent at once are counted at once), and a successful login
 *    gives its point back: only failures add up, and staff who log in all day are never locked out.
 *
 * With CACHER=redis:// the counts live in Redis (rate-limiter-flexible's RateLimiterRedis), so
 * every gateway of a cluster adds to one count; a guesser gains nothing by spreading attempts
 * over gateways. Otherwise they live in this process.
 */
import Redis from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Settings } from "../../lib/settings";
import type { Logger } from "../../lib/logger";

/** `first`: this is the first refusal of the window (log it once, not for every request after). */
export type Verdict = { allowed: true } | { allowed: false; retryAfterSeconds: number; first: boolean };

export interface RateLimits {
  /** One API request of `key` (a client address). */
  request(key: string): Promise<Verdict>;
  /** One login attempt of `key`, counted before the password is checked. */
  loginAttempt(key: string): Promise<Verdict>;
  /** The attempt succeeded: give its point back. */
  loginSucceeded(key: string): Promise<void>;
  /** Resolves once the shared store answers (true), or false if it does not within `timeoutMs`. */
  ready(timeoutMs: number): Promise<boolean>;
  /** Where the counts live: "memory" or "redis". */
  readonly store: "memory" | "redis";
  close(): Promise<void>;
}

type RateLimitLogger = Pick<Logger, "info" | "warn">;

const ALLOWED: Verdict = { allowed: true };

/** The Redis key prefix: one namespace's gateways share counts, another namespace's don't. */
export function rateLimitPrefix(namespace: string): string {
  return `brigade${namespace ? `-${namespace}` : ""}:rate`;
}

async function take(limiter: RateLimiterAbstract, key: string, logger: RateLimitLogger): Promise<Verdict> {
  try {
    await limiter.consume(key, 1);
    return ALLOWED;
  } catch (res) {
    if (res instanceof RateLimiterRes) {
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
        first: res.consumedPoints === limiter.points + 1,
      };
    }
    // Not a verdict but a failure of the store itself (and of its fallback): let the request in.
    logger.warn({ err: (res as Error)?.message }, "Rate limit store failed; letting the request in.");
    return ALLOWED;
  }
}

export function createRateLimits(settings: Settings, logger: RateLimitLogger): RateLimits {
  const { windowSeconds, requests, loginAttempts } = settings.rateLimit;
  const redisUrl = /^redis:\/\//.test(settings.cacher) ? settings.cacher : undefined;

  let client: Redis | undefined;
  let limiter: (points: number, name: string) => RateLimiterAbstract;
  if (redisUrl) {
    // No offline queue and no retries per command: while Redis is away a count fails at once
    // (and falls back below) instead of holding the request until Redis returns.
    // (disconnectTimeout: at shutdown, a connection attempt still in flight to an absent Redis
    // would otherwise keep the process alive for two more seconds.)
    // (commandTimeout: a Redis that is connected but does not answer — frozen, cut off — fails the
    // count after 500 ms, so the insurance limiter takes over instead of the request hanging.)
    client = new Redis(redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      disconnectTimeout: 200,
      commandTimeout: 500,
    });
    let down = false;
    client.on("error", (err: Error) => {
      if (down) return;
      down = true;
      logger.warn(
        { err: err.message },
        "Redis is unreachable for rate limits: each gateway counts on its own until it is back.",
      );
    });
    client.on("ready", () => {
      if (!down) return;
      down = false;
      logger.info("Redis is back: rate limits are shared across gateways again.");
    });
    const storeClient = client;
    const prefix = rateLimitPrefix(settings.namespace);
    // If Redis is down we fail open as far as the shared count goes, never closed: refusing every
    // request because the limiter's store is away would turn a Redis outage into a Brigade outage.
    // The insurance limiter keeps a per-gateway count meanwhile, so a login guesser still hits a
    // wall (each gateway's own) rather than none.
    limiter = (points, name) =>
      new RateLimiterRedis({
        storeClient,
        keyPrefix: `${prefix}:${name}`,
        points,
        duration: windowSeconds,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: name, points, duration: windowSeconds }),
      });
  } else {
    limiter = (points, name) => new RateLimiterMemory({ keyPrefix: name, points, duration: windowSeconds });
  }

  const all = limiter(requests, "req");
  const logins = limiter(loginAttempts, "login");

  return {
    store: client ? "redis" : "memory",
    request: (key) => take(all, key, logger),
    loginAttempt: (key) => take(logins, key, logger),
    async loginSucceeded(key) {
      try {
        await logins.reward(key, 1);
      } catch (err) {
        logger.warn({ err: (err as Error)?.message }, "Could not give a successful login's attempt back.");
      }
    },
    async ready(timeoutMs) {
      if (!client) return true;
      if (client.status === "ready") return true;
      const redis = client;
      return new Promise<boolean>((resolve) => {
        const done = (ok: boolean) => {
          clearTimeout(timer);
          redis.off("ready", onReady);
          redis.off("error", onError);
          resolve(ok);
        };
        const onReady = () => done(true);
        const onError = () => done(false);
        const timer = setTimeout(() => done(false), timeoutMs);
        redis.once("ready", onReady);
        redis.once("error", onError);
      });
    },
    async close() {
      client?.disconnect();
    },
  };
}
