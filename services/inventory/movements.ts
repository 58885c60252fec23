/**
 * What makes a stock movement recoverable. A movement is two writes on two collections (the
 * reservation or purchase order that records it, and the ingredients it changes), and a node can
 * die between them. So each leaves its intent where a restart finds it:
 *
 *   reserve:          ingredients first, each marked `moves["reserve:<id>"] = {at, qty}`; then the
 *                     reservation. Found later: a mark whose reservation exists is cleared, one
 *                     whose reservation never came is undone (its qty goes back).
 *   release, consume, the record first, with `pending[<move>] = at` and `pendingMoves + 1`; then
 *   receive:          the ingredients, each marked so it is changed once however often the
 *                     movement is finished; then the pending entry; then the marks.
 *
 * `recoverMovements` (inventory's start) finishes every pending entry and settles every mark.
 */
import type { StockLine } from "../../lib/contracts";
import type { Store } from "../../lib/store";
import type { IngredientDoc } from "./ingredients";
import { releaseIncrement } from "./stock";

export interface MoveMark {
  at: string;
  /** For a reserve: what it took, so that an unfinished one can be given back. */
  qty?: number;
}

/** The part of a reservation or purchase order that says a movement's stock is still to change. */
export interface PendingMoves {
  _id: string;
  /** Movement (`release`, `consume:<key>`, `receive`) → when it was recorded. */
  pending?: Record<string, string>;
  /** How many entries `pending` holds, for an index that finds the unfinished ones. */
  pendingMoves?: number;
}

type Increment = (qty: number) => Record<string, number>;

const markField = (key: string) => `moves.${key}`;

/** The fields a record's write adds to say `move` is under way (merged into its own update). */
export function pendingUpdate(update: Record<string, unknown>, move: string, at: string): Record<string, unknown> {
  const set = { ...(update.$set as object | undefined), [`pending.${move}`]: at };
  const inc = { ...(update.$inc as object | undefined), pendingMoves: 1 };
  return { ...update, $set: set, $inc: inc };
}

export class Movements {
  constructor(
    private readonly ingredients: Store<IngredientDoc>,
    /** Called once after the first ingredient write of each movement (tests inject a crash there). */
    private readonly afterFirstWrite: (movement: string) => void = () => undefined,
  ) {}

  /**
   * Takes `line` for a reserve, marked; "taken", "short" (not enough available), or "busy"
   * (another attempt of the same reservation holds the mark).
   */
  async take(reservation: string, line: StockLine, first: boolean): Promise<"taken" | "short" | "busy"> {
    const key = `reserve:${reservation}`;
    const mark: MoveMark = { at: new Date().toISOString(), qty: line.qty };
    const took = await this.ingredients.update(
      { _id: line.ingredient, available: { $gte: line.qty }, [markField(key)]: { $exists: false } },
      { $inc: { available: -line.qty, reserved: line.qty }, $set: { [markField(key)]: mark } },
    );
    if (took > 0) {
      if (first) this.afterFirstWrite("reserve");
      return "taken";
    }
    const doc = await this.ingredients.get(line.ingredient);
    return doc?.moves?.[key] ? "busy" : "short";
  }

  /** Whether a reserve of `reservation` still marks `ingredient` (an attempt under way). */
  async reserving(reservation: string, ingredient: string): Promise<boolean> {
    return !!(await this.ingredients.get(ingredient))?.moves?.[`reserve:${reservation}`];
  }

  /** Gives back what a reserve took and marked (each at most once). */
  async untake(reservation: string, lines: readonly StockLine[]): Promise<void> {
    const key = `reserve:${reservation}`;
    for (const line of lines)
      await this.ingredients.update(
        { _id: line.ingredient, [markField(key)]: { $exists: true } },
        { $inc: releaseIncrement(line.qty), $unset: { [markField(key)]: "" } },
      );
  }

  /** A reserve is recorded: its marks go. */
  async reserved(reservation: string, lines: readonly StockLine[]): Promise<void> {
    await this.clearMarks(
      `reserve:${reservation}`,
      lines.map((line) => line.ingredient),
    );
  }

  /**
   * Applies a recorded movement's ingredient changes, each once, then clears its pending entry
   * on `record` and the marks. Safe to run again after a crash anywhere inside it.
   */
  async finish<T extends PendingMoves>(
    records: Store<T>,
    id: string,
    move: string,
    lines: readonly StockLine[],
    increment: Increment,
  ): Promise<void> {
    const key = `${move}:${id}`;
    let first = true;
    for (const line of lines) {
      const mark: MoveMark = { at: new Date().toISOString() };
      const changed = await this.ingredients.update(
        { _id: line.ingredient, [markField(key)]: { $exists: false } },
        { $inc: increment(line.qty), $set: { [markField(key)]: mark } },
      );
      if (changed > 0 && first) {
        first = false;
        this.afterFirstWrite(move.split(":")[0]);
      }
    }
    await records.update(
      { _id: id, [`pending.${move}`]: { $exists: true } },
      { $unset: { [`pending.${move}`]: "" }, $inc: { pendingMoves: -1 } },
    );
    await this.clearMarks(
      key,
      lines.map((line) => line.ingredient),
    );
  }

  private async clearMarks(key: string, ingredients: string[]): Promise<void> {
    if (ingredients.length === 0) return;
    await this.ingredients.update({ _id: { $in: ingredients } }, { $unset: { [markField(key)]: "" } });
  }

  /**
   * Settles the marks left on ingredients by movements at or before `before`: a reserve whose
   * reservation was recorded (`recorded`) keeps its stock, one whose reservation never came gives
   * it back; any other mark belongs to a finished movement and goes. Answers how many were undone.
   */
  async settleMarks(before: string, recorded: (reservation: string) => Promise<boolean>): Promise<number> {
    let undone = 0;
    for (const doc of await this.ingredients.find({})) {
      for (const [key, mark] of Object.entries(doc.moves ?? {})) {
        if (mark.at > before) continue;
        const reservation = key.startsWith("reserve:") ? key.slice("reserve:".length) : undefined;
        if (reservation !== undefined && !(await recorded(reservation))) {
          await this.untake(reservation, [{ ingredient: doc._id, qty: mark.qty ?? 0 }]);
          undone++;
        } else await this.clearMarks(key, [doc._id]);
      }
    }
    return undone;
  }
}
