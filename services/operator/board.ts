/**
 * The order board: how many orders are in each state, and the ones that have waited longest for
 * the kitchen or the floor (placed, cooking, ready).
 */
import { ORDER_STATUSES, type OrderStatus, type OrderView, type Page } from "../../lib/contracts";
import { countOf, OPERATOR_META } from "../../lib/collect";
import type { Caller } from "../../lib/caller";
import { duration, textTable } from "./text-table";

export const WAITING: readonly OrderStatus[] = ["placed", "cooking", "ready"];

export interface WaitingOrder {
  id: string;
  table: string;
  status: OrderStatus;
  createdAt: string;
  waitedMs: number;
  dishes: number;
}

export interface Board {
  counts: Record<OrderStatus, number>;
  oldest: WaitingOrder[];
  at: string;
}

/**
 * The `limit` oldest orders of one status. orders.list sorts newest first, so the oldest are on
 * its last pages: read the last page of `limit` rows, and the one before when the last is short.
 */
async function oldestWithStatus(
  broker: Caller,
  status: OrderStatus,
  total: number,
  limit: number,
): Promise<OrderView[]> {
  if (total === 0) return [];
  const lastPage = Math.ceil(total / limit);
  const read = async (page: number) =>
    ((await broker.call("orders.list", { status, page, pageSize: limit }, { meta: OPERATOR_META })) as Page<OrderView>)
      .rows;
  const rows = await read(lastPage);
  if (rows.length < limit && lastPage > 1) rows.unshift(...(await read(lastPage - 1)));
  return rows;
}

export async function readBoard(
  broker: Caller,
  { limit = 10, now = Date.now() }: { limit?: number; now?: number } = {},
): Promise<Board> {
  const totals = await Promise.all(ORDER_STATUSES.map((status) => countOf(broker, "orders.list", { status })));
  const counts = Object.fromEntries(ORDER_STATUSES.map((status, i) => [status, totals[i]])) as Record<
    OrderStatus,
    number
  >;
  const candidates = (
    await Promise.all(WAITING.map((status) => oldestWithStatus(broker, status, counts[status], limit)))
  ).flat();
  const oldest = candidates
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
    .slice(0, limit)
    .map((order) => ({
      id: order.id,
      table: order.table,
      status: order.status,
      createdAt: order.createdAt,
      waitedMs: now - Date.parse(order.createdAt),
      dishes: order.lines.reduce((sum, line) => sum + line.qty, 0),
    }));
  return { counts, oldest, at: new Date(now).toISOString() };
}

export function renderBoard(board: Board): string {
  const counts = textTable([...ORDER_STATUSES], [ORDER_STATUSES.map((status) => board.counts[status])]);
  const waiting = board.oldest.length
    ? textTable(
        ["order", "table", "status", "waiting", "dishes", "placed at"],
        board.oldest.map((o) => [o.id, o.table, o.status, duration(o.waitedMs), o.dishes, o.createdAt]),
      )
    : "No order is waiting.";
  return `Orders by status\n${counts}\nOldest waiting (placed, cooking, ready)\n${waiting}`;
}
