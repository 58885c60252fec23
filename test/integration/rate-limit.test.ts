/**
 * Rate limits at the gateway, per client address: every request, and login attempts far more
 * strictly (a guesser hits 429 long before a password falls). With CACHER=redis:// two gateways
 * share one count; with Redis gone they keep serving (each counting on its own).
 *
 * The Redis test needs the Redis of .ci/run on 127.0.0.1:6379 and fails, on purpose, without it.
 */
import Redis from "ioredis";
import type { BrokerOptions } from "moleculer";
import { startBrigade, type Brigade, ADMIN_PASSWORD } from "../support/brigade";
import { LogCapture } from "../security/support/log-capture";
import type { RateLimits } from "../../services/api/rate-limit";

const REDIS_URL = process.env.BRIGADE_TEST_REDIS ?? "redis://127.0.0.1:6379";

const wrong = { username: "admin", password: "not-the-password" };
const rateLimitsOf = (b: Brigade) =>
  (b.broker.getLocalService("api") as unknown as { rateLimits: RateLimits }).rateLimits;

function expectRateLimited(res: { status: number; body: any; headers: Headers }) {
  expect(res.status).toBe(429);
  expect(res.body).toMatchObject({ name: "RateLimitExceededError", code: 429, type: "RATE_LIMITED" });
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
  expect(res.body.data.retryAfterSeconds).toBe(retryAfter);
}

describe("rate limits, one gateway", () => {
  describe("on every request", () => {
    let b: Brigade;
    beforeAll(async () => {
      // No staff service: startBrigade's own admin login would count too.
      b = await startBrigade({
        services: ["api", "menu", "inventory"],
        env: { RATE_LIMIT_REQUESTS: "5", RATE_LIMIT_WINDOW: "60" },
      });
    });
    afterAll(() => b.stop());

    it("answers 429 with Retry-After once an address has used its requests, and still answers health probes", async () => {
      for (let i = 0; i < 5; i++) expect((await b.request("GET", "/api/dishes")).status).toBe(200);
      expectRateLimited(await b.request("GET", "/api/dishes"));
      // Whatever the route, known or not, and whatever the client claims to be.
      expectRateLimited(await b.request("GET", "/api/nothing-here"));
      expectRateLimited(await b.request("GET", "/api/dishes", { headers: { "x-forwarded-for": "203.0.113.50" } }));
      expect((await b.request("GET", "/health/live")).status).toBe(200);
      // The 429 carries the security headers like every answer.
      expect((await b.request("GET", "/api/dishes")).headers.get("x-content-type-options")).toBe("nosniff");
    });
  });

  describe("behind a trusted proxy", () => {
    let b: Brigade;
    beforeAll(async () => {
      b = await startBrigade({
        services: ["api", "menu", "inventory"],
        env: { RATE_LIMIT_REQUESTS: "3", TRUST_PROXY: "1" },
      });
    });
    afterAll(() => b.stop());

    it("counts each forwarded client on its own", async () => {
      const as = (client: string) => b.request("GET", "/api/dishes", { headers: { "x-forwarded-for": client } });
      for (let i = 0; i < 3; i++) expect((await as("203.0.113.7")).status).toBe(200);
      expectRateLimited(await as("203.0.113.7"));
      // A spoofed entry left of the proxy's own does not buy a fresh count.
      expectRateLimited(await as("198.51.100.1, 203.0.113.7"));
      expect((await as("203.0.113.8")).status).toBe(200);
    });
  });

  describe("on login", () => {
    let b: Brigade;
    beforeAll(async () => {
      b = await startBrigade({ services: ["api", "staff"], env: { RATE_LIMIT_LOGIN: "3", RATE_LIMIT_WINDOW: "60" } });
    });
    afterAll(() => b.stop());

    it("never counts successful logins", async () => {
      for (let i = 0; i < 8; i++)
        expect(
          (await b.request("POST", "/api/auth/login", { body: { username: "admin", password: ADMIN_PASSWORD } }))
            .status,
        ).toBe(200);
    });

    it("stops a brute force: after the allowed failures, 429 even for the right password", async () => {
      for (let i = 0; i < 3; i++)
        expect((await b.request("POST", "/api/auth/login", { body: wrong })).status).toBe(401);
      expectRateLimited(await b.request("POST", "/api/auth/login", { body: wrong }));
      expectRateLimited(
        await b.request("POST", "/api/auth/login", { body: { username: "admin", password: ADMIN_PASSWORD } }),
      );
      // However the route is spelled, it is the login action that is limited.
      expectRateLimited(await b.request("POST", "/api/auth/login/", { body: wrong }));
      // The rest of the API is not locked for a valid token.
      expect((await b.request("GET", "/api/auth/me", { token: b.adminToken })).status).toBe(200);
    });
  });

  describe("on login, all at once", () => {
    let b: Brigade;
    beforeAll(async () => {
      b = await startBrigade({ services: ["api", "staff"], env: { RATE_LIMIT_LOGIN: "4" } });
    });
    afterAll(() => b.stop());

    it("counts guesses sent in parallel before any password is checked", async () => {
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => b.request("POST", "/api/auth/login", { body: wrong })),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses.filter((s) => s === 401)).toHaveLength(4);
      expect(statuses.filter((s) => s === 429)).toHaveLength(16);
    });
  });
});

