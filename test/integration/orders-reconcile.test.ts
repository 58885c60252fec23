/**
 * Events get lost (a node dies between its write and its emit; a transporter drops a packet).
 * Here a broker middleware loses them on purpose: the first hand-off of every order and every
 * ticket event. The orders service's reconcile loop must still bring each order to ready,
 * reading state rather than trusting events.
 */
import type { Middleware } from "moleculer";
import config from "../../moleculer.config";
import { startBrigade, type Brigade } from "../support/brigade";
import {
  createDishes,
  createIngredients,
  ingredient,
  orderReaches,
  ticketsOf,
  KITCHEN_SERVICES,
  fastKitchen,
} from "../support/meal";

describe("orders reconcile with the kitchen when events are lost", () => {
  let b: Brigade;
  let waiter: string;
  const lost: string[] = [];
  const handedOver = new Set<string>();

  type Emit = (event: string, payload: { order?: string }, opts?: object) => Promise<unknown>;
  const loseEvents = {
    name: "LoseEvents",
    emit(next: Emit): Emit {
      return (event, payload, opts) => {
        const firstHandOff = event === "order.placed" && payload.order && !handedOver.has(payload.order);
        if (firstHandOff) handedOver.add(payload.order!);
        if (firstHandOff || event === "ticket.started" || event === "ticket.done") {
          lost.push(event);
          return Promise.resolve();
        }
        return next(event, payload, opts);
      };
    },
  } as unknown as Middleware;

  beforeAll(async () => {
    b = await startBrigade({
      services: KITCHEN_SERVICES,
      env: fastKitchen(4),
      broker: { middlewares: [...((config.middlewares as Middleware[]) ?? []), loseEvents] },
    });
    await createIngredients(b, [{ name: "Rice", unit: "g", onHand: 10_000 }]);
    await createDishes(b, [
      {
        name: "Fried Rice",
        priceCents: 1100,
        station: "saute",
        prepSeconds: 10,
        recipe: [{ ingredient: "rice", qty: 200 }],
      },
    ]);
    waiter = await b.tokenFor("waiter");
  });
  afterAll(() => b.stop());

  it("hands an order over again and catches up with its tickets", async () => {
    const placed = await b.request("POST", "/api/orders", {
      token: waiter,
      body: {
        table: "1",
        lines: [
          { dish: "fried-rice", qty: 1 },
          { dish: "fried-rice", qty: 2 },
        ],
      },
    });
    expect(placed.status).toBe(201);

    const ready = await orderReaches(b, placed.body.id, "ready");
    expect(ready.readyAt).toEqual(expect.any(String));
    expect(lost).toEqual(expect.arrayContaining(["order.placed", "ticket.started", "ticket.done"]));
    expect(lost).not.toContain("order.ready");

    const tickets = await ticketsOf(b, placed.body.id);
    expect(tickets.map((t) => t.status)).toEqual(["done", "done"]);
    const rice = await ingredient(b, "rice");
    expect(rice).toMatchObject({ onHand: 10_000 - 600, reserved: 0 });
  });
});
