/**
 * Every query the services make, beside the index that answers it (lib/indexes.ts).
 *
 * - The list is complete: each services/ file makes as many store queries as it has entries here
 *   (a query whose first condition is one `_id`, which the primary key answers, is not counted),
 *   so a new query fails this test until it is listed with its index.
 * - On SQLite, `EXPLAIN QUERY PLAN` shows that index used and no full scan of the table.
 * - On MongoDB (the adapter against the wire emulator in CI), the same indexes exist once a
 *   collection is connected.
 */
import fs from "node:fs";
import path from "node:path";
import { SqliteAdapter } from "../../lib/sqlite-adapter";
import { INDEXES, indexName, indexesOf } from "../../lib/indexes";
import { createAdapter, ensureMongoIndexes } from "../../mixins/db.mixin";
import { startMongo, type TestMongo } from "../support/mongo";

interface ListedQuery {
  site: string;
  collection: string;
  query: object;
  sort?: string[];
  /** The index (or indexes, for an `$or`) that answers it; "_id" for the primary key. */
  index: string | string[];
  /** A deliberate read of a whole small collection (the menu's ingredients, the staff). */
  whole?: true;
  /** Another form of the call site listed just before (a list with other filters). */
  variant?: true;
}

const ago = "2026-01-01T00:00:00.000Z";
const KITCHEN = ["placed", "cooking", "ready"];
const byId = "_id";
const ix = (collection: string, ...fields: string[]) => `${collection}_${fields.join("_")}`;

