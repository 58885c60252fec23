/**
 * Placing an order, as one readable saga with its compensations beside its steps:
 *
 *   1. resolve the dishes on the menu and snapshot their names and prices; refuse, storing
 *      nothing, a sold-out dish, modifiers that break a dish's groups, or lines that meet the
 *      guests' allergies unless the waiter confirmed them (./allergy-gate.ts);
 *   2. store the order, not yet accepted (its `_id` comes from the Idempotency-Key when given,
 *      so a retry — even a concurrent one — meets the same document instead of making another);
 *   3. reserve every ingredient at once (all-or-nothing)            ↩ short: reject, name the dishes;
 *   4. accept it (conditional: only a still-pending order)           ↩ lost the race to a reject: release;
 *   5. hand it to the kitchen — or leave that to the reconcile loop if the hand-off fails.
 *
 * A retry that finds the order still pending waits for the first request, and past a short
 * deadline finishes the placement itself: `inventory.reserve` is idempotent per reservation,
 * so two finishers hold the stock once, and step 4 lets exactly one of them accept.
 */
import type { ReleaseParams, ReservationResult, ReserveParams, ResolvedDish } from "../../lib/contracts";
import {
  AllergenConflict,
  Conflict,
  Invalid,
  OutOfStock,
  SoldOut,
  type FieldProblem,
  type ShortDish,
} from "../../lib/errors";
import type { Store } from "../../lib/store";
import type { KitchenHandOff } from "./hand-off-port";
import { portionsOf } from "../../lib/portions";
import {
  kitchenLines,
  orderIdFor,
  orderReservation,
  placedEvent,
  requestFingerprint,
  storedLines,
  type KitchenNeeds,
  type OrderDoc,
  type Rejection,
} from "./order";
import { orderTotalCents, priceLines, type RequestedLine } from "./pricing";
import { dishesShort, lineIngredients } from "./stock-needs";
import type { Logger } from "../../lib/logger";
import { reservationOf } from "../../lib/reservation-id";
import type { Allergen } from "../../lib/allergens";
import { allergyConflicts, conflictAllergens } from "./allergy-gate";
import { chooseModifiers } from "./modifier-choice";

export interface PlaceRequest {
  location: string;
  table: string;
  lines: RequestedLine[];
  /** The guests' declared allergies. */
  allergies?: Allergen[];
  /** The waiter checked the lines that meet them with the guests: place it, and alert the kitchen. */
  allergyConfirmed?: boolean;
  staffId: string;
  idempotencyKey?: string;
}

export interface PlacementPorts {
  store: Store<OrderDoc>;
  resolveDishes(ids: string[]): Promise<ResolvedDish[]>;
  reserve(params: ReserveParams): Promise<ReservationResult>;
  release(params: ReleaseParams): Promise<unknown>;
  handOff: KitchenHandOff;
  changed(): Promise<void>;
  logger: Pick<Logger, "info" | "warn">;
  now(): Date;
  /** How long a retry waits for the first request before finishing the placement itself. */
  retryWaitMs: number;
}

const POLL_MS = 25;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isOutOfStock(err: unknown): err is { data?: { ingredients?: string[] } } {
  return (err as { type?: string } | undefined)?.type === "OUT_OF_STOCK";
}

function rejectionError(rejection: Rejection | undefined, id: string) {
  if (rejection?.reason === "out-of-stock") return OutOfStock(rejection.dishes);
  return Conflict(
    "ORDER_ABANDONED",
    `The placement of order ${id} did not complete, so nothing was reserved for it. Place the order again with a new Idempotency-Key.`,
    { id },
  );
}

function unknownDishes(lines: readonly RequestedLine[], known: (id: string) => boolean) {
  return lines.flatMap((l, i) =>
    known(l.dish)
      ? []
      : [{ field: `lines[${i}].dish`, message: `There is no dish "${l.dish}" on the menu.`, type: "unknownDish" }],
  );
}

