/**
 * The floor plan's flows: draw, change and remove tables, seat a party, transfer it. Each reads
 * the table's open orders to know its status (./tables.ts); a seat or a transfer writes the table
 * conditionally on the version it read, so two waiters seating one table cannot both win.
 *
 * A transfer moves, in this order: the party's seating onto the free table (which takes it, so
 * nobody else seats it meanwhile), the open bill (billing's), the open orders, and last clears
 * the table it left. A refused bill move gives the free table back and changes nothing else.
 */
import type { EventName, EventPayloads, MoveTableParams, TableView } from "../../lib/contracts";
import { Conflict, Invalid, NotFound, UnknownTable } from "../../lib/errors";
import { slugId } from "../../lib/ids";
import type { Store } from "../../lib/store";
import type { OrderDoc } from "./order";
import {
  byArea,
  OPEN_ORDER_STATUSES,
  removalRefusal,
  seatingToMove,
  seatRefusal,
  tableView,
  transferRefusal,
  type OpenOrder,
  type TableDoc,
  type TablePlan,
} from "./tables";

export interface FloorPorts {
  location: string;
  tables: Store<TableDoc>;
  orders: Store<OrderDoc>;
  /** billing.moveTable: the open bill follows the party; answers how many bills moved. */
  moveBill(params: MoveTableParams): Promise<{ moved: number }>;
  emit<E extends EventName>(event: E, payload: EventPayloads[E]): Promise<unknown>;
  changed(): Promise<void>;
  now(): Date;
}

const ATTEMPTS = 3;
const OPEN = { accepted: true, status: { $in: [...OPEN_ORDER_STATUSES] } };
const FIELDS_OF_OPEN = (doc: OrderDoc): OpenOrder => ({
  _id: doc._id,
  table: doc.table,
  bill: doc.bill,
  createdAt: doc.createdAt,
  createdBy: doc.createdBy,
});

/** The latest payment of the table's orders since its seating was written; null without one. */
async function lastPaidAt(ports: FloorPorts, doc: TableDoc): Promise<string | null> {
  if (!doc.seating) return null;
  // Only orders placed since the party sat down (or earlier, when it brought them) can be theirs.
  const paid = await ports.orders.find({ table: doc._id, status: "paid", createdAt: { $gte: doc.seating.since } });
  const after = paid.map((o) => o.paidAt ?? "").filter((at) => at >= doc.seating!.at);
  return after.length ? after.sort().at(-1)! : null;
}

async function viewOf(ports: FloorPorts, doc: TableDoc, open?: OpenOrder[]): Promise<TableView> {
  const orders = open ?? (await ports.orders.find({ ...OPEN, table: doc._id })).map(FIELDS_OF_OPEN);
  return tableView(doc, orders, await lastPaidAt(ports, doc));
}

/** Every table of the plan with its status, in plan order. */
export async function listTables(ports: FloorPorts): Promise<TableView[]> {
  const [docs, open] = await Promise.all([ports.tables.find(), ports.orders.find(OPEN)]);
  const byTable = new Map<string, OpenOrder[]>();
  for (const order of open) byTable.set(order.table, [...(byTable.get(order.table) ?? []), FIELDS_OF_OPEN(order)]);
  const views = await Promise.all(docs.map((doc) => viewOf(ports, doc, byTable.get(doc._id) ?? [])));
  return views.sort(byArea);
}

async function loadTable(ports: FloorPorts, id: string): Promise<TableDoc> {
  const doc = await ports.tables.get(id);
  if (!doc) throw NotFound("table", id);
  return doc;
}

export async function getTable(ports: FloorPorts, id: string): Promise<TableView> {
  return viewOf(ports, await loadTable(ports, id));
}

/**
 * An order's table must be on its location's plan. A location that has drawn no plan yet takes
 * any table, as before tables existed, so an upgraded restaurant keeps taking orders.
 */
export async function requireTable(tables: Store<TableDoc>, table: string): Promise<void> {
  if (await tables.get(table)) return;
  if ((await tables.count()) === 0) return;
  throw UnknownTable(table);
}

async function announce(ports: FloorPorts, table: string, change: "created" | "updated" | "removed") {
  await ports.changed();
  await ports.emit(`table.${change}`, { location: ports.location, table, change, at: ports.now().toISOString() });
}

