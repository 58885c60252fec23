/**
 * Kitchens per location (issue 17): two locations, one kitchen node each, pinned with
 * KITCHEN_LOCATIONS. A location's tickets are never cooked by the other's kitchen; killing one
 * location's kitchen stops only that location's cooking (the cluster view says which location
 * has no kitchen), and its orders are cooked when a kitchen for it comes back.
 */
import type { ClusterView } from "../../services/api/cluster-view";
import type { TicketStarted } from "../../lib/contracts";
import { startMongo, type TestMongo } from "../support/mongo";
import { eventually, riceAndRisotto } from "../support/meal";
import { asBrigade, gatewayClient, startCluster, type GatewayClient, type TestCluster } from "../support/cluster";

jest.setTimeout(90_000);

describe("kitchens per location", () => {
  let mongo: TestMongo;
  let cluster: TestCluster;
  let front: GatewayClient;
  const waiters: Record<string, string> = {};
  /** Which location each placed order belongs to. */
  const placedIn = new Map<string, string>();

  beforeAll(async () => {
    mongo = await startMongo();
    cluster = await startCluster({
      mongoUri: mongo.uri,
      name: "locations",
      env: { KITCHEN_CHEFS: "4", KITCHEN_TIME_SCALE: "0.05" },
    });
    const [gateway] = await cluster.startNodes([
      { name: "front", services: ["api", "staff", "menu", "inventory", "orders"] },
      { name: "kitchen-main", services: ["kitchen"], env: { KITCHEN_LOCATIONS: "main" } },
      { name: "kitchen-east", services: ["kitchen"], env: { KITCHEN_LOCATIONS: "east" } },
    ]);
    front = await gatewayClient(gateway.url);
    // Main's menu while the group has one location; then east's own, the same dish.
    await riceAndRisotto(asBrigade(front), { onHand: 1_000_000, prepSeconds: 20 });
    const east = await front.request("POST", "/api/locations", {
      token: front.adminToken,
      body: { id: "east", name: "Brigade East" },
    });
    expect(east.status).toBe(201);
    const inEast = { token: front.adminToken, headers: { "x-brigade-location": "east" } };
    const rice = await front.request("POST", "/api/ingredients", {
      ...inEast,
      body: { name: "Rice", unit: "g", onHand: 1_000_000 },
    });
    const risotto = await front.request("POST", "/api/dishes", {
      ...inEast,
      body: {
        name: "Risotto",
        category: "mains",
        priceCents: 1400,
        station: "saute",
        prepSeconds: 20,
        recipe: [{ ingredient: "rice", qty: 80 }],
      },
    });
    expect([rice.status, risotto.status]).toEqual([201, 201]);
    for (const location of ["main", "east"]) {
      const username = `waiter-${location}`;
      const res = await front.request("POST", "/api/staff", {
        token: front.adminToken,
        body: { username, name: `Waiter ${location}`, role: "waiter", password: `pw-${username}-secret`, location },
      });
      expect(res.status).toBe(201);
      waiters[location] = await front.login(username, `pw-${username}-secret`);
    }
    await cluster.observer();
    await cluster.waitForDiscovery(["front", "kitchen-main", "kitchen-east"]);
  });
  afterAll(async () => {
    await cluster?.stop();
    await mongo?.stop();
  });

  const startedBy = () =>
    new Map(cluster.heard("ticket.started").map((o) => [(o.payload as TicketStarted).order, o.payload.node as string]));

  async function place(location: string, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const res = await front.request("POST", "/api/orders", {
        token: waiters[location],
        body: { table: `${location}-${placedIn.size}`, lines: [{ dish: "risotto", qty: 1 }] },
      });
      expect(res.status).toBe(201);
      placedIn.set(res.body.id, location);
      ids.push(res.body.id);
    }
    return ids;
  }

  async function statusOf(id: string): Promise<string> {
    const res = await front.request("GET", `/api/orders/${id}`, { token: waiters[placedIn.get(id)!] });
    return res.body.status;
  }

  async function allReady(ids: string[], what: string) {
    await eventually(async () => (await Promise.all(ids.map(statusOf))).every((s) => s === "ready"), what, 45_000, 200);
  }

  it("cooks each location's tickets on its own kitchen only", async () => {
    const orders = [...(await place("main", 3)), ...(await place("east", 3))];
    await allReady(orders, "every order of both locations to be ready");
    const by = startedBy();
    const kitchenOf = { main: cluster.node("kitchen-main").nodeID, east: cluster.node("kitchen-east").nodeID };
    for (const id of orders) expect(by.get(id)).toBe(kitchenOf[placedIn.get(id) as "main" | "east"]);
  });

  it("stops only east's cooking when east's kitchen dies, says so, and cooks east's orders when a kitchen comes back", async () => {
    const victim = cluster.node("kitchen-east");
    victim.kill("SIGKILL");
    await victim.exited;
    const east = await place("east", 2);
    const main = await place("main", 2);
    await allReady(main, "main's orders to be ready while east has no kitchen");
    // Main's orders went all the way through meanwhile; east's wait, queued, for a kitchen of theirs.
    expect(await Promise.all(east.map(statusOf))).toEqual(["placed", "placed"]);
    expect(east.some((id) => startedBy().has(id))).toBe(false);

    // Once the registry drops the dead node, the cluster view names the location left without a kitchen.
    const view = await eventually(
      async () => {
        const res = await front.request("GET", "/api/cluster", { token: front.adminToken });
        return (res.body as ClusterView).warnings.length > 0 ? (res.body as ClusterView) : null;
      },
      "the cluster view to warn that east has no kitchen",
      40_000,
      500,
    );
    expect(view.locations).toEqual([
      { id: "east", kitchens: [] },
      { id: "main", kitchens: [cluster.node("kitchen-main").nodeID] },
    ]);
    expect(view.warnings).toEqual([expect.stringContaining("Location east has no kitchen")]);

    const [comeback] = await cluster.startNodes([
      { name: "kitchen-east-2", services: ["kitchen"], env: { KITCHEN_LOCATIONS: "east" } },
    ]);
    await allReady(east, "east's orders to be cooked by the new east kitchen");
    for (const id of east) expect(startedBy().get(id)).toBe(comeback.nodeID);
  });
});
