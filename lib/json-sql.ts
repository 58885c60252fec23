/**
 * Turns the MongoDB-style queries Brigade's services build into SQL over documents kept as JSON
 * (`doc` column, `_id` column beside it), for lib/sqlite-adapter.ts.
 *
 * Only conditions on `_id` and on the scalar fields a collection declares (lib/indexes.ts) become
 * SQL, written with the same `json_extract` expression as the indexes so SQLite uses them. Any
 * other condition is left out of the SQL, which then selects a superset, and the answer is
 * `exact: false`: the adapter filters those rows with mingo, which implements the MongoDB
 * semantics in full.
 */
import type { SqlValue } from "./sqlite-driver";

export interface SqlWhere {
  sql: string;
  params: SqlValue[];
  /** True when the SQL selects exactly the documents the query matches. */
  exact: boolean;
}

const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** The SQL expression for a field: the `_id` column, or the JSON value in `doc`. */
export function fieldSql(field: string): string {
  if (field === "_id") return "_id";
  if (!PATH.test(field)) throw new Error(`Cannot address field "${field}" in SQL.`);
  return `json_extract(doc, '$.${field}')`;
}

const typeOf = (field: string) => `json_type(doc, '$.${field}')`;

const scalar = (value: unknown): value is string | number | boolean =>
  typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value));

const bind = (value: string | number | boolean): SqlValue => (typeof value === "boolean" ? (value ? 1 : 0) : value);

const RANGE = { $gt: ">", $gte: ">=", $lt: "<", $lte: "<=" } as const;

/** One field's condition as SQL terms (ANDed), or null when it cannot be said exactly. */
function condition(field: string, cond: unknown, params: SqlValue[]): string[] | null {
  const expr = fieldSql(field);
  if (cond === null) return [`${expr} IS NULL`];
  if (scalar(cond)) {
    params.push(bind(cond));
    return [`${expr} = ?`];
  }
  if (typeof cond !== "object" || Array.isArray(cond)) return null;
  const ops = Object.entries(cond as Record<string, unknown>);
  if (ops.length === 0 || ops.some(([op]) => !op.startsWith("$"))) return null;
  const terms: string[] = [];
  for (const [op, value] of ops) {
    if (op in RANGE && scalar(value) && typeof value !== "boolean") {
      params.push(value);
      terms.push(`${expr} ${RANGE[op as keyof typeof RANGE]} ?`);
    } else if (op === "$in" && Array.isArray(value) && value.every((v) => typeof v === "string")) {
      if (value.length === 0) return ["0"];
      params.push(...value);
      terms.push(`${expr} IN (${value.map(() => "?").join(", ")})`);
    } else if (op === "$ne" && (value === null || typeof value === "string")) {
      if (value === null) terms.push(`${expr} IS NOT NULL`);
      else {
        params.push(value);
        terms.push(`${expr} IS NOT ?`);
      }
    } else if (op === "$exists" && typeof value === "boolean" && field !== "_id") {
      terms.push(`${typeOf(field)} IS ${value ? "NOT " : ""}NULL`);
    } else return null;
  }
  return terms;
}

/**
 * The WHERE clause for `query`. `scalarFields`: the fields that may be answered in SQL (`_id`
 * always is), each holding values of one JSON type or null (lib/indexes.ts): so a condition needs
 * no type guard beside it (`json_extract` answers `true` as 1, and SQLite orders every text after
 * every number), and an index on the field alone answers it, counts included.
 */
export function whereSql(query: object, scalarFields: ReadonlySet<string>): SqlWhere {
  const params: SqlValue[] = [];
  let exact = true;
  const terms: string[] = [];
  for (const [key, cond] of Object.entries(query)) {
    if (key === "$or" || key === "$and") {
      if (!Array.isArray(cond) || cond.length === 0) return { sql: "1", params: [], exact: false };
      const parts = cond.map((sub) => whereSql(sub as object, scalarFields));
      if (parts.some((part) => !part.exact)) exact = false;
      // A branch left wholly to mingo (`1`) makes an OR select everything: still a superset.
      terms.push(`(${parts.map((part) => `(${part.sql})`).join(key === "$or" ? " OR " : " AND ")})`);
      for (const part of parts) params.push(...part.params);
      continue;
    }
    const sql = key === "_id" || scalarFields.has(key) ? condition(key, cond, params) : null;
    if (sql) terms.push(...sql);
    else exact = false;
  }
  return { sql: terms.length ? terms.join(" AND ") : "1", params, exact };
}

/** ORDER BY for moleculer-db's sort list (`field`, `-field` descending); empty for none. */
export function orderSql(sort: readonly string[] | undefined): string {
  if (!sort || sort.length === 0) return "";
  const parts = sort.map((key) => (key.startsWith("-") ? `${fieldSql(key.slice(1))} DESC` : `${fieldSql(key)} ASC`));
  return ` ORDER BY ${parts.join(", ")}`;
}

/** The same sort as a MongoDB sort object, for mingo. */
export function sortSpec(sort: readonly string[]): Record<string, 1 | -1> {
  return Object.fromEntries(sort.map((key) => (key.startsWith("-") ? [key.slice(1), -1] : [key, 1])));
}
