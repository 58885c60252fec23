/**
 * Two inventory nodes on one MongoDB, as in production behind a load balancer. They share no
 * transporter here: only the database's conditional updates stand between them and overselling.
 * In CI "MongoDB" is a wire-compatible emulator (test/support/mongo.ts): this proves the adapter
 * contract the ledger relies on, not MongoDB itself; with MONGO_URI set it runs against that.
 */
import type { ServiceBroker } from "moleculer";
import type { StockLow } from "../../lib/contracts";
import type { IngredientDoc } from "../../services/inventory/ingredients";
import { startMongo, type TestMongo } from "../support/mongo";
import { startBrigade, type Brigade } from "../support/brigade";

describe("inventory on MongoDB, two nodes at once (MongoDB adapter contract, against a wire-compatible emulator in CI)", () => {
  let mongo: TestMongo;
  const nodes: Brigade[] = [];
  const lowEvents: StockLow[] = [];

  beforeAll(async () => {
    mongo = await startMongo();
    for (let i = 0; i < 2; i++) {
      const node = await startBrigade({ services: ["inventory"], env: { MONGO_URI: mongo.uri } });
      node.broker.createService({
        name: "stock-watch",
        events: {
          "stock.low"(ctx: { params: StockLow }) {
            lowEvents.push(ctx.params);
          },
        },
      });
      await node.broker.waitForServices(["stock-watch"]);
      nodes.push(node);
    }
  }, 120_000);
  afterAll(async () => {
    // Newest first: each restores the environment the previous one saw.
    for (const node of [...nodes].reverse()) await node.stop();
    await mongo?.stop();
  });

  const brokers = (): ServiceBroker[] => nodes.map((n) => n.broker);
  const stored = async (id: string) => {
    const inventory = nodes[1].broker.getLocalService("inventory") as unknown as {
      store: { at(location: string): { get(id: string): Promise<IngredientDoc | null> } };
    };
    return (await inventory.store.at("main").get(id))!;
  };
  const create = (name: string, onHand: number, reorderPoint = 0) =>
    nodes[0].broker.call("inventory.create", { name, unit: "g", onHand, reorderPoint });

  it("lets exactly 50 of 200 reservations through, spread over both nodes", async () => {
    await create("Caviar", 50);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        brokers()[i % 2].call("inventory.reserve", {
          reservation: `cav-${i}`,
          lines: [{ ingredient: "caviar", qty: 1 }],
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(50);
    expect(
      outcomes
        .filter((o): o is PromiseRejectedResult => o.status === "rejected")
        .every((o) => o.reason.type === "OUT_OF_STOCK"),
    ).toBe(true);
    expect(await stored("caviar")).toMatchObject({ onHand: 50, reserved: 50, available: 0 });
  });

  it("consumes once per key and releases once, whichever node is asked", async () => {
    await create("Foie gras", 1000);
    await brokers()[0].call("inventory.reserve", {
      reservation: "ord-fg",
      lines: [{ ingredient: "foie-gras", qty: 300 }],
    });
    const consume = { reservation: "ord-fg", key: "tkt-fg-1", lines: [{ ingredient: "foie-gras", qty: 100 }] };
    await Promise.all([...brokers(), ...brokers()].map((broker) => broker.call("inventory.consume", consume)));
    expect(await stored("foie-gras")).toMatchObject({ onHand: 900, reserved: 200, available: 700 });
    await Promise.all(
      [...brokers(), ...brokers()].map((broker) => broker.call("inventory.release", { reservation: "ord-fg" })),
    );
    expect(await stored("foie-gras")).toMatchObject({ onHand: 900, reserved: 0, available: 900 });
  });

  it("receives a purchase order once when both nodes are asked at the same time", async () => {
    await create("Truffle oil", 0);
    const po = await brokers()[0].call<{ id: string }, object>("inventory.createPurchaseOrder", {
      lines: [{ ingredient: "truffle-oil", qty: 250 }],
    });
    const outcomes = await Promise.allSettled(
      [...brokers(), ...brokers()].map((broker) => broker.call("inventory.receive", { id: po.id })),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect(await stored("truffle-oil")).toMatchObject({ onHand: 250, available: 250 });
  });

  it("announces a dip below the reorder point once across both nodes", async () => {
    await create("Wagyu", 100, 40);
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        brokers()[i % 2].call("inventory.reserve", {
          reservation: `wagyu-${i}`,
          lines: [{ ingredient: "wagyu", qty: 3 }],
        }),
      ),
    );
    expect(lowEvents.filter((e) => e.ingredient === "wagyu")).toHaveLength(1);
    expect(await stored("wagyu")).toMatchObject({ available: 10, reserved: 90, low: true });
  });
});
