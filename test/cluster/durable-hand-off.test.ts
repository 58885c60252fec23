/**
 * The durable hand-off from orders to the kitchen over NATS JetStream (lib/order-stream.ts):
 * placed orders wait in the stream for a kitchen, a second publish of one order is dropped,
 * a failing delivery comes back after a delay, and what cannot be taken ends in the dead-letter
 * stream instead of blocking the queue.
 *
 * The first test runs real nodes with the orders' reconcile loop slowed to once an hour, so
 * what reaches the kitchen can only have come through the stream. The others drive the two ends
 * (services/orders/jetstream-hand-off.ts, services/kitchen/order-inbox.ts) in this process
 * against the real NATS server.
 */
import { randomBytes } from "node:crypto";
import { connect, JSONCodec, type JetStreamManager, type NatsConnection } from "nats";
import type { OrderPlaced } from "../../lib/contracts";
import { deleteOrderStreams, orderStreamNames } from "../../lib/order-stream";
import { JetStreamHandOff } from "../../services/orders/jetstream-hand-off";
import { OrderInbox } from "../../services/kitchen/order-inbox";
import { startMongo, type TestMongo } from "../support/mongo";
import { createDishes, createIngredients, eventually } from "../support/meal";
import {
  asBrigade,
  gatewayClient,
  requireNats,
  startCluster,
  TEST_NATS_URL,
  type TestCluster,
} from "../support/cluster";

jest.setTimeout(60_000);

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

function placed(order: string): OrderPlaced {
  return {
    order,
    table: "7",
    placedAt: new Date().toISOString(),
    lines: [
      {
        index: 0,
        dish: "soup",
        name: "Soup",
        qty: 1,
        notes: "",
        station: "saute",
        prepSeconds: 60,
        ingredients: [{ ingredient: "stock", qty: 1 }],
      },
    ],
  };
}

