/**
 * Every stock movement, as conditional atomic updates on the stores (no broker here, so it is
 * tested directly against NeDB in memory and MongoDB alike). Nothing is read-modified-written:
 * each change to an ingredient is one `$inc` whose query carries its precondition, so many
 * nodes can work on one MongoDB at once and stock is never oversold and never negative.
 *
 * A movement touching two collections writes in the order that errs on the safe side: if a
 * node dies between the two writes, stock stays reserved (shown, never oversold) rather than
 * being given away twice.
 *
 * Each method answers which ingredients it changed; the service announces low stock and cleans
 * caches for them.
 */
import type { ConsumeResult, ReservationResult, StockLevels, StockLine } from "../../lib/contracts";
import { Conflict, InsufficientStock, Invalid, NotFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import type { Store } from "../../lib/store";
import {
  countTo,
  lowTransition,
  mergeLines,
  overConsumed,
  receiveIncrement,
  releaseIncrement,
  reserveIncrement,
  consumeIncrement,
  shortOf,
  unconsumed,
} from "./stock";
import { unknownIngredients, type IngredientDoc, type Unit } from "./ingredients";
import { consumption, newReservation, releasedUnheld, type ReservationDoc } from "./reservations";
import type { PurchaseOrderDoc } from "./purchase-orders";

export interface Movement<T> {
  result: T;
  /** Ingredients whose stock changed. */
  changed: string[];
}

export interface IngredientPatch {
  name?: string;
  unit?: Unit;
  onHand?: number;
  reorderPoint?: number;
  reorderQty?: number;
}

/** Optimistic attempts of a stock count racing live reservations before giving up. */
const COUNT_ATTEMPTS = 20;
/** A release loses a round only to a reserve of the same id landing meanwhile; twice is already rare. */
const RELEASE_ATTEMPTS = 5;

const ids = (lines: readonly StockLine[]) => lines.map((line) => line.ingredient);
const now = () => new Date().toISOString();

export class StockLedger {
  constructor(
    private readonly ingredients: Store<IngredientDoc>,
    private readonly reservations: Store<ReservationDoc>,
    private readonly purchaseOrders: Store<PurchaseOrderDoc>,
  ) {}

  async levels(): Promise<StockLevels> {
    const docs = await this.ingredients.find({});
    return Object.fromEntries(docs.map((doc) => [doc._id, doc.available]));
  }

  /** Throws 422 naming each line (`lines[i].ingredient`) whose ingredient does not exist. */
  async requireKnown(lines: readonly StockLine[], field = "lines"): Promise<void> {
    const found = await this.ingredients.getMany([...new Set(ids(lines))]);
    const problems = unknownIngredients(lines, new Set(found.map((doc) => doc._id)), field);
    if (problems.length > 0) throw Invalid(problems);
  }

  /**
   * All or nothing, once per reservation id: a repeated call answers what the first one did.
   * A refusal (OUT_OF_STOCK) records nothing, so the same id may succeed once stock arrives.
   */
  async reserve(reservation: string, requested: readonly StockLine[]): Promise<Movement<ReservationResult>> {
    const existing = await this.reservations.get(reservation);
    if (existing) return { result: { reservation, status: existing.status }, changed: [] };
    await this.requireKnown(requested);

    const lines = mergeLines(requested);
    const taken: StockLine[] = [];
    let refused: StockLine | undefined;
    try {
      for (const line of lines) {
        const took = await this.ingredients.update(
          { _id: line.ingredient, available: { $gte: line.qty } },
          { $inc: reserveIncrement(line.qty) },
        );
        if (took === 0) {
          refused = line;
          break;
        }
        taken.push(line);
      }
    } catch (err) {
      await this.giveBack(taken);
      throw err;
    }
    if (refused) {
      await this.giveBack(taken);
      const short = new Set([refused.ingredient, ...shortOf(lines, await this.availableOf(ids(lines)))]);
      throw InsufficientStock([...short].sort());
    }

    if (!(await this.reservations.insertOnce(newReservation(reservation, lines)))) {
      // The same id won elsewhere meanwhile (a retry racing the first call, or a release that
      // came first): ours is put back and theirs stands.
      await this.giveBack(taken);
      const doc = await this.reservations.get(reservation);
      return { result: { reservation, status: doc?.status ?? "released" }, changed: [] };
    }
    return { result: { reservation, status: "held" }, changed: ids(lines) };
  }

  /** Gives back what the reservation holds and was not consumed; once. Unknown ids are released too. */
  async release(reservation: string): Promise<Movement<ReservationResult>> {
    for (let attempt = 1; attempt <= RELEASE_ATTEMPTS; attempt++) {
      const flipped = await this.reservations.update(
        { _id: reservation, status: "held" },
        { $set: { status: "released", releasedAt: now() } },
      );
      if (flipped > 0) {
        // From here on no consumption can be recorded: `remaining` is final.
        const doc = await this.reservations.get(reservation);
        const back = unconsumed(doc?.remaining ?? {});
        await this.giveBack(back);
        return { result: { reservation, status: "released" }, changed: ids(back) };
      }
      const doc = await this.reservations.get(reservation);
      if (doc?.status === "released") return { result: { reservation, status: "released" }, changed: [] };
      if (!doc && (await this.reservations.insertOnce(releasedUnheld(reservation, now())))) {
        return { result: { reservation, status: "released" }, changed: [] };
      }
      // A reserve landed between our two reads: release that.
    }
    throw Conflict(
      "RESERVATION_BUSY",
      `Reservation ${reservation} kept changing while being released. Release it again.`,
      { reservation },
    );
  }

  /** Turns part of a held reservation into used stock, once per key. */
  async consume(reservation: string, key: string, requested: readonly StockLine[]): Promise<Movement<ConsumeResult>> {
    const lines = mergeLines(requested);
    const { query, update } = consumption(reservation, key, lines);
    if ((await this.reservations.update(query, update)) > 0) {
      for (const line of lines)
        await this.ingredients.update({ _id: line.ingredient }, { $inc: consumeIncrement(line.qty) });
      return { result: { reservation, status: "held", consumed: true }, changed: ids(lines) };
    }
    const doc = await this.reservations.get(reservation);
    if (!doc) throw NotFound("reservation", reservation);
    if (doc.consumed?.[key]) return { result: { reservation, status: doc.status, consumed: false }, changed: [] };
    if (doc.status === "released") {
      throw Conflict(
        "RESERVATION_RELEASED",
        `Reservation ${reservation} was released (its order was cancelled): nothing of it can be used.`,
        { reservation },
      );
    }
    const over = overConsumed(doc.remaining, lines);
    throw Conflict("EXCEEDS_RESERVATION", `Reservation ${reservation} does not hold enough of: ${over.join(", ")}.`, {
      reservation,
      ingredients: over,
    });
  }

  async openPurchaseOrder(requested: readonly StockLine[], createdBy: string | undefined): Promise<PurchaseOrderDoc> {
    await this.requireKnown(requested);
    const doc: PurchaseOrderDoc = { _id: newId("po"), status: "open", lines: mergeLines(requested), createdAt: now() };
    if (createdBy) doc.createdBy = createdBy;
    return this.purchaseOrders.insert(doc);
  }

  /** Adds a purchase order's stock exactly once: only the call that flips it to `received` adds. */
  async receive(id: string, receivedBy: string | undefined): Promise<Movement<PurchaseOrderDoc>> {
    const set: Partial<PurchaseOrderDoc> = { status: "received", receivedAt: now() };
    if (receivedBy) set.receivedBy = receivedBy;
    const flipped = await this.purchaseOrders.update({ _id: id, status: "open" }, { $set: set });
    const order = await this.purchaseOrders.get(id);
    if (!order) throw NotFound("purchase order", id);
    if (flipped === 0) {
      throw Conflict(
        "ALREADY_RECEIVED",
        `Purchase order ${id} was received at ${order.receivedAt}; its stock is in. Open a new purchase order for more.`,
        {
          id,
          receivedAt: order.receivedAt,
        },
      );
    }
    for (const line of order.lines)
      await this.ingredients.update({ _id: line.ingredient }, { $inc: receiveIncrement(line.qty) });
    return { result: order, changed: ids(order.lines) };
  }

  /** Edits an ingredient; `onHand` is a stock count, applied only if nothing moved since it was read. */
  async adjust(id: string, patch: IngredientPatch): Promise<Movement<IngredientDoc>> {
    for (let attempt = 1; attempt <= COUNT_ATTEMPTS; attempt++) {
      const doc = await this.ingredients.get(id);
      if (!doc) throw NotFound("ingredient", id);
      const set: Record<string, unknown> = { ...patch, updatedAt: now() };
      let query: Record<string, unknown> = { _id: id };
      if (patch.onHand !== undefined) {
        const counted = countTo(doc, patch.onHand);
        if ("belowReserved" in counted) {
          throw Conflict(
            "BELOW_RESERVED",
            `${doc.name}: ${counted.belowReserved} ${doc.unit} are reserved by open orders, so on-hand stock cannot be set below that.`,
            {
              ingredient: id,
              reserved: counted.belowReserved,
            },
          );
        }
        Object.assign(set, counted);
        query = { _id: id, onHand: doc.onHand, reserved: doc.reserved };
      }
      if ((await this.ingredients.update(query, { $set: set })) > 0) {
        const after = (await this.ingredients.get(id))!;
        return { result: after, changed: [id] };
      }
    }
    throw Conflict(
      "STOCK_BUSY",
      `The stock of ${id} kept moving while it was being counted. Count again in a moment.`,
      { ingredient: id },
    );
  }

  /**
   * Flips the `low` flag of ingredients whose available stock crossed their reorder point and
   * answers those that just fell below it. Each flip is conditional, so one dip is announced
   * once however many nodes look at it.
   */
  async watchLow(changed: readonly string[]): Promise<IngredientDoc[]> {
    if (changed.length === 0) return [];
    const fell: IngredientDoc[] = [];
    for (const doc of await this.ingredients.getMany([...new Set(changed)])) {
      const transition = lowTransition(doc);
      if (transition === "fell") {
        const flipped = await this.ingredients.update(
          { _id: doc._id, low: { $ne: true }, reorderPoint: doc.reorderPoint, available: { $lt: doc.reorderPoint } },
          { $set: { low: true } },
        );
        if (flipped > 0) fell.push({ ...doc, low: true });
      } else if (transition === "recovered") {
        await this.ingredients.update(
          { _id: doc._id, low: true, reorderPoint: doc.reorderPoint, available: { $gte: doc.reorderPoint } },
          { $set: { low: false } },
        );
      }
    }
    return fell;
  }

  private async availableOf(ingredientIds: string[]): Promise<StockLevels> {
    const docs = await this.ingredients.getMany(ingredientIds);
    return Object.fromEntries(docs.map((doc) => [doc._id, doc.available]));
  }

  private async giveBack(lines: readonly StockLine[]): Promise<void> {
    for (const line of lines)
      await this.ingredients.update({ _id: line.ingredient }, { $inc: releaseIncrement(line.qty) });
  }
}
