/**
 * Every stock movement, as conditional atomic updates on the stores (no broker here, so it is
 * tested directly against NeDB in memory and MongoDB alike). Nothing is read-modified-written:
 * each change to an ingredient is one `$inc` whose query carries its precondition, so many
 * nodes can work on one MongoDB at once and stock is never oversold and never negative.
 *
 * A movement touching two collections leaves its intent where a restart finds it, and
 * `recover` (inventory's start) finishes or undoes any movement a dying node left half done
 * (./movements.ts): stock is never given away twice, and never stays reserved for ever.
 *
 * Each method answers which ingredients it changed; the service announces low stock and cleans
 * caches for them.
 */
import type { Allergen } from "../../lib/allergens";
import type {
  ConsumeResult,
  IngredientAllergens,
  ReservationResult,
  StockLevels,
  StockLine,
} from "../../lib/contracts";
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
  consumeIncrement,
  shortOf,
  unconsumed,
} from "./stock";
import { unknownIngredients, type IngredientDoc, type Unit } from "./ingredients";
import { consumption, newReservation, releasedUnheld, type ReservationDoc } from "./reservations";
import type { PurchaseOrderDoc } from "./purchase-orders";
import { Movements, pendingUpdate } from "./movements";

export interface Movement<T> {
  result: T;
  /** Ingredients whose stock changed. */
  changed: string[];
}

export interface IngredientPatch {
  name?: string;
  unit?: Unit;
  allergens?: Allergen[];
  onHand?: number;
  reorderPoint?: number;
  reorderQty?: number;
}

/** Optimistic attempts of a stock count racing live reservations before giving up. */
const COUNT_ATTEMPTS = 20;
/** A release loses a round only to a reserve of the same id landing meanwhile; twice is already rare. */
const RELEASE_ATTEMPTS = 5;
/** How long a reserve waits for another attempt of the same id (a retry racing it) to finish. */
const BUSY_WAIT_MS = 2_000;
const BUSY_POLL_MS = 5;

export interface RecoveryReport {
  /** Recorded releases, consumptions and receipts whose stock changes were finished. */
  finished: number;
  /** Reserves that never got recorded, whose stock went back. */
  undone: number;
}

const ids = (lines: readonly StockLine[]) => lines.map((line) => line.ingredient);
const now = () => new Date().toISOString();

export class StockLedger {
  private readonly moves: Movements;

  constructor(
    private readonly ingredients: Store<IngredientDoc>,
    private readonly reservations: Store<ReservationDoc>,
    private readonly purchaseOrders: Store<PurchaseOrderDoc>,
    /** Called after the first ingredient write of each movement: only tests use it (BRIGADE_FAULT). */
    afterFirstWrite?: (movement: string) => void,
  ) {
    this.moves = new Movements(ingredients, afterFirstWrite);
  }

  async levels(): Promise<StockLevels> {
    const docs = await this.ingredients.find({});
    return Object.fromEntries(docs.map((doc) => [doc._id, doc.available]));
  }

  /** Ingredient id → its allergens, for every ingredient that has any (what the menu derives dishes' from). */
  async allergens(): Promise<IngredientAllergens> {
    const docs = await this.ingredients.find({});
    return Object.fromEntries(docs.flatMap((doc) => (doc.allergens?.length ? [[doc._id, doc.allergens]] : [])));
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
    const deadline = Date.now() + BUSY_WAIT_MS;
    for (;;) {
      const existing = await this.reservations.get(reservation);
      if (existing) return { result: { reservation, status: existing.status }, changed: [] };
      await this.requireKnown(requested);
      const lines = mergeLines(requested);
      const attempt = await this.tryReserve(reservation, lines);
      if (attempt !== "busy") return attempt;
      // Another attempt of this id (a retry racing the first call) holds the stock: its outcome
      // is ours. Wait until it records the reservation, or gives the stock back and leaves.
      while (
        (await this.moves.reserving(reservation, lines[0].ingredient)) &&
        !(await this.reservations.get(reservation))
      ) {
        if (Date.now() > deadline) {
          throw Conflict(
            "RESERVATION_BUSY",
            `Reservation ${reservation} is being made by another call. Ask again in a moment.`,
            { reservation },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, BUSY_POLL_MS));
      }
    }
  }

