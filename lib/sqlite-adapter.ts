/**
 * The embedded store: one SQLite file (WAL) for every collection, a table per collection, each
 * document as compact JSON beside its `_id`, and the expression indexes lib/indexes.ts declares.
 * Only what a query asks for is read, so a day's work costs the same with a year behind it.
 *
 * Every method is one synchronous piece of work on the connection (a conditional update reads,
 * checks and writes in one transaction), so no two calls of this process interleave inside one:
 * the conditional writes lib/store.ts relies on are atomic.
 */
import fs from "node:fs";
import path from "node:path";
import { Query, update as applyUpdate } from "mingo";
import { DuplicateKeyError } from "./store";
import { indexesOf, indexName } from "./indexes";
import { fieldSql, orderSql, sortSpec, whereSql } from "./json-sql";
import { migrateNedbFile } from "./nedb-migration";
import { openSqlite, type SqlDatabase, type SqlValue } from "./sqlite-driver";

type Doc = { _id: string } & Record<string, unknown>;
type Row = { _id: string; doc: string };

export const SQLITE_FILE = "brigade.sqlite";

interface Logger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
}

/** One connection per file, shared by the collections of the process, closed with the last of them. */
const open = new Map<string, { db: SqlDatabase; users: number }>();

function acquire(filename: string): SqlDatabase {
  const shared = filename === ":memory:" ? undefined : open.get(filename);
  if (shared) {
    shared.users++;
    return shared.db;
  }
  const db = openSqlite(filename);
  if (filename !== ":memory:") {
    // page_size (a new file only): 8 KiB pages hold a year of meals in 4 % less disk than 4 KiB;
    // cache_size 32 MiB: a new order with 100,000 meals behind it cost 1.58× one on an empty store
    // with the 2 MiB default (index pages read again from the OS), 1.09× with it.
    // WAL: readers never wait for the writer. NORMAL: a commit survives the process dying (what
    // the NeDB files promised); only a power cut can lose the last commits.
    db.exec(
      "PRAGMA page_size = 8192; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA cache_size = -32768",
    );
    open.set(filename, { db, users: 1 });
  }
  return db;
}

function release(filename: string, db: SqlDatabase): void {
  const shared = open.get(filename);
  if (!shared || shared.db !== db) {
    db.close();
    return;
  }
  if (--shared.users > 0) return;
  open.delete(filename);
  // Fresh statistics for the planner, bounded (analysis_limit) so a big file closes in moments.
  db.exec("PRAGMA analysis_limit = 400; PRAGMA optimize");
  db.close();
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Documents are stored as SQLite's JSONB (its binary JSON, SQLite 3.45 and later): 13 % fewer
 * bytes than the JSON text for Brigade's documents, and `json_extract` (the indexes, the
 * queries) reads it without parsing text. A read turns it back into JSON text for `JSON.parse`;
 * rows written as text by an earlier version read the same way, so nothing needs rewriting.
 */
const DOC = "json(doc) AS doc";

/** The stored JSON leaves `_id` out (it is the key column); a read puts it back first. */
function toRow(doc: Doc): [string, string] {
  const { _id, ...rest } = doc;
  if (typeof _id !== "string" || _id === "") throw new TypeError("A document needs a non-empty string _id.");
  return [_id, JSON.stringify(rest)];
}

function fromRow(row: Row): Doc {
  const id = JSON.stringify(row._id);
  return JSON.parse(row.doc === "{}" ? `{"_id":${id}}` : `{"_id":${id},${row.doc.slice(1)}`) as Doc;
}

export class SqliteAdapter {
  private db?: SqlDatabase;
  private table = "";
  private collection = "";
  private scalarFields = new Set<string>();
  private logger?: Logger;

  /** `dataDir`: the folder of the database file, or ":memory:" for a private in-memory one. */
  constructor(private readonly dataDir: string) {}

  /** moleculer-db's adapter interface: the collection comes from the service's schema. */
  init(_broker: unknown, service: { schema: { collection?: string }; logger?: Logger }) {
    this.collection = service.schema.collection ?? "";
    if (!this.collection) throw new Error("The SQLite store needs a collection name.");
    this.table = quote(this.collection);
    this.logger = service.logger;
    this.scalarFields = new Set(indexesOf(this.collection).flatMap((spec) => spec.keys.map(([field]) => field)));
  }

  private get filename() {
    return this.dataDir === ":memory:" ? ":memory:" : path.join(this.dataDir, SQLITE_FILE);
  }

  async connect(): Promise<void> {
    if (this.dataDir !== ":memory:") fs.mkdirSync(this.dataDir, { recursive: true });
    const db = acquire(this.filename);
    this.db = db;
    if (open.get(this.filename)?.users === 1) {
      this.logger?.info({ file: this.filename, driver: db.driver }, "Opened the SQLite store.");
    }
    db.exec(`CREATE TABLE IF NOT EXISTS ${this.table} (_id TEXT PRIMARY KEY NOT NULL, doc BLOB NOT NULL)`);
    for (const spec of indexesOf(this.collection)) {
      const columns = spec.keys.map(([field, dir]) => `${fieldSql(field)}${dir === -1 ? " DESC" : ""}`).join(", ");
      db.exec(`CREATE INDEX IF NOT EXISTS ${quote(indexName(this.collection, spec))} ON ${this.table} (${columns})`);
    }
    if (this.dataDir !== ":memory:") {
      const migrated = migrateNedbFile(db, this.dataDir, this.collection, (docs) => this.insertRows(docs, true));
      if (migrated) this.logger?.info(migrated, "Moved a collection from its NeDB file into SQLite.");
    }
  }

