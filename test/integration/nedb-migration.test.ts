/**
 * A data folder written by Brigade on NeDB (test/fixtures/nedb-data: three paid meals and one
 * served, written by that version through the API) opens on the SQLite store: the first start
 * moves every collection into data/brigade.sqlite once and keeps the old files renamed, and
 * nothing is lost — the orders, bills, takings, staff logins and stock read as they were.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startBrigade, type Brigade } from "../support/brigade";
import { openSqlite } from "../../lib/sqlite-driver";
import { SQLITE_FILE } from "../../lib/sqlite-adapter";

const FIXTURE = path.resolve(__dirname, "../fixtures/nedb-data");
const COLLECTIONS = [
  "billing-ledger",
  "bills",
  "dishes",
  "ingredients",
  "orders",
  "purchase_orders",
  "staff",
  "stock_reservations",
  "tickets",
];
const DAY = "2026-12-03";

describe("a data folder written on NeDB", () => {
  let dir: string;
  let b: Brigade | undefined;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "brigade-nedb-"));
    fs.cpSync(FIXTURE, dir, { recursive: true });
  });
  afterAll(async () => {
    await b?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const start = () => startBrigade({ env: { DATA_DIR: dir, BRIGADE_SEED: "true", KITCHEN_TIME_SCALE: "0.01" } });

  /** What a cashier and a waiter see of the restaurant's past. */
  async function history(brigade: Brigade) {
    const cashier = await brigade.login("carl", "pw-carl-secret");
    const orders = (await brigade.request("GET", "/api/orders?pageSize=100", { token: cashier })).body;
    const bills = (await brigade.request("GET", "/api/bills?pageSize=100&status=paid", { token: cashier })).body;
    const takings = (await brigade.request("GET", `/api/takings?date=${DAY}`, { token: cashier })).body;
    const tonic = (await brigade.request("GET", "/api/ingredients/tonic-water", { token: brigade.adminToken })).body;
    const dishes = (await brigade.request("GET", "/api/dishes?pageSize=100", { token: cashier })).body;
    return {
      // Table 5's order is the one taken after the move.
      orders: orders.rows
        .filter((o: { table: string }) => o.table !== "5")
        .map((o: { status: string }) => o.status)
        .sort(),
      paidBills: bills.total,
      takings: { orders: takings.orders, revenueCents: takings.revenueCents, tipsCents: takings.tipsCents },
      tonicOnHand: tonic.onHand,
      dishes: dishes.total,
    };
  }

  const expected = {
    orders: ["paid", "paid", "paid", "served"],
    paidBills: 3,
    takings: { orders: 3, revenueCents: 2250 + 1350 + 3150, tipsCents: 300 },
    tonicOnHand: 11_100,
    dishes: 14,
  };

  it("starts, moves every collection into SQLite once, keeps the old files renamed, and loses nothing", async () => {
    b = await start();
    expect(await history(b)).toEqual(expected);
    for (const name of COLLECTIONS) {
      expect(fs.existsSync(path.join(dir, `${name}.db`))).toBe(false);
      expect(fs.readFileSync(path.join(dir, `${name}.db.migrated`))).toEqual(
        fs.readFileSync(path.join(FIXTURE, `${name}.db`)),
      );
    }
    // The first start after the move works as any other: a new order is taken.
    const waiter = await b.login("wendy", "pw-wendy-secret");
    const placed = await b.request("POST", "/api/orders", {
      token: waiter,
      body: { table: "5", lines: [{ dish: "fresh-lemonade", qty: 1 }] },
    });
    expect(placed.status).toBe(201);
    await b.stop();
    b = undefined;

    // A second start migrates nothing again (the renamed files are left alone) and sees the same.
    const db = openSqlite(path.join(dir, SQLITE_FILE));
    const recorded = db.prepare("SELECT collection, documents FROM brigade_migrations ORDER BY collection").all();
    db.close();
    expect(recorded).toEqual([
      { collection: "billing-ledger", documents: 3 },
      { collection: "bills", documents: 3 },
      { collection: "dishes", documents: 14 },
      { collection: "ingredients", documents: 26 },
      { collection: "orders", documents: 4 },
      { collection: "purchase_orders", documents: 0 },
      { collection: "staff", documents: 3 },
      { collection: "stock_reservations", documents: 4 },
      { collection: "tickets", documents: 7 },
    ]);
    b = await start();
    expect(await history(b)).toEqual(expected);
    const orders = (await b.request("GET", "/api/orders?table=5", { token: waiter })).body;
    expect(orders.rows.map((o: { id: string }) => o.id)).toEqual([placed.body.id]);
  });
});