  private async tryReserve(reservation: string, lines: StockLine[]): Promise<Movement<ReservationResult> | "busy"> {
    const taken: StockLine[] = [];
    let refused: StockLine | undefined;
    try {
      for (const line of lines) {
        const outcome = await this.moves.take(reservation, line, taken.length === 0);
        // Busy comes on the first line: attempts of one id take lines in the same order.
        if (outcome === "busy" && taken.length === 0) return "busy";
        if (outcome !== "taken") {
          refused = line;
          break;
        }
        taken.push(line);
      }
    } catch (err) {
      await this.moves.untake(reservation, taken);
      throw err;
    }
    if (refused) {
      await this.moves.untake(reservation, taken);
      const short = new Set([refused.ingredient, ...shortOf(lines, await this.availableOf(ids(lines)))]);
      throw InsufficientStock([...short].sort());
    }

    if (!(await this.reservations.insertOnce(newReservation(reservation, lines)))) {
      // A release of this id came first (its order was given up): ours goes back and it stands.
      await this.moves.untake(reservation, taken);
      const doc = await this.reservations.get(reservation);
      return { result: { reservation, status: doc?.status ?? "released" }, changed: [] };
    }
    await this.moves.reserved(reservation, lines);
    return { result: { reservation, status: "held" }, changed: ids(lines) };
  }

  /** Gives back what the reservation holds and was not consumed; once. Unknown ids are released too. */
  async release(reservation: string): Promise<Movement<ReservationResult>> {
    for (let attempt = 1; attempt <= RELEASE_ATTEMPTS; attempt++) {
      const at = now();
      const flipped = await this.reservations.update(
        { _id: reservation, status: "held" },
        pendingUpdate({ $set: { status: "released", releasedAt: at } }, "release", at),
      );
      if (flipped > 0) {
        // From here on no consumption can be recorded: `remaining` is final.
        const doc = await this.reservations.get(reservation);
        const back = unconsumed(doc?.remaining ?? {});
        await this.moves.finish(this.reservations, reservation, "release", back, releaseIncrement);
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
    const move = `consume:${key}`;
    if ((await this.reservations.update(query, pendingUpdate(update, move, now()))) > 0) {
      await this.moves.finish(this.reservations, reservation, move, lines, consumeIncrement);
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
    const at = now();
    const set: Partial<PurchaseOrderDoc> = { status: "received", receivedAt: at };
    if (receivedBy) set.receivedBy = receivedBy;
    const flipped = await this.purchaseOrders.update(
      { _id: id, status: "open" },
      pendingUpdate({ $set: set }, "receive", at),
    );
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
    await this.moves.finish(this.purchaseOrders, id, "receive", order.lines, receiveIncrement);
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

  /**
   * Finishes or undoes the movements a node left half done, recorded at or before `before` (all of
   * them at an embedded node's start: no other process writes its store).
   */
  async recover(before: string = now()): Promise<RecoveryReport> {
    let finished = 0;
    for (const doc of await this.reservations.find({ pendingMoves: { $gt: 0 } })) {
      for (const [move, at] of Object.entries(doc.pending ?? {})) {
        if (at > before) continue;
        if (move === "release") {
          await this.moves.finish(this.reservations, doc._id, move, unconsumed(doc.remaining), releaseIncrement);
        } else {
          const lines = doc.consumed?.[move.slice("consume:".length)] ?? [];
          await this.moves.finish(this.reservations, doc._id, move, lines, consumeIncrement);
        }
        finished++;
      }
    }
    for (const order of await this.purchaseOrders.find({ pendingMoves: { $gt: 0 } })) {
      if (!order.pending?.receive || order.pending.receive > before) continue;
      await this.moves.finish(this.purchaseOrders, order._id, "receive", order.lines, receiveIncrement);
      finished++;
    }
    // A reservation made by a reserve holds what it reserved; one a release wrote first holds nothing.
    const recorded = async (id: string) => Object.keys((await this.reservations.get(id))?.remaining ?? {}).length > 0;
    const undone = await this.moves.settleMarks(before, recorded);
    return { finished, undone };
  }

  private async availableOf(ingredientIds: string[]): Promise<StockLevels> {
    const docs = await this.ingredients.getMany(ingredientIds);
    return Object.fromEntries(docs.map((doc) => [doc._id, doc.available]));
  }
}
