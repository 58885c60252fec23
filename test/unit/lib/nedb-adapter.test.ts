/**
 * lib/nedb-adapter.ts updateIdIndexInPlace: updates keep a document's `_id` entry in place
 * instead of deleting and re-inserting it. Whatever the operations, a patched datastore must
 * answer exactly as NeDB's own does.
 */
import Datastore from "@seald-io/nedb";
import fc from "fast-check";
import { updateIdIndexInPlace } from "../../../lib/nedb-adapter";

type Op =
  | { kind: "insert"; id: number; n: number }
  | { kind: "update"; id: number; by: number }
  | { kind: "updateMany"; below: number; by: number }
  | { kind: "rename"; id: number; name: number }
  | { kind: "remove"; id: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("insert" as const),
    id: fc.integer({ min: 0, max: 12 }),
    n: fc.integer({ min: 0, max: 5 }),
  }),
  fc.record({
    kind: fc.constant("update" as const),
    id: fc.integer({ min: 0, max: 12 }),
    by: fc.integer({ min: -3, max: 3 }),
  }),
  fc.record({
    kind: fc.constant("updateMany" as const),
    below: fc.integer({ min: 0, max: 6 }),
    by: fc.integer({ min: -3, max: 3 }),
  }),
  fc.record({
    kind: fc.constant("rename" as const),
    id: fc.integer({ min: 0, max: 12 }),
    name: fc.integer({ min: 0, max: 4 }),
  }),
  fc.record({ kind: fc.constant("remove" as const), id: fc.integer({ min: 0, max: 12 }) }),
);

async function apply(db: Datastore, o: Op): Promise<string> {
  try {
    switch (o.kind) {
      case "insert":
        await db.insertAsync({ _id: `d${o.id}`, n: o.n, name: `name-${o.id}` });
        return "ok";
      case "update":
        return String(
          (await db.updateAsync({ _id: `d${o.id}` }, { $inc: { n: o.by } }, { returnUpdatedDocs: true })).numAffected,
        );
      case "updateMany":
        return String(
          (await db.updateAsync({ n: { $lt: o.below } }, { $inc: { n: o.by } }, { multi: true })).numAffected,
        );
      case "rename":
        // `name` has a unique index: a clash refuses the whole update, and NeDB rolls back.
        return String((await db.updateAsync({ _id: `d${o.id}` }, { $set: { name: `name-${o.name}` } })).numAffected);
      case "remove":
        return String(await db.removeAsync({ _id: `d${o.id}` }, {}));
    }
  } catch (err) {
    return `error ${(err as { errorType?: string }).errorType ?? (err as Error).message}`;
  }
}

async function open(patched: boolean): Promise<Datastore> {
  const db = new Datastore({ inMemoryOnly: true });
  if (patched) updateIdIndexInPlace(db);
  await db.ensureIndexAsync({ fieldName: "name", unique: true });
  return db;
}

const sorted = (docs: { _id: string }[]) => [...docs].sort((a, b) => a._id.localeCompare(b._id));

describe("NeDB's _id index, updated in place", () => {
  it("answers every sequence of inserts, updates, clashes and removals as NeDB does", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const [mine, theirs] = [await open(true), await open(false)];
        for (const o of ops) expect(await apply(mine, o)).toEqual(await apply(theirs, o));
        expect(sorted(mine.getAllData())).toEqual(sorted(theirs.getAllData()));
        for (let id = 0; id <= 12; id++)
          expect(await mine.findOneAsync({ _id: `d${id}` })).toEqual(await theirs.findOneAsync({ _id: `d${id}` }));
        expect(await mine.findAsync({ _id: { $in: ["d1", "d2", "d3"] } }).sort({ _id: 1 })).toEqual(
          await theirs.findAsync({ _id: { $in: ["d1", "d2", "d3"] } }).sort({ _id: 1 }),
        );
      }),
      { numRuns: 150 },
    );
  });

  it("keeps one entry per document, holding its latest version", async () => {
    const db = await open(true);
    await db.insertAsync([
      { _id: "a", n: 1, name: "x" },
      { _id: "b", n: 1, name: "y" },
    ]);
    await db.updateAsync({}, { $inc: { n: 1 } }, { multi: true });
    await db.updateAsync({ _id: "a" }, { $inc: { n: 5 } });
    const index = (
      db as unknown as { indexes: { _id: { tree: { search(k: string): unknown[]; getNumberOfKeys(): number } } } }
    ).indexes._id;
    expect(index.tree.getNumberOfKeys()).toBe(2);
    expect(index.tree.search("a")).toEqual([expect.objectContaining({ _id: "a", n: 7 })]);
    expect(index.tree.search("b")).toEqual([expect.objectContaining({ _id: "b", n: 2 })]);
  });
});
