/**
 * The shared cache is an optimisation: losing Redis must cost speed, never answers. The test
 * runs a redis-server of its own to stop, freeze and restart; the cluster uses it as CACHER
 * (lib/fail-open-redis-cacher.ts) and for the gateway's shared rate limits.
 *
 *   - Redis stopped: every request is still answered (cache misses), writes still succeed and
 *     are seen at once; once Redis is back, answers are cached again.
 *   - Redis frozen (SIGSTOP: connected, but silent): requests are bounded by the command
 *     timeout; a cache clean missed meanwhile is made up when Redis answers again, so no stale
 *     entry from before the freeze is served.
 *
 * And one more dependency away: with no inventory node the menu is still shown, from the last
 * stock levels it had (a stale answer beats none), while what needs the inventory itself is a
 * fast 503.
 */
import Redis from "ioredis";
import { startMongo, type TestMongo } from "../support/mongo";
import { eventually, riceAndRisotto } from "../support/meal";
import {
  asBrigade,
  gatewayClient,
  startCluster,
  startRedisServer,
  type GatewayClient,
  type RedisServer,
  type TestCluster,
} from "../support/cluster";

jest.setTimeout(60_000);

describe("Redis away, and the inventory away", () => {
  let mongo: TestMongo;
  let redis: RedisServer;
  let inspect: Redis;
  let cluster: TestCluster;
  let front: GatewayClient;

  beforeAll(async () => {
    mongo = await startMongo();
    redis = await startRedisServer();
    inspect = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    inspect.on("error", () => undefined);
    cluster = await startCluster({ mongoUri: mongo.uri, name: "redis", redis: redis.url });
    const [gateway] = await cluster.startNodes([
      { name: "front", services: ["api", "staff", "menu"] },
      { name: "stock", services: ["inventory"] },
    ]);
    await cluster.waitForDiscovery(["front", "stock"]);
    front = await gatewayClient(gateway.url);
    await riceAndRisotto(asBrigade(front), { onHand: 10_000, prepSeconds: 60 });
  });
  afterAll(async () => {
    redis?.kill("SIGCONT");
    await cluster?.stop();
    inspect?.disconnect();
    await redis?.stop("SIGKILL");
    await mongo?.stop();
  });

  const menuKeys = async () => (await inspect.keys(`brigade-${cluster.namespace}-menu.*`)).length;
  const risottoPrice = async () => {
    const res = await front.request("GET", "/api/dishes");
    expect(res.status).toBe(200);
    return res.body.rows.find((d: { id: string }) => d.id === "risotto").priceCents as number;
  };
  const setPrice = async (priceCents: number) => {
    const res = await front.request("PATCH", "/api/dishes/risotto", { token: front.adminToken, body: { priceCents } });
    expect(res.status).toBe(200);
  };

  it("answers every request while Redis is down, and caches again once it is back", async () => {
    expect(await risottoPrice()).toBe(1400);
    await eventually(async () => (await menuKeys()) > 0, "the menu to be cached in Redis");

    await redis.stop("SIGKILL");
    for (let i = 0; i < 10; i++) {
      expect(await risottoPrice()).toBe(1400);
      expect((await front.request("GET", "/api/dishes/risotto")).status).toBe(200);
    }
    expect((await front.request("GET", "/api/auth/me", { token: front.adminToken })).status).toBe(200);
    await setPrice(1500);
    expect(await risottoPrice()).toBe(1500);
    await cluster
      .node("front")
      .waitForLine(/Redis is unreachable: serving without the shared cache/, "the cacher to report Redis away", 1);

    redis = await startRedisServer({ port: redis.port });
    await eventually(
      async () => {
        expect(await risottoPrice()).toBe(1500);
        return (await menuKeys()) > 0;
      },
      "the menu to be cached in Redis again",
      20_000,
      250,
    );
  });

  it("bounds requests while Redis is frozen, and serves no entry a missed clean should have removed", async () => {
    expect(await risottoPrice()).toBe(1500);
    await eventually(async () => (await menuKeys()) > 0, "the menu to be cached");

    redis.kill("SIGSTOP");
    try {
      // The write succeeds; cleaning its cached answers cannot, and is remembered.
      await setPrice(1600);
    } finally {
      redis.kill("SIGCONT");
    }
    // Redis still holds the menu with 1500: reading it now would be stale.
    expect(await risottoPrice()).toBe(1600);
    await cluster
      .node("front")
      .waitForLine(/emptied the shared cache/, "the cacher to make up for the missed clean", 5_000);
  });

  it("shows the menu from the last stock levels when no inventory node is left, and answers 503 at once for the stock itself", async () => {
    expect(await risottoPrice()).toBe(1600);
    expect((await cluster.node("stock").stop("SIGTERM")).code).toBe(0);
    await eventually(
      async () => (await front.request("GET", "/api/ingredients", { token: front.adminToken })).status === 503,
      "the inventory to be gone",
    );

    // As if the cached menu expired: the menu must be built again, without the inventory.
    const keys = await inspect.keys(`brigade-${cluster.namespace}-menu.*`);
    if (keys.length) await inspect.del(...keys);
    const res = await front.request("GET", "/api/dishes");
    expect(res.status).toBe(200);
    expect(res.body.rows.find((d: { id: string }) => d.id === "risotto")).toMatchObject({
      priceCents: 1600,
      available: true,
    });

    const asked = Date.now();
    const stock = await front.request("GET", "/api/ingredients", { token: front.adminToken });
    expect(stock.status).toBe(503);
    expect(stock.body.type).toBe("SERVICE_UNAVAILABLE");
    process.stdout.write(`[cluster] no inventory node: 503 after ${Date.now() - asked} ms\n`);
  });
});
