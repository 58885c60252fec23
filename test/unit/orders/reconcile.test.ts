// The orders service's safety net against a real store (NeDB in memory) and fake neighbours:
// what it does with orders stuck at each point of their hand-off, and that doing it again
// changes nothing.
import type { Store } from "../../../lib/store";
import type { KitchenProgress, OrderPlaced } from "../../../lib/contracts";
import { kitchenVerdict, reconcileOrders, type ReconcilePorts } from "../../../services/orders/reconcile";
import type { OrderDoc } from "../../../services/orders/order";
import { memoryStore } from "../../support/memory-store";

const progress = (tickets: number, done: number, voided: number, started: boolean): KitchenProgress => ({
  order: "o",
  tickets,
  done,
  void: voided,
  started,
});

describe("what the kitchen's progress tells the orders service", () => {
  it.each([
    ["placed", undefined, "resend"],
    ["placed", progress(0, 0, 0, false), "resend"],
    ["placed", progress(2, 0, 0, false), "wait"],
    ["placed", progress(2, 0, 0, true), "cooking"],
    ["cooking", progress(2, 1, 0, true), "wait"],
    ["cooking", progress(2, 2, 0, true), "ready"],
    ["placed", progress(2, 2, 0, true), "ready"],
    ["cooking", progress(2, 1, 1, true), "ready"],
    ["cooking", progress(2, 0, 2, true), "all-void"],
  ] as const)("%s with %j → %s", (status, seen, verdict) => {
    expect(kitchenVerdict(status, seen)).toBe(verdict);
  });
});

