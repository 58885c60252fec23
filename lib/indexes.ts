/**
 * The indexes of every collection, declared once: the SQLite store creates them as expression
 * indexes over its JSON documents (lib/sqlite-adapter.ts), the MongoDB store with `createIndex`
 * when a service starts (mixins/db.mixin.ts). test/integration/query-indexes.test.ts holds each
 * query the services make beside the index that answers it.
 *
 * A field named here holds scalars of one type (strings, numbers or booleans) or null, never an
 * array: that is what lets the SQLite store answer conditions on it in SQL, from the index alone
 * (an array field would need MongoDB's "any element matches", which stays in memory).
 */
export type IndexKey = readonly [field: string, direction: 1 | -1];

export interface IndexSpec {
  /** Fields in order; the first ones take equality, the last a range or the sort. */
  keys: readonly IndexKey[];
}

const asc = (...fields: string[]): IndexSpec => ({ keys: fields.map((field) => [field, 1] as const) });

// A trailing `location` (lib/location-store.ts adds it to every request's query) lets the lists
// that grow with history count and page one location's documents from the index alone, without
// reading each row; the sweeps across locations use the same index by its leading fields.

export const INDEXES: Readonly<Record<string, readonly IndexSpec[]>> = {
  orders: [
    // The list by status, newest first; abandoned placements by age; the reconcile's orders
    // still in the kitchen. Unsettled statuses hold few orders.
    asc("status", "accepted", "createdAt", "location"),
    // The unfiltered list, newest first, and its count.
    asc("accepted", "createdAt", "location"),
    // A table's orders, newest first; the served ones a new bill claims.
    asc("table", "createdAt"),
    asc("table", "status", "createdAt"),
    // A bill's orders.
    asc("bill"),
    // Cancelled or rejected orders whose stock is still to go back.
    asc("stockReleased", "status"),
  ],
  tickets: [
    // The queue in cooking order; the cooking ones to adopt.
    asc("status", "queuedAt", "location"),
    asc("station", "queuedAt"),
    asc("queuedAt", "location"),
  ],
  bills: [
    asc("status", "createdAt", "location"),
    // The open bill of a table.
    asc("table", "status", "createdAt"),
    // Today's takings: only the day's paid bills.
    asc("paidDay"),
    // The reconcile's scans: each looks only at bills with something left to do.
    asc("ledgerDirty"),
    asc("settled", "status"),
    asc("announced", "status"),
    asc("releaseAfterSettle", "status"),
  ],
  "billing-ledger": [asc("day")],
  ingredients: [asc("name"), asc("low")],
  // Movements whose stock is still to change (services/inventory/movements.ts).
  stock_reservations: [asc("pendingMoves")],
  purchase_orders: [asc("status", "createdAt"), asc("createdAt"), asc("pendingMoves")],
  dishes: [asc("category", "name"), asc("station")],
  staff: [asc("username")],
  // A location's floor plan: a few dozen tables, read whole or by id (services/orders/floor.ts).
  tables: [],
  // The group's locations: a handful, read whole.
  locations: [],
  // One-time data migrations' notes, read by id (mixins/db.mixin.ts).
  brigade_data_notes: [],
};

/** The declared indexes of a collection (none for one not declared, such as a test's). */
export function indexesOf(collection: string): readonly IndexSpec[] {
  return INDEXES[collection] ?? [];
}

/** A stable name for an index, the same on both stores. */
export function indexName(collection: string, spec: IndexSpec): string {
  return `${collection}_${spec.keys.map(([field, dir]) => (dir === 1 ? field : `${field}_desc`)).join("_")}`;
}
