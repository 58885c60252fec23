// The stock ledger against a real store (NeDB in memory), without a broker: every movement is
// a conditional update, so these races are decided by the store alone.
import type { Store } from "../../../lib/store";
import { StockLedger } from "../../../services/inventory/stock-ledger";
import { newIngredient, type IngredientDoc } from "../../../services/inventory/ingredients";
import type { ReservationDoc } from "../../../services/inventory/reservations";
import type { PurchaseOrderDoc } from "../../../services/inventory/purchase-orders";
import { isConsistent } from "../../../services/inventory/stock";
import { memoryStore } from "../../support/memory-store";

describe("stock ledger", () => {
  let ingredients: Store<IngredientDoc>;
  let reservations: Store<ReservationDoc>;
  let purchaseOrders: Store<PurchaseOrderDoc>;
  let ledger: StockLedger;
  const stock = async (id: string) => (await ingredients.get(id))!;

  beforeEach(async () => {
    ingredients = await memoryStore<IngredientDoc>();
    reservations = await memoryStore<ReservationDoc>();
    purchaseOrders = await memoryStore<PurchaseOrderDoc>();
    ledger = new StockLedger(ingredients, reservations, purchaseOrders);
    const now = new Date().toISOString();
    await ingredients.insert(
      newIngredient({ name: "Potatoes", unit: "g", onHand: 1000, reorderPoint: 400, reorderQty: 2000 }, now),
    );
    await ingredients.insert(newIngredient({ name: "Frying oil", unit: "ml", onHand: 100, reorderPoint: 0 }, now));
    await ingredients.insert(newIngredient({ name: "Eggs", unit: "pcs", onHand: 50 }, now));
  });

  it("reserves all lines or none, naming every short ingredient", async () => {
    await expect(
      ledger.reserve("ord-1", [
        { ingredient: "potatoes", qty: 300 },
        { ingredient: "frying-oil", qty: 150 },
      ]),
    ).rejects.toMatchObject({ code: 409, type: "OUT_OF_STOCK", data: { ingredients: ["frying-oil"] } });
    expect(await stock("potatoes")).toMatchObject({ onHand: 1000, reserved: 0, available: 1000 });
    expect(await reservations.get("ord-1")).toBeNull();
    // Nothing was recorded, so the same id can succeed once stock allows.
    await expect(ledger.reserve("ord-1", [{ ingredient: "potatoes", qty: 300 }])).resolves.toMatchObject({
      result: { status: "held" },
    });
  });

  it("refuses unknown ingredients with 422 naming the line", async () => {
    await expect(
      ledger.reserve("ord-2", [
        { ingredient: "potatoes", qty: 1 },
        { ingredient: "truffle", qty: 1 },
      ]),
    ).rejects.toMatchObject({
      code: 422,
      data: [expect.objectContaining({ field: "lines[1].ingredient" })],
    });
  });

  it("is idempotent per reservation id, also when the same id races itself", async () => {
    const lines = [{ ingredient: "potatoes", qty: 100 }];
    const results = await Promise.all(Array.from({ length: 10 }, () => ledger.reserve("ord-3", lines)));
    expect(results.every((r) => r.result.status === "held")).toBe(true);
    expect(await stock("potatoes")).toMatchObject({ reserved: 100, available: 900 });
  });

  it("never oversells: 200 concurrent reservations against stock for 50", async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => ledger.reserve(`r-${i}`, [{ ingredient: "eggs", qty: 1 }])),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(50);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(refused.every((o) => o.reason.type === "OUT_OF_STOCK")).toBe(true);
    expect(await stock("eggs")).toMatchObject({ onHand: 50, reserved: 50, available: 0 });
  });

  it("consumes once per key, and a release gives back only what was not consumed", async () => {
    await ledger.reserve("ord-4", [
      { ingredient: "potatoes", qty: 300 },
      { ingredient: "eggs", qty: 2 },
    ]);
    const first = await ledger.consume("ord-4", "tkt-1", [{ ingredient: "potatoes", qty: 200 }]);
    const again = await ledger.consume("ord-4", "tkt-1", [{ ingredient: "potatoes", qty: 200 }]);
    expect(first.result.consumed).toBe(true);
    expect(again.result.consumed).toBe(false);
    expect(await stock("potatoes")).toMatchObject({ onHand: 800, reserved: 100, available: 700 });

    await expect(ledger.consume("ord-4", "tkt-2", [{ ingredient: "potatoes", qty: 101 }])).rejects.toMatchObject({
      code: 409,
      type: "EXCEEDS_RESERVATION",
    });

    await ledger.release("ord-4");
    await ledger.release("ord-4");
    expect(await stock("potatoes")).toMatchObject({ onHand: 800, reserved: 0, available: 800 });
    expect(await stock("eggs")).toMatchObject({ onHand: 50, reserved: 0, available: 50 });
    await expect(ledger.consume("ord-4", "tkt-3", [{ ingredient: "eggs", qty: 1 }])).rejects.toMatchObject({
      code: 409,
      type: "RESERVATION_RELEASED",
    });
  });

  it("records a reservation once, as what it still holds, and releases one stored in full as before", async () => {
    await ledger.reserve("ord-5", [
      { ingredient: "potatoes", qty: 300 },
      { ingredient: "eggs", qty: 2 },
      { ingredient: "potatoes", qty: 50 },
    ]);
    expect(await reservations.get("ord-5")).toEqual({
      _id: "ord-5",
      status: "held",
      remaining: { eggs: 2, potatoes: 350 },
    });

    // Written before `lines` was left out: the copy of what was reserved is simply not read.
    await ingredients.update({ _id: "eggs" }, { $inc: { available: -4, reserved: 4 } });
    await reservations.insert({
      _id: "ord-6",
      status: "held",
      lines: [{ ingredient: "eggs", qty: 4 }],
      remaining: { eggs: 4 },
      consumed: {},
      createdAt: new Date().toISOString(),
    });
    await ledger.consume("ord-6", "tkt-1", [{ ingredient: "eggs", qty: 1 }]);
    await ledger.release("ord-6");
    expect(await stock("eggs")).toMatchObject({ onHand: 49, reserved: 2, available: 47 });
  });

  it("records consumptions from the first one on, in new reservations and in those written with an empty `consumed`", async () => {
    await ledger.reserve("ord-7", [{ ingredient: "eggs", qty: 3 }]);
    await reservations.insert({
      _id: "ord-8",
      status: "held",
      remaining: { eggs: 3 },
      consumed: {},
      createdAt: new Date().toISOString(),
    });
    await ingredients.update({ _id: "eggs" }, { $inc: { available: -3, reserved: 3 } });
    for (const id of ["ord-7", "ord-8"]) {
      await expect(ledger.consume(id, "tkt-1", [{ ingredient: "eggs", qty: 1 }])).resolves.toMatchObject({
        result: { consumed: true },
      });
      await expect(ledger.consume(id, "tkt-1", [{ ingredient: "eggs", qty: 1 }])).resolves.toMatchObject({
        result: { consumed: false },
      });
      await expect(ledger.consume(id, "tkt-2", [{ ingredient: "eggs", qty: 3 }])).rejects.toMatchObject({
        type: "EXCEEDS_RESERVATION",
      });
      expect(await reservations.get(id)).toMatchObject({
        remaining: { eggs: 2 },
        consumed: { "tkt-1": [{ ingredient: "eggs", qty: 1 }] },
      });
    }
    expect(await stock("eggs")).toMatchObject({ onHand: 48, reserved: 4, available: 44 });
    await ledger.release("ord-7");
    await ledger.release("ord-8");
    expect(await stock("eggs")).toMatchObject({ onHand: 48, reserved: 0, available: 48 });
  });

  it("records a release that came first without a creation time or consumptions", async () => {
    await ledger.release("ord-9");
    expect(await reservations.get("ord-9")).toEqual({
      _id: "ord-9",
      status: "released",
      remaining: {},
      releasedAt: expect.any(String),
    });
    await expect(ledger.consume("ord-9", "tkt-1", [{ ingredient: "eggs", qty: 1 }])).rejects.toMatchObject({
      type: "RESERVATION_RELEASED",
    });
  });

  it("keeps the books straight when consumptions and releases race", async () => {
    for (let i = 0; i < 20; i++) await ledger.reserve(`race-${i}`, [{ ingredient: "potatoes", qty: 40 }]);
    const racing = Array.from({ length: 20 }, (_, i) => [
      ledger.consume(`race-${i}`, "a", [{ ingredient: "potatoes", qty: 10 }]).catch(() => null),
      ledger.release(`race-${i}`),
      ledger.consume(`race-${i}`, "b", [{ ingredient: "potatoes", qty: 10 }]).catch(() => null),
    ]).flat();
    await Promise.all(racing);
    const docs = await reservations.find({});
    const consumed = docs.reduce(
      (sum, doc) =>
        sum +
        Object.values(doc.consumed ?? {})
          .flat()
          .reduce((s, l) => s + l.qty, 0),
      0,
    );
    const after = await stock("potatoes");
    expect(after).toMatchObject({ reserved: 0, onHand: 1000 - consumed, available: 1000 - consumed });
    expect(isConsistent(after)).toBe(true);
  });

  it("a release that arrives before its reservation makes the late reserve take nothing", async () => {
    await expect(ledger.release("ord-5")).resolves.toMatchObject({ result: { status: "released" } });
    await expect(ledger.reserve("ord-5", [{ ingredient: "potatoes", qty: 100 }])).resolves.toMatchObject({
      result: { status: "released" },
    });
    expect(await stock("potatoes")).toMatchObject({ reserved: 0, available: 1000 });
  });

  it("receives a purchase order exactly once, also under concurrent receives", async () => {
    const order = await ledger.openPurchaseOrder(
      [
        { ingredient: "eggs", qty: 60 },
        { ingredient: "eggs", qty: 30 },
      ],
      "buyer",
    );
    expect(order.lines).toEqual([{ ingredient: "eggs", qty: 90 }]);
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => ledger.receive(order._id, "buyer")));
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect(
      outcomes
        .filter((o) => o.status === "rejected")
        .every((o) => (o as PromiseRejectedResult).reason.type === "ALREADY_RECEIVED"),
    ).toBe(true);
    expect(await stock("eggs")).toMatchObject({ onHand: 140, available: 140 });
    await expect(ledger.receive("po_unknown", "buyer")).rejects.toMatchObject({ code: 404 });
  });

  it("counts stock, but never below what is reserved", async () => {
    await ledger.reserve("ord-6", [{ ingredient: "eggs", qty: 20 }]);
    await expect(ledger.adjust("eggs", { onHand: 19 })).rejects.toMatchObject({
      code: 409,
      type: "BELOW_RESERVED",
      data: { reserved: 20 },
    });
    const { result } = await ledger.adjust("eggs", { onHand: 35, reorderPoint: 10 });
    expect(result).toMatchObject({ onHand: 35, reserved: 20, available: 15, reorderPoint: 10 });
    await expect(ledger.adjust("nothing", { onHand: 1 })).rejects.toMatchObject({ code: 404 });
  });

  it("flags a dip below the reorder point once, and re-arms when stock is back", async () => {
    await ledger.reserve("dip-1", [{ ingredient: "potatoes", qty: 700 }]);
    const fell = await Promise.all([
      ledger.watchLow(["potatoes"]),
      ledger.watchLow(["potatoes"]),
      ledger.watchLow(["potatoes"]),
    ]);
    expect(fell.flat().map((doc) => doc._id)).toEqual(["potatoes"]);
    await ledger.reserve("dip-2", [{ ingredient: "potatoes", qty: 100 }]);
    expect(await ledger.watchLow(["potatoes"])).toEqual([]);

    await ledger.release("dip-1");
    expect(await ledger.watchLow(["potatoes"])).toEqual([]);
    expect((await stock("potatoes")).low).toBe(false);
    await ledger.reserve("dip-3", [{ ingredient: "potatoes", qty: 700 }]);
    expect((await ledger.watchLow(["potatoes"])).map((doc) => doc._id)).toEqual(["potatoes"]);
  });

  it("answers every ingredient's available stock at once", async () => {
    await ledger.reserve("lv-1", [{ ingredient: "eggs", qty: 5 }]);
    expect(await ledger.levels()).toEqual({ potatoes: 1000, "frying-oil": 100, eggs: 45 });
  });
});
