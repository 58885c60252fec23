/**
 * A kitchen ticket: one line of an order, cooked at its dish's station. Its `_id` is
 * `<order>-<line index>`, so an `order.placed` delivered twice creates each ticket once.
 */
import type {
  KitchenProgress,
  OrderPlaced,
  OrderPlacedLine,
  StockLine,
  TicketStatus,
  TicketView,
} from "../../lib/contracts";
import { portionLines, portionsOf, type Portions } from "../../lib/portions";
import { MAIN_LOCATION } from "../../lib/locations";

/**
 * An order's line as the hand-off carried it (its `ingredients` are what starting it consumes), and
 * where it is now. An embedded node keeps every ticket in memory (NeDB), so a new ticket leaves
 * out what holds nothing yet: notes, modifiers, seat, course and allergy alert when there are none, and the cook's node and times until it
 * is claimed; its ingredients are Portions (lib/portions.ts). Tickets written before that hold
 * `notes: ""`, nulls and a list of ingredients; both read the same.
 */
export interface TicketDoc extends Omit<OrderPlacedLine, "notes" | "ingredients"> {
  _id: string;
  order: string;
  /** Its order's location: only a kitchen serving it cooks it (KITCHEN_LOCATIONS). */
  location: string;
  table: string;
  notes?: string;
  /** What starting it consumes: read it with ticketIngredients. */
  ingredients: Portions | StockLine[];
  status: TicketStatus;
  /** The node cooking (or that cooked) it; a live node adopts it when that node is gone. */
  node?: string | null;
  queuedAt: string;
  startedAt?: string | null;
  doneAt?: string | null;
  voidedAt?: string;
  adoptedFrom?: string;
  adoptedAt?: string;
}

export const ticketId = (order: string, index: number) => `${order}-${index}`;

/**
 * The query for an order's tickets that the `_id` index answers (NeDB and MongoDB both take an
 * `_id` range from it): their ids are `<order>-<index>`, and every id that begins "<order>-"
 * sorts between "<order>-" and "<order>." ("-" comes just before "."). The range may also hold
 * another order's tickets whose id begins the same; `order` leaves those out.
 * No index of its own: on NeDB one costs about 300 bytes an order, in memory.
 */
export const ofOrder = (order: string) => ({ _id: { $gt: `${order}-`, $lt: `${order}.` }, order });

/** The oldest order first, then its lines in order: the queue is fair. */
export const QUEUE_ORDER = ["queuedAt", "order", "index"];

export function ticketsFor(placed: OrderPlaced): TicketDoc[] {
  return placed.lines.map((line) => {
    const ticket: TicketDoc = {
      _id: ticketId(placed.order, line.index),
      order: placed.order,
      location: placed.location ?? MAIN_LOCATION,
      index: line.index,
      table: placed.table,
      dish: line.dish,
      name: line.name,
      qty: line.qty,
      station: line.station,
      prepSeconds: line.prepSeconds,
      ingredients: portionsOf(line.ingredients),
      status: "queued",
      queuedAt: placed.placedAt,
    };
    if (line.notes) ticket.notes = line.notes;
    if (line.modifiers?.length) ticket.modifiers = line.modifiers;
    if (line.seat !== undefined) ticket.seat = line.seat;
    if (line.course !== undefined) ticket.course = line.course;
    if (line.allergyAlert?.length) ticket.allergyAlert = line.allergyAlert;
    return ticket;
  });
}

/** What starting the ticket consumes, as `inventory.consume` takes it. */
export function ticketIngredients(doc: Pick<TicketDoc, "ingredients">): StockLine[] {
  return portionLines(doc.ingredients);
}

export function ticketView(doc: TicketDoc): TicketView {
  return {
    id: doc._id,
    order: doc.order,
    table: doc.table,
    dish: doc.dish,
    name: doc.name,
    qty: doc.qty,
    notes: doc.notes ?? "",
    modifiers: doc.modifiers ?? [],
    seat: doc.seat ?? null,
    course: doc.course ?? null,
    allergyAlert: doc.allergyAlert ?? [],
    station: doc.station,
    status: doc.status,
    prepSeconds: doc.prepSeconds,
    node: doc.node ?? null,
    queuedAt: doc.queuedAt,
    startedAt: doc.startedAt ?? null,
    doneAt: doc.doneAt ?? null,
  };
}

const FINISHED: readonly TicketStatus[] = ["done", "void"];
export const UNFINISHED: TicketStatus[] = ["queued", "cooking"];

/** Every ticket of the order is done or void (and it has tickets at all). */
export function isOrderDone(tickets: readonly Pick<TicketDoc, "status">[]): boolean {
  return tickets.length > 0 && tickets.every((t) => FINISHED.includes(t.status));
}

export function progressOf(
  order: string,
  tickets: readonly Pick<TicketDoc, "status" | "startedAt">[],
): KitchenProgress {
  return {
    order,
    tickets: tickets.length,
    done: tickets.filter((t) => t.status === "done").length,
    void: tickets.filter((t) => t.status === "void").length,
    started: tickets.some((t) => !!t.startedAt),
  };
}