const QUERIES: ListedQuery[] = [
  // services/orders
  {
    site: "orders/orders.service.ts",
    collection: "orders",
    query: { accepted: true, status: "paid" },
    sort: ["-createdAt", "-_id"],
    index: ix("orders", "status", "accepted", "createdAt", "location"),
  },
  {
    site: "orders/orders.service.ts",
    variant: true,
    collection: "orders",
    query: { accepted: true },
    sort: ["-createdAt", "-_id"],
    index: ix("orders", "accepted", "createdAt", "location"),
  },
  {
    site: "orders/orders.service.ts",
    variant: true,
    collection: "orders",
    query: { accepted: true, table: "4" },
    sort: ["-createdAt", "-_id"],
    index: ix("orders", "table", "createdAt"),
  },
  {
    site: "orders/bill-claims.ts",
    collection: "orders",
    query: { table: "4", status: "served", bill: null, accepted: true },
    index: ix("orders", "table", "status", "createdAt"),
  },
  {
    site: "orders/bill-claims.ts",
    collection: "orders",
    query: { bill: "b1" },
    sort: ["createdAt", "_id"],
    index: ix("orders", "bill"),
  },
  {
    site: "orders/bill-claims.ts",
    collection: "orders",
    query: { bill: "b1", status: "served" },
    index: ix("orders", "bill"),
  },
  {
    site: "orders/reconcile.ts",
    collection: "orders",
    query: { accepted: true, handedOff: false, status: { $in: KITCHEN }, acceptedAt: { $lt: ago } },
    sort: ["acceptedAt"],
    index: ix("orders", "status", "accepted", "createdAt", "location"),
  },
  {
    site: "orders/reconcile.ts",
    collection: "orders",
    query: { accepted: false, status: "placed", createdAt: { $lt: ago } },
    index: ix("orders", "status", "accepted", "createdAt", "location"),
  },
  {
    site: "orders/reconcile.ts",
    collection: "orders",
    query: { status: { $in: ["cancelled", "rejected"] }, stockReleased: false },
    index: ix("orders", "stockReleased", "status"),
  },
  {
    site: "orders/reconcile.ts",
    collection: "orders",
    query: { accepted: true, handedOff: true, status: { $in: KITCHEN }, updatedAt: { $lt: ago }, _id: { $gt: "o1" } },
    sort: ["_id"],
    index: ix("orders", "status", "accepted", "createdAt", "location"),
  },
  // services/kitchen
  {
    site: "kitchen/kitchen.service.ts",
    collection: "tickets",
    query: { status: "queued" },
    sort: ["queuedAt", "order", "index"],
    index: ix("tickets", "status", "queuedAt", "location"),
  },
  {
    site: "kitchen/scheduler.ts",
    collection: "tickets",
    query: { status: "cooking", node: "n1" },
    index: ix("tickets", "status", "queuedAt", "location"),
  },
  {
    site: "kitchen/scheduler.ts",
    collection: "tickets",
    query: { _id: { $gt: "o1-", $lt: "o1." }, order: "o1", status: { $in: ["queued", "cooking"] } },
    index: ix("tickets", "status", "queuedAt", "location"),
  },
  {
    site: "kitchen/scheduler.ts",
    collection: "tickets",
    query: { _id: { $gt: "o1-", $lt: "o1." }, order: "o1" },
    index: byId,
  },
  {
    site: "kitchen/scheduler.ts",
    collection: "tickets",
    query: { status: "queued" },
    sort: ["queuedAt", "order", "index"],
    index: ix("tickets", "status", "queuedAt", "location"),
  },
  {
    site: "kitchen/scheduler.ts",
    collection: "tickets",
    query: { _id: { $in: ["t1", "t2"] }, status: "cooking", node: "n1" },
    index: byId,
  },
  {
    site: "kitchen/scheduler.ts",
    collection: "tickets",
    query: { status: "cooking" },
    sort: ["startedAt"],
    index: ix("tickets", "status", "queuedAt", "location"),
  },
  {
    site: "kitchen/scheduler.ts",
    collection: "tickets",
    query: { _id: { $gt: "o1-", $lt: "o1." }, order: "o1" },
    index: byId,
  },
  // services/billing
  {
    site: "billing/open-bill.ts",
    collection: "bills",
    query: { table: "4", status: "open" },
    sort: ["createdAt"],
    index: ix("bills", "table", "status", "createdAt"),
  },
  {
    site: "billing/billing.service.ts",
    collection: "bills",
    query: { status: { $in: ["open", "paid"] } },
    sort: ["-createdAt"],
    index: ix("bills", "status", "createdAt", "location"),
  },
  {
    site: "billing/billing.service.ts",
    collection: "billing-ledger",
    query: { day: "2026-01-01" },
    index: ix("billing-ledger", "day"),
  },
  {
    site: "billing/billing.service.ts",
    collection: "bills",
    query: { status: "paid", paidDay: "2026-01-01" },
    index: ix("bills", "paidDay"),
  },
  {
    site: "billing/reconcile.ts",
    collection: "bills",
    query: { ledgerDirty: true },
    index: ix("bills", "ledgerDirty"),
  },
  {
    site: "billing/reconcile.ts",
    collection: "bills",
    query: {
      $or: [
        { settled: false, status: "paid" },
        { announced: false, status: "paid" },
        { releaseAfterSettle: true, status: "paid" },
      ],
    },
    index: [
      ix("bills", "settled", "status"),
      ix("bills", "announced", "status"),
      ix("bills", "releaseAfterSettle", "status"),
    ],
  },
  {
    site: "billing/reconcile.ts",
    collection: "bills",
    query: { $or: [{ status: "opening", createdAt: { $lt: ago } }, { status: "abandoned" }] },
    index: [ix("bills", "status", "createdAt", "location")],
  },
  // services/inventory
  {
    site: "inventory/inventory.service.ts",
    collection: "ingredients",
    query: { low: true },
    sort: ["name"],
    index: ix("ingredients", "low"),
  },
  {
    site: "inventory/inventory.service.ts",
    collection: "purchase_orders",
    query: { status: "open" },
    sort: ["-createdAt"],
    index: ix("purchase_orders", "status", "createdAt"),
  },
  // Two reads of the whole stock list: the levels, and the allergens the menu derives dishes' from.
  { site: "inventory/stock-ledger.ts", collection: "ingredients", query: {}, index: "-", whole: true },
  { site: "inventory/stock-ledger.ts", collection: "ingredients", query: {}, index: "-", whole: true },
  // Two calls pass a query built beforehand, by `_id` (reservations.ts's consumption, an ingredient's edit).
  {
    site: "inventory/stock-ledger.ts",
    collection: "stock_reservations",
    query: { _id: "r1", status: "held", "consumed.t1": { $exists: false } },
    index: byId,
  },
  {
    site: "inventory/stock-ledger.ts",
    collection: "ingredients",
    query: { _id: "rice", onHand: 1, reserved: 0 },
    index: byId,
  },
  {
    site: "inventory/stock-ledger.ts",
    collection: "stock_reservations",
    query: { pendingMoves: { $gt: 0 } },
    index: ix("stock_reservations", "pendingMoves"),
  },
  {
    site: "inventory/stock-ledger.ts",
    collection: "purchase_orders",
    query: { pendingMoves: { $gt: 0 } },
    index: ix("purchase_orders", "pendingMoves"),
  },
  { site: "inventory/movements.ts", collection: "ingredients", query: { _id: { $in: ["rice", "eggs"] } }, index: byId },
  { site: "inventory/movements.ts", collection: "ingredients", query: {}, index: "-", whole: true },
  // services/menu, services/staff
  {
    site: "menu/menu.service.ts",
    collection: "dishes",
    query: { category: "mains" },
    sort: ["category", "name"],
    index: ix("dishes", "category", "name"),
  },
  {
    site: "staff/staff.service.ts",
    collection: "staff",
    query: {},
    sort: ["username"],
    index: ix("staff", "username"),
  },
  { site: "staff/staff.service.ts", collection: "staff", query: {}, index: "-", whole: true },
  // A manager's own location's staff: the group's staff are a small collection, read whole.
  {
    site: "staff/staff.service.ts",
    variant: true,
    collection: "staff",
    query: { location: "main", role: { $ne: "owner" } },
    sort: ["username"],
    index: "-",
    whole: true,
  },
  // Staff from before locations, placed in main at start.
  {
    site: "staff/staff.service.ts",
    collection: "staff",
    query: { role: { $ne: "owner" }, location: { $exists: false } },
    index: "-",
    whole: true,
  },
  // services/orders/floor.ts: a table's paid orders since its seating; its open orders; the
  // location's open orders for the plan; the plan itself (a few dozen tables, read whole).
  {
    site: "orders/floor.ts",
    collection: "orders",
    query: { table: "4", status: "paid", createdAt: { $gte: ago } },
    index: ix("orders", "table", "status", "createdAt"),
  },
  {
    site: "orders/floor.ts",
    collection: "orders",
    query: { accepted: true, status: { $in: ["placed", "cooking", "ready", "served"] }, table: "4" },
    index: ix("orders", "table", "status", "createdAt"),
  },
  { site: "orders/floor.ts", collection: "tables", query: {}, index: "-", whole: true },
  {
    site: "orders/floor.ts",
    collection: "orders",
    query: { accepted: true, status: { $in: ["placed", "cooking", "ready", "served"] } },
    index: ix("orders", "status", "accepted", "createdAt", "location"),
  },
  { site: "orders/floor.ts", collection: "tables", query: {}, index: "-", whole: true },
  // A transfer: the open orders of the table it leaves, then those orders by id.
  {
    site: "orders/floor.ts",
    collection: "orders",
    query: { accepted: true, status: { $in: ["placed", "cooking", "ready", "served"] }, table: "4" },
    index: ix("orders", "table", "status", "createdAt"),
  },
  { site: "orders/floor.ts", collection: "orders", query: { _id: { $in: ["ord_1"] }, table: "4" }, index: byId },
  // The demo's floor plan goes only into a fresh main: its tables and its orders counted.
  { site: "orders/orders.service.ts", collection: "tables", query: {}, index: "-", whole: true },
  { site: "orders/orders.service.ts", collection: "orders", query: {}, index: "-", whole: true },
  // A transfer: the open bill of the table it leaves.
  {
    site: "billing/open-bill.ts",
    collection: "bills",
    query: { table: "4", status: { $in: ["opening", "open"] } },
    index: ix("bills", "table", "status", "createdAt"),
  },
  // The group's locations: a handful of documents, listed, counted and read whole.
  { site: "staff/staff.service.ts", collection: "locations", query: {}, sort: ["_id"], index: "-", whole: true },
  { site: "staff/staff.service.ts", collection: "locations", query: {}, sort: ["_id"], index: "-", whole: true },
  { site: "staff/staff.service.ts", collection: "locations", query: {}, sort: ["_id"], index: "-", whole: true },
  { site: "staff/staff.service.ts", collection: "locations", query: {}, index: "-", whole: true },
  // Inventory's start: which locations have stock whose movements may need finishing.
  { site: "inventory/inventory.service.ts", collection: "ingredients", query: {}, index: "-", whole: true },
];

