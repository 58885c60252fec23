import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Datastore from "@seald-io/nedb";
import { fileDatastore, serializeLine } from "../../../lib/nedb-file";

/** What plain NeDB reads back from a file, sorted by _id. */
async function reload(filename: string): Promise<Record<string, unknown>[]> {
  const plain = new Datastore({ filename });
  await plain.loadDatabaseAsync();
  return (await plain.findAsync({})).sort((a, b) => String(a._id).localeCompare(String(b._id)));
}

describe("an NeDB file written through one open handle", () => {
  let dir: string;
  let filename: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "brigade-nedb-"));
    filename = path.join(dir, "orders.db");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps every insert, update and removal, and plain NeDB reads the file back", async () => {
    const { datastore, close } = fileDatastore(filename);
    await datastore.loadDatabaseAsync();
    await datastore.insertAsync([
      { _id: "a", qty: 1 },
      { _id: "b", qty: 2, notes: "ünïcödé ✓" },
    ]);
    await datastore.updateAsync({ _id: "a" }, { $set: { qty: 5 } });
    await datastore.removeAsync({ _id: "b" }, {});
    await datastore.insertAsync({ _id: "c", nested: { list: [1, 2, 3] } });
    close();

    expect(await reload(filename)).toEqual([
      { _id: "a", qty: 5 },
      { _id: "c", nested: { list: [1, 2, 3] } },
    ]);
  });

  it("keeps writing to the file after a compaction replaced it", async () => {
    const { datastore, close } = fileDatastore(filename);
    await datastore.loadDatabaseAsync();
    await datastore.insertAsync({ _id: "before", n: 1 });
    await datastore.updateAsync({ _id: "before" }, { $set: { n: 2 } });
    await datastore.compactDatafileAsync();
    // One line per document after a compaction.
    expect(readFileSync(filename, "utf8").trim().split("\n")).toHaveLength(1);

    await datastore.insertAsync({ _id: "after", n: 3 });
    close();
    expect(await reload(filename)).toEqual([
      { _id: "after", n: 3 },
      { _id: "before", n: 2 },
    ]);
  });

  it("reopens the file on the next write after being closed", async () => {
    const first = fileDatastore(filename);
    await first.datastore.loadDatabaseAsync();
    await first.datastore.insertAsync({ _id: "one" });
    first.close();
    await first.datastore.insertAsync({ _id: "two" });
    first.close();

    const second = fileDatastore(filename);
    await second.datastore.loadDatabaseAsync();
    expect((await second.datastore.findAsync({})).map((doc) => doc._id).sort()).toEqual(["one", "two"]);
    second.close();
  });
});

describe("the line an NeDB document is written as", () => {
  const model = require("@seald-io/nedb/lib/model.js") as {
    serialize(doc: object): string;
    deserialize(line: string): unknown;
  };

  it("is NeDB's own line, byte for byte, for plain documents and for the ones it must treat", () => {
    const docs = [
      {
        _id: "ord_1",
        lines: [{ dish: "soup", qty: 2, notes: "" }],
        totalCents: 1200,
        bill: null,
        handedOff: false,
        at: "2026-11-28T20:00:00.000Z",
      },
      { _id: "x", gone: undefined, list: [1, undefined, null] },
      { _id: "ünï", nested: { deeper: [{ a: [{}] }] } },
      { $$deleted: true, _id: "ord_1" },
      { _id: "d", when: new Date(1_700_000_000_000), inside: [{ also: new Date(0) }] },
    ];
    for (const doc of docs) expect(serializeLine(doc)).toBe(model.serialize(doc));
    // A Date comes back a Date, as NeDB wrote it.
    expect((model.deserialize(serializeLine(docs[4])) as { when: Date }).when).toEqual(new Date(1_700_000_000_000));
  });

  it("refuses what NeDB refuses, through NeDB's serializer", () => {
    expect(() => serializeLine({ _id: "a", "bad.key": 1 })).toThrow();
    expect(() => serializeLine({ _id: "a", nested: { $where: 1 } })).toThrow();
  });
});
