/**
 * No accepted order is lost, and nothing is cooked twice, across restarts on the same NeDB files:
 *
 *   1. a full node: two slow dishes start cooking (their ingredients consumed), two quick ones
 *      wait in the queue — and the node stops;
 *   2. a node without a kitchen accepts two more orders (201) that nobody hands over — it stops;
 *   3. a full node again, with a new node ID as every embedded process gets: it adopts the two
 *      cooking tickets (same startedAt), cooks the queue, receives the two orders never handed
 *      over, and every order reaches ready. Each ticket is done exactly once; stock is used once.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ServiceBroker } from "moleculer";
import type { TicketDone, TicketView } from "../../lib/contracts";
import { startBrigade, type Brigade, type ServiceName } from "../support/brigade";
import {
  allTickets,
  createDishes,
  createIngredients,
  eventually,
  ingredient,
  orderReaches,
  fastKitchen,
} from "../support/meal";

const FULL: ServiceName[] = ["api", "staff", "menu", "inventory", "orders", "kitchen"];
const SLOW = "braised-short-rib"; // 300 s → 3 s
const QUICK = "side-salad"; // 10 s → 100 ms

describe("a restart in the middle of service", () => {
  let dir: string;
  let b: Brigade | undefined;
  /** Every ticket.done seen, over all three runs. */
  const done: TicketDone[] = [];

  /** A node on the shared files, with a listener counting ticket.done from before its services start. */
  const node = (services: ServiceName[]) =>
    startBrigade({
      services,
      env: fastKitchen(2, { DATA_DIR: dir, BRIGADE_SEED: "false" }),
      broker: {
        created(broker: ServiceBroker) {
          broker.createService({
            name: "ticket-watch",
            events: { "ticket.done": { handler: (ctx: { params: TicketDone }) => void done.push(ctx.params) } },
          });
        },
      },
    });

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "brigade-restart-"));
  });
  afterAll(async () => {
    await b?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("resumes cooking tickets, cooks queued ones, hands over stored orders, and cooks nothing twice", async () => {
    // 1. Cooking and queued when the node stops.
    b = await node(FULL);
    const firstNode = b.broker.nodeID;
    await createIngredients(b, [
      { name: "Short ribs", unit: "pcs", onHand: 50 },
      { name: "Lettuce", unit: "g", onHand: 5_000 },
    ]);
    await createDishes(b, [
      {
        name: "Braised Short Rib",
        priceCents: 2600,
        station: "grill",
        prepSeconds: 300,
        recipe: [{ ingredient: "short-ribs", qty: 1 }],
      },
      {
        name: "Side Salad",
        priceCents: 500,
        station: "cold",
        prepSeconds: 10,
        recipe: [{ ingredient: "lettuce", qty: 100 }],
      },
    ]);
    let waiter = await b.tokenFor("waiter", "walt");
    const place = async (brigade: Brigade, dish: string, table: string) => {
      const res = await brigade.request("POST", "/api/orders", {
        token: waiter,
        body: { table, lines: [{ dish, qty: 1 }] },
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const slow = [await place(b, SLOW, "1"), await place(b, SLOW, "2")];
    for (const id of slow) await orderReaches(b, id, "cooking"); // started: ribs consumed
    const queued = [await place(b, QUICK, "3"), await place(b, QUICK, "4")];
    const before = await allTickets(b);
    const cookingBefore = before.filter((t) => t.status === "cooking");
    expect(cookingBefore.map((t) => t.order).sort()).toEqual([...slow].sort());
    expect(cookingBefore.every((t) => t.node === firstNode)).toBe(true);
    expect(before.filter((t) => queued.includes(t.order)).map((t) => t.status)).toEqual(["queued", "queued"]);
    expect(await ingredient(b, "short-ribs")).toMatchObject({ onHand: 48, reserved: 0 });
    await b.stop();
    b = undefined;
    expect(done).toEqual([]);

    // 2. Orders accepted by a node with no kitchen: stored, never handed over.
    b = await node(["api", "staff", "menu", "inventory", "orders"]);
    waiter = await b.login("walt", "pw-walt-secret");
    const stranded = [await place(b, QUICK, "5"), await place(b, QUICK, "6")];
    await b.stop();
    b = undefined;

    // 3. A full node again.
    b = await node(FULL);
    expect(b.broker.nodeID).not.toBe(firstNode);
    for (const id of [...slow, ...queued, ...stranded]) await orderReaches(b, id, "ready");

    const after = await allTickets(b);
    expect(after).toHaveLength(6);
    const byId = new Map<string, TicketView>(after.map((t) => [t.id, t]));
    for (const t of cookingBefore) {
      // Adopted, not restarted: the same start, finished by the live node.
      expect(byId.get(t.id)).toMatchObject({ status: "done", startedAt: t.startedAt, node: b.broker.nodeID });
    }
    expect(after.every((t) => t.status === "done")).toBe(true);

    // Each ticket finished exactly once over all three runs.
    await eventually(async () => done.length >= 6, "six ticket.done events");
    expect(done.map((d) => d.ticket).sort()).toEqual(after.map((t) => t.id).sort());

    // Stock left the shelf once per ticket.
    expect(await ingredient(b, "short-ribs")).toMatchObject({ onHand: 48, reserved: 0, available: 48 });
    expect(await ingredient(b, "lettuce")).toMatchObject({ onHand: 5_000 - 4 * 100, reserved: 0 });
  });
});
