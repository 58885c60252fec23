// The kitchen's scheduler against a real store (NeDB in memory) and a fake inventory, without a
// broker: claims, adoption, and what happens when consuming the ingredients fails.
import type { Store } from "../../../lib/store";
import type { ConsumeParams, EventName, OrderPlaced } from "../../../lib/contracts";
import { Scheduler, type SchedulerPorts } from "../../../services/kitchen/scheduler";
import { ofOrder, ticketIngredients, ticketsFor, type TicketDoc } from "../../../services/kitchen/ticket";
import { memoryStore } from "../../support/memory-store";

async function until(probe: () => Promise<boolean>, what: string) {
  const deadline = Date.now() + 5_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const quiet = { info() {}, warn() {}, error() {}, debug() {} };

let placedAt = Date.parse("2025-01-01T12:00:00.000Z");
function order(id: string, prepSeconds: number, lines = 1, location?: string): OrderPlaced {
  placedAt += 1000;
  return {
    order: id,
    ...(location ? { location } : {}),
    table: "1",
    placedAt: new Date(placedAt).toISOString(),
    lines: Array.from({ length: lines }, (_, index) => ({
      index,
      dish: "soup",
      name: "Soup",
      qty: 1,
      notes: "",
      station: "saute" as const,
      prepSeconds,
      ingredients: [{ ingredient: "stock", qty: 100 }],
    })),
  };
}

describe("kitchen scheduler", () => {
  let store: Store<TicketDoc>;
  let consumed: ConsumeParams[];
  let events: { event: EventName; payload: any }[];
  let consume: (params: ConsumeParams) => Promise<unknown>;
  let alive: Set<string>;
  let scheduler: Scheduler;

  const make = (overrides: Partial<SchedulerPorts> = {}) =>
    new Scheduler({
      store,
      consume: (params) => consume(params),
      emit: async (event, payload) => void events.push({ event, payload }),
      changed: async () => undefined,
      nodeID: "me",
      isAlive: (node) => alive.has(node),
      canConsume: () => true,
      logger: quiet,
      now: () => new Date(),
      chefs: 2,
      timeScale: 1,
      ...overrides,
    });

  beforeEach(async () => {
    store = await memoryStore<TicketDoc>();
    consumed = [];
    events = [];
    alive = new Set(["me", "colleague"]);
    consume = async (params) => void consumed.push(params);
    scheduler = make();
  });
  afterEach(() => scheduler.stop());

  const ticket = async (id: string) => (await store.get(id))!;
  const named = (event: EventName) => events.filter((e) => e.event === event).map((e) => e.payload);

  it("cooks only its locations' tickets when pinned by KITCHEN_LOCATIONS, and adopts no other's", async () => {
    scheduler.stop();
    scheduler = make({ locations: ["east"], chefs: 4 });
    await scheduler.accept(order("main1", 600));
    await scheduler.accept(order("east1", 600, 1, "east"));
    await scheduler.accept(order("old1", 600));
    // A ticket of main that a node now gone was cooking: main's kitchens adopt it, not this one.
    await store.updateIf(
      "old1-0",
      {},
      { $set: { status: "cooking", node: "gone", startedAt: new Date().toISOString() } },
    );
    await scheduler.poll();

    expect((await ticket("east1-0")).status).toBe("cooking");
    expect((await ticket("main1-0")).status).toBe("queued");
    expect((await ticket("main1-0")).location).toBe("main");
    expect(await ticket("old1-0")).toMatchObject({ status: "cooking", node: "gone" });
    expect(consumed.map((c) => c.key)).toEqual(["east1-0"]);
    expect(scheduler.status().locations).toEqual(["east"]);
  });

  it("starts at most as many tickets as it has chefs, oldest first, consuming each", async () => {
    await scheduler.accept(order("o1", 600, 2));
    await scheduler.accept(order("o2", 600));
    await scheduler.poll();

    expect((await store.find({ status: "cooking" }, { sort: ["_id"] })).map((t) => t._id)).toEqual(["o1-0", "o1-1"]);
    expect((await ticket("o2-0")).status).toBe("queued");
    expect(consumed).toEqual([
      { reservation: "o1", key: "o1-0", lines: [{ ingredient: "stock", qty: 100 }] },
      { reservation: "o1", key: "o1-1", lines: [{ ingredient: "stock", qty: 100 }] },
    ]);
    expect(named("ticket.started").map((p) => [p.ticket, p.node])).toEqual([
      ["o1-0", "me"],
      ["o1-1", "me"],
    ]);
    expect(scheduler.status()).toEqual({ node: "me", chefs: 2, cooking: 2, draining: false, locations: "all" });
  });

  it("finds an order's tickets by their ids, never those of an order whose id begins the same", async () => {
    await scheduler.accept(order("ord_a", 600, 2));
    await scheduler.accept(order("ord_ab", 600));
    await scheduler.accept(order("ord_a_b", 600, 3));
    expect((await store.find(ofOrder("ord_a"))).map((t) => t._id).sort()).toEqual(["ord_a-0", "ord_a-1"]);
    expect((await scheduler.progress(["ord_a", "ord_ab", "ord_none"])).map((p) => [p.order, p.tickets])).toEqual([
      ["ord_a", 2],
      ["ord_ab", 1],
      ["ord_none", 0],
    ]);
    expect(await scheduler.voidOrder("ord_a")).toBe(2);
    expect(await store.count({ status: "void" })).toBe(2);
  });

  it("creates each ticket once however often an order arrives, and acknowledges every time", async () => {
    expect(await scheduler.accept(order("o1", 600, 3))).toBe(3);
    const again = { ...order("o1", 600, 3) };
    expect(await scheduler.accept(again)).toBe(0);
    expect(await store.count({ order: "o1" })).toBe(3);
    expect(named("order.accepted")).toEqual([
      { location: "main", order: "o1", tickets: 3 },
      { location: "main", order: "o1", tickets: 3 },
    ]);
  });

  it("finishes a ticket after its prep time, and says when the whole order is done", async () => {
    scheduler = make({ timeScale: 0.001 });
    await scheduler.accept(order("o1", 10, 2));
    await until(async () => named("ticket.done").length === 2, "both tickets done");
    // The ticket that finished last saw its sibling done (finishing at once, both may say so).
    expect(named("ticket.done").at(-1)).toMatchObject({ order: "o1", orderDone: true });
    expect((await ticket("o1-0")).status).toBe("done");
  });

  it("adopts a ticket whose node is gone and finishes it on its original schedule, without a new start", async () => {
    const [orphan] = ticketsFor(order("o1", 1));
    const startedAt = new Date(Date.now() - 5_000).toISOString(); // due 4 s ago
    await store.insert({ ...orphan, status: "cooking", node: "gone", startedAt });
    await scheduler.poll();
    await until(async () => (await ticket("o1-0")).status === "done", "the adopted ticket to finish");

    expect(await ticket("o1-0")).toMatchObject({ node: "me", startedAt, adoptedFrom: "gone" });
    // Consumed again under the same key: the inventory counts it once (idempotent per key).
    expect(consumed).toEqual([{ reservation: "o1", key: "o1-0", lines: ticketIngredients(orphan) }]);
  });

  it("leaves alone a ticket that a live colleague is cooking", async () => {
    const [theirs] = ticketsFor(order("o1", 600));
    await store.insert({ ...theirs, status: "cooking", node: "colleague", startedAt: new Date().toISOString() });
    await scheduler.poll();
    expect(await ticket("o1-0")).toMatchObject({ status: "cooking", node: "colleague" });
    expect(consumed).toEqual([]);
  });

  it("resumes a ticket its own node ID started in an earlier process", async () => {
    const [mine] = ticketsFor(order("o1", 600));
    const startedAt = new Date().toISOString();
    await store.insert({ ...mine, status: "cooking", node: "me", startedAt });
    await scheduler.poll();
    expect(scheduler.status().cooking).toBe(1);
    expect(await ticket("o1-0")).toMatchObject({ status: "cooking", node: "me", startedAt });
    expect(consumed).toHaveLength(1);
  });

  it("puts a just-claimed ticket back in the queue when the inventory cannot be reached", async () => {
    consume = async () => {
      throw Object.assign(new Error("Request timed out"), { code: 504, type: "REQUEST_TIMEOUT" });
    };
    await scheduler.accept(order("o1", 600));
    await scheduler.poll();
    expect(await ticket("o1-0")).toMatchObject({ status: "queued", node: null, startedAt: null });
    expect(named("ticket.started")).toEqual([]);

    consume = async (params) => void consumed.push(params);
    await scheduler.poll();
    expect((await ticket("o1-0")).status).toBe("cooking");
    expect(consumed).toHaveLength(1);
  });

  it("keeps an adopted ticket's start when the inventory cannot be reached, and retries", async () => {
    const [orphan] = ticketsFor(order("o1", 600));
    const startedAt = new Date().toISOString();
    await store.insert({ ...orphan, status: "cooking", node: "gone", startedAt });
    consume = async () => {
      throw Object.assign(new Error("Service 'inventory.consume' is not found."), {
        code: 404,
        type: "SERVICE_NOT_FOUND",
      });
    };
    await scheduler.poll();
    expect(await ticket("o1-0")).toMatchObject({ status: "cooking", node: "me", startedAt });
    expect(scheduler.status().cooking).toBe(0);

    consume = async (params) => void consumed.push(params);
    await scheduler.poll();
    expect(scheduler.status().cooking).toBe(1);
    expect(await ticket("o1-0")).toMatchObject({ status: "cooking", node: "me", startedAt });
  });

  it("voids a ticket whose order's reservation was released (the order was cancelled)", async () => {
    consume = async () => {
      throw Object.assign(new Error("released"), { code: 409, type: "RESERVATION_RELEASED" });
    };
    await scheduler.accept(order("o1", 600));
    await scheduler.poll();
    expect((await ticket("o1-0")).status).toBe("void");
    expect(named("ticket.started")).toEqual([]);
    expect(scheduler.status().cooking).toBe(0);
  });

  it("voids an order's unfinished tickets, keeps its done ones, and frees their chefs", async () => {
    await scheduler.accept(order("o1", 600, 3));
    await scheduler.poll();
    await store.update({ _id: "o1-0" }, { $set: { status: "done" } });
    expect(await scheduler.voidOrder("o1")).toBe(2);
    expect((await store.find({ order: "o1" }, { sort: ["index"] })).map((t) => t.status)).toEqual([
      "done",
      "void",
      "void",
    ]);
    expect(scheduler.status().cooking).toBe(0);
  });

  it("bumps a ticket adopted mid-start only after consuming its ingredients", async () => {
    const [orphan] = ticketsFor(order("o1", 600));
    await store.insert({ ...orphan, status: "cooking", node: "gone", startedAt: new Date().toISOString() });
    const done = await scheduler.bump("o1-0");
    expect(done.status).toBe("done");
    expect(consumed).toEqual([{ reservation: "o1", key: "o1-0", lines: ticketIngredients(orphan) }]);
    expect(named("ticket.done")).toEqual([expect.objectContaining({ ticket: "o1-0", orderDone: true })]);
    await expect(scheduler.bump("o1-0")).rejects.toMatchObject({ type: "INVALID_TRANSITION" });
    await expect(scheduler.bump("o9-0")).rejects.toMatchObject({ type: "NOT_FOUND" });
  });

  it("starts nothing while draining or while the inventory is away", async () => {
    scheduler.drain(true);
    await scheduler.accept(order("o1", 600));
    await scheduler.poll();
    expect((await ticket("o1-0")).status).toBe("queued");

    scheduler.drain(false);
    await scheduler.stop();
    scheduler = make({ canConsume: () => false });
    await scheduler.poll();
    expect((await ticket("o1-0")).status).toBe("queued");
  });

  it("lets two kitchens race for one queue without cooking a ticket twice", async () => {
    const other = make({ nodeID: "colleague" });
    for (let i = 0; i < 6; i++) await scheduler.accept(order(`r${i}`, 600));
    await Promise.all([scheduler.poll(), other.poll(), scheduler.poll(), other.poll()]);
    const cooking = await store.find({ status: "cooking" });
    expect(cooking).toHaveLength(4);
    expect(cooking.filter((t) => t.node === "me")).toHaveLength(2);
    expect(cooking.filter((t) => t.node === "colleague")).toHaveLength(2);
    expect(new Set(consumed.map((c) => c.key)).size).toBe(consumed.length);
    await other.stop();
  });
});
