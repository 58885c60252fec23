/**
 * `npm run seed:history -- --meals N` — writes N whole meals of history (scripts/history-meals.ts)
 * straight into the store Brigade would open with the same environment (DATA_DIR's SQLite file,
 * or MONGO_URI), not through HTTP: 100,000 meals take seconds. For operators trying a store
 * with a year behind it, and for the benchmark's history scenario.
 *
 *   --meals N        meals to write (required)
 *   --per-day N      meals a day, the most recent today (default 300: a busy restaurant)
 *   --data-dir DIR   overrides DATA_DIR
 *   --seed N         the random seed (default 1): the same seed writes the same history
 *
 * Stop Brigade first: on SQLite it may stay open, but its caches would not see the new history.
 * An empty store first gets the demo restaurant (menu and stock), as Brigade's first start does.
 * The stock the meals consumed was received beforehand by one purchase order, so on-hand stock
 * reads as before and agrees with the reservations.
 */
import { parseArgs } from "node:util";
import { createAdapter } from "../mixins/db.mixin";
import type { DbAdapter, Doc, Store } from "../lib/store";
import { loadSettings } from "../lib/settings";
import { DEMO_DISHES, DEMO_INGREDIENTS } from "../services/seed/demo-restaurant";
import { seedDishes, type DishDoc } from "../services/menu/dishes";
import { seedIngredients, type IngredientDoc } from "../services/inventory/ingredients";
import type { PurchaseOrderDoc } from "../services/inventory/purchase-orders";
import { LEDGER_COLLECTION } from "../services/billing/ledger";
import { meal, mealTimes, random } from "./history-meals";
import { LocationStores } from "../lib/location-store";
import { MAIN_LOCATION } from "../lib/locations";

type Connectable = DbAdapter & { init(b: unknown, s: unknown): void; connect(): Promise<void>; disconnect(): unknown };

const BATCH = 2_000;
const quiet = { info() {}, warn() {}, error() {}, debug() {} };

/** Collections whose ids are natural keys, stored per location (lib/location-store.ts). */
const LOCAL_IDS = new Set(["dishes", "ingredients"]);

/** A collection as the services see main's share of it: every document written is main's. */
async function open<T extends Doc>(collection: string): Promise<{ store: Store<T>; adapter: Connectable }> {
  const adapter = createAdapter(collection) as Connectable;
  adapter.init({}, { schema: { collection }, logger: quiet, broker: {} });
  await adapter.connect();
  const store = new LocationStores<T>(adapter, { localIds: LOCAL_IDS.has(collection) }).at(MAIN_LOCATION);
  return { store, adapter };
}

function positive(name: string, raw: string | undefined, fallback?: number): number {
  if (raw === undefined && fallback !== undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a whole number above 0 (got ${raw}).`);
  return value;
}

export async function seedHistory(options: { meals: number; perDay: number; seed: number }): Promise<{
  meals: number;
  seconds: number;
}> {
  const started = performance.now();
  const names = ["dishes", "ingredients", "purchase_orders", "orders", "tickets", "stock_reservations", "bills"];
  const opened = Object.fromEntries(
    await Promise.all([...names, LEDGER_COLLECTION].map(async (name) => [name, await open(name)] as const)),
  );
  const store = <T extends Doc>(name: string) => opened[name].store as unknown as Store<T>;
  try {
    const now = new Date().toISOString();
    const dishes = store<DishDoc>("dishes");
    if ((await dishes.count()) === 0) await dishes.insertAllOnce(seedDishes(DEMO_DISHES, DEMO_INGREDIENTS, now));
    const ingredients = store<IngredientDoc>("ingredients");
    if ((await ingredients.count()) === 0) await ingredients.insertAllOnce(seedIngredients(DEMO_INGREDIENTS, now));
    const menu = (await dishes.find({}, { sort: ["_id"] })).filter((dish) => dish.recipe.length > 0);
    if (menu.length === 0) throw new Error("The menu has no dish with a recipe to order.");

    const next = random(options.seed);
    const times = mealTimes(options.meals, options.perDay, Date.now(), next);
    const received = new Map<string, number>();
    const batches = { orders: [] as Doc[], tickets: [] as Doc[], stock_reservations: [] as Doc[], bills: [] as Doc[] };
    const ledger: Doc[] = [];
    const flush = async () => {
      for (const [name, docs] of Object.entries(batches)) {
        await store(name).insertAllOnce(docs);
        docs.length = 0;
      }
      await store(LEDGER_COLLECTION).insertAllOnce(ledger);
      ledger.length = 0;
    };
    for (const at of times) {
      const docs = meal({ at, dishes: menu, tables: 12, waiter: "history-waiter", cashier: "history-cashier", next });
      batches.orders.push(docs.order);
      batches.tickets.push(...docs.tickets);
      batches.stock_reservations.push(docs.reservation);
      batches.bills.push(docs.bill);
      ledger.push(docs.ledger);
      for (const line of Object.values(docs.reservation.consumed ?? {}).flat())
        received.set(line.ingredient, (received.get(line.ingredient) ?? 0) + line.qty);
      if (batches.orders.length >= BATCH) await flush();
    }
    await flush();
    // What the meals used came in by one purchase order: on hand stays as it was.
    const po: PurchaseOrderDoc = {
      _id: `po_history_${options.seed}_${options.meals}_${Date.now().toString(36)}`,
      status: "received",
      lines: [...received].sort(([a], [b]) => (a < b ? -1 : 1)).map(([ingredient, qty]) => ({ ingredient, qty })),
      createdAt: new Date(times[0] ?? Date.now()).toISOString(),
      createdBy: "history",
      receivedAt: new Date(times[0] ?? Date.now()).toISOString(),
      receivedBy: "history",
    };
    await store<PurchaseOrderDoc>("purchase_orders").insert(po);
  } finally {
    for (const { adapter } of Object.values(opened)) await adapter.disconnect();
  }
  return { meals: options.meals, seconds: (performance.now() - started) / 1000 };
}

async function main() {
  const { values } = parseArgs({
    options: {
      meals: { type: "string" },
      "per-day": { type: "string" },
      "data-dir": { type: "string" },
      seed: { type: "string" },
    },
  });
  if (values["data-dir"]) process.env.DATA_DIR = values["data-dir"];
  const meals = positive("meals", values.meals);
  const settings = loadSettings();
  const done = await seedHistory({
    meals,
    perDay: positive("per-day", values["per-day"], 300),
    seed: positive("seed", values.seed, 1),
  });
  console.log(
    JSON.stringify({
      msg: "History written.",
      meals: done.meals,
      seconds: Number(done.seconds.toFixed(2)),
      store: settings.mongoUri ? "mongodb" : settings.dataDir,
    }),
  );
}

if (require.main === module) {
  main().catch((err) => {
    console.error(JSON.stringify({ msg: "seed:history failed.", err: (err as Error).message }));
    process.exit(1);
  });
}