  async disconnect(): Promise<void> {
    if (this.db) release(this.filename, this.db);
    this.db = undefined;
  }

  private get conn(): SqlDatabase {
    if (!this.db) throw new Error(`The "${this.collection}" store is not connected.`);
    return this.db;
  }

  /** The rows `query` matches, sorted and paged, and whether SQL alone decided it. */
  private select(query: object, sort?: string[], limit?: number, offset?: number): Doc[] {
    const where = whereSql(query, this.scalarFields);
    if (where.exact) {
      let sql = `SELECT _id, ${DOC} FROM ${this.table} WHERE ${where.sql}${orderSql(sort)}`;
      const params: SqlValue[] = [...where.params];
      if ((limit ?? 0) > 0 || (offset ?? 0) > 0) {
        sql += " LIMIT ? OFFSET ?";
        params.push((limit ?? 0) > 0 ? (limit as number) : -1, offset ?? 0);
      }
      return (this.conn.prepare(sql).all(...params) as Row[]).map(fromRow);
    }
    const rows = this.conn.prepare(`SELECT _id, ${DOC} FROM ${this.table} WHERE ${where.sql}`).all(...where.params);
    let cursor = new Query(query as Record<string, unknown>).find((rows as Row[]).map(fromRow));
    if (sort?.length) cursor = cursor.sort(sortSpec(sort));
    if ((offset ?? 0) > 0) cursor = cursor.skip(offset as number);
    if ((limit ?? 0) > 0) cursor = cursor.limit(limit as number);
    return cursor.all() as Doc[];
  }

  async find(params: { query?: object; sort?: string | string[]; limit?: number; offset?: number } = {}) {
    const sort = params.sort === undefined ? undefined : [params.sort].flat();
    return this.select(params.query ?? {}, sort, params.limit, params.offset);
  }

  async findOne(query: object) {
    return this.select(query, undefined, 1)[0] ?? null;
  }

  async count(params: { query?: object } = {}): Promise<number> {
    const query = params.query ?? {};
    const where = whereSql(query, this.scalarFields);
    if (!where.exact) return this.select(query).length;
    const row = this.conn.prepare(`SELECT COUNT(*) AS n FROM ${this.table} WHERE ${where.sql}`).get(...where.params);
    return Number(row?.n ?? 0);
  }

  /** Inserts `docs` in one transaction; a duplicate `_id` fails it whole (unless `skipDuplicates`). */
  private insertRows(docs: readonly object[], skipDuplicates = false): number {
    const statement = this.conn.prepare(
      `INSERT INTO ${this.table} (_id, doc) VALUES (?, jsonb(?)) ON CONFLICT DO NOTHING`,
    );
    return this.conn.transaction(() => {
      let inserted = 0;
      for (const doc of docs) {
        const [id, json] = toRow(doc as Doc);
        if (Number(statement.run(id, json).changes) === 1) inserted++;
        else if (!skipDuplicates) throw new DuplicateKeyError(id);
      }
      return inserted;
    });
  }

  async insert(doc: object) {
    this.insertRows([doc]);
    return doc;
  }

  /** For Store.insertAllOnce: all of them or none. */
  async insertAll(docs: object[]) {
    this.insertRows(docs);
    return docs;
  }

  /** Applies `update` to the documents `query` matches (at most `limit`); the documents after. */
  private modify(query: object, update: object, limit?: number): Doc[] {
    const write = this.conn.prepare(`UPDATE ${this.table} SET doc = jsonb(?) WHERE _id = ?`);
    return this.conn.transaction(() => {
      const changed: Doc[] = [];
      for (const doc of this.select(query, undefined, limit)) {
        const id = doc._id;
        applyUpdate(doc, update as Parameters<typeof applyUpdate>[1]);
        if (doc._id !== id) throw new Error(`An update cannot change a document's _id ("${id}").`);
        write.run(toRow(doc)[1], id);
        changed.push(doc);
      }
      return changed;
    });
  }

  async updateMany(query: object, update: object): Promise<number> {
    return this.modify(query, update).length;
  }

  /** For Store.updateIf: the document after the update, or null when none matched. */
  async updateOne(query: object, update: object) {
    return this.modify(query, update, 1)[0] ?? null;
  }

  async removeMany(query: object): Promise<number> {
    const where = whereSql(query, this.scalarFields);
    if (where.exact) {
      return Number(this.conn.prepare(`DELETE FROM ${this.table} WHERE ${where.sql}`).run(...where.params).changes);
    }
    const remove = this.conn.prepare(`DELETE FROM ${this.table} WHERE _id = ?`);
    return this.conn.transaction(() => {
      const docs = this.select(query);
      for (const doc of docs) remove.run(doc._id);
      return docs.length;
    });
  }

  entityToObject(doc: unknown): object {
    return doc as object;
  }

  /** The query plan SQLite would use for `query` (for tests that hold every query to an index). */
  explain(query: object, sort?: string[]): { plan: string[]; exact: boolean } {
    const where = whereSql(query, this.scalarFields);
    const sql = `EXPLAIN QUERY PLAN SELECT _id, ${DOC} FROM ${this.table} WHERE ${where.sql}${orderSql(sort)}`;
    const rows = this.conn.prepare(sql).all(...where.params);
    return { plan: rows.map((row) => String(row.detail)), exact: where.exact };
  }
}
