/**
 * Revocation reaches the live streams, on every gateway: two gateways over NATS, the staff
 * service on a node of its own. Deactivating an account, or changing its role, ends its open
 * streams within a second wherever they are, and a ticket issued before it opens nothing.
 * (The same signal ends the login token: the staff service's `cache.clean.staff` broadcast.)
 * Also: the shared Redis cache holds no token in its keys.
 */
import Redis from "ioredis";
import { startMongo, type TestMongo } from "../support/mongo";
import { riceAndRisotto } from "../support/meal";
import {
  asBrigade,
  gatewayClient,
  startCluster,
  TEST_REDIS_URL,
  twoGatewaysAndBack,
  type ClusterNode,
  type GatewayClient,
  type TestCluster,
} from "../support/cluster";
import { named, openStream, type Stream } from "../support/live-stream";

jest.setTimeout(90_000);

const WITHIN_MS = 1000;

describe("live streams after a revocation, with two gateways", () => {
  let mongo: TestMongo;
  let cluster: TestCluster;
  let gateways: ClusterNode[];
  let one: GatewayClient;
  let two: GatewayClient;
  const streams: Stream[] = [];

  beforeAll(async () => {
    mongo = await startMongo();
    cluster = await startCluster({ mongoUri: mongo.uri, name: "revocation" });
    gateways = await twoGatewaysAndBack(cluster, ["staff", "menu", "inventory", "orders"]);
    one = await gatewayClient(gateways[0].url);
    two = await gatewayClient(gateways[1].url);
    await riceAndRisotto(asBrigade(one), { onHand: 1_000_000, prepSeconds: 600 });
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await cluster?.stop();
    await mongo?.stop();
  });

  const ticketFrom = async (client: GatewayClient, token: string) => {
    const res = await client.request("POST", "/api/live/tickets", { token });
    expect(res.status).toBe(200);
    return res.body.ticket as string;
  };
  const streamOn = async (gateway: ClusterNode, ticket: string) => {
    const stream = await openStream(gateway.url, ticket);
    streams.push(stream);
    expect(stream.status).toBe(200);
    await stream.waitFor("the stream's hello", named("live.ready"));
    return stream;
  };
  /** Each stream ended (told `live.revoked`) less than a second after `since`. */
  const expectEndedWithinASecond = async (ended: Stream[], since: number) => {
    await Promise.race([Promise.all(ended.map((s) => s.ended)), new Promise((resolve) => setTimeout(resolve, 5_000))]);
    for (const stream of ended) {
      expect(stream.endedAt).toBeDefined();
      expect(stream.endedAt! - since).toBeLessThan(WITHIN_MS);
      expect(stream.messages.at(-1)?.event).toBe("live.revoked");
    }
  };
  const placeOrder = async (table: string) => {
    const res = await one.request("POST", "/api/orders", {
      token: one.adminToken,
      body: { table, lines: [{ dish: "risotto", qty: 1 }] },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  it("ends a deactivated waiter's streams on both gateways within a second, and refuses the ticket issued before", async () => {
    const waiter = await one.tokenFor("waiter", "revoked-waiter");
    const onOne = await streamOn(gateways[0], await ticketFrom(one, waiter));
    const onTwo = await streamOn(gateways[1], await ticketFrom(one, waiter));
    const spare = await ticketFrom(two, waiter);
    // The streams hear orders until then.
    const before = await placeOrder("3");
    for (const stream of [onOne, onTwo])
      await stream.waitFor("order.placed", (m) => m.event === "order.placed" && m.payload.order === before);

    const deactivated = await one.request("DELETE", "/api/staff/revoked-waiter", { token: one.adminToken });
    expect(deactivated.status).toBe(200);
    await expectEndedWithinASecond([onOne, onTwo], Date.now());

    const after = await placeOrder("4");
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const stream of [onOne, onTwo])
      expect(stream.messages.some((m) => m.event === "order.placed" && m.payload.order === after)).toBe(false);

    // The ticket taken before the deactivation opens nothing, on either gateway.
    for (const gateway of gateways) {
      const refused = await openStream(gateway.url, spare);
      expect(refused.status).toBe(401);
    }
  });

  it("ends a demoted manager's streams, so no cluster.changed reaches a waiter", async () => {
    const manager = await one.tokenFor("manager", "demoted-manager");
    const onOne = await streamOn(gateways[0], await ticketFrom(one, manager));
    const onTwo = await streamOn(gateways[1], await ticketFrom(two, manager));
    for (const stream of [onOne, onTwo]) await stream.waitFor("the cluster picture", named("cluster.changed"));

    const demoted = await two.request("PATCH", "/api/staff/demoted-manager", {
      token: two.adminToken,
      body: { role: "waiter" },
    });
    expect(demoted.status).toBe(200);
    const demotedAt = Date.now();
    await expectEndedWithinASecond([onOne, onTwo], demotedAt);
    for (const stream of [onOne, onTwo]) {
      const late = stream.messages.filter(
        (m, i) => m.event === "cluster.changed" && stream.arrivals[i] > demotedAt + WITHIN_MS,
      );
      expect(late).toEqual([]);
    }
  });

  it("keeps a stream whose account only changed its name", async () => {
    const chef = await one.tokenFor("chef", "renamed-chef");
    const stream = await streamOn(gateways[1], await ticketFrom(one, chef));
    const renamed = await one.request("PATCH", "/api/staff/renamed-chef", {
      token: one.adminToken,
      body: { name: "Chef Renamed" },
    });
    expect(renamed.status).toBe(200);
    const order = await placeOrder("5");
    await stream.waitFor(
      "order.placed after the rename",
      (m) => m.event === "order.placed" && m.payload.order === order,
    );
    expect(stream.endedAt).toBeUndefined();
  });

  it("keeps no token in a shared cache key", async () => {
    const token = await two.tokenFor("cashier", "cached-cashier");
    expect((await two.request("GET", "/api/auth/me", { token })).status).toBe(200);
    const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      const keys = await redis.keys(`brigade-${cluster.namespace}*`);
      expect(keys.some((key) => key.includes("staff.resolveToken"))).toBe(true);
      const [, payload, signature] = token.split(".");
      for (const key of keys) {
        expect(key).not.toContain(payload);
        expect(key).not.toContain(signature);
      }
    } finally {
      redis.disconnect();
    }
  });
});