describe("reconciling orders", () => {
  let store: Store<OrderDoc>;
  let sent: OrderPlaced[];
  let released: string[];
  let advanced: [string, string][];
  let kitchen: Map<string, KitchenProgress>;
  let now: number;
  let ports: ReconcilePorts;

  const ago = (ms: number) => new Date(now - ms).toISOString();
  const doc = (id: string, fields: Partial<OrderDoc>): OrderDoc => ({
    _id: id,
    table: "1",
    status: "placed",
    lines: [{ dish: "soup", name: "Soup", qty: 1, unitPriceCents: 500, notes: "" }],
    totalCents: 500,
    createdAt: ago(120_000),
    createdBy: "anna",
    updatedAt: ago(120_000),
    accepted: true,
    acceptedAt: ago(120_000),
    handedOff: true,
    reservation: [{ ingredient: "stock", qty: 100 }],
    kitchen: [
      {
        index: 0,
        dish: "soup",
        name: "Soup",
        qty: 1,
        notes: "",
        station: "saute",
        prepSeconds: 60,
        ingredients: [{ ingredient: "stock", qty: 100 }],
      },
    ],
    fingerprint: "f",
    bill: null,
    ...fields,
  });

  beforeEach(async () => {
    store = await memoryStore<OrderDoc>();
    sent = [];
    released = [];
    advanced = [];
    kitchen = new Map();
    now = Date.now();
    ports = {
      store,
      handOff: { send: async (order) => void sent.push(order) },
      release: async ({ reservation }) => void released.push(reservation),
      progress: async (orders) => orders.flatMap((order) => (kitchen.has(order) ? [kitchen.get(order)!] : [])),
      advance: async (order, target) => void advanced.push([order, target]),
      logger: { info() {}, warn() {}, debug() {} },
      now: () => new Date(now),
      graceMs: 1_000,
      abandonAfterMs: 60_000,
      batch: 100,
    };
  });

  it("hands over again an accepted order the kitchen never acknowledged, once it is past the grace period", async () => {
    await store.insert(doc("old", { handedOff: false }));
    await store.insert(doc("fresh", { handedOff: false, acceptedAt: ago(100) }));
    await store.insert(doc("served", { handedOff: false, status: "served" }));
    const report = await reconcileOrders(ports);
    expect(sent.map((s) => s.order)).toEqual(["old"]);
    expect(sent[0]).toMatchObject({
      order: "old",
      table: "1",
      placedAt: ago(120_000),
      resent: true,
      lines: [expect.objectContaining({ station: "saute", ingredients: [{ ingredient: "stock", qty: 100 }] })],
    });
    expect(report.resent).toBe(1);
  });

  it("gives up a placement that stalled before acceptance, and releases whatever it may hold", async () => {
    await store.insert(doc("stalled", { accepted: false, handedOff: false }));
    await store.insert(doc("in-flight", { accepted: false, handedOff: false, createdAt: ago(2_000) }));
    const report = await reconcileOrders(ports);
    expect(report).toMatchObject({ abandoned: 1, released: 1 });
    expect(await store.get("stalled")).toMatchObject({
      status: "rejected",
      rejection: { reason: "abandoned" },
      stockReleased: true,
    });
    expect((await store.get("in-flight"))!.status).toBe("placed");
    expect(released).toEqual(["stalled"]);

    await reconcileOrders(ports);
    expect(released).toEqual(["stalled"]);
  });

  it("retries giving back a cancelled order's stock until the inventory takes it", async () => {
    await store.insert(doc("cancelled", { status: "cancelled", stockReleased: false }));
    ports.release = async () => {
      throw new Error("inventory is away");
    };
    await reconcileOrders(ports);
    expect((await store.get("cancelled"))!.stockReleased).toBe(false);

    ports.release = async ({ reservation }) => void released.push(reservation);
    await reconcileOrders(ports);
    expect((await store.get("cancelled"))!.stockReleased).toBe(true);
    expect(released).toEqual(["cancelled"]);
  });

  it("catches up with tickets whose events were lost, and hands over an order the kitchen forgot", async () => {
    await store.insert(doc("cooked", { status: "cooking" }));
    await store.insert(doc("started", { status: "placed" }));
    await store.insert(doc("waiting", { status: "placed" }));
    await store.insert(doc("forgotten", { status: "placed" }));
    await store.insert(doc("recent", { status: "placed", updatedAt: ago(10) }));
    kitchen.set("cooked", { ...progress(1, 1, 0, true), order: "cooked" });
    kitchen.set("started", { ...progress(2, 0, 0, true), order: "started" });
    kitchen.set("waiting", { ...progress(1, 0, 0, false), order: "waiting" });
    kitchen.set("recent", { ...progress(1, 1, 0, true), order: "recent" });

    await reconcileOrders(ports);
    expect(advanced.sort()).toEqual([
      ["cooked", "ready"],
      ["started", "cooking"],
    ]);
    expect(sent.map((s) => s.order)).toEqual(["forgotten"]);
    expect((await store.get("forgotten"))!.handedOff).toBe(false);
  });

  it("checks every order in the kitchen in turn, a batch a pass, however many wait", async () => {
    for (const id of ["o5", "o2", "o4", "o1", "o3"]) {
      await store.insert(doc(id, { status: "placed" }));
      kitchen.set(id, { ...progress(1, 0, 0, false), order: id });
    }
    const asked: string[][] = [];
    const ask = ports.progress;
    ports.progress = async (orders) => {
      asked.push(orders);
      return ask(orders);
    };
    ports.batch = 2;
    ports.kitchenCheck = {};
    for (let pass = 0; pass < 4; pass++) await reconcileOrders(ports);
    expect(asked).toEqual([["o1", "o2"], ["o3", "o4"], ["o5"], ["o1", "o2"]]);
    expect(advanced).toEqual([]);
  });

  it("lets waiting requests run between its steps instead of holding the event loop for a whole pass", async () => {
    const events: string[] = [];
    const find = store.find.bind(store);
    store.find = (async (...args: Parameters<typeof find>) => {
      events.push("query");
      return find(...args);
    }) as typeof store.find;
    // A request that arrived while the pass began: it runs once the pass lets the loop turn.
    setImmediate(() => events.push("request"));
    await reconcileOrders(ports);
    expect(events.filter((e) => e === "query").length).toBeGreaterThanOrEqual(4);
    expect(events.indexOf("request")).toBeGreaterThan(0);
    expect(events.indexOf("request")).toBeLessThan(events.lastIndexOf("query"));
  });

  it("leaves orders alone while no kitchen is running to ask", async () => {
    await store.insert(doc("waiting", { status: "placed" }));
    ports.progress = async () => null;
    expect(await reconcileOrders(ports)).toEqual({ resent: 0, abandoned: 0, released: 0, advanced: 0 });
    expect((await store.get("waiting"))!.handedOff).toBe(true);
    expect(sent).toEqual([]);
  });
});
