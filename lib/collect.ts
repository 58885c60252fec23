/**
 * How the operator's views and the metrics middleware's stock gauges read the cluster: through
 * the same list actions the HTTP API uses, as a manager would, page by page. Internal calls skip the gateway, but the handlers may still
 * read `ctx.meta.staff` (who did it), so the operator names itself.
 */
import type { CallingOptions, ServiceBroker } from "moleculer";
import type { Caller, ClusterReader } from "./caller";
import type { Page } from "./contracts";
import type { StaffMeta } from "./roles";

export const OPERATOR_META: StaffMeta = {
  staff: { id: "operator", username: "operator", name: "Operator", role: "manager" },
};

/** The list actions' largest page (lib/paging.ts). */
const PAGE_SIZE = 100;

export interface Collected<T> {
  rows: T[];
  total: number;
  /** More rows exist than were read (`maxRows` reached). */
  truncated: boolean;
}

/** A Context as a ClusterReader: its calls are children of the request, the registry is its broker's. */
export function readerOf(ctx: Caller & { broker: ServiceBroker }): ClusterReader {
  return { call: (action, params, opts) => ctx.call(action, params, opts), registry: ctx.broker.registry };
}

export async function countOf(
  broker: Caller,
  action: string,
  filter: Record<string, unknown> = {},
  opts: CallingOptions = {},
): Promise<number> {
  const page = (await broker.call(
    action,
    { ...filter, page: 1, pageSize: 1 },
    { meta: OPERATOR_META, ...opts },
  )) as Page<unknown>;
  return page.total;
}

/** Every row of a list action, up to `maxRows`; pages are read one after the other. */
export async function collectPages<T>(
  broker: Caller,
  action: string,
  filter: Record<string, unknown> = {},
  { maxRows = 1000, ...opts }: CallingOptions & { maxRows?: number } = {},
): Promise<Collected<T>> {
  const rows: T[] = [];
  let total = 0;
  for (let page = 1; rows.length < maxRows; page++) {
    const answer = (await broker.call(
      action,
      { ...filter, page, pageSize: PAGE_SIZE },
      { meta: OPERATOR_META, ...opts },
    )) as Page<T>;
    total = answer.total;
    rows.push(...answer.rows);
    if (answer.rows.length < PAGE_SIZE || page >= answer.totalPages) break;
  }
  return { rows: rows.slice(0, maxRows), total, truncated: total > Math.min(rows.length, maxRows) };
}