export async function createTable(ports: FloorPorts, plan: TablePlan): Promise<TableView> {
  const id = slugId(plan.name);
  if (!id) throw Invalid([{ field: "name", type: "tableName", message: "A table's name needs a letter or a digit." }]);
  const at = ports.now().toISOString();
  const doc: TableDoc = { _id: id, ...plan, seating: null, version: 0, createdAt: at, updatedAt: at };
  if (!(await ports.tables.insertOnce(doc)))
    throw Conflict("TABLE_EXISTS", `A table with the id "${id}" is on the plan already: give it another name.`, {
      id,
    });
  await announce(ports, id, "created");
  return tableView(doc, [], null);
}

/** Changes the plan's part; the id stays (orders name it), so a renamed table keeps its orders. */
export async function updateTable(ports: FloorPorts, id: string, patch: Partial<TablePlan>): Promise<TableView> {
  await loadTable(ports, id);
  const after = await ports.tables.updateIf(
    id,
    {},
    { $set: { ...patch, updatedAt: ports.now().toISOString() }, $inc: { version: 1 } },
  );
  if (!after) throw NotFound("table", id);
  await announce(ports, id, "updated");
  return viewOf(ports, after);
}

export async function removeTable(ports: FloorPorts, id: string): Promise<{ id: string; removed: true }> {
  const doc = await loadTable(ports, id);
  const view = await viewOf(ports, doc);
  const refusal = removalRefusal(view);
  if (refusal) throw refusal;
  if ((await ports.tables.remove({ _id: id, version: doc.version })) === 0)
    throw Conflict("TABLE_BUSY", `Table ${doc.name} changed while we removed it. Look again.`, { table: id });
  await announce(ports, id, "removed");
  return { id, removed: true };
}

export async function seatTable(ports: FloorPorts, id: string, covers: number, waiter: string): Promise<TableView> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const doc = await loadTable(ports, id);
    const refusal = seatRefusal(await viewOf(ports, doc), covers);
    if (refusal) throw refusal;
    const at = ports.now().toISOString();
    const after = await ports.tables.updateIf(
      id,
      { version: doc.version },
      { $set: { seating: { covers, waiter, since: at, at }, updatedAt: at }, $inc: { version: 1 } },
    );
    if (!after) continue; // seated or changed meanwhile: look again (the next look refuses it)
    await ports.changed();
    await ports.emit("table.seated", { location: ports.location, table: id, covers, waiter, at });
    return viewOf(ports, after);
  }
  throw Conflict("TABLE_BUSY", `Table ${id} kept changing while we seated it. Try again.`, { table: id });
}

export async function transferTable(
  ports: FloorPorts,
  fromId: string,
  toId: string,
  waiter: string,
): Promise<TableView> {
  const fromDoc = await loadTable(ports, fromId);
  const toDoc = await ports.tables.get(toId);
  if (!toDoc) throw UnknownTable(toId, "to");
  const [from, to] = await Promise.all([viewOf(ports, fromDoc), viewOf(ports, toDoc)]);
  const refusal = transferRefusal(from, to);
  if (refusal) throw refusal;

  const at = ports.now().toISOString();
  const taken = await ports.tables.updateIf(
    toId,
    { version: toDoc.version },
    { $set: { seating: seatingToMove(from, at), updatedAt: at }, $inc: { version: 1 } },
  );
  if (!taken) throw TableTaken(toId);
  let bills: number;
  try {
    bills = (await ports.moveBill({ from: fromId, to: toId })).moved;
  } catch (err) {
    await ports.tables.update(
      { _id: toId, version: taken.version },
      { $set: { seating: toDoc.seating, updatedAt: at }, $inc: { version: 1 } },
    );
    throw err;
  }
  const moving = await ports.orders.find({ ...OPEN, table: fromId });
  const orders = moving.map((order) => order._id);
  if (orders.length)
    await ports.orders.update({ _id: { $in: orders }, table: fromId }, { $set: { table: toId, updatedAt: at } });
  await ports.tables.update({ _id: fromId }, { $set: { seating: null, updatedAt: at }, $inc: { version: 1 } });
  await ports.changed();
  await ports.emit("table.transferred", {
    location: ports.location,
    from: fromId,
    to: toId,
    orders,
    bills,
    waiter,
    at,
  });
  return getTable(ports, toId);
}

const TableTaken = (table: string) =>
  Conflict("TABLE_OCCUPIED", `Table ${table} was taken meanwhile: pick another free table.`, { table });
