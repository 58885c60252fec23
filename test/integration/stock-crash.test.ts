/**
 * Stock never sticks: Brigade runs in a child process on one data folder and is killed (SIGKILL,
 * BRIGADE_FAULT) between the two writes of a stock movement — a consumption, then a reserve, then
 * a release — and restarted each time. After the last start, for every ingredient, on hand,
 * reserved and consumed agree with the orders' state, and no movement is left half done.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gatewayClient, type GatewayClient } from "../support/cluster";
import { startBrigadeProcess, type BrigadeProcess } from "../support/brigade-process";
import { eventually } from "../support/meal";
import { openSqlite } from "../../lib/sqlite-driver";
import { SQLITE_FILE } from "../../lib/sqlite-adapter";
import type { IngredientDoc } from "../../services/inventory/ingredients";
import type { ReservationDoc } from "../../services/inventory/reservations";

const PASSWORD = "crash-test-admin-password";
const KITCHENLESS = "api,staff,menu,inventory,orders,billing";
const GIN = [{ dish: "gin-and-tonic", qty: 1 }];

type Row = { _id: string } & Record<string, unknown>;

function readCollection<T>(dir: string, collection: string): T[] {
  const db = openSqlite(path.join(dir, SQLITE_FILE));
  try {
    const rows = db.prepare(`SELECT _id, json(doc) AS doc FROM "${collection}"`).all() as {
      _id: string;
      doc: string;
    }[];
    return rows.map((row) => ({ _id: row._id, ...JSON.parse(row.doc) }) as T);
  } finally {
    db.close();
  }
}

describe("a node killed between the two writes of a stock movement", () => {
  let dir: string;
  let node: BrigadeProcess | undefined;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "brigade-crash-"));
  });
  afterAll(async () => {
    await node?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string>) => ({
    DATA_DIR: dir,
    NODE_ENV: "test",
    BRIGADE_ADMIN_PASSWORD: PASSWORD,
    BRIGADE_SEED: "true",
    KITCHEN_TIME_SCALE: "0.01",
    KITCHEN_POLL_MS: "50",
    BRIGADE_RECONCILE_MS: "200",
    ...extra,
  });
  const start = async (extra: Record<string, string> = {}) => {
    node = await startBrigadeProcess(env(extra));
    const client = await gatewayClient(node.url, PASSWORD);
    return {
      client,
      waiter: await client.login("wendy", "pw-wendy-secret").catch(() => client.tokenFor("waiter", "wendy")),
    };
  };

  /** Waits for the fault to kill the node, and checks it died where it was told to. */
  async function killedDuring(movement: string) {
    expect(await node!.exited).toBe("SIGKILL");
    expect(node!.lines.join("\n")).toContain(`"movement":"${movement}"`);
    node = undefined;
  }

  const place = (c: GatewayClient, token: string, table: string, key?: string) =>
    c.request("POST", "/api/orders", {
      token,
      body: { table, lines: GIN },
      headers: key ? { "idempotency-key": key } : {},
    });

  it("finishes or undoes each movement at the next start, so stock agrees with the orders", async () => {
    // 1. Order A is taken by a node without a kitchen; the next node's kitchen starts cooking it
    //    and is killed consuming: the consumption recorded, the ingredients not all changed.
    let { client, waiter } = await start({ SERVICES: KITCHENLESS });
    const initial = new Map<string, number>(
      (await client.request("GET", "/api/ingredients?pageSize=100", { token: client.adminToken })).body.rows.map(
        (row: { id: string; onHand: number }) => [row.id, row.onHand],
      ),
    );
    const a = await place(client, waiter, "1");
    expect(a.status).toBe(201);
    await node!.stop();
    // Its kitchen may start cooking (and die) before the gateway even listens.
    node = await startBrigadeProcess(env({ BRIGADE_FAULT: "after-first-stock-write:consume" }), { mayDie: true });
    await killedDuring("consume");

    // 2. Killed reserving: the first ingredient taken, the reservation never recorded.
    ({ client, waiter } = await start({ BRIGADE_FAULT: "after-first-stock-write:reserve" }));
    await expect(place(client, waiter, "2", "crash-b")).rejects.toThrow();
    await killedDuring("reserve");

    // 3. Without a kitchen (nothing gets consumed): the client retries order B with its key, a
    //    third order is placed, and B is cancelled — killed releasing.
    ({ client, waiter } = await start({ BRIGADE_FAULT: "after-first-stock-write:release", SERVICES: KITCHENLESS }));
    const b = await place(client, waiter, "2", "crash-b");
    expect(b.status).toBe(201);
    const c = await place(client, waiter, "3");
    expect(c.status).toBe(201);
    await client
      .request("POST", `/api/orders/${b.body.id}/cancel`, { token: waiter, body: { reason: "crash test" } })
      .catch(() => undefined);
    await killedDuring("release");

    // 4. A plain start: the kitchen cooks A and C, and every movement has been settled.
    ({ client, waiter } = await start());
    const status = async (id: string) =>
      (await client.request("GET", `/api/orders/${id}`, { token: waiter })).body.status as string;
    await eventually(async () => ((await status(a.body.id)) === "ready" ? true : null), "order A to be ready");
    await eventually(async () => ((await status(c.body.id)) === "ready" ? true : null), "order C to be ready");
    expect(await status(b.body.id)).toBe("cancelled");
    await node!.stop();
    node = undefined;

    const ingredients = readCollection<IngredientDoc>(dir, "ingredients");
    const reservations = readCollection<ReservationDoc>(dir, "stock_reservations");
    const orders = readCollection<Row>(dir, "orders");

    // The orders' state: accepted ones not cancelled hold their stock, the cancelled one none.
    expect(orders.map((o) => [o._id, o.status]).sort()).toEqual(
      [
        [a.body.id, "ready"],
        [b.body.id, "cancelled"],
        [c.body.id, "ready"],
      ].sort(),
    );
    const reservationOf = (order: string) => reservations.find((r) => r._id === order);
    expect(reservationOf(a.body.id)?.status).toBe("held");
    expect(reservationOf(c.body.id)?.status).toBe("held");
    expect(reservationOf(b.body.id)?.status).toBe("released");
    // A and C cooked once each (one ticket), B never.
    expect(Object.keys(reservationOf(a.body.id)?.consumed ?? {})).toHaveLength(1);
    expect(Object.keys(reservationOf(c.body.id)?.consumed ?? {})).toHaveLength(1);
    expect(reservationOf(b.body.id)?.consumed ?? {}).toEqual({});

    for (const r of reservations) expect(r.pendingMoves ?? 0).toBe(0);
    for (const ingredient of ingredients) {
      const consumed = reservations
        .flatMap((r) => Object.values(r.consumed ?? {}).flat())
        .filter((line) => line.ingredient === ingredient._id)
        .reduce((sum, line) => sum + line.qty, 0);
      const reserved = reservations
        .filter((r) => r.status === "held")
        .reduce((sum, r) => sum + (r.remaining[ingredient._id] ?? 0), 0);
      expect({ id: ingredient._id, onHand: ingredient.onHand, reserved: ingredient.reserved }).toEqual({
        id: ingredient._id,
        onHand: (initial.get(ingredient._id) ?? Number.NaN) - consumed,
        reserved,
      });
      expect(ingredient.available).toBe(ingredient.onHand - ingredient.reserved);
      expect(ingredient.moves ?? {}).toEqual({});
    }
    // The gin and tonic of A and C were used, and nothing else of them is held.
    expect(ingredients.find((i) => i._id === "gin")).toMatchObject({ onHand: (initial.get("gin") ?? 0) - 100 });
  }, 120_000);
});