/** Store calls that take a query (find, count, update, remove, paginate), unless it starts with one `_id`. */
function querySites(source: string): number {
  const calls =
    /(?:store|stores\[[A-Z_]+\]|bills|ledger|ingredients|reservations|purchaseOrders|records|locations|ledgerStores|orders|tables)(?:\.(?:for|at)\([^)]*\)|\.acrossLocations)?\)?\.(?:find|count|update|remove)\(\s*([^,)]*)|paginate\(/g;
  let sites = 0;
  for (const match of source.matchAll(calls)) {
    const firstArg = (match[1] ?? "").replace(/\s+/g, "");
    if (/^\{_id:[^{]/.test(firstArg)) continue;
    sites++;
  }
  return sites;
}

describe("every query the services make has an index", () => {
  it("lists every query of services/ (a new one fails here until it is listed with its index)", () => {
    const root = path.resolve(__dirname, "../../services");
    const files = fs
      .readdirSync(root, { recursive: true })
      .map(String)
      .filter((file) => file.endsWith(".ts"));
    const counted = Object.fromEntries(
      files
        .map((file) => [file, querySites(fs.readFileSync(path.join(root, file), "utf8"))] as const)
        .filter(([, n]) => n > 0),
    );
    const listed: Record<string, number> = {};
    for (const q of QUERIES.filter((q) => !q.variant)) listed[q.site] = (listed[q.site] ?? 0) + 1;
    expect(listed).toEqual(counted);
  });

  it("names only indexes lib/indexes.ts declares", () => {
    for (const q of QUERIES.filter((q) => q.index !== byId && !q.whole)) {
      const declared = indexesOf(q.collection).map((spec) => indexName(q.collection, spec));
      expect(declared).toEqual(expect.arrayContaining([q.index].flat()));
    }
  });

  const adapters = new Map<string, SqliteAdapter>();
  beforeAll(async () => {
    for (const collection of Object.keys(INDEXES)) {
      const adapter = new SqliteAdapter(":memory:");
      adapter.init({}, { schema: { collection } });
      await adapter.connect();
      adapters.set(collection, adapter);
    }
  });
  afterAll(async () => {
    for (const adapter of adapters.values()) await adapter.disconnect();
  });

  it.each(QUERIES.map((q) => [`${q.collection} ${JSON.stringify(q.query)}`, q] as const))(
    "SQLite answers %s from its index, with no full scan",
    (_label, q) => {
      const { plan } = adapters.get(q.collection)!.explain(q.query, q.sort);
      const text = plan.join("\n");
      if (q.whole) return expect(text).toMatch(/SCAN/);
      expect(plan.filter((line) => /^SCAN \S+$/.test(line))).toEqual([]);
      if (q.index === byId) expect(text).toMatch(/USING (INDEX sqlite_autoindex_|PRIMARY KEY)/);
      else for (const name of [q.index].flat()) expect(text).toContain(`INDEX ${name}`);
    },
  );
});

describe("MongoDB gets the same indexes (adapter contract, against a wire-compatible emulator in CI)", () => {
  let mongo: TestMongo;
  beforeAll(async () => {
    mongo = await startMongo();
  }, 120_000);
  afterAll(() => mongo?.stop());

  it("creates every declared index of a collection when it connects", async () => {
    const quiet = { info() {}, warn() {}, error() {}, debug() {} };
    for (const collection of ["orders", "bills"]) {
      const adapter = createAdapter(collection, { MONGO_URI: mongo.uri }) as unknown as {
        init(b: unknown, s: unknown): void;
        connect(): Promise<void>;
        disconnect(): Promise<void>;
        collection: { indexes(): Promise<{ name: string; key: Record<string, number> }[]> };
      };
      adapter.init({}, { schema: { collection }, logger: quiet, broker: {} });
      await adapter.connect();
      expect(await ensureMongoIndexes(adapter, collection)).toBe(indexesOf(collection).length);
      const made = await adapter.collection.indexes();
      for (const spec of indexesOf(collection)) {
        expect(made).toContainEqual(
          expect.objectContaining({ name: indexName(collection, spec), key: Object.fromEntries(spec.keys) }),
        );
      }
      await adapter.disconnect();
    }
  });
});
