/**
 * An NeDB datastore kept in a file, with its appends written through one file handle that stays
 * open, instead of NeDB's own open → write → close per document.
 *
 * Why: every accepted order is about eight appends across four collections. NeDB's
 * `fs.promises.appendFile` costs three thread-pool round trips and a FileHandle per append, which
 * was two thirds of an order's CPU time (bench: 3.3 ms an order on files, 1.0 ms in memory).
 * A synchronous `write` of one line to an open descriptor takes microseconds, and the line is in
 * the kernel before the write is acknowledged, so a process crash loses nothing NeDB's own
 * appends would have kept (neither syncs to disk).
 *
 * The file format is NeDB's own (its serializer, one document a line), so a file written here
 * loads in plain NeDB and back. When NeDB compacts the file (on load, or when asked) it replaces
 * it by a rename; the handle is then reopened on the new file before the next append.
 *
 * This replaces one method of the datastore's `persistence`, which NeDB marks private, so the
 * version of @seald-io/nedb is pinned in package.json and test/unit/lib/nedb-file.test.ts checks the
 * behaviour this relies on: appends survive a reload, also after a compaction.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import Datastore from "@seald-io/nedb";

// NeDB's own line format, so the files stay plain NeDB files (the module ships no types).
const model = require("@seald-io/nedb/lib/model.js") as { serialize(doc: object): string };

interface Persistence {
  persistNewStateAsync(docs: object[]): Promise<void>;
  afterSerialization(line: string): string;
  inMemoryOnly: boolean;
}

const FILE_MODE = 0o644;

export interface FileDatastore {
  datastore: Datastore;
  /** Closes the append handle (the datastore is not used afterwards). */
  close(): void;
}

/**
 * NeDB's serializer runs a replacer function for every key of every document it writes, to turn
 * Dates into `{"$$date": …}` and refuse keys NeDB forbids — a fifth of an append's cost. Brigade's
 * documents are plain JSON (times are ISO strings), for which the replacer changes nothing: such
 * a document is written by JSON.stringify alone, byte for byte the same line. Anything else (a
 * Date, a key starting with `$` such as NeDB's own `$$deleted`) goes through NeDB's serializer.
 */
function plainJson(value: unknown): boolean {
  if (value === null || typeof value !== "object") return true;
  if (typeof (value as { getTime?: unknown }).getTime === "function") return false;
  if (Array.isArray(value)) return value.every(plainJson);
  for (const key in value) {
    if (key.charCodeAt(0) === 36 /* $ */ || key.includes(".")) return false;
    if (!plainJson((value as Record<string, unknown>)[key])) return false;
  }
  return true;
}

export function serializeLine(doc: object): string {
  return plainJson(doc) ? JSON.stringify(doc) : model.serialize(doc);
}

export function fileDatastore(filename: string): FileDatastore {
  const datastore = new Datastore({ filename });
  const persistence = (datastore as unknown as { persistence: Persistence }).persistence;
  if (typeof persistence?.persistNewStateAsync !== "function" || typeof model.serialize !== "function") {
    throw new Error("This version of @seald-io/nedb has no persistNewStateAsync: keep the version package.json pins.");
  }
  let fd: number | undefined;
  const close = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  // Compaction renamed a new file over the old one: later lines go to the new file.
  datastore.on("compaction.done", close);

  persistence.persistNewStateAsync = async (docs: object[]) => {
    if (docs.length === 0) return;
    let text = "";
    for (const doc of docs) text += `${persistence.afterSerialization(serializeLine(doc))}\n`;
    fd ??= openSync(filename, "a", FILE_MODE);
    const bytes = Buffer.from(text, "utf8");
    for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written, bytes.length - written);
  };
  return { datastore, close };
}
