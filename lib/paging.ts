import type { Page } from "./contracts";
import type { Store, Doc } from "./store";

/** `?page=&pageSize=` as every collection route takes them. */
export const pageParams = {
  page: { type: "number", integer: true, min: 1, max: 100_000, convert: true, optional: true },
  pageSize: { type: "number", integer: true, min: 1, max: 100, convert: true, optional: true },
} as const;

export interface PageQuery {
  page?: number;
  pageSize?: number;
}

export async function paginate<T extends Doc, V>(
  store: Store<T>,
  query: object,
  sort: string[],
  { page = 1, pageSize = 20 }: PageQuery,
  view: (doc: T) => V,
): Promise<Page<V>> {
  const [docs, total] = await Promise.all([
    store.find(query, { sort, limit: pageSize, offset: (page - 1) * pageSize }),
    store.count(query),
  ]);
  return { rows: docs.map(view), total, page, pageSize, totalPages: Math.ceil(total / pageSize) };
}

/** One page of a list already read whole (a small collection, or views derived in memory). */
export function pageOf<V>(items: readonly V[], { page = 1, pageSize = 20 }: PageQuery): Page<V> {
  const rows = items.slice((page - 1) * pageSize, page * pageSize);
  return { rows, total: items.length, page, pageSize, totalPages: Math.ceil(items.length / pageSize) };
}