async function resolve(ports: PlacementPorts, lines: readonly RequestedLine[]): Promise<Map<string, ResolvedDish>> {
  const ids = [...new Set(lines.map((l) => l.dish))];
  let resolved: ResolvedDish[];
  try {
    resolved = await ports.resolveDishes(ids);
  } catch (err) {
    // The menu names `dishes[j]` of its own params; the waiter sent `lines[i].dish`.
    const problems =
      (err as { type?: string; data?: unknown }).type === "VALIDATION_ERROR"
        ? (err as { data?: unknown }).data
        : undefined;
    if (!Array.isArray(problems)) throw err;
    const unknown = new Set(
      problems
        .map((p) => /^dishes\[(\d+)\]$/.exec(String((p as { field?: string }).field))?.[1])
        .filter(Boolean)
        .map((j) => ids[Number(j)]),
    );
    if (unknown.size === 0) throw err;
    throw Invalid(unknownDishes(lines, (id) => !unknown.has(id)));
  }
  const dishes = new Map(resolved.map((d) => [d.id, d] as const));
  const missing = unknownDishes(lines, (id) => dishes.has(id));
  if (missing.length) throw Invalid(missing);
  return dishes;
}

/** What the menu says of the request before anything is stored: sold out, modifiers that do not fit. */
function refusal(request: PlaceRequest, dishes: Map<string, ResolvedDish>) {
  const soldOut = [...dishes.values()].filter((dish) => dish.soldOut);
  if (soldOut.length) return SoldOut(soldOut.map((dish) => ({ dish: dish.id, name: dish.name })));
  const problems = request.lines.flatMap(
    (line, index): FieldProblem[] =>
      chooseModifiers(dishes.get(line.dish)!, line.modifiers ?? [], `lines[${index}].modifiers`).problems,
  );
  return problems.length ? Invalid(problems) : undefined;
}

function draft(request: PlaceRequest, dishes: Map<string, ResolvedDish>, now: string): OrderDoc {
  const lines = priceLines(request.lines, dishes);
  const allergies = request.allergies ?? [];
  const conflicts = allergyConflicts(lines, allergies);
  if (conflicts.length && request.allergyConfirmed !== true)
    throw AllergenConflict(conflicts, conflictAllergens(conflicts));
  const kitchen: KitchenNeeds[] = request.lines.map((requested, index) => {
    const dish = dishes.get(requested.dish)!;
    // The chosen options' recipes are reserved, consumed and released with the dish's.
    const { choice } = chooseModifiers(dish, requested.modifiers ?? [], `lines[${index}].modifiers`);
    return {
      station: dish.station,
      prepSeconds: dish.prepSeconds,
      ingredients: portionsOf(lineIngredients([...dish.recipe, ...choice.recipe], requested.qty)),
    };
  });
  const doc: OrderDoc = {
    _id: orderIdFor(request.staffId, request.idempotencyKey),
    location: request.location,
    table: request.table,
    status: "placed",
    lines: storedLines(lines),
    totalCents: orderTotalCents(lines),
    createdAt: now,
    createdBy: request.staffId,
    updatedAt: now,
    accepted: false,
    handedOff: false,
    kitchen,
    bill: null,
  };
  if (allergies.length) doc.allergies = allergies;
  if (conflicts.length) doc.allergyConfirmed = true;
  // Only a retry with the same key ever compares it: an order without one has an _id of its own.
  if (request.idempotencyKey !== undefined)
    doc.fingerprint = requestFingerprint(request.table, request.lines, allergies);
  return doc;
}

/** Places the order, or returns the one a previous request with the same Idempotency-Key placed. */
export async function placeOrder(ports: PlacementPorts, request: PlaceRequest): Promise<OrderDoc> {
  const dishes = await resolve(ports, request.lines);
  const refused = refusal(request, dishes);
  if (refused) throw refused;
  const doc = draft(request, dishes, ports.now().toISOString());
  if (await ports.store.insertOnce(doc)) return finishPlacement(ports, doc, request.idempotencyKey !== undefined);

  const existing = await ports.store.get(doc._id);
  if (!existing)
    throw Conflict("ORDER_BUSY", "That order is being placed right now. Retry with the same Idempotency-Key.");
  if (existing.fingerprint !== doc.fingerprint) {
    throw Conflict(
      "IDEMPOTENCY_KEY_REUSED",
      "This Idempotency-Key was already used for a different order. Use a new key for a new order.",
      { id: existing._id },
    );
  }
  return awaitPlacement(ports, existing);
}

