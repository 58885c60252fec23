/**
 * A kitchen node lost while it cooks. Tickets live in the database, not in the process: a ticket
 * cooking under a node that is gone is adopted by a live kitchen and finishes on its original
 * schedule; an order taken from the stream but not acknowledged is delivered again.
 *
 *   - kill -9: nothing is handed back; the others notice the node gone when its heartbeats stop
 *     (10–20 s: heartbeatTimeout in moleculer.config.ts) and adopt its tickets then.
 *   - SIGTERM: the node takes no new order, hands its cooking tickets back on its way out, and
 *     leaves the cluster; another kitchen adopts them on its next poll.
 *
 * Either way every accepted order reaches `ready`, each ticket is finished once and its
 * ingredients are consumed once. The takeover times are printed.
 */
import type { TicketDone, TicketStarted } from "../../lib/contracts";
import { startMongo, type TestMongo } from "../support/mongo";
import { allTickets, createDishes, createIngredients, eventually, ingredient } from "../support/meal";
import {
  asBrigade,
  gatewayClient,
  startCluster,
  type ClusterNode,
  type GatewayClient,
  type TestCluster,
} from "../support/cluster";

jest.setTimeout(60_000);

const RICE = 100_000;
const PER_TICKET = 50;

describe("a kitchen node lost while it cooks", () => {
  let mongo: TestMongo;
  let cluster: TestCluster;
  let front: GatewayClient;
  let waiter: string;
  let placedCount = 0;

  beforeAll(async () => {
    mongo = await startMongo();
    cluster = await startCluster({
      mongoUri: mongo.uri,
      name: "failover",
      env: { KITCHEN_CHEFS: "4", KITCHEN_TIME_SCALE: "1" },
    });
    const [gateway] = await cluster.startNodes([
      { name: "front", services: ["api", "staff", "menu", "inventory", "orders"] },
      { name: "kitchen-a", services: ["kitchen"] },
      { name: "kitchen-b", services: ["kitchen"] },
    ]);
    front = await gatewayClient(gateway.url);
    await createIngredients(asBrigade(front), [{ name: "Rice", unit: "g", onHand: RICE }]);
    // Long enough that tickets are on the stove when a node goes.
    await createDishes(asBrigade(front), [
      {
        name: "Paella",
        priceCents: 2400,
        station: "saute",
        prepSeconds: 6,
        recipe: [{ ingredient: "rice", qty: PER_TICKET }],
      },
    ]);
    waiter = await front.tokenFor("waiter");
    await cluster.observer();
    await cluster.waitForDiscovery(["front", "kitchen-a", "kitchen-b"]);
  });
  afterAll(async () => {
    await cluster?.stop();
    await mongo?.stop();
  });

  const started = () => cluster.heard("ticket.started").map((o) => ({ ...(o.payload as TicketStarted), at: o.at }));
  const done = () => cluster.heard("ticket.done").map((o) => ({ ...(o.payload as TicketDone), at: o.at }));

  async function placeOrders(count: number): Promise<string[]> {
    const answers = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        front.request("POST", "/api/orders", {
          token: waiter,
          body: { table: `F${placedCount}-${i}`, lines: [{ dish: "paella", qty: 1 }] },
        }),
      ),
    );
    for (const res of answers) expect(res.status).toBe(201);
    placedCount += count;
    return answers.map((res) => res.body.id as string);
  }

  /** Tickets `node` started (after `since`) and had not finished. */
  function cookingOn(node: ClusterNode, since: number): string[] {
    const finished = new Set(done().map((d) => d.ticket));
    return started()
      .filter((s) => s.node === node.nodeID && s.at >= since && !finished.has(s.ticket))
      .map((s) => s.ticket);
  }

  /** Once every order's ticket is on a stove: the busiest of `kitchens` (to lose) and the other. */
  async function pickVictim(kitchens: [ClusterNode, ClusterNode], since: number, tickets: number) {
    await eventually(
      async () => kitchens.flatMap((k) => cookingOn(k, since)).length === tickets,
      `all ${tickets} tickets to be cooking`,
    );
    const [victim, survivor] = [...kitchens].sort((a, b) => cookingOn(b, since).length - cookingOn(a, since).length);
    return { victim, survivor, onVictim: cookingOn(victim, since) };
  }

  async function expectAllReadyOnce(orders: string[]) {
    await eventually(
      async () => {
        const states = await Promise.all(
          orders.map((id) => front.request("GET", `/api/orders/${id}`, { token: front.adminToken })),
        );
        return states.every((s) => s.body.status === "ready");
      },
      "every accepted order to be ready",
      45_000,
      250,
    );
    const tickets = await allTickets(asBrigade(front));
    for (const id of orders) {
      const mine = tickets.filter((t) => t.order === id);
      expect(mine.map((t) => t.status)).toEqual(["done"]);
      // Finished once: a second finish would announce a second ticket.done. (A node killed right
      // after finishing may take its one announcement with it: the order is then caught up by
      // the orders' reconcile loop, which asks the kitchen.)
      expect(done().filter((d) => d.ticket === mine[0].id).length).toBeLessThanOrEqual(1);
    }
  }

  it("kill -9: a live kitchen adopts its tickets once the node is seen gone; every order is ready, none cooked twice", async () => {
    const since = Date.now();
    // Four tickets for eight chefs: whatever the victim cooks, the survivor has the chefs to adopt at once.
    const orders = await placeOrders(4);
    const { victim, survivor, onVictim } = await pickVictim(
      [cluster.node("kitchen-a"), cluster.node("kitchen-b")],
      since,
      4,
    );

    victim.kill("SIGKILL");
    const killedAt = Date.now();
    expect(await victim.exited).toMatchObject({ signal: "SIGKILL" });

    await expectAllReadyOnce(orders);
    // What kitchen-a had on the stove was finished by kitchen-b.
    for (const ticket of onVictim) expect(done().find((d) => d.ticket === ticket)?.node).toBe(survivor.nodeID);
    const takeover =
      Math.min(
        ...started()
          .filter((s) => onVictim.includes(s.ticket) && s.node === survivor.nodeID)
          .map((s) => s.at),
      ) - killedAt;
    process.stdout.write(
      `[cluster] kill -9 of a cooking kitchen node: its tickets were taken over after ${(takeover / 1000).toFixed(1)} s\n`,
    );
    // Consumed once per ticket, whoever finished it.
    expect((await ingredient(asBrigade(front), "rice")).onHand).toBe(RICE - placedCount * PER_TICKET);
  });

  it("SIGTERM: the node hands its cooking tickets back and leaves; another kitchen finishes them, each once", async () => {
    const [newcomer] = await cluster.startNodes([{ name: "kitchen-c", services: ["kitchen"] }]);
    await cluster.waitForDiscovery(["kitchen-c"]);
    const alive = cluster.nodes.filter((n) => n.name.startsWith("kitchen") && n.alive());
    expect(alive).toHaveLength(2);
    const since = Date.now();
    const orders = await placeOrders(4);
    const {
      victim: leaving,
      survivor: adopter,
      onVictim: onLeaving,
    } = await pickVictim([alive[0], alive[1]], since, 4);

    const stoppedAt = Date.now();
    const exit = await leaving.stop("SIGTERM");
    expect(exit.code).toBe(0);
    await leaving.waitForLine(/Handed cooking tickets back/, `${leaving.name} to hand its tickets back`, 1);

    await expectAllReadyOnce(orders);
    expect(cluster.nodes).toContain(newcomer);
    for (const ticket of onLeaving) expect(done().find((d) => d.ticket === ticket)?.node).toBe(adopter.nodeID);
    const takeover =
      Math.min(
        ...started()
          .filter((s) => onLeaving.includes(s.ticket) && s.node === adopter.nodeID)
          .map((s) => s.at),
      ) - stoppedAt;
    process.stdout.write(
      `[cluster] SIGTERM to a cooking kitchen node: its tickets were taken over after ${(takeover / 1000).toFixed(1)} s\n`,
    );
    expect((await ingredient(asBrigade(front), "rice")).onHand).toBe(RICE - placedCount * PER_TICKET);
  });
});
