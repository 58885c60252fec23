/**
 * SIGTERM to one of two gateways under load. The load client stands in for a load balancer: it
 * spreads requests over the gateways whose /health/ready says 200 (polled every 200 ms), and a
 * connection that could not be made (refused, or reset while connecting: the request never left)
 * goes to the other gateway. Every request must get an HTTP answer, and a
 * good one: a request a gateway had accepted when the signal came is finished, not dropped.
 *
 * What makes it work (Moleculer's broker.stop with `registry.stopDelay` and `tracking`): the
 * node at once reports not ready and tells the cluster it offers nothing, keeps serving for the
 * stop delay (the balancer takes it out meanwhile), waits for its calls in flight, then the
 * gateway stops accepting connections and finishes the requests it has, and only then the
 * node leaves NATS.
 */
import { startMongo, type TestMongo } from "../support/mongo";
import { riceAndRisotto } from "../support/meal";
import {
  asBrigade,
  gatewayClient,
  httpRequest,
  startCluster,
  twoGatewaysAndBack,
  type ClusterNode,
  type TestCluster,
} from "../support/cluster";

jest.setTimeout(60_000);

interface Sent {
  gateway: number;
  startedAt: number;
  endedAt?: number;
  status?: number;
  error?: string;
}

describe("a gateway stopped under load", () => {
  let mongo: TestMongo;
  let cluster: TestCluster;
  let gateways: ClusterNode[];

  beforeAll(async () => {
    mongo = await startMongo();
    cluster = await startCluster({ mongoUri: mongo.uri, name: "graceful" });
    gateways = await twoGatewaysAndBack(cluster, ["staff", "menu", "inventory", "orders"]);
  });
  afterAll(async () => {
    await cluster?.stop();
    await mongo?.stop();
  });

  it("fails no request: those in flight at SIGTERM are answered, the others go to the gateway that stays", async () => {
    const client = await gatewayClient(gateways[1].url);
    await riceAndRisotto(asBrigade(client), { onHand: 10_000_000, prepSeconds: 600 });
    const waiter = await client.tokenFor("waiter");

    const sent: Sent[] = [];
    const up = [true, true];
    let next = 0;
    let running = true;
    let sigtermAt = 0;
    async function one(i: number) {
      const order = i % 2 === 0;
      const record: Sent = { gateway: -1, startedAt: 0 };
      for (;;) {
        const gateway = up[next % 2] ? next % 2 : (next + 1) % 2;
        next++;
        record.gateway = gateway;
        record.startedAt = Date.now();
        try {
          const res = order
            ? await httpRequest(gateways[gateway].url, "POST", "/api/orders", {
                token: waiter,
                body: { table: `G${i}`, lines: [{ dish: "risotto", qty: 1 }] },
              })
            : await httpRequest(gateways[gateway].url, "GET", "/api/dishes");
          record.status = res.status;
        } catch (err) {
          const { code, syscall } = err as { code?: string; syscall?: string };
          // Refused, or reset before the connection was made (the listener closed with it in its
          // backlog): the request never left. A load balancer takes the gateway out and resends.
          if (code === "ECONNREFUSED" || syscall === "connect") {
            up[gateway] = false;
            continue;
          }
          record.error = `${code ?? ""} ${(err as Error).message}`;
        }
        record.endedAt = Date.now();
        sent.push(record);
        return;
      }
    }
    // The balancer's readiness probe.
    const probing = (async () => {
      while (running) {
        await Promise.all(
          gateways.map(async (gateway, i) => {
            if (!up[i]) return;
            const ready = await httpRequest(gateway.url, "GET", "/health/ready", { timeoutMs: 1_000 }).catch(
              () => null,
            );
            if (ready?.status !== 200) up[i] = false;
          }),
        );
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    const workers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = w; running && i < 4_000; i += 8) await one(i);
    });

    await new Promise((resolve) => setTimeout(resolve, 2_000));
    sigtermAt = Date.now();
    const exit = await gateways[0].stop("SIGTERM");
    const exitedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    running = false;
    await Promise.all([...workers, probing]);

    expect(exit.code).toBe(0);
    expect(sent.filter((s) => s.error)).toEqual([]);
    expect(sent.filter((s) => s.status !== 200 && s.status !== 201)).toEqual([]);
    const inFlight = sent.filter((s) => s.gateway === 0 && s.startedAt <= sigtermAt && s.endedAt! > sigtermAt);
    const afterwards = sent.filter((s) => s.startedAt > exitedAt);
    process.stdout.write(
      `[cluster] gateway SIGTERM under load: ${sent.length} requests, ${inFlight.length} in flight on the stopping gateway, all answered\n`,
    );
    expect(inFlight.length).toBeGreaterThan(0);
    expect(afterwards.length).toBeGreaterThan(0);
    expect(afterwards.every((s) => s.gateway === 1)).toBe(true);
  });
});
