/**
 * The kitchen through HTTP: one chef on this node, so the queue's order and the chef limit are
 * visible in the tickets' timestamps; bumping; listing; and an `order.placed` delivered twice.
 */
import { startBrigade, type Brigade } from "../support/brigade";
import type { KitchenProgress, OrderPlaced } from "../../lib/contracts";
import {
  allTickets,
  createDishes,
  createIngredients,
  ingredient,
  order,
  orderReaches,
  ticketsOf,
  KITCHEN_SERVICES,
  fastKitchen,
} from "../support/meal";

const TEA = "green-tea"; // bar, 10 s → 100 ms
const STEW = "long-stew"; // saute, 1 h → 36 s: waits for a bump

describe("kitchen", () => {
  let b: Brigade;
  let waiter: string;
  let chef: string;

  beforeAll(async () => {
    b = await startBrigade({
      services: KITCHEN_SERVICES,
      env: fastKitchen(1),
    });
    await createIngredients(b, [
      { name: "Tea leaves", unit: "g", onHand: 10_000 },
      { name: "Stew meat", unit: "g", onHand: 10_000 },
    ]);
    await createDishes(b, [
      {
        name: "Green Tea",
        priceCents: 300,
        station: "bar",
        prepSeconds: 10,
        recipe: [{ ingredient: "tea-leaves", qty: 5 }],
      },
      {
        name: "Long Stew",
        priceCents: 1900,
        station: "saute",
        prepSeconds: 3600,
        recipe: [{ ingredient: "stew-meat", qty: 250 }],
      },
    ]);
    [waiter, chef] = await Promise.all([b.tokenFor("waiter"), b.tokenFor("chef")]);
  });
  afterAll(() => b.stop());

  const place = async (table: string, lines: { dish: string; qty: number }[]) => {
    const res = await b.request("POST", "/api/orders", { token: waiter, body: { table, lines } });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const bump = (id: string, token = chef) => b.request("POST", `/api/tickets/${id}/bump`, { token });

  it("cooks oldest first, one ticket at a time per chef, and records the node", async () => {
    const first = await place("1", [
      { dish: TEA, qty: 1 },
      { dish: TEA, qty: 2 },
    ]);
    const second = await place("2", [{ dish: TEA, qty: 1 }]);
    const third = await place("3", [{ dish: TEA, qty: 1 }]);
    for (const id of [first, second, third]) await orderReaches(b, id, "ready");

    const tickets = [...(await ticketsOf(b, first)), ...(await ticketsOf(b, second)), ...(await ticketsOf(b, third))];
    expect(tickets.map((t) => t.id)).toEqual([`${first}-0`, `${first}-1`, `${second}-0`, `${third}-0`]);
    for (let i = 1; i < tickets.length; i++) {
      // One chef: each ticket starts only once the one before it is done, in queue order.
      expect(Date.parse(tickets[i].startedAt!)).toBeGreaterThanOrEqual(Date.parse(tickets[i - 1].doneAt!));
    }
    expect(new Set(tickets.map((t) => t.node))).toEqual(new Set([b.broker.nodeID]));
    expect(tickets.every((t) => t.status === "done")).toBe(true);
  });

  it("moves the order through cooking to ready as its tickets start and finish", async () => {
    const id = await place("4", [{ dish: STEW, qty: 1 }]);
    const cooking = await orderReaches(b, id, "cooking");
    expect(cooking.readyAt).toBeUndefined();
    const [ticket] = await ticketsOf(b, id);
    expect(ticket).toMatchObject({ status: "cooking", station: "saute", node: b.broker.nodeID, doneAt: null });

    const res = await bump(ticket.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: ticket.id,
      status: "done",
      startedAt: ticket.startedAt,
      doneAt: expect.any(String),
    });
    await orderReaches(b, id, "ready");
  });

  it("bumps a queued ticket by starting it first, so its ingredients are used", async () => {
    const meat = await ingredient(b, "stew-meat");
    const busy = await place("5", [{ dish: STEW, qty: 1 }]);
    // The order is cooking once its ticket started, i.e. after the stew's meat was consumed.
    await orderReaches(b, busy, "cooking");
    const waiting = await place("6", [{ dish: STEW, qty: 2 }]);
    const [queued] = await ticketsOf(b, waiting);
    expect(queued.status).toBe("queued");

    const res = await bump(queued.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "done",
      node: b.broker.nodeID,
      startedAt: expect.any(String),
      doneAt: expect.any(String),
    });
    await orderReaches(b, waiting, "ready");
    // Both stews' meat is used: the bumped one's on its bump, the cooking one's when it started.
    const now = await ingredient(b, "stew-meat");
    expect(now.onHand).toBe(meat.onHand - 250 - 2 * 250);
    expect(now.reserved).toBe(meat.reserved);

    const [busyTicket] = await ticketsOf(b, busy);
    expect((await bump(busyTicket.id)).status).toBe(200);
    await orderReaches(b, busy, "ready");
    expect(await ingredient(b, "stew-meat")).toMatchObject({ onHand: now.onHand, reserved: meat.reserved });
  });

  it("refuses to bump a finished ticket, an unknown one, or for a waiter", async () => {
    const id = await place("7", [{ dish: TEA, qty: 1 }]);
    await orderReaches(b, id, "ready");
    const [ticket] = await ticketsOf(b, id);
    const again = await bump(ticket.id);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      type: "INVALID_TRANSITION",
      data: { id: ticket.id, from: "done", action: "bump" },
    });
    expect((await bump(`${id}-9`)).status).toBe(404);
    expect((await bump(ticket.id, waiter)).status).toBe(403);
  });

  it("lists tickets oldest first, by status and station, in pages", async () => {
    const all = await allTickets(b);
    const queuedAt = all.map((t) => t.queuedAt);
    expect(queuedAt).toEqual([...queuedAt].sort());

    const bar = await b.request("GET", "/api/tickets?station=bar&status=done&pageSize=2", { token: chef });
    expect(bar.status).toBe(200);
    expect(bar.body.rows).toHaveLength(2);
    expect(
      bar.body.rows.every((t: { station: string; status: string }) => t.station === "bar" && t.status === "done"),
    ).toBe(true);
    expect(bar.body.total).toBe(all.filter((t) => t.station === "bar" && t.status === "done").length);
    expect(Object.keys(bar.body.rows[0]).sort()).toEqual(
      [
        "dish",
        "doneAt",
        "id",
        "modifiers",
        "seat",
        "course",
        "allergyAlert",
        "name",
        "node",
        "notes",
        "order",
        "prepSeconds",
        "qty",
        "queuedAt",
        "startedAt",
        "station",
        "status",
        "table",
      ].sort(),
    );

    expect((await b.request("GET", "/api/tickets?station=oven", { token: chef })).status).toBe(422);
    expect((await b.request("GET", "/api/tickets", { token: waiter })).status).toBe(403);
  });

  it("creates nothing new when an order.placed arrives twice, and never moves the order back", async () => {
    const id = await place("8", [
      { dish: TEA, qty: 1 },
      { dish: TEA, qty: 1 },
    ]);
    await orderReaches(b, id, "ready");
    const before = await ticketsOf(b, id);
    const redelivered: OrderPlaced = {
      order: id,
      table: "8",
      placedAt: before[0].queuedAt,
      lines: before.map((t, index) => ({
        index,
        dish: t.dish,
        name: t.name,
        qty: t.qty,
        notes: t.notes,
        station: t.station,
        prepSeconds: t.prepSeconds,
        ingredients: [{ ingredient: "tea-leaves", qty: 5 }],
      })),
    };
    await b.broker.emit("order.placed", redelivered);
    await b.broker.emit("ticket.started", {
      ticket: before[0].id,
      order: id,
      station: "bar",
      node: "elsewhere",
      startedAt: before[0].startedAt!,
    });

    expect(await ticketsOf(b, id)).toEqual(before);
    expect((await order(b, id)).status).toBe("ready");
    const progress = await b.broker.call<KitchenProgress[], object>("kitchen.progress", {
      orders: [id, "ord_unknown"],
    });
    expect(progress).toEqual([
      { order: id, tickets: 2, done: 2, void: 0, started: true },
      { order: "ord_unknown", tickets: 0, done: 0, void: 0, started: false },
    ]);
  });

  it("stops starting tickets while drained, and resumes after", async () => {
    await b.broker.call("kitchen.drain", { draining: true });
    const id = await place("9", [{ dish: TEA, qty: 1 }]);
    // The ticket was queued while draining: the kitchen's pass found no free chef for it.
    expect(await b.broker.call("kitchen.status")).toMatchObject({ draining: true, cooking: 0, chefs: 1 });
    expect((await ticketsOf(b, id))[0].status).toBe("queued");
    await b.broker.call("kitchen.drain", { draining: false });
    await orderReaches(b, id, "ready");
  });
});