/** A retry: the answer the first request got (or will get), finishing its work if it stalled. */
async function awaitPlacement(ports: PlacementPorts, doc: OrderDoc): Promise<OrderDoc> {
  const deadline = Date.now() + ports.retryWaitMs;
  let current: OrderDoc | null = doc;
  while (current && !current.accepted && current.status === "placed" && Date.now() < deadline) {
    await sleep(POLL_MS);
    current = await ports.store.get(doc._id);
  }
  if (!current)
    throw Conflict("ORDER_BUSY", "That order is being placed right now. Retry with the same Idempotency-Key.");
  if (current.accepted) return current;
  if (current.status === "rejected") throw rejectionError(current.rejection, current._id);
  ports.logger.warn(
    { order: current._id },
    "Finishing an order placement that stalled (its first request is gone or slow).",
  );
  return finishPlacement(ports, current, true);
}

/** Steps 3–5 for a stored, pending order. `keep`: a rejected order stays, for retries with its key. */
async function finishPlacement(ports: PlacementPorts, doc: OrderDoc, keep: boolean): Promise<OrderDoc> {
  let held: boolean;
  try {
    held =
      (await ports.reserve({ reservation: reservationOf(doc._id), lines: orderReservation(doc) })).status === "held";
  } catch (err) {
    if (!isOutOfStock(err)) throw err; // still pending: a retry or the reconcile loop settles it
    const short = err.data?.ingredients ?? [];
    const lines = kitchenLines(doc);
    const named = dishesShort(lines, short);
    // Inventory named no ingredient of ours: name every dish rather than none.
    const dishes: ShortDish[] = named.length
      ? named
      : lines.map((l) => ({ dish: l.dish, name: l.name, ingredients: [] }));
    return reject(ports, doc, { reason: "out-of-stock", dishes: uniqueDishes(dishes) }, keep);
  }
  // A reservation already released (the order was given up on meanwhile) holds nothing.
  if (!held) return reject(ports, doc, { reason: "abandoned" }, true);

  const acceptedAt = ports.now().toISOString();
  const accepted = await ports.store.updateIf(
    doc._id,
    { status: "placed", accepted: false },
    { $set: { accepted: true, acceptedAt, updatedAt: acceptedAt } },
  );
  if (!accepted) {
    const now = await ports.store.get(doc._id);
    if (now?.accepted) return now; // a concurrent finisher accepted it: same order, one reservation
    // It was refused meanwhile: give back what we just held (or the reconcile loop will).
    await ports
      .release({ reservation: reservationOf(doc._id) })
      .catch((err) => ports.logger.warn({ order: doc._id, err }, "Could not release a refused order's stock yet."));
    throw rejectionError(now?.rejection, doc._id);
  }
  await ports.changed();
  ports.logger.info({ order: accepted._id, table: accepted.table, totalCents: accepted.totalCents }, "Order placed.");
  try {
    await ports.handOff.send(placedEvent(accepted));
  } catch (err) {
    ports.logger.warn(
      { order: accepted._id, err },
      "Could not hand the order to the kitchen yet; the reconcile loop will.",
    );
  }
  return accepted;
}

function uniqueDishes(dishes: ShortDish[]): ShortDish[] {
  return [...new Map(dishes.map((d) => [d.dish, d])).values()];
}

/** Refuses a pending order; if a concurrent finisher accepted it meanwhile, that order is the answer. */
async function reject(ports: PlacementPorts, doc: OrderDoc, rejection: Rejection, keep: boolean): Promise<OrderDoc> {
  const at = ports.now().toISOString();
  const changed = keep
    ? await ports.store.update(
        { _id: doc._id, status: "placed", accepted: false },
        { $set: { status: "rejected", rejection, stockReleased: false, updatedAt: at } },
      )
    : await ports.store.remove({ _id: doc._id, accepted: false });
  if (changed === 0) {
    const now = await ports.store.get(doc._id);
    if (now?.accepted) return now;
    if (now?.status === "rejected") throw rejectionError(now.rejection, doc._id);
  }
  // A concurrent finisher may have reserved after our refusal; it releases when its accept
  // fails, and so do we. Releasing also closes the reservation: a reserve arriving later takes
  // nothing. If the inventory is away, the reconcile loop releases it (stockReleased: false).
  if (keep) {
    try {
      await ports.release({ reservation: reservationOf(doc._id) });
      await ports.store.update({ _id: doc._id, stockReleased: false }, { $set: { stockReleased: true } });
    } catch (err) {
      ports.logger.warn(
        { order: doc._id, err },
        "Could not close a refused order's reservation yet; the reconcile loop will.",
      );
    }
  }
  throw rejectionError(rejection, doc._id);
}
