/**
 * NATS goes away and comes back while waiters place orders. The test runs a nats-server of its
 * own (JetStream on, its store in a folder of its own) so it can kill it without touching the
 * shared one, and restarts it on the same port and store, as a supervisor would.
 *
 * While NATS is away the front node still answers: gateway, orders, menu and inventory run
 * there and talk in-process. Orders accepted then cannot be published to the kitchen's stream;
 * they stay "not handed off" in MongoDB, and the reconcile loop publishes them once NATS is
 * back. Nothing is restarted by hand: every node and the stream reconnect by themselves.
 */
import { startMongo, type TestMongo } from "../support/mongo";
import { createDishes, createIngredients, eventually } from "../support/meal";
import {
  asBrigade,
  gatewayClient,
  startCluster,
  startNatsServer,
  removeDir,
  type GatewayClient,
  type NatsServer,
  type TestCluster,
} from "../support/cluster";

jest.setTimeout(60_000);

describe("NATS restarted while orders are placed", () => {
  let mongo: TestMongo;
  let nats: NatsServer;
  let cluster: TestCluster;
  let front: GatewayClient;
  let waiter: string;

  beforeAll(async () => {
    mongo = await startMongo();
    nats = await startNatsServer();
    cluster = await startCluster({
      mongoUri: mongo.uri,
      name: "natsrestart",
      nats: nats.url,
      env: { KITCHEN_TIME_SCALE: "0.1", KITCHEN_CHEFS: "8" },
    });
    const [gateway] = await cluster.startNodes([
      { name: "front", services: ["api", "staff", "menu", "inventory", "orders"] },
      { name: "kitchen", services: ["kitchen"] },
    ]);
    front = await gatewayClient(gateway.url);
    await createIngredients(asBrigade(front), [{ name: "Flour", unit: "g", onHand: 1_000_000 }]);
    await createDishes(asBrigade(front), [
      {
        name: "Flatbread",
        priceCents: 600,
        station: "pastry",
        prepSeconds: 3,
        recipe: [{ ingredient: "flour", qty: 100 }],
      },
    ]);
    waiter = await front.tokenFor("waiter");
    await cluster.waitForDiscovery(["front", "kitchen"]);
  });
  afterAll(async () => {
    await cluster?.stop();
    await nats?.stop("SIGKILL");
    if (nats) removeDir(nats.storeDir);
    await mongo?.stop();
  });

  it("loses no order that got a 201, and the cluster reconnects by itself", async () => {
    const accepted: string[] = [];
    const refused: number[] = [];
    let placing = true;
    let placedDuringOutage = 0;
    let outage = false;
    const load = (async () => {
      for (let i = 0; placing && i < 400; i++) {
        try {
          const res = await front.request("POST", "/api/orders", {
            token: waiter,
            body: { table: `N${i}`, lines: [{ dish: "flatbread", qty: 1 }] },
          });
          if (res.status === 201) {
            accepted.push(res.body.id);
            if (outage) placedDuringOutage++;
          } else refused.push(res.status);
        } catch {
          refused.push(0);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    await eventually(async () => accepted.length >= 10, "orders to flow before the outage");
    // A crash, not a goodbye: kill -9, then the same server comes back on its port and store.
    outage = true;
    await nats.stop("SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    nats = await startNatsServer({ port: nats.port, storeDir: nats.storeDir });
    outage = false;
    const afterRestart = accepted.length;
    await eventually(async () => accepted.length >= afterRestart + 10, "orders to flow after the restart", 30_000);
    placing = false;
    await load;

    process.stdout.write(
      `[cluster] NATS restart: ${accepted.length} orders accepted (${placedDuringOutage} while NATS was down), ${refused.length} refused\n`,
    );
    expect(placedDuringOutage).toBeGreaterThan(0);
    // Every order that got a 201 is cooked: none was lost on the way to the kitchen.
    await eventually(
      async () => {
        const res = await front.request("GET", `/api/orders?status=ready&pageSize=100&page=1`, {
          token: front.adminToken,
        });
        return res.body.total === accepted.length;
      },
      `all ${accepted.length} accepted orders to be ready`,
      40_000,
      500,
    );
    const ready = new Set<string>();
    for (let page = 1; ready.size < accepted.length; page++) {
      const res = await front.request("GET", `/api/orders?status=ready&pageSize=100&page=${page}`, {
        token: front.adminToken,
      });
      if (res.body.rows.length === 0) break;
      for (const row of res.body.rows) ready.add(row.id);
    }
    expect(accepted.filter((id) => !ready.has(id))).toEqual([]);
    // Both nodes found each other again without a restart.
    for (const node of cluster.nodes) expect(node.alive()).toBe(true);
    await cluster.waitForDiscovery(["front", "kitchen"]);
  });
});
