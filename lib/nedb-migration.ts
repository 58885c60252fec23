/**
 * Data written by Brigade before its embedded store moved to SQLite: one NeDB file per collection
 * (`<collection>.db`) in the data folder. The first start on such a folder copies each file into
 * its table, once, and renames the file `<collection>.db.migrated` (kept, never read again).
 *
 * The copy and a row in `brigade_migrations` commit in one transaction; the rename follows. A
 * process dying between the two finds the row at the next start and only renames: nothing is
 * copied twice, nothing is lost.
 */
import fs from "node:fs";
import path from "node:path";
import type { SqlDatabase } from "./sqlite-driver";

// NeDB's own line parser (its `$$date` values and escaped keys); the module ships no types.
const model = require("@seald-io/nedb/lib/model.js") as { deserialize(line: string): Record<string, unknown> };

/** NeDB's own default: a file with more corrupt lines than this is refused, not half-loaded. */
const CORRUPT_ALERT_THRESHOLD = 0.1;

export interface Migrated {
  collection: string;
  from: string;
  to: string;
  documents: number;
}

/**
 * The documents of an NeDB file as NeDB loads them: the last line of each `_id` wins, a
 * `$$deleted` line removes it, index definitions are skipped.
 */
export function readNedbFile(filename: string): Record<string, unknown>[] {
  const docs = new Map<string, Record<string, unknown>>();
  const lines = fs.readFileSync(filename, "utf8").split("\n");
  let corrupt = 0;
  let total = 0;
  for (const line of lines) {
    if (line === "") continue;
    total++;
    let doc: Record<string, unknown>;
    try {
      doc = model.deserialize(line);
    } catch {
      corrupt++;
      continue;
    }
    if (typeof doc._id === "string") {
      if (doc.$$deleted === true) docs.delete(doc._id);
      else docs.set(doc._id, doc);
    } else if (doc.$$indexCreated === undefined) corrupt++;
  }
  if (total > 0 && corrupt / total > CORRUPT_ALERT_THRESHOLD) {
    throw new Error(`${filename}: ${corrupt} of ${total} lines cannot be read; refusing to migrate it.`);
  }
  // Dates (NeDB's `$$date`) become the ISO strings Brigade writes everywhere else.
  return [...docs.values()].map((doc) => JSON.parse(JSON.stringify(doc)) as Record<string, unknown>);
}

/** Copies `<dataDir>/<collection>.db` into the collection's table once; what was done, if anything. */
export function migrateNedbFile(
  db: SqlDatabase,
  dataDir: string,
  collection: string,
  insert: (docs: Record<string, unknown>[]) => number,
): Migrated | undefined {
  const from = path.join(dataDir, `${collection}.db`);
  if (!fs.existsSync(from)) return undefined;
  const to = `${from}.migrated`;
  db.exec(
    "CREATE TABLE IF NOT EXISTS brigade_migrations (collection TEXT PRIMARY KEY NOT NULL, documents INTEGER NOT NULL, at TEXT NOT NULL)",
  );
  const done = db.prepare("SELECT documents FROM brigade_migrations WHERE collection = ?").get(collection);
  let documents = Number(done?.documents ?? 0);
  if (!done) {
    const docs = readNedbFile(from);
    documents = db.transaction(() => {
      const inserted = insert(docs);
      db.prepare("INSERT INTO brigade_migrations (collection, documents, at) VALUES (?, ?, ?)").run(
        collection,
        inserted,
        new Date().toISOString(),
      );
      return inserted;
    });
  }
  fs.renameSync(from, to);
  return { collection, from, to, documents };
}
