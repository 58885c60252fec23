/**
 * Everything that crosses a service boundary: the shapes of entities as other services see
 * them, the params of internal actions, and the payloads of events. Both sides import from
 * here, so a changed contract fails the build rather than production.
 *
 * Events are facts, named in the past tense; each payload type below names the event it carries.
 */
import type { Allergen } from "./allergens";
import type { Role } from "./roles";

/* ------------------------------------------------------------------ entities, as the API shows them */

export interface Page<T> {
  rows: T[];
  total: number;
  page: number;
  pageSize: number;
  totalPages: number;
}

export interface StaffView {
  id: string;
  username: string;
  name: string;
  role: Role;
  /** The location the member works in; null for an owner (the whole group). */
  location: string | null;
  active: boolean;
  createdAt: string;
}

/** A tax rate of a location: a dish names it by `id`. */
export interface TaxRate {
  id: string;
  name: string;
  /** Basis points: 1000 = 10.00 %. */
  bps: number;
}

/** `GET /api/locations`: a restaurant of the group and the money rules its bills follow. */
export interface Location {
  id: string;
  name: string;
  /** IANA time zone: a location's day (takings, reports) runs midnight to midnight there. */
  timezone: string;
  /** ISO 4217: every amount of this location is in its cents. */
  currency: string;
  /** "inclusive": prices include tax (EU); "exclusive": tax is added (US). */
  taxMode: "inclusive" | "exclusive";
  taxRates: TaxRate[];
  serviceChargeBps: number;
  /** The service charge applies from this many covers (0: always, when its rate is not 0). */
  serviceChargeMinCovers: number;
}

/** The longest login token staff.resolveToken takes; the gateway refuses a longer one as a bad token (401). */
export const TOKEN_MAX_LENGTH = 4096;

export const STATIONS = ["grill", "fryer", "saute", "cold", "pastry", "bar"] as const;
export type Station = (typeof STATIONS)[number];

export interface RecipeLine {
  ingredient: string;
  qty: number;
}

/** One choice of a modifier group ("Rare", "Extra cheese"): its price is added to the dish's. */
export interface ModifierOption {
  /** Unique within its dish: an order line names its choices by option id alone. */
  id: string;
  name: string;
  priceCents: number;
  /** What the option adds to the plate: reserved, consumed and released with the dish's recipe. */
  recipe?: RecipeLine[];
}

/** "Doneness" (min 1, max 1: one choice required), "Extras" (min 0, max 3). */
export interface ModifierGroup {
  id: string;
  name: string;
  /** Choices a line must make in this group: at least 1 makes the group required. */
  min: number;
  max: number;
  options: ModifierOption[];
}

export interface ModifierOptionView extends ModifierOption {
  /** Derived from the option's recipe, like a dish's. */
  allergens: Allergen[];
}

export interface ModifierGroupView extends Omit<ModifierGroup, "options"> {
  options: ModifierOptionView[];
}

/** Kitchen courses: drinks 0, starters 1, mains and sides 2, desserts 3. */
export const MAX_COURSE = 9;

export interface DishView {
  id: string;
  name: string;
  category: string;
  priceCents: number;
  station: Station;
  prepSeconds: number;
  recipe: RecipeLine[];
  modifierGroups: ModifierGroupView[];
  /** Set on the dish, or the default of its category. */
  course: number;
  /** The id of one of its location's tax rates; null when none was named. */
  taxRate: string | null;
  /** Taken off by hand ("86"), whatever the stock says. */
  soldOut: boolean;
  /** Derived from its recipe's ingredients (its options' are on each option): never typed on the dish. */
  allergens: Allergen[];
  /** Not sold out, and every ingredient of its recipe is in stock. */
  available: boolean;
}

export interface IngredientView {
  id: string;
  name: string;
  unit: string;
  onHand: number;
  reserved: number;
  available: number;
  reorderPoint: number;
  reorderQty: number;
  /** Which of the 14 EU allergens it contains ([] for none, and for ingredients from before allergens). */
  allergens: Allergen[];
  /** Available stock is below the reorder point (`stock.low` was sent for this dip). */
  low?: boolean;
}

/** `inventory.allergens`: ingredient id → its allergens, for those that have any. */
export type IngredientAllergens = Record<string, Allergen[]>;

