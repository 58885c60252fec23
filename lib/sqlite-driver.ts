/**
 * One small interface over the two SQLite bindings Brigade can run on: Node's own `node:sqlite`
 * (Node 22.13 and later, nothing to build) and better-sqlite3 12 (an optional dependency, for
 * Node 20, where `node:sqlite` does not exist). Both are synchronous, which is what makes a
 * read-then-write inside one call atomic for this process (see lib/sqlite-adapter.ts).
 */
export type SqlValue = string | number | null;

export interface SqlStatement {
  run(...params: SqlValue[]): { changes: number | bigint };
  get(...params: SqlValue[]): Record<string, unknown> | undefined;
  all(...params: SqlValue[]): Record<string, unknown>[];
}

export interface SqlDatabase {
  /** Which binding opened it, for the start-up log. */
  readonly driver: "node:sqlite" | "better-sqlite3";
  prepare(sql: string): SqlStatement;
  exec(sql: string): void;
  /** Runs `fn` in one transaction: committed when it returns, rolled back when it throws. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

interface NodeSqlite {
  DatabaseSync: new (
    filename: string,
  ) => { prepare(sql: string): SqlStatement; exec(sql: string): void; close(): void; isTransaction?: boolean };
}

type BetterSqlite = new (
  filename: string,
) => {
  prepare(sql: string): SqlStatement;
  exec(sql: string): void;
  close(): void;
  transaction<T>(fn: () => T): { immediate(): T };
};

/**
 * `node:sqlite` where the runtime has it unflagged; undefined on Node 20 (and on 22 before 22.13).
 * Loading it prints Node's "SQLite is an experimental feature" warning on stderr, the one line of
 * a production start that is not JSON: that single warning is held back while the module loads
 * (the start-up log names the driver instead); every other warning still reaches stderr.
 */
function nodeSqlite(): NodeSqlite | undefined {
  const builtin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (!builtin) return undefined;
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning.message;
    if (text.startsWith("SQLite is an experimental feature")) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return builtin("node:sqlite") as NodeSqlite | undefined;
  } catch {
    return undefined;
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** Statements prepared once per SQL text: the adapter's SQL is built from a few shapes. */
function cached(prepare: (sql: string) => SqlStatement): (sql: string) => SqlStatement {
  const statements = new Map<string, SqlStatement>();
  return (sql) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
}

function openNode(sqlite: NodeSqlite, filename: string): SqlDatabase {
  const db = new sqlite.DatabaseSync(filename);
  let depth = 0;
  return {
    driver: "node:sqlite",
    prepare: cached((sql) => db.prepare(sql)),
    exec: (sql) => db.exec(sql),
    transaction(fn) {
      // Nested calls join the outer transaction (better-sqlite3 uses savepoints; none are needed here).
      if (depth > 0) return fn();
      db.exec("BEGIN IMMEDIATE");
      depth++;
      try {
        const result = fn();
        db.exec("COMMIT");
        return result;
      } catch (err) {
        db.exec("ROLLBACK");
        throw err;
      } finally {
        depth--;
      }
    },
    close: () => db.close(),
  };
}

function openBetter(Database: BetterSqlite, filename: string): SqlDatabase {
  const db = new Database(filename);
  return {
    driver: "better-sqlite3",
    prepare: cached((sql) => db.prepare(sql)),
    exec: (sql) => db.exec(sql),
    transaction: (fn) => db.transaction(fn).immediate(),
    close: () => db.close(),
  };
}

/** Opens (or creates) `filename`, or an in-memory database for ":memory:". */
export function openSqlite(filename: string): SqlDatabase {
  const builtin = nodeSqlite();
  if (builtin) return openNode(builtin, filename);
  let Database: BetterSqlite;
  try {
    Database = require("better-sqlite3") as BetterSqlite;
  } catch (err) {
    throw new Error(
      `No SQLite binding: this Node (${process.version}) has no node:sqlite and better-sqlite3 did not install ` +
        `(${(err as Error).message}). Run Node 22.13 or later, or reinstall with better-sqlite3's build allowed.`,
    );
  }
  return openBetter(Database, filename);
}