describe("the durable hand-off to the kitchen", () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    await requireNats();
    const url = new URL(TEST_NATS_URL);
    nc = await connect({ servers: `${url.hostname}:${url.port}` });
    jsm = await nc.jetstreamManager();
  });
  afterAll(async () => {
    await nc?.close();
  });

  describe("with real nodes", () => {
    let mongo: TestMongo;
    let cluster: TestCluster;

    beforeAll(async () => {
      mongo = await startMongo();
      // Once an hour: the reconcile loop cannot be what hands these orders over.
      cluster = await startCluster({
        mongoUri: mongo.uri,
        name: "durable",
        env: { BRIGADE_RECONCILE_MS: "3600000", KITCHEN_TIME_SCALE: "0.1" },
      });
    });
    afterAll(async () => {
      await cluster?.stop();
      await mongo?.stop();
    });

    it("keeps orders placed while no kitchen runs, and gives them to the first kitchen that starts; a poison message is dead-lettered", async () => {
      const [gateway] = await cluster.startNodes([
        { name: "front", services: ["api", "staff", "menu", "inventory", "orders"] },
      ]);
      const front = await gatewayClient(gateway.url);
      await createIngredients(asBrigade(front), [{ name: "Stock", unit: "ml", onHand: 10_000 }]);
      await createDishes(asBrigade(front), [
        {
          name: "Soup",
          priceCents: 700,
          station: "saute",
          prepSeconds: 5,
          recipe: [{ ingredient: "stock", qty: 250 }],
        },
      ]);
      const waiter = await front.tokenFor("waiter");
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await front.request("POST", "/api/orders", {
          token: waiter,
          body: { table: `${i + 1}`, lines: [{ dish: "soup", qty: 1 }] },
        });
        expect(res.status).toBe(201);
        ids.push(res.body.id);
      }
      const names = orderStreamNames(cluster.namespace);
      expect((await jsm.streams.info(names.stream)).state.messages).toBe(5);

      // Published again (a second finisher, a re-send): JetStream drops it by its message ID.
      const again = await nc
        .jetstream()
        .publish(names.subject, JSONCodec().encode({ order: ids[0] }), { msgID: ids[0] });
      expect(again.duplicate).toBe(true);
      // Something that is not an order must not block the ones behind it.
      await nc.jetstream().publish(names.subject, new TextEncoder().encode("not an order"), { msgID: "poison-1" });

      await cluster.startNode({ name: "kitchen", services: ["kitchen"] });
      for (const id of ids) {
        await eventually(
          async () =>
            (await front.request("GET", `/api/orders/${id}`, { token: front.adminToken })).body.status === "ready",
          `order ${id} to be ready`,
        );
      }
      await eventually(
        async () => (await jsm.streams.info(names.stream)).state.messages === 0,
        "the kitchen to acknowledge every message",
      );
      const dead = await jsm.streams.getMessage(names.deadStream, { last_by_subj: names.deadSubject });
      expect(dead.string()).toBe("not an order");
      expect(dead.header.get("Brigade-Reason")).toMatch(/not JSON/);
      await cluster
        .node("kitchen")
        .waitForLine(/moved to the dead-letter stream/, "the kitchen to log the dead letter", 1);
    });
  });

  describe("its two ends, against the real NATS server", () => {
    let namespace: string;
    let inbox: OrderInbox | undefined;
    let handOff: JetStreamHandOff | undefined;

    beforeEach(async () => {
      namespace = `ends-${randomBytes(4).toString("hex")}`;
      const emitted: string[] = [];
      handOff = new JetStreamHandOff({
        transporter: TEST_NATS_URL,
        namespace,
        nodeID: "test-orders",
        broker: { emit: async (_e, p) => void emitted.push(p.order) },
        logger: quiet,
      });
      await handOff.start();
    });
    afterEach(async () => {
      await inbox?.stop();
      await handOff?.stop();
      await deleteOrderStreams(jsm, orderStreamNames(namespace));
    });

    const startInbox = (accept: (order: OrderPlaced) => Promise<unknown>, maxDeliver = 3, locations = ["main"]) => {
      inbox = new OrderInbox({
        transporter: TEST_NATS_URL,
        namespace,
        nodeID: "test-kitchen",
        accept,
        locations: async () => locations,
        logger: quiet,
        maxDeliver,
        retryDelayMs: () => 200,
      });
      inbox.start();
    };

    it("delivers a failed order again after a delay, until the kitchen takes it", async () => {
      const deliveries: number[] = [];
      startInbox(async () => {
        deliveries.push(Date.now());
        if (deliveries.length < 3) throw new Error("the store is away");
      });
      await handOff!.send(placed("ord_retry"));
      await eventually(async () => deliveries.length === 3, "the third delivery");
      // nak with a delay: the retries were not immediate.
      expect(deliveries[1] - deliveries[0]).toBeGreaterThanOrEqual(150);
      await eventually(
        async () => (await jsm.streams.info(orderStreamNames(namespace).stream)).state.messages === 0,
        "the message to be acknowledged",
      );
      expect(deliveries).toHaveLength(3);
    });

    it("publishes each order on its location's subject: a kitchen takes only its locations', the others wait for theirs", async () => {
      const taken: string[] = [];
      startInbox(async (order) => void taken.push(order.order));
      const names = orderStreamNames(namespace);
      await handOff!.send(placed("ord_main"));
      await handOff!.send({ ...placed("ord_harbour"), location: "harbour" });
      await eventually(async () => taken.includes("ord_main"), "main's order to be taken");
      const waiting = await jsm.streams.getMessage(names.stream, { last_by_subj: names.subjectOf("harbour") });
      expect(JSON.parse(waiting.string()).order).toBe("ord_harbour");
      expect((await jsm.streams.info(names.stream)).state.messages).toBe(1);
      expect(taken).toEqual(["ord_main"]);

      // A kitchen for harbour comes (here: this one starts serving it) and cooks what waited.
      inbox!.serve("harbour");
      await eventually(async () => taken.includes("ord_harbour"), "harbour's order to be taken once served");
      expect(inbox!.locations).toEqual(["harbour", "main"]);
      await eventually(
        async () => (await jsm.streams.info(names.stream)).state.messages === 0,
        "the work queue to be empty",
      );
    });

    it("dead-letters an order the kitchen fails to take max_deliver times, and carries on with the next", async () => {
      const taken: string[] = [];
      startInbox(async (order) => {
        if (order.order === "ord_doomed") throw new Error("cannot make tickets for this one");
        taken.push(order.order);
      });
      await handOff!.send(placed("ord_doomed"));
      await handOff!.send(placed("ord_fine"));
      const names = orderStreamNames(namespace);
      await eventually(async () => (await jsm.streams.info(names.deadStream)).state.messages === 1, "the dead letter");
      const dead = await jsm.streams.getMessage(names.deadStream, { last_by_subj: names.deadSubject });
      expect(JSON.parse(dead.string()).order).toBe("ord_doomed");
      expect(dead.header.get("Brigade-Deliveries")).toBe("3");
      expect(dead.header.get("Brigade-Reason")).toBe("cannot make tickets for this one");
      expect(taken).toEqual(["ord_fine"]);
      await eventually(
        async () => (await jsm.streams.info(names.stream)).state.messages === 0,
        "the work queue to be empty",
      );
    });
  });
});
