/**
 * `npm run seed:history` writes history Brigade reads as its own: the orders are listed as paid,
 * the takings of the days add up to them, and the stock they used was received, so on-hand
 * stock and reservations agree; a new order is taken on top.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { seedHistory } from "../../scripts/seed-history";
import { startBrigade, type Brigade } from "../support/brigade";
import { localDay } from "../../services/billing/bill-math";
import { DEMO_INGREDIENTS } from "../../services/seed/demo-restaurant";
import { slugId } from "../../lib/ids";

const MEALS = 60;

describe("seed:history", () => {
  let dir: string;
  let b: Brigade | undefined;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "brigade-history-"));
  });
  afterAll(async () => {
    await b?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("writes whole meals that Brigade lists, totals and keeps stock for", async () => {
    const previous = process.env.DATA_DIR;
    process.env.DATA_DIR = dir;
    try {
      expect(await seedHistory({ meals: MEALS, perDay: 25, seed: 7 })).toMatchObject({ meals: MEALS });
    } finally {
      if (previous === undefined) delete process.env.DATA_DIR;
      else process.env.DATA_DIR = previous;
    }
    b = await startBrigade({ env: { DATA_DIR: dir, BRIGADE_SEED: "true" } });
    const [waiter, cashier] = [await b.tokenFor("waiter"), await b.tokenFor("cashier")];

    const paid = (await b.request("GET", "/api/orders?status=paid&pageSize=100", { token: waiter })).body;
    expect(paid.total).toBe(MEALS);
    const revenue = paid.rows.reduce((sum: number, o: { totalCents: number }) => sum + o.totalCents, 0);

    // The meals span the last few days: their takings add up to every order, once.
    let orders = 0;
    let revenueCents = 0;
    for (let d = 0; d < 6; d++) {
      const day = localDay(new Date(Date.now() - d * 86_400_000));
      const takings = (await b.request("GET", `/api/takings?date=${day}`, { token: cashier })).body;
      orders += takings.orders;
      revenueCents += takings.revenueCents;
    }
    expect({ orders, revenueCents }).toEqual({ orders: MEALS, revenueCents: revenue });

    const stock = (await b.request("GET", "/api/ingredients?pageSize=100", { token: b.adminToken })).body.rows;
    for (const demo of DEMO_INGREDIENTS) {
      expect(stock.find((row: { id: string }) => row.id === slugId(demo.name))).toMatchObject({
        onHand: demo.onHand,
        reserved: 0,
      });
    }
    const placed = await b.request("POST", "/api/orders", {
      token: waiter,
      body: { table: "9", lines: [{ dish: "fresh-lemonade", qty: 1 }] },
    });
    expect(placed.status).toBe(201);
  });
});
