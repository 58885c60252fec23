/**
 * Inventory correctness across nodes: 300 waiters order the last 100 portions at the same moment,
 * through two gateways (each with its own orders service) and two inventory nodes on one
 * MongoDB. Nothing routes an ingredient to one node: each reservation is a conditional atomic
 * update in the database (`available >= qty` in the update's query), so whichever node handles
 * it, the database lets exactly 100 through. (MongoDB here is the wire-compatible emulator in CI:
 * this proves the adapter contract the ledger relies on; with MONGO_URI set it runs on that.)
 */
import http from "node:http";
import { startMongo, type TestMongo } from "../support/mongo";
import { createDishes, createIngredients, ingredient } from "../support/meal";
import {
  asBrigade,
  freePort,
  gatewayClient,
  httpRequest,
  startCluster,
  type GatewayClient,
  type TestCluster,
} from "../support/cluster";

jest.setTimeout(60_000);

const STOCK = 100;
const ORDERS = 300;

/** How many `action` requests a node has handled, from its Prometheus metrics. */
function handled(port: number, action: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(`http://127.0.0.1:${port}/metrics`, (res) => {
        let text = "";
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => {
          const lines = text
            .split("\n")
            .filter((l) => l.startsWith("moleculer_request_total{") && l.includes(`action="${action}"`));
          resolve(lines.reduce((sum, l) => sum + Number(l.split(" ").pop()), 0));
        });
      })
      .on("error", reject);
  });
}

describe("no overselling across nodes", () => {
  let mongo: TestMongo;
  let cluster: TestCluster;
  let gateways: GatewayClient[];
  let metricsPorts: number[];

  beforeAll(async () => {
    mongo = await startMongo();
    cluster = await startCluster({ mongoUri: mongo.uri, name: "oversell" });
    metricsPorts = [await freePort(), await freePort()];
    const [gw1, gw2] = await cluster.startNodes([
      { name: "gateway-1", services: ["api", "staff", "orders"] },
      { name: "gateway-2", services: ["api", "staff", "orders"] },
      { name: "stock-1", services: ["inventory", "menu"], env: { METRICS_PORT: String(metricsPorts[0]) } },
      { name: "stock-2", services: ["inventory", "menu"], env: { METRICS_PORT: String(metricsPorts[1]) } },
    ]);
    await cluster.waitForDiscovery(["gateway-1", "gateway-2", "stock-1", "stock-2"]);
    gateways = [await gatewayClient(gw1.url), await gatewayClient(gw2.url)];
    await createIngredients(asBrigade(gateways[0]), [{ name: "Saffron", unit: "pcs", onHand: STOCK }]);
    await createDishes(asBrigade(gateways[0]), [
      {
        name: "Saffron Rice",
        priceCents: 2600,
        station: "saute",
        prepSeconds: 600,
        recipe: [{ ingredient: "saffron", qty: 1 }],
      },
    ]);
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    await mongo?.stop();
  });

  it(`lets exactly ${STOCK} of ${ORDERS} simultaneous orders through two gateways and two inventory nodes`, async () => {
    const tokens = await Promise.all(gateways.map((g) => g.tokenFor("waiter")));
    const before = await Promise.all(metricsPorts.map((port) => handled(port, "inventory.reserve")));
    const answers = await Promise.all(
      Array.from({ length: ORDERS }, (_, i) =>
        httpRequest(gateways[i % 2].url, "POST", "/api/orders", {
          token: tokens[i % 2],
          body: { table: `S${i}`, lines: [{ dish: "saffron-rice", qty: 1 }] },
          timeoutMs: 60_000,
        }),
      ),
    );
    const statuses = new Map<number, number>();
    for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    expect(Object.fromEntries(statuses)).toEqual({ 201: STOCK, 409: ORDERS - STOCK });
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.type === "OUT_OF_STOCK")).toBe(true);

    expect(await ingredient(asBrigade(gateways[1]), "saffron")).toMatchObject({
      onHand: STOCK,
      reserved: STOCK,
      available: 0,
    });
    const listed = await gateways[0].request("GET", "/api/orders?pageSize=1", { token: gateways[0].adminToken });
    expect(listed.body.total).toBe(STOCK);
    // Both inventory nodes took reservations: the database, not routing, kept the count.
    const after = await Promise.all(metricsPorts.map((port) => handled(port, "inventory.reserve")));
    expect(after[0] - before[0]).toBeGreaterThan(0);
    expect(after[1] - before[1]).toBeGreaterThan(0);
  });
});
