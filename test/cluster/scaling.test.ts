/**
 * Discovery, balance and adding capacity, with real node processes: a front node (gateway,
 * staff, menu, inventory, orders) and kitchen nodes that know nothing of each other but the
 * cluster's NATS, Redis and MongoDB. One kitchen starts under a backlog; two more join while it
 * cooks, without a restart of anything, and take tickets from the same queue.
 *
 * Throughput here is tickets cooked per second, limited by chefs (KITCHEN_CHEFS=2 per node) and
 * prep time (1 s a ticket), so three nodes cook about three times as fast as one; the test only
 * asks for a clear rise, and prints what it measured.
 */
import type { KitchenNodeStatus, TicketDone } from "../../lib/contracts";
import { startMongo, type TestMongo } from "../support/mongo";
import { eventually, ingredient, riceAndRisotto } from "../support/meal";
import { asBrigade, gatewayClient, startCluster, type GatewayClient, type TestCluster } from "../support/cluster";

jest.setTimeout(60_000);

const ORDERS = 72;
const WINDOW_MS = 4_000;

describe("a cluster grows: discovery, balance, and kitchens added under load", () => {
  let mongo: TestMongo;
  let cluster: TestCluster;
  let front: GatewayClient;
  let waiter: string;

  beforeAll(async () => {
    mongo = await startMongo();
    cluster = await startCluster({
      mongoUri: mongo.uri,
      name: "scale",
      env: { KITCHEN_CHEFS: "2", KITCHEN_TIME_SCALE: "0.5" },
    });
    const [gateway] = await cluster.startNodes([
      { name: "front", services: ["api", "staff", "menu", "inventory", "orders"] },
      { name: "kitchen-1", services: ["kitchen"] },
    ]);
    front = await gatewayClient(gateway.url);
    await riceAndRisotto(asBrigade(front), { onHand: 1_000_000, prepSeconds: 2 });
    waiter = await front.tokenFor("waiter");
    await cluster.observer();
    await cluster.waitForDiscovery(["front", "kitchen-1"]);
  });
  afterAll(async () => {
    await cluster?.stop();
    await mongo?.stop();
  });

  const done = () => cluster.heard("ticket.done").map((o) => ({ ...(o.payload as TicketDone), at: o.at }));
  const doneBetween = (from: number, to: number) => done().filter((d) => d.at >= from && d.at < to).length;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("cooks faster with three kitchen nodes than with one, and the new nodes take tickets", async () => {
    const placed: string[] = [];
    for (let batch = 0; batch < ORDERS / 8; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          front.request("POST", "/api/orders", {
            token: waiter,
            body: { table: `T${batch}-${i}`, lines: [{ dish: "risotto", qty: 1 }] },
          }),
        ),
      );
      for (const res of answers) {
        expect(res.status).toBe(201);
        placed.push(res.body.id);
      }
    }

    // One kitchen under load.
    await eventually(async () => done().length > 0, "the first ticket to be done");
    const oneFrom = Date.now();
    await sleep(WINDOW_MS);
    const withOne = doneBetween(oneFrom, oneFrom + WINDOW_MS) / (WINDOW_MS / 1000);

    // Two more join; nothing else restarts.
    const [k2, k3] = await cluster.startNodes([
      { name: "kitchen-2", services: ["kitchen"] },
      { name: "kitchen-3", services: ["kitchen"] },
    ]);
    await eventually(async () => {
      const nodes = new Set(cluster.heard("ticket.started").map((o) => o.payload.node));
      return nodes.has(k2.nodeID) && nodes.has(k3.nodeID);
    }, "the new kitchens to start tickets");
    const threeFrom = Date.now();
    await sleep(WINDOW_MS);
    const withThree = doneBetween(threeFrom, threeFrom + WINDOW_MS) / (WINDOW_MS / 1000);
    process.stdout.write(
      `[cluster] kitchen throughput: ${withOne.toFixed(2)} tickets/s with 1 node, ${withThree.toFixed(2)} tickets/s with 3 nodes\n`,
    );
    expect(withThree).toBeGreaterThan(withOne * 1.5);

    // Every order is cooked, each ticket once, and the three nodes shared the work.
    await eventually(
      async () => new Set(done().map((d) => d.ticket)).size === ORDERS,
      `all ${ORDERS} tickets to be done`,
      60_000,
      100,
    );
    const tickets = done().map((d) => d.ticket);
    expect(new Set(tickets).size).toBe(tickets.length);
    const byNode = new Map<string, number>();
    for (const d of done()) byNode.set(d.node, (byNode.get(d.node) ?? 0) + 1);
    expect([...byNode.keys()].sort()).toEqual([cluster.node("kitchen-1").nodeID, k2.nodeID, k3.nodeID].sort());
    // Each ticket consumed its ingredients exactly once, whichever node cooked it.
    expect((await ingredient(asBrigade(front), "rice")).onHand).toBe(1_000_000 - ORDERS * 80);
    const ready = await eventually(async () => {
      const res = await front.request("GET", `/api/orders?status=ready&pageSize=100`, { token: front.adminToken });
      return res.body.total === ORDERS ? res.body.rows : null;
    }, "every order to be ready");
    expect(ready.map((o: { id: string }) => o.id).sort()).toEqual([...placed].sort());
  });

  it("gives every node an ID of its own without configuration, and balances calls over every node of a service", async () => {
    const ids = cluster.nodes.map((n) => n.nodeID);
    expect(new Set(ids).size).toBe(ids.length);
    const observer = await cluster.observer();
    const answers: KitchenNodeStatus[] = [];
    for (let i = 0; i < 9; i++) answers.push(await observer.call<KitchenNodeStatus>("kitchen.status"));
    const kitchens = ["kitchen-1", "kitchen-2", "kitchen-3"].map((name) => cluster.node(name).nodeID);
    expect(new Set(answers.map((a) => a.node))).toEqual(new Set(kitchens));
    // Round robin: three calls in a row reach three different nodes.
    expect(new Set(answers.slice(0, 3).map((a) => a.node)).size).toBe(3);
  });
});
