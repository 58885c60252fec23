/**
 * moleculer-db's NeDB adapter, for the embedded store (NeDB files, or NeDB in memory), with the
 * calls Brigade makes on every request going straight to NeDB's promise API.
 *
 * The stock adapter promisifies NeDB's callback API, which NeDB itself implements by
 * callbackifying its promise API: each insert, update or lookup went promise → callback →
 * promise (4 % of an order placement's CPU in the bench profile). And its `count` loaded and
 * deep-copied every matching document to take the length of the list. A conditional update
 * answers the document it changed (`updateOne`), so Store.updateIf need not look it up again.
 * Lookups with sort, limit and offset take the same cursor, also through the promise API.
 *
 * With a filename, appends go through lib/nedb-file.ts (one open handle per file).
 */
import DbService, { type QueryFilters } from "moleculer-db";
import type Datastore from "@seald-io/nedb";
import { fileDatastore, type FileDatastore } from "./nedb-file";

interface IdIndex {
  tree: { search(key: string): object[] };
  update(oldDoc: object | Pair[], newDoc?: object): void;
}
type Doc = { _id: string };
type Pair = { oldDoc: Doc; newDoc: Doc };

/**
 * NeDB moves an updated document in the `_id` index by deleting its entry from the AVL tree and
 * inserting the new version: two walks with rebalancing, on every update (3 % of an order
 * placement's CPU). An update never changes a document's `_id` (NeDB refuses it), so the entry
 * can hold the new version in place. Anything unexpected takes NeDB's own path. This reaches
 * into NeDB's internals, hence the exact version pinned in package.json. A property test
 * (test/unit/lib/nedb-adapter.test.ts) holds it to NeDB's own answers, rollbacks included, and the
 * store contract suite runs every kind of update through it.
 */
export function updateIdIndexInPlace(datastore: Datastore): void {
  const index = (datastore as unknown as { indexes: { _id: IdIndex } }).indexes._id;
  const own = index.update.bind(index);
  const slot = ({ oldDoc, newDoc }: Pair): [object[], number] | null => {
    if (oldDoc._id !== newDoc._id) return null;
    const entry = index.tree.search(oldDoc._id);
    const at = entry.indexOf(oldDoc);
    return at < 0 ? null : [entry, at];
  };
  index.update = (oldDoc, newDoc) => {
    const pairs = Array.isArray(oldDoc) ? oldDoc : [{ oldDoc: oldDoc as Doc, newDoc: newDoc as Doc }];
    const slots = pairs.map(slot);
    if (slots.some((found) => found === null)) return own(oldDoc, newDoc);
    slots.forEach((found, i) => {
      const [entry, at] = found!;
      entry[at] = pairs[i].newDoc;
    });
  };
}

export class NeDbAdapter extends DbService.MemoryAdapter {
  private file?: FileDatastore;
  /** What moleculer-db's adapter builds its datastore from (untyped in its declarations). */
  declare opts: object | undefined;
  declare db: Datastore;

  /** `filename`: NeDB files; none: in memory. */
  constructor(private readonly filename?: string) {
    super();
  }

  override connect() {
    if (this.filename) {
      this.file?.close();
      this.file = fileDatastore(this.filename);
      // moleculer-db's adapter takes a datastore built beforehand as it is.
      this.opts = this.file.datastore;
    }
    const connected = super.connect();
    updateIdIndexInPlace(this.db);
    return connected;
  }

  override disconnect() {
    this.file?.close();
    this.file = undefined;
    return super.disconnect();
  }

  /** moleculer-db's find for the params Brigade passes (query, sort, limit, offset), without its callback round trip. */
  override find(filters: QueryFilters = {}) {
    const cursor = this.db.findAsync(filters.query ?? {});
    const sort = filters.sort as string | string[] | undefined;
    if (sort)
      cursor.sort(
        Object.fromEntries([sort].flat().map((field) => (field.startsWith("-") ? [field.slice(1), -1] : [field, 1]))),
      );
    if (typeof filters.limit === "number" && filters.limit > 0) cursor.limit(filters.limit);
    if (typeof filters.offset === "number" && filters.offset > 0) cursor.skip(filters.offset);
    return cursor as unknown as Promise<object[]>;
  }

  override findOne(query: object) {
    return this.db.findOneAsync(query) as unknown as Promise<object>;
  }

  override count(filters: { query?: object } = {}) {
    return this.db.countAsync(filters.query ?? {}) as unknown as Promise<number>;
  }

  override insert(entity: object) {
    return this.db.insertAsync(entity);
  }

  /** For Store.insertAllOnce: NeDB inserts an array all or nothing, in one append. */
  insertAll(docs: object[]) {
    return this.db.insertAsync(docs);
  }

  override updateMany(query: object, update: object) {
    return this.db.updateAsync(query, update, { multi: true }).then((res) => res.numAffected);
  }

  /** For Store.updateIf: the document after the update, from the update itself (no second lookup). */
  updateOne(query: object, update: object) {
    return this.db
      .updateAsync(query, update, { returnUpdatedDocs: true })
      .then((res) => (res.numAffected > 0 ? (res.affectedDocuments as object) : null));
  }

  override removeMany(query: object) {
    return this.db.removeAsync(query, { multi: true });
  }
}
