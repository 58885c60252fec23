/**
 * A cached answer in the shared Redis is read where the call starts (middlewares/shared-cache
 * -at-caller.middleware.ts): a gateway answers a cached menu read without asking a menu node.
 * The test proves the hop is gone by freezing the only menu node (SIGSTOP, for a moment shorter
 * than the heartbeat timeout): cached reads are still answered; anything that is not a hit
 * still needs the menu node and waits for it. And that the answer is the callee's own:
 * a param the cache key leaves out still gets the menu's validation error, and a write is
 * seen by the very next read.
 */
import { startMongo, type TestMongo } from "../support/mongo";
import { createDishes, createIngredients } from "../support/meal";
import {
  asBrigade,
  gatewayClient,
  startCluster,
  type ClusterNode,
  type GatewayClient,
  type TestCluster,
} from "../support/cluster";

jest.setTimeout(60_000);

describe("cached answers read at the caller", () => {
  let mongo: TestMongo;
  let cluster: TestCluster;
  let front: GatewayClient;
  let menuNode: ClusterNode;

  beforeAll(async () => {
    mongo = await startMongo();
    cluster = await startCluster({ mongoUri: mongo.uri, name: "callercache" });
    const [gateway, menu] = await cluster.startNodes([
      { name: "front", services: ["api"] },
      { name: "menu", services: ["menu", "staff"] },
      { name: "stock", services: ["inventory"] },
    ]);
    menuNode = menu;
    await cluster.waitForDiscovery(["front", "menu", "stock"]);
    front = await gatewayClient(gateway.url);
    await createIngredients(asBrigade(front), [{ name: "Flour", unit: "g", onHand: 10_000 }]);
    await createDishes(asBrigade(front), [
      {
        name: "Focaccia",
        priceCents: 600,
        station: "pastry",
        prepSeconds: 60,
        recipe: [{ ingredient: "flour", qty: 100 }],
      },
    ]);
  });
  afterAll(async () => {
    menuNode?.kill("SIGCONT");
    await cluster?.stop();
    await mongo?.stop();
  });

  const price = async (path = "/api/dishes") => {
    const res = await front.request("GET", path);
    expect(res.status).toBe(200);
    return res.body.rows.find((d: { id: string }) => d.id === "focaccia").priceCents as number;
  };

  it("answers a cached menu read while the menu's only node is frozen, and nothing else", async () => {
    expect(await price()).toBe(600); // stored in Redis by the menu node
    menuNode.kill("SIGSTOP");
    try {
      for (let i = 0; i < 5; i++) expect(await price()).toBe(600);
      // Not in the cache (another page size): only the frozen menu node could answer it.
      const uncached = front.request("GET", "/api/dishes?pageSize=7");
      const waited = await Promise.race([
        uncached.then(() => "answered"),
        new Promise((resolve) => setTimeout(() => resolve("waiting"), 1500)),
      ]);
      expect(waited).toBe("waiting");
    } finally {
      menuNode.kill("SIGCONT");
    }
  });

  it("sends a call with a param the key leaves out to the menu, which refuses it", async () => {
    expect(await price()).toBe(600);
    const res = await front.request("GET", "/api/dishes?colour=red");
    expect(res.status).toBe(422);
    expect(res.body.type).toBe("VALIDATION_ERROR");
  });

  it("shows a write on the very next read", async () => {
    expect(await price()).toBe(600);
    const patched = await front.request("PATCH", "/api/dishes/focaccia", {
      token: front.adminToken,
      body: { priceCents: 650 },
    });
    expect(patched.status).toBe(200);
    expect(await price()).toBe(650);
  });
});