describe("rate limits shared through Redis", () => {
  const namespace = `rl-test-${process.pid}-${Date.now().toString(36)}`;
  const env = { CACHER: REDIS_URL, NAMESPACE: namespace, RATE_LIMIT_LOGIN: "4", RATE_LIMIT_WINDOW: "60" };
  let redis: Redis;
  let first: Brigade;
  let second: Brigade;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, {
      lazyConnect: true,
      connectTimeout: 2000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    try {
      await redis.connect();
      expect(await redis.ping()).toBe("PONG");
    } catch (err) {
      throw new Error(
        `This test needs Redis at ${REDIS_URL} (.ci/run starts one; or set BRIGADE_TEST_REDIS): ${(err as Error).message}`,
      );
    }
    first = await startBrigade({ services: ["api", "staff"], env });
    second = await startBrigade({ services: ["api", "staff"], env });
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
    if (redis?.status === "ready") {
      const keys = await redis.keys(`brigade-${namespace}:*`);
      if (keys.length) await redis.del(...keys);
    }
    redis?.disconnect();
  });

  it("counts a guesser's attempts on two gateways as one count", async () => {
    expect(first.url).not.toBe(second.url);
    expect([rateLimitsOf(first).store, rateLimitsOf(second).store]).toEqual(["redis", "redis"]);
    expect((await first.request("POST", "/api/auth/login", { body: wrong })).status).toBe(401);
    expect((await second.request("POST", "/api/auth/login", { body: wrong })).status).toBe(401);
    expect((await first.request("POST", "/api/auth/login", { body: wrong })).status).toBe(401);
    expect((await second.request("POST", "/api/auth/login", { body: wrong })).status).toBe(401);
    // Four failures in all, two on each: both gateways now refuse.
    expectRateLimited(await first.request("POST", "/api/auth/login", { body: wrong }));
    expectRateLimited(await second.request("POST", "/api/auth/login", { body: wrong }));
    expect(await redis.keys(`brigade-${namespace}:rate:login*`)).not.toHaveLength(0);
  });
});

describe("rate limits while Redis is away", () => {
  const logs = new LogCapture();
  let b: Brigade;
  beforeAll(async () => {
    // Nothing listens on port 1: every Redis command fails at once.
    b = await startBrigade({
      services: ["api", "staff", "menu", "inventory"],
      env: { CACHER: "redis://127.0.0.1:1", NAMESPACE: "rl-no-redis", RATE_LIMIT_LOGIN: "2" },
      broker: { logger: [logs] as unknown as BrokerOptions["logger"] },
    });
  });
  afterAll(() => b.stop());

  it("keeps serving (fails open on the shared count) and says why in a warning", async () => {
    expect(rateLimitsOf(b).store).toBe("redis");
    for (let i = 0; i < 5; i++) expect((await b.request("GET", "/api/dishes")).status).toBe(200);
    expect(logs.entries.some((e) => e.level === "warn" && /Redis/.test(e.text) && /rate limit/i.test(e.text))).toBe(
      true,
    );
    expect(logs.faults()).toEqual([]);
  });

  it("still stops a login guesser, counting on this gateway alone", async () => {
    for (let i = 0; i < 2; i++) expect((await b.request("POST", "/api/auth/login", { body: wrong })).status).toBe(401);
    expectRateLimited(await b.request("POST", "/api/auth/login", { body: wrong }));
  });
});
