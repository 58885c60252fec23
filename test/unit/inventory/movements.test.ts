// A node dying between a stock movement's writes, without a broker: the ledger's stores freeze
// (every later call never answers, as in a dead process) right after the movement's first write;
// a new ledger on the same data then recovers. Every movement ends finished or undone, once.
import type { Store, Doc } from "../../../lib/store";
import { StockLedger } from "../../../services/inventory/stock-ledger";
import { newIngredient, type IngredientDoc } from "../../../services/inventory/ingredients";
import type { ReservationDoc } from "../../../services/inventory/reservations";
import type { PurchaseOrderDoc } from "../../../services/inventory/purchase-orders";
import { isConsistent } from "../../../services/inventory/stock";
import { memoryStore } from "../../support/memory-store";

/** The same store, as a process that may die: once `dead`, no call answers. */
function mortal<T extends Doc>(store: Store<T>, life: { dead: boolean }): Store<T> {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) =>
        life.dead ? new Promise(() => undefined) : (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  });
}

describe("stock movements cut short by a dying node", () => {
  let ingredients: Store<IngredientDoc>;
  let reservations: Store<ReservationDoc>;
  let purchaseOrders: Store<PurchaseOrderDoc>;
  const stock = async (id: string) => (await ingredients.get(id))!;
  const fresh = () => new StockLedger(ingredients, reservations, purchaseOrders);

  /** Runs `move` on a ledger whose process dies after the first write of `kind`. */
  async function dieDuring(kind: string, move: (ledger: StockLedger) => Promise<unknown>): Promise<void> {
    const life = { dead: false };
    const dying = new StockLedger(
      mortal(ingredients, life),
      mortal(reservations, life),
      mortal(purchaseOrders, life),
      (movement) => {
        if (movement === kind) life.dead = true;
      },
    );
    void move(dying);
    for (let i = 0; i < 100 && !life.dead; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(life.dead).toBe(true);
  }

  beforeEach(async () => {
    ingredients = await memoryStore<IngredientDoc>();
    reservations = await memoryStore<ReservationDoc>();
    purchaseOrders = await memoryStore<PurchaseOrderDoc>();
    const now = new Date().toISOString();
    await ingredients.insert(newIngredient({ name: "Potatoes", unit: "g", onHand: 1000 }, now));
    await ingredients.insert(newIngredient({ name: "Eggs", unit: "pcs", onHand: 50 }, now));
  });

  const lines = [
    { ingredient: "eggs", qty: 2 },
    { ingredient: "potatoes", qty: 300 },
  ];

  it("gives back what a reserve took before its reservation was recorded, and the same id reserves again", async () => {
    await dieDuring("reserve", (ledger) => ledger.reserve("ord-1", lines));
    expect(await stock("eggs")).toMatchObject({ reserved: 2 });
    expect(await fresh().recover()).toEqual({ finished: 0, undone: 1 });
    expect(await stock("eggs")).toMatchObject({ onHand: 50, reserved: 0, available: 50 });
    expect(await stock("potatoes")).toMatchObject({ onHand: 1000, reserved: 0, available: 1000 });
    expect((await stock("eggs")).moves).toEqual({});
    await expect(fresh().reserve("ord-1", lines)).resolves.toMatchObject({ result: { status: "held" } });
    expect(await stock("eggs")).toMatchObject({ reserved: 2, available: 48 });
  });

  it("keeps a reserve whose reservation was recorded, and only clears its marks", async () => {
    await fresh().reserve("ord-2", lines);
    // As if the node died after recording the reservation, before clearing its marks.
    await ingredients.update({ _id: "eggs" }, { $set: { "moves.reserve:ord-2": { at: "2026-01-01", qty: 2 } } });
    expect(await fresh().recover()).toEqual({ finished: 0, undone: 0 });
    expect(await stock("eggs")).toMatchObject({ reserved: 2, available: 48, moves: {} });
  });

  it("finishes a release recorded before its stock went back", async () => {
    await fresh().reserve("ord-3", lines);
    await dieDuring("release", (ledger) => ledger.release("ord-3"));
    expect((await reservations.get("ord-3"))?.status).toBe("released");
    expect(await fresh().recover()).toEqual({ finished: 1, undone: 0 });
    expect(await fresh().recover()).toEqual({ finished: 0, undone: 0 });
    for (const id of ["eggs", "potatoes"]) {
      const after = await stock(id);
      expect(after).toMatchObject({ reserved: 0, moves: {} });
      expect(after.available).toBe(after.onHand);
    }
    expect(await reservations.get("ord-3")).toMatchObject({ pendingMoves: 0, pending: {} });
  });

  it("finishes a consumption recorded before its stock was used, once", async () => {
    await fresh().reserve("ord-4", lines);
    await dieDuring("consume", (ledger) => ledger.consume("ord-4", "tkt-1", lines));
    expect(await fresh().recover()).toEqual({ finished: 1, undone: 0 });
    await fresh().recover();
    expect(await stock("eggs")).toMatchObject({ onHand: 48, reserved: 0, available: 48 });
    expect(await stock("potatoes")).toMatchObject({ onHand: 700, reserved: 0, available: 700 });
    // A retry of the same consumption after recovery changes nothing.
    await expect(fresh().consume("ord-4", "tkt-1", lines)).resolves.toMatchObject({ result: { consumed: false } });
    expect(await stock("potatoes")).toMatchObject({ onHand: 700 });
  });

  it("finishes a receipt recorded before its stock was added", async () => {
    const order = await fresh().openPurchaseOrder(lines, "buyer");
    await dieDuring("receive", (ledger) => ledger.receive(order._id, "buyer"));
    expect(await fresh().recover()).toEqual({ finished: 1, undone: 0 });
    expect(await stock("eggs")).toMatchObject({ onHand: 52, available: 52 });
    expect(await stock("potatoes")).toMatchObject({ onHand: 1300, available: 1300 });
    for (const id of ["eggs", "potatoes"]) expect(isConsistent(await stock(id))).toBe(true);
  });

  it("leaves movements newer than the cut-off to the node making them", async () => {
    await dieDuring("reserve", (ledger) => ledger.reserve("ord-6", lines));
    expect(await fresh().recover(new Date(Date.now() - 60_000).toISOString())).toEqual({ finished: 0, undone: 0 });
    expect(await stock("eggs")).toMatchObject({ reserved: 2 });
  });
});
