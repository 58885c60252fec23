/**
 * An order as the orders service stores it, and how it is shown. Beside what the API shows,
 * the document keeps what placement and the hand-off to the kitchen need to be resumed after
 * a crash: what the kitchen needs of each line, and where the order is in that hand-off
 * (`accepted`, `handedOff`, `stockReleased`) — an outbox kept as state.
 *
 * An embedded node keeps every order in memory (NeDB), so the document holds nothing twice
 * and no defaults: the kitchen's lines add to `lines` only what `lines` does not say, each as
 * Portions (lib/portions.ts); the reservation is summed from them when it is asked for; a line
 * without notes stores none. Documents written before that hold all of it in full; every reader
 * here takes either shape.
 */
import { createHash } from "node:crypto";
import type { OrderLine, OrderPlaced, OrderPlacedLine, OrderStatus, OrderView, StockLine } from "../../lib/contracts";
import type { ShortDish } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { portionLines, type Portions } from "../../lib/portions";
import type { RequestedLine } from "./pricing";
import { reservationLines } from "./stock-needs";
import { locationOf } from "../../lib/locations";
import { allergenOverlap, type Allergen } from "../../lib/allergens";

/**
 * What the kitchen needs of an order line beyond the line itself (`lines[i]`). Documents written
 * before these were trimmed hold the whole `OrderPlacedLine`, with `ingredients` as a list.
 */
export type KitchenNeeds = Pick<OrderPlacedLine, "station" | "prepSeconds"> & {
  ingredients: Portions | StockLine[];
} & Partial<Omit<OrderPlacedLine, "ingredients">>;

/**
 * An order line as stored: `notes`, `modifiers`, `allergens` and `seat` only when there are some
 * (documents written before hold `notes: ""` and none of the others; nor `course`).
 */
export type StoredLine = Omit<OrderLine, "notes" | "modifiers" | "allergens" | "course" | "seat"> &
  Partial<Pick<OrderLine, "notes" | "modifiers" | "allergens">> & { course?: number; seat?: number };

/** A placement that did not go through: kept only when an Idempotency-Key may ask again. */
export type Rejection = { reason: "out-of-stock"; dishes: ShortDish[] } | { reason: "abandoned" };

export interface OrderDoc {
  _id: string;
  /** The location it was placed in; absent in an order from before locations (main's: lib/locations.ts). */
  location?: string;
  table: string;
  /** "rejected" never leaves the service: such an order was refused and is never listed. */
  status: OrderStatus | "rejected";
  lines: StoredLine[];
  totalCents: number;
  /** The guests' declared allergies: only when some were. */
  allergies?: Allergen[];
  /** Only when the waiter confirmed lines that meet them. */
  allergyConfirmed?: true;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  /** Stock is reserved and the client was (or is being) told 201. Only accepted orders exist for clients. */
  accepted: boolean;
  acceptedAt?: string;
  /** The kitchen acknowledged the order (`order.accepted`): its tickets exist. */
  handedOff: boolean;
  /** A cancelled order's unused stock went back (`inventory.release` succeeded). */
  stockReleased?: boolean;
  /** Only in documents written before it was derived from `kitchen` (orderReservation). */
  reservation?: StockLine[];
  /** One per line of `lines`, in the same order; emptied once the order has left the kitchen. */
  kitchen: KitchenNeeds[];
  /** Hash of the request, to refuse the same Idempotency-Key with a different order; only set with a key. */
  fingerprint?: string;
  rejection?: Rejection;
  bill: string | null;
  cookingAt?: string;
  readyAt?: string;
  servedAt?: string;
  paidAt?: string;
  cancelledAt?: string;
  cancelReason?: string;
}

/** The lines to store: the priced lines without what is empty. */
export function storedLines(lines: readonly OrderLine[]): StoredLine[] {
  return lines.map(({ notes, modifiers, allergens, course, seat, ...line }) => {
    const stored: StoredLine = { ...line };
    if (notes) stored.notes = notes;
    if (modifiers.length) stored.modifiers = modifiers;
    if (allergens.length) stored.allergens = allergens;
    if (course !== null) stored.course = course;
    if (seat !== null) stored.seat = seat;
    return stored;
  });
}

const lineView = (line: StoredLine): OrderLine => ({
  dish: line.dish,
  name: line.name,
  qty: line.qty,
  unitPriceCents: line.unitPriceCents,
  notes: line.notes ?? "",
  modifiers: line.modifiers ?? [],
  allergens: line.allergens ?? [],
  course: line.course ?? null,
  seat: line.seat ?? null,
});

