import fc from "fast-check";
import {
  consumeIncrement,
  countTo,
  holdings,
  isConsistent,
  lowTransition,
  mergeLines,
  overConsumed,
  receiveIncrement,
  releaseIncrement,
  reserveIncrement,
  shortOf,
  unconsumed,
  type StockLevel,
} from "../../../services/inventory/stock";

const apply = (level: StockLevel, inc: Partial<StockLevel>): StockLevel => ({
  onHand: level.onHand + (inc.onHand ?? 0),
  reserved: level.reserved + (inc.reserved ?? 0),
  available: level.available + (inc.available ?? 0),
});

describe("stock arithmetic", () => {
  it("merges lines per ingredient, summing quantities, in id order", () => {
    expect(
      mergeLines([
        { ingredient: "potatoes", qty: 300 },
        { ingredient: "frying-oil", qty: 60 },
        { ingredient: "potatoes", qty: 250 },
      ]),
    ).toEqual([
      { ingredient: "frying-oil", qty: 60 },
      { ingredient: "potatoes", qty: 550 },
    ]);
  });

  it("names the ingredients that stock cannot cover, counting unknown ones as short", () => {
    const levels = { potatoes: 500, "frying-oil": 1000 };
    expect(
      shortOf(
        [
          { ingredient: "potatoes", qty: 300 },
          { ingredient: "potatoes", qty: 300 },
          { ingredient: "frying-oil", qty: 60 },
        ],
        levels,
      ),
    ).toEqual(["potatoes"]);
    expect(shortOf([{ ingredient: "truffle", qty: 1 }], levels)).toEqual(["truffle"]);
    expect(shortOf([{ ingredient: "potatoes", qty: 500 }], levels)).toEqual([]);
  });

  it("keeps available = onHand - reserved through every movement", () => {
    const movement = fc.oneof(
      fc.record({ kind: fc.constant("reserve" as const), qty: fc.integer({ min: 1, max: 50 }) }),
      fc.record({ kind: fc.constant("release" as const), qty: fc.integer({ min: 1, max: 50 }) }),
      fc.record({ kind: fc.constant("consume" as const), qty: fc.integer({ min: 1, max: 50 }) }),
      fc.record({ kind: fc.constant("receive" as const), qty: fc.integer({ min: 1, max: 50 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.array(movement, { maxLength: 60 }), (start, moves) => {
        let level: StockLevel = { onHand: start, reserved: 0, available: start };
        for (const move of moves) {
          // The preconditions the store's conditional updates enforce.
          if (move.kind === "reserve" && level.available >= move.qty) level = apply(level, reserveIncrement(move.qty));
          if (move.kind === "release" && level.reserved >= move.qty) level = apply(level, releaseIncrement(move.qty));
          if (move.kind === "consume" && level.reserved >= move.qty) level = apply(level, consumeIncrement(move.qty));
          if (move.kind === "receive") level = apply(level, receiveIncrement(move.qty));
          expect(isConsistent(level)).toBe(true);
        }
      }),
    );
  });

  it("refuses a stock count below what is reserved, and keeps the reservation when counting", () => {
    expect(countTo({ onHand: 100, reserved: 30, available: 70 }, 20)).toEqual({ belowReserved: 30 });
    expect(countTo({ onHand: 100, reserved: 30, available: 70 }, 30)).toEqual({ onHand: 30, available: 0 });
    expect(countTo({ onHand: 100, reserved: 30, available: 70 }, 250)).toEqual({ onHand: 250, available: 220 });
  });

  it("detects inconsistent levels", () => {
    expect(isConsistent({ onHand: 10, reserved: 4, available: 6 })).toBe(true);
    expect(isConsistent({ onHand: 10, reserved: 4, available: 7 })).toBe(false);
    expect(isConsistent({ onHand: 3, reserved: 4, available: -1 })).toBe(false);
    expect(isConsistent({ onHand: 1.5, reserved: 0, available: 1.5 })).toBe(false);
  });
});

describe("low stock", () => {
  it("announces a dip once: falls below, stays quiet while low, re-arms at or above the reorder point", () => {
    expect(lowTransition({ available: 9, reorderPoint: 10, low: false })).toBe("fell");
    expect(lowTransition({ available: 5, reorderPoint: 10, low: true })).toBeNull();
    expect(lowTransition({ available: 10, reorderPoint: 10, low: true })).toBe("recovered");
    expect(lowTransition({ available: 10, reorderPoint: 10, low: false })).toBeNull();
  });

  it("never calls an ingredient with no reorder point low", () => {
    expect(lowTransition({ available: 0, reorderPoint: 0, low: false })).toBeNull();
  });
});

describe("reservation holdings", () => {
  it("holds the merged lines and gives back only what was not consumed", () => {
    const held = holdings([
      { ingredient: "eggs", qty: 2 },
      { ingredient: "flour", qty: 40 },
      { ingredient: "eggs", qty: 1 },
    ]);
    expect(held).toEqual({ eggs: 3, flour: 40 });
    expect(unconsumed({ eggs: 0, flour: 15 })).toEqual([{ ingredient: "flour", qty: 15 }]);
    expect(unconsumed({})).toEqual([]);
  });

  it("names what a consumption would take beyond the reservation", () => {
    expect(
      overConsumed({ eggs: 3, flour: 40 }, [
        { ingredient: "eggs", qty: 2 },
        { ingredient: "flour", qty: 50 },
      ]),
    ).toEqual(["flour"]);
    expect(overConsumed({ eggs: 3 }, [{ ingredient: "sugar", qty: 1 }])).toEqual(["sugar"]);
    expect(overConsumed({ eggs: 3 }, [{ ingredient: "eggs", qty: 3 }])).toEqual([]);
  });
});
