/**
 * The floor plan through HTTP (API-service.md §2), on the demo restaurant (tables 1–12) with
 * every service in one broker: status derived from seating, orders and bills; seat, transfer,
 * the manager's plan; an order's table checked against the plan. Every refusal is a clear 4xx
 * that changes nothing.
 */
import { startBrigade, type Answer, type Brigade } from "../support/brigade";
import { fastKitchen, orderReaches } from "../support/meal";
import { snapshotStores } from "../security/support/store-snapshot";
import type { TableView } from "../../lib/contracts";

const BURGER = "classic-cheeseburger";

describe("tables", () => {
  let b: Brigade;
  let waiter: string;
  let cashier: string;
  let manager: string;

  beforeAll(async () => {
    b = await startBrigade({ env: { ...fastKitchen(4, { KITCHEN_TIME_SCALE: "0.001" }), BRIGADE_SEED: "true" } });
    [waiter, cashier, manager] = await Promise.all([
      b.tokenFor("waiter"),
      b.tokenFor("cashier"),
      b.tokenFor("manager"),
    ]);
  });
  afterAll(() => b.stop());

  const table = async (id: string): Promise<TableView> => {
    const res = await b.request("GET", `/api/tables/${id}`, { token: waiter });
    expect(res.status).toBe(200);
    return res.body;
  };
  const seat = (id: string, covers: unknown, token = waiter) =>
    b.request("POST", `/api/tables/${id}/seat`, { token, body: { covers } });
  const transfer = (id: string, to: unknown) =>
    b.request("POST", `/api/tables/${id}/transfer`, { token: waiter, body: { to } });
  const place = (tableId: string) =>
    b.request("POST", "/api/orders", { token: waiter, body: { table: tableId, lines: [{ dish: BURGER, qty: 1 }] } });
  const served = async (tableId: string) => {
    const placed = await place(tableId);
    expect(placed.status).toBe(201);
    await orderReaches(b, placed.body.id, "ready");
    expect((await b.request("POST", `/api/orders/${placed.body.id}/serve`, { token: waiter })).status).toBe(200);
    return placed.body.id as string;
  };
  const payInFull = async (bill: { id: string; totalCents: number }) => {
    const paid = await b.request("POST", `/api/bills/${bill.id}/payments`, {
      token: cashier,
      body: { method: "card", amountCents: bill.totalCents },
    });
    expect(paid.status).toBe(201);
  };
  /** A refusal: the status and type asked, in the stable error shape, and no store changed. */
  const refusedWithoutChange = async (call: () => Promise<Answer>, status: number, type: string) => {
    const before = await snapshotStores(b.broker);
    const res = await call();
    expect({ status: res.status, type: res.body.type }).toEqual({ status, type });
    expect(Object.keys(res.body).sort()).toEqual(["code", "data", "message", "name", "type"]);
    expect(await snapshotStores(b.broker)).toEqual(before);
    return res;
  };

  it("lists the demo's twelve tables in two areas, all free, to waiters, cashiers and managers", async () => {
    for (const token of [waiter, cashier, manager]) {
      const res = await b.request("GET", "/api/tables?pageSize=100", { token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ total: 12, page: 1, totalPages: 1 });
      expect(res.body.rows.map((t: TableView) => t.id)).toEqual(
        ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"].map(String),
      );
      expect(new Set(res.body.rows.map((t: TableView) => t.area))).toEqual(new Set(["Dining room", "Terrace"]));
    }
    expect(await table("4")).toEqual({
      id: "4",
      name: "4",
      area: "Dining room",
      seats: 4,
      status: "free",
      covers: null,
      waiter: null,
      since: null,
    });
    const terrace = await b.request("GET", "/api/tables?area=Terrace&status=free", { token: cashier });
    expect(terrace.body.rows.map((t: TableView) => t.id)).toEqual(["9", "10", "11", "12"]);
  });

  it("walks a table of four from seated to ordering, billed and free again once its bill is paid", async () => {
    const seated = await seat("4", 4);
    expect(seated.status).toBe(200);
    expect(seated.body).toMatchObject({ id: "4", status: "seated", covers: 4 });
    expect(seated.body.waiter).toEqual(expect.any(String));
    expect(Date.parse(seated.body.since)).toBeGreaterThan(Date.now() - 60_000);

    const order = await place("4");
    expect(order.status).toBe(201);
    expect(await table("4")).toMatchObject({ status: "ordering", covers: 4, since: seated.body.since });
    await orderReaches(b, order.body.id, "ready");
    await b.request("POST", `/api/orders/${order.body.id}/serve`, { token: waiter });
    expect((await table("4")).status).toBe("ordering");

    const bill = await b.request("POST", "/api/bills", { token: cashier, body: { table: "4" } });
    expect(bill.status).toBe(201);
    expect(await table("4")).toMatchObject({ status: "billed", covers: 4 });
    await payInFull(bill.body);
    await orderReaches(b, order.body.id, "paid");
    expect(await table("4")).toMatchObject({ status: "free", covers: null, waiter: null, since: null });
    // Free means free: the next party sits down.
    expect((await seat("4", 2)).body).toMatchObject({ status: "seated", covers: 2 });
  });

  it("refuses to seat an occupied table (409), too many covers or none (422), and an unknown table (404)", async () => {
    expect((await seat("3", 2)).status).toBe(200);
    await refusedWithoutChange(() => seat("3", 2), 409, "TABLE_OCCUPIED");
    // Table 1 seats two: at most four covers.
    await refusedWithoutChange(() => seat("1", 5), 422, "VALIDATION_ERROR");
    expect((await seat("1", 4)).status).toBe(200);
    for (const covers of [0, -1, 2.5, "four", null, 101])
      await refusedWithoutChange(() => seat("2", covers), 422, "VALIDATION_ERROR");
    await refusedWithoutChange(
      () => b.request("POST", "/api/tables/2/seat", { token: waiter, body: { covers: 2, vip: true } }),
      422,
      "VALIDATION_ERROR",
    );
    await refusedWithoutChange(() => seat("99", 2), 404, "NOT_FOUND");
    await refusedWithoutChange(() => seat("4", 2, cashier), 403, "FORBIDDEN");
  });

  it("places an order only at a table of the plan: an unknown one is 422 UNKNOWN_TABLE and nothing is placed", async () => {
    const res = await refusedWithoutChange(() => place("99"), 422, "UNKNOWN_TABLE");
    expect(res.body.data).toEqual([expect.objectContaining({ field: "table" })]);
    await refusedWithoutChange(() => place("Terrace 9"), 422, "UNKNOWN_TABLE");
  });

  it("shows a table that got an order without seating as ordering, by the waiter who placed it", async () => {
    const order = await place("10");
    expect(order.status).toBe(201);
    expect(await table("10")).toMatchObject({ status: "ordering", covers: null, since: order.body.createdAt });
    expect((await table("10")).waiter).toEqual(order.body.createdBy);
    await refusedWithoutChange(() => seat("10", 2), 409, "TABLE_OCCUPIED");
  });

  it("transfers a party, its open orders and its open bill to a free table", async () => {
    expect((await seat("5", 3)).status).toBe(200);
    const first = await served("5");
    const bill = await b.request("POST", "/api/bills", { token: cashier, body: { table: "5" } });
    expect(bill.status).toBe(201);
    const second = await place("5");
    const since = (await table("5")).since;

    const moved = await transfer("5", "11");
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: "11", status: "ordering", covers: 3, since });
    expect(await table("5")).toMatchObject({ status: "free", covers: null });
    for (const id of [first, second.body.id])
      expect((await b.request("GET", `/api/orders/${id}`, { token: waiter })).body.table).toBe("11");
    const billAfter = await b.request("GET", `/api/bills/${bill.body.id}`, { token: cashier });
    expect(billAfter.body).toMatchObject({ table: "11", status: "open" });

    // The bill is paid where the party now sits, once its last order is on it too.
    await orderReaches(b, second.body.id, "ready");
    await b.request("POST", `/api/orders/${second.body.id}/serve`, { token: waiter });
    const grown = await b.request("POST", "/api/bills", { token: cashier, body: { table: "11" } });
    expect(grown.status).toBe(200);
    expect(grown.body.id).toBe(bill.body.id);
    expect(await table("11")).toMatchObject({ status: "billed", covers: 3 });
    await payInFull(grown.body);
    await orderReaches(b, second.body.id, "paid");
    expect((await table("11")).status).toBe("free");
  });

  it("moves a party that only sat down, and refuses a transfer that cannot be, changing nothing", async () => {
    expect((await seat("6", 2)).status).toBe(200);
    expect((await seat("7", 2)).status).toBe(200);
    await refusedWithoutChange(() => transfer("6", "7"), 409, "TABLE_OCCUPIED");
    await refusedWithoutChange(() => transfer("8", "9"), 409, "TABLE_FREE");
    await refusedWithoutChange(() => transfer("6", "6"), 422, "VALIDATION_ERROR");
    const unknown = await refusedWithoutChange(() => transfer("6", "99"), 422, "UNKNOWN_TABLE");
    expect(unknown.body.data).toEqual([expect.objectContaining({ field: "to" })]);
    await refusedWithoutChange(() => transfer("99", "9"), 404, "NOT_FOUND");
    for (const to of ["", 9, null, "../9"])
      await refusedWithoutChange(() => transfer("6", to), 422, "VALIDATION_ERROR");

    const moved = await transfer("6", "12");
    expect(moved.body).toMatchObject({ id: "12", status: "seated", covers: 2 });
    expect((await table("6")).status).toBe("free");
  });

  it("lets a manager draw, change and remove tables; the id stays when the name changes", async () => {
    const created = await b.request("POST", "/api/tables", {
      token: manager,
      body: { name: "Bar 1", area: "Bar", seats: 2 },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe("/api/tables/bar-1");
    expect(created.body).toEqual({
      id: "bar-1",
      name: "Bar 1",
      area: "Bar",
      seats: 2,
      status: "free",
      covers: null,
      waiter: null,
      since: null,
    });
    await refusedWithoutChange(
      () => b.request("POST", "/api/tables", { token: manager, body: { name: "bar 1", area: "Bar", seats: 4 } }),
      409,
      "TABLE_EXISTS",
    );
    for (const body of [
      { name: "Bar 2", area: "Bar" },
      { name: "Bar 2", area: "Bar", seats: 0 },
      { name: "Bar 2", area: "", seats: 2 },
      { name: "!!", area: "Bar", seats: 2 },
      { name: "Bar\u001b2", area: "Bar", seats: 2 },
      { name: "Bar 2", area: "Bar", seats: 2, status: "free" },
    ])
      await refusedWithoutChange(
        () => b.request("POST", "/api/tables", { token: manager, body }),
        422,
        "VALIDATION_ERROR",
      );

    const renamed = await b.request("PATCH", "/api/tables/bar-1", {
      token: manager,
      body: { name: "Counter", seats: 3 },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: "bar-1", name: "Counter", seats: 3 });
    await refusedWithoutChange(
      () => b.request("PATCH", "/api/tables/bar-1", { token: manager, body: { seats: "many" } }),
      422,
      "VALIDATION_ERROR",
    );
    await refusedWithoutChange(
      () => b.request("PATCH", "/api/tables/nowhere", { token: manager, body: { seats: 2 } }),
      404,
      "NOT_FOUND",
    );

    // An order at the new table, then the table may not go.
    const order = await served("bar-1");
    await refusedWithoutChange(() => b.request("DELETE", "/api/tables/bar-1", { token: manager }), 409, "TABLE_IN_USE");
    const bill = await b.request("POST", "/api/bills", { token: cashier, body: { table: "bar-1" } });
    await refusedWithoutChange(() => b.request("DELETE", "/api/tables/bar-1", { token: manager }), 409, "TABLE_IN_USE");
    await payInFull(bill.body);
    await orderReaches(b, order, "paid");
    const removed = await b.request("DELETE", "/api/tables/bar-1", { token: manager });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ id: "bar-1", removed: true });
    expect((await b.request("GET", "/api/tables/bar-1", { token: waiter })).status).toBe(404);
    // The paid order is still read as it was, at a table no longer on the plan.
    expect((await b.request("GET", `/api/orders/${order}`, { token: waiter })).body.table).toBe("bar-1");
  });
});
