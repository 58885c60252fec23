/**
 * The SQL lib/json-sql.ts writes selects what MongoDB's semantics (mingo) select: exactly when it
 * says `exact`, a superset otherwise. Each declared field holds one type or null, as lib/indexes.ts
 * requires; missing, null and present values are mixed, so a condition that confused them fails.
 */
import { Query } from "mingo";
import { whereSql } from "../../../lib/json-sql";
import { openSqlite, type SqlDatabase } from "../../../lib/sqlite-driver";

const docs: Record<string, unknown>[] = [
  { _id: "a", status: "paid", n: 1, flag: true, day: "2026-01-01", bill: null },
  { _id: "b", status: "open", n: 0, flag: false, day: "2026-01-02" },
  { _id: "c", status: "paid", flag: null, day: "2026-01-02", bill: "bill-1" },
  { _id: "d", status: "cooking", n: 5.5, bill: "bill-2", tags: ["x"] },
  { _id: "e", n: 10, status: null },
  { _id: "f", status: "ready", n: -3, flag: true, day: "2026-01-03", bill: "bill-1" },
];
const fields = new Set(["status", "n", "flag", "day", "bill"]);

const queries: object[] = [
  {},
  { status: "paid" },
  { status: null },
  { bill: null },
  { flag: true },
  { flag: false },
  { flag: null },
  { n: 1 },
  { n: null },
  { n: { $gte: 1 } },
  { n: { $lt: 1 } },
  { n: { $gt: 0, $lte: 10 } },
  { day: { $gte: "2026-01-02" } },
  { day: { $lt: "2026-01-03" } },
  { status: { $in: ["paid", "ready"] } },
  { status: { $in: [] } },
  { status: { $ne: "paid" } },
  { bill: { $ne: null } },
  { bill: { $exists: true } },
  { bill: { $exists: false } },
  { _id: { $gt: "b", $lt: "f" } },
  { _id: { $in: ["a", "d", "zz"] } },
  { status: "paid", flag: true },
  { $or: [{ status: "open" }, { flag: true, n: { $gte: 0 } }] },
  { status: "paid", $or: [{ bill: null }, { n: { $exists: false } }] },
  // Not declared scalar, or not said in SQL: a superset, then mingo.
  { tags: "x" },
  { n: { $in: [1, 10] } },
  { status: { $in: ["paid", null] } },
  { $or: [{ tags: "x" }, { status: "ready" }] },
];

let db: SqlDatabase;
beforeAll(() => {
  db = openSqlite(":memory:");
  db.exec("CREATE TABLE t (_id TEXT PRIMARY KEY, doc TEXT NOT NULL)");
  const insert = db.prepare("INSERT INTO t (_id, doc) VALUES (?, ?)");
  for (const { _id, ...rest } of docs) insert.run(_id as string, JSON.stringify(rest));
});
afterAll(() => db.close());

const ids = (rows: Record<string, unknown>[]) => rows.map((row) => String(row._id)).sort();

it.each(queries.map((q) => [JSON.stringify(q), q]))("%s selects what MongoDB selects", (_label, query) => {
  const expected = ids(new Query(query as Record<string, unknown>).find(docs).all() as Record<string, unknown>[]);
  const where = whereSql(query as object, fields);
  const selected = ids(db.prepare(`SELECT _id FROM t WHERE ${where.sql}`).all(...where.params));
  if (where.exact) expect(selected).toEqual(expected);
  else expect(selected).toEqual(expect.arrayContaining(expected));
});

it("says in SQL everything about declared scalar fields, and leaves the rest to mingo", () => {
  expect(whereSql({ status: "paid", n: { $gte: 1 }, _id: { $in: ["a"] } }, fields).exact).toBe(true);
  expect(whereSql({ tags: "x" }, fields).exact).toBe(false);
  expect(whereSql({ status: { $in: ["paid", null] } }, fields).exact).toBe(false);
});

it("refuses a field name it cannot put in a JSON path", () => {
  expect(() => whereSql({ "x') OR 1 --": 1 }, new Set(["x') OR 1 --"]))).toThrow(/Cannot address field/);
});