/** `inventory.levels`: available stock by ingredient id, for the whole inventory at once. */
export type StockLevels = Record<string, number>;

export interface StockLine {
  ingredient: string;
  qty: number;
}

export interface PurchaseOrderView {
  id: string;
  status: "open" | "received";
  lines: StockLine[];
  createdAt: string;
  createdBy?: string;
  receivedAt?: string;
}

export const ORDER_STATUSES = ["placed", "cooking", "ready", "served", "paid", "cancelled"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** A modifier option chosen on an order line, its name and price snapshotted like the dish's. */
export interface ChosenModifier {
  group: string;
  option: string;
  name: string;
  priceCents: number;
}

export interface OrderLine {
  dish: string;
  name: string;
  qty: number;
  /** The dish's price plus its chosen modifiers'. */
  unitPriceCents: number;
  notes: string;
  modifiers: ChosenModifier[];
  /** The dish's and its chosen options' allergens, when it was ordered. */
  allergens: Allergen[];
  /** The course it goes out with; null on lines from before courses. */
  course: number | null;
  /** The guest's seat at the table, when the waiter said. */
  seat: number | null;
}

export interface OrderView {
  id: string;
  table: string;
  status: OrderStatus;
  lines: OrderLine[];
  totalCents: number;
  /** The guests' declared allergies. */
  allergies: Allergen[];
  /** The waiter confirmed lines that meet the allergies (their tickets carry `allergyAlert`). */
  allergyConfirmed: boolean;
  createdAt: string;
  createdBy: string;
  readyAt?: string;
  servedAt?: string;
  paidAt?: string;
  cancelledAt?: string;
  cancelReason?: string;
  bill?: string | null;
}

/** Derived from the table's seating, its open orders and their bill (services/orders/tables.ts), never stored. */
export const TABLE_STATUSES = ["free", "seated", "ordering", "billed"] as const;
export type TableStatus = (typeof TABLE_STATUSES)[number];

/** A table of a location's floor plan, with what is happening at it now. */
export interface TableView {
  id: string;
  name: string;
  area: string;
  seats: number;
  status: TableStatus;
  /** The party's size while it sits there; null when free (or when an order came without seating). */
  covers: number | null;
  /** Who seated the party (or placed its first order); null when free. */
  waiter: string | null;
  /** When the party sat down (or its first open order was placed); null when free. */
  since: string | null;
}

export const TICKET_STATUSES = ["queued", "cooking", "done", "void"] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export interface TicketView {
  id: string;
  order: string;
  table: string;
  dish: string;
  name: string;
  qty: number;
  notes: string;
  modifiers: ChosenModifier[];
  seat: number | null;
  course: number | null;
  /** The guests' allergies this dish meets, confirmed by the waiter: cook it with care. [] when none. */
  allergyAlert: Allergen[];
  station: Station;
  status: TicketStatus;
  prepSeconds: number;
  node: string | null;
  queuedAt: string;
  startedAt: string | null;
  doneAt: string | null;
}

export const PAYMENT_METHODS = ["cash", "card"] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** An ordered dish as the bill copied it when the order joined the bill. */
export interface BillLine {
  order: string;
  dish: string;
  name: string;
  qty: number;
  unitPriceCents: number;
}

export interface BillView {
  id: string;
  table: string;
  orders: string[];
  lines: BillLine[];
  totalCents: number;
  /** Applied towards the total (tips and change excluded). */
  paidCents: number;
  /** totalCents − paidCents. */
  dueCents: number;
  tipsCents: number;
  refundedCents: number;
  status: "open" | "paid";
  createdAt: string;
  createdBy: string;
  paidAt?: string;
  payments: PaymentView[];
  refunds: RefundView[];
}

export interface PaymentView {
  id: string;
  bill: string;
  method: PaymentMethod;
  amountCents: number;
  appliedCents: number;
  tipCents: number;
  changeCents: number;
  createdAt: string;
  createdBy: string;
}

export interface RefundView {
  id: string;
  bill: string;
  amountCents: number;
  reason: string;
  createdAt: string;
  createdBy: string;
}

export interface Takings {
  date: string;
  orders: number;
  revenueCents: number;
  tipsCents: number;
  refundsCents: number;
  byMethod: Record<PaymentMethod, number>;
  topDishes: { dish: string; name: string; qty: number }[];
}

/** `GET /api/takings?location=all` (owner): each location's day, and the group's totals per currency. */
export interface GroupTakings {
  date: string;
  locations: (Takings & { location: string; currency: string })[];
  /** Summed only within a currency: cents of two currencies do not add up. */
  totals: (Omit<Takings, "date" | "topDishes"> & { currency: string; locations: number })[];
}

/** `staff.groupLocations`: what other services need to know of every location. */
export interface LocationBrief {
  id: string;
  name: string;
  currency: string;
  timezone: string;
}

/* ------------------------------------------------------------------ internal actions (visibility "public") */

/** `menu.resolve`: the dishes an order names, with their current price and recipe. */
export interface ResolveDishesParams {
  dishes: string[];
}
/** `menu.resolve` answers one ResolvedDish per requested id, in the order asked (duplicates too). */
export type ResolvedDish = Omit<DishView, "available">;

/**
 * `inventory.reserve`: all-or-nothing, idempotent per `reservation` (an order's is `reservationOf(orderId)`).
 * Throws OUT_OF_STOCK with `data.ingredients`.
 */
export interface ReserveParams {
  reservation: string;
  lines: StockLine[];
}
/** `inventory.release`: gives back what the reservation holds and was not consumed; idempotent. */
export interface ReleaseParams {
  reservation: string;
}
/** `inventory.consume`: turns part of a reservation into used stock, once per `key` (a ticket id). */
export interface ConsumeParams {
  reservation: string;
  key: string;
  lines: StockLine[];
}
export interface ReservationResult {
  reservation: string;
  status: "held" | "released";
}
/** `inventory.consume`'s answer: `consumed` is false when this key had already been consumed. */
export interface ConsumeResult extends ReservationResult {
  consumed: boolean;
}

/** `orders.claimForBill`: attaches a table's served, unbilled orders to a bill. */
export interface ClaimForBillParams {
  table: string;
  bill: string;
}
/** `orders.settle`: the bill is paid; its orders become `paid`. Idempotent. */
export interface SettleParams {
  bill: string;
  orders: string[];
}
/** `orders.releaseFromBill`: a bill that could not be created gives its orders back. */
export interface ReleaseFromBillParams {
  bill: string;
}
/** `billing.moveTable`: a table's open bill follows its party to another table. */
export interface MoveTableParams {
  from: string;
  to: string;
}
/** `kitchen.progress`: where these orders' tickets are, for the orders service's reconciliation. */
export interface KitchenProgressParams {
  orders: string[];
}
/** `kitchen.progress` answers one of these per order asked about. */
export interface KitchenProgress {
  order: string;
  tickets: number;
  done: number;
  void: number;
  started: boolean;
}

/** `kitchen.status`: one kitchen node's load. Call it with `{ nodeID }` to ask a given node (the operator's `kitchen`). */
export interface KitchenNodeStatus {
  node: string;
  /** KITCHEN_CHEFS on that node: tickets it cooks at once. */
  chefs: number;
  /** Tickets this node is cooking now. */
  cooking: number;
  /** True after `kitchen.drain`: it finishes what it cooks and starts nothing new. */
  draining: boolean;
  /** KITCHEN_LOCATIONS: the locations whose tickets it cooks; "all" when it serves every one. */
  locations: string[] | "all";
}
/**
 * `kitchen.drain`: called with `{ nodeID }`, that node stops taking new tickets (queued tickets
 * stay for the other kitchen nodes; those cooking finish); `draining: false` resumes. Idempotent.
 * Answers the node's KitchenNodeStatus.
 */
export interface KitchenDrainParams {
  draining?: boolean;
}

/* ------------------------------------------------------------------ events */

export interface OrderPlacedLine {
  index: number;
  dish: string;
  name: string;
  qty: number;
  notes: string;
  station: Station;
  prepSeconds: number;
  /** What this line takes from the order's reservation; the kitchen consumes it when it starts cooking. */
  ingredients: StockLine[];
  /** Absent when none were chosen, and in hand-offs from before modifiers. */
  modifiers?: ChosenModifier[];
  seat?: number;
  course?: number;
  /** The guests' allergies this line meets (the waiter confirmed them): absent when none. */
  allergyAlert?: Allergen[];
}

export interface OrderPlaced {
  order: string;
  /** The location the order was placed in; absent in a hand-off from before locations (main). */
  location?: string;
  table: string;
  lines: OrderPlacedLine[];
  placedAt: string;
  /** Set when the order is handed over again (reconcile): brigade_orders_placed_total counts it once. */
  resent?: boolean;
}

export interface OrderAccepted {
  /** The location it happened in: a live stream tells only that location's staff. */
  location: string;
  order: string;
  tickets: number;
}

export interface TicketStarted {
  /** The location it happened in: a live stream tells only that location's staff. */
  location: string;
  ticket: string;
  order: string;
  station: Station;
  node: string;
  startedAt: string;
}

export interface TicketDone {
  /** The location it happened in: a live stream tells only that location's staff. */
  location: string;
  ticket: string;
  order: string;
  station: Station;
  node: string;
  startedAt: string;
  doneAt: string;
  /** Every ticket of the order is now done (or void). */
  orderDone: boolean;
}

export interface OrderStatusChanged {
  /** The location it happened in: a live stream tells only that location's staff. */
  location: string;
  order: string;
  table: string;
  status: OrderStatus;
  at: string;
  /** When the order was placed: set it on `order.ready` at least (brigade_order_ready_seconds = at - placedAt). */
  placedAt?: string;
}

export interface OrderCancelled extends OrderStatusChanged {
  reason: string;
}

export interface StockLow {
  /** The location whose stock fell low. */
  location: string;
  ingredient: string;
  name: string;
  available: number;
  reorderPoint: number;
  reorderQty: number;
}

/** `dish.soldOut` (86ed by hand) and `dish.backOn` (the 86 lifted): the floor greys it out or back, live. */
export interface DishSoldOut {
  location: string;
  dish: string;
  name: string;
  soldOut: boolean;
  /** The staff member who said so. */
  by: string;
  at: string;
}

/** `ingredient.allergensChanged`: every dish using it now shows other allergens (the menu cleans its answers). */
export interface IngredientAllergensChanged {
  location: string;
  ingredient: string;
  name: string;
  allergens: Allergen[];
  previous: Allergen[];
}

export interface BillPaid {
  /** The location it happened in: a live stream tells only that location's staff. */
  location: string;
  bill: string;
  table: string;
  orders: string[];
  totalCents: number;
  paidAt: string;
}

export interface PaymentTaken {
  /** The location it happened in: a live stream tells only that location's staff. */
  location: string;
  payment: string;
  bill: string;
  method: PaymentMethod;
  appliedCents: number;
  tipCents: number;
}

export interface BillRefunded {
  /** The location it happened in: a live stream tells only that location's staff. */
  location: string;
  refund: string;
  bill: string;
  amountCents: number;
  reason: string;
}

/**
 * `cache.clean.<service>`, broadcast after every write of a service's collection (mixins/db.mixin.ts):
 * the location written, when the write was one location's; none for the group's own collections.
 */
export interface CacheCleaned {
  location?: string;
}

/** A manager drew, changed or removed a table of the floor plan. */
export interface TableChanged {
  location: string;
  table: string;
  change: "created" | "updated" | "removed";
  at: string;
}

export interface TableSeated {
  location: string;
  table: string;
  covers: number;
  waiter: string;
  at: string;
}

export interface TableTransferred {
  location: string;
  from: string;
  to: string;
  /** The open orders that moved. */
  orders: string[];
  /** How many open bills moved with them (0 or 1). */
  bills: number;
  waiter: string;
  at: string;
}

export interface EventPayloads {
  "order.placed": OrderPlaced;
  "order.accepted": OrderAccepted;
  "order.cooking": OrderStatusChanged;
  "order.ready": OrderStatusChanged;
  "order.served": OrderStatusChanged;
  "order.paid": OrderStatusChanged;
  "order.cancelled": OrderCancelled;
  "ticket.started": TicketStarted;
  "ticket.done": TicketDone;
  "stock.low": StockLow;
  "dish.soldOut": DishSoldOut;
  "dish.backOn": DishSoldOut;
  "ingredient.allergensChanged": IngredientAllergensChanged;
  "bill.paid": BillPaid;
  "payment.taken": PaymentTaken;
  "bill.refunded": BillRefunded;
  "table.created": TableChanged;
  "table.updated": TableChanged;
  "table.removed": TableChanged;
  "table.seated": TableSeated;
  "table.transferred": TableTransferred;
}
export type EventName = keyof EventPayloads;