export function orderView(doc: OrderDoc): OrderView {
  const view: OrderView = {
    id: doc._id,
    table: doc.table,
    status: doc.status as OrderStatus,
    lines: doc.lines.map(lineView),
    totalCents: doc.totalCents,
    allergies: doc.allergies ?? [],
    allergyConfirmed: doc.allergyConfirmed === true,
    createdAt: doc.createdAt,
    createdBy: doc.createdBy,
    bill: doc.bill,
  };
  if (doc.readyAt) view.readyAt = doc.readyAt;
  if (doc.servedAt) view.servedAt = doc.servedAt;
  if (doc.paidAt) view.paidAt = doc.paidAt;
  if (doc.cancelledAt) view.cancelledAt = doc.cancelledAt;
  if (doc.cancelReason) view.cancelReason = doc.cancelReason;
  return view;
}

/**
 * The order's id. With an Idempotency-Key it is derived from the caller and the key, so a
 * retry (even a concurrent one) lands on the same `_id`, the one uniqueness every store
 * enforces. 4 + 22 characters: never the 12 or 24 the MongoDB adapter would read as an ObjectId.
 */
export function orderIdFor(staffId: string, idempotencyKey: string | undefined): string {
  if (!idempotencyKey) return newId("ord");
  const digest = createHash("sha256").update(`${staffId}\n${idempotencyKey}`).digest("hex");
  return `ord_${digest.slice(0, 22)}`;
}

/**
 * What makes two requests "the same order" for an Idempotency-Key. What came with modifiers is
 * added only when sent, so an order placed before them keeps its fingerprint.
 */
export function requestFingerprint(
  table: string,
  lines: readonly RequestedLine[],
  allergies: readonly Allergen[] = [],
): string {
  const line = (l: RequestedLine) => {
    const base: unknown[] = [l.dish, l.qty, l.notes ?? ""];
    if (l.modifiers?.length || l.seat !== undefined || l.course !== undefined)
      base.push([...(l.modifiers ?? [])].sort(), l.seat ?? null, l.course ?? null);
    return base;
  };
  const request: unknown[] = [table, lines.map(line)];
  if (allergies.length) request.push([...allergies].sort());
  const canonical = JSON.stringify(request);
  // The first 16 bytes in hex, the same text as slicing the whole digest's hex to 32 characters,
  // but a string of its own: a slice would keep the 64-character digest alive in every order.
  return createHash("sha256").update(canonical).digest().subarray(0, 16).toString("hex");
}

/**
 * The order's lines as the kitchen takes them: each line of `lines` with what the kitchen needs
 * of it, and the guests' allergies it meets (`allergyAlert`: the order was placed confirmed).
 */
export function kitchenLines(doc: Pick<OrderDoc, "lines" | "kitchen" | "allergies">): OrderPlacedLine[] {
  return doc.kitchen.map((needs, index) => {
    const line = doc.lines[index];
    const placed: OrderPlacedLine = {
      index,
      dish: needs.dish ?? line.dish,
      name: needs.name ?? line.name,
      qty: needs.qty ?? line.qty,
      notes: needs.notes ?? line.notes ?? "",
      station: needs.station,
      prepSeconds: needs.prepSeconds,
      ingredients: portionLines(needs.ingredients),
    };
    if (line?.modifiers?.length) placed.modifiers = line.modifiers;
    if (line?.seat !== undefined) placed.seat = line.seat;
    if (line?.course !== undefined) placed.course = line.course;
    const alert = allergenOverlap(line?.allergens ?? [], doc.allergies ?? []);
    if (alert.length) placed.allergyAlert = alert;
    return placed;
  });
}

/** Everything the order takes from the pantry, in one all-or-nothing reservation. */
export function orderReservation(doc: Pick<OrderDoc, "reservation" | "kitchen">): StockLine[] {
  return (
    doc.reservation ?? reservationLines(doc.kitchen.map((needs) => ({ ingredients: portionLines(needs.ingredients) })))
  );
}

/** The `order.placed` event for a stored order: sent at placement, and again (`resent`) until the kitchen acknowledges. */
export function placedEvent(doc: OrderDoc, resent = false): OrderPlaced {
  const event: OrderPlaced = {
    order: doc._id,
    location: locationOf(doc),
    table: doc.table,
    lines: kitchenLines(doc),
    placedAt: doc.createdAt,
  };
  if (resent) event.resent = true;
  return event;
}
