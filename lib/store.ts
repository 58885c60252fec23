/**
 * The one way Brigade's services read and write their collection, over any moleculer-db
 * adapter (SQLite file or memory, MongoDB). It exposes only what behaves the same on every
 * store: queries are plain objects built by our code (never a client's object), writes that
 * must not race are conditional updates, and uniqueness rides on `_id` because it is the one
 * index every store enforces.
 */

export interface Doc {
  _id: string;
}

export interface FindOptions {
  /** Field names, `-field` for descending, as moleculer-db takes them. */
  sort?: string[];
  limit?: number;
  offset?: number;
}

/** The part of a moleculer-db adapter Brigade relies on. */
export interface DbAdapter {
  find(params: { query?: object; sort?: string[]; limit?: number; offset?: number }): Promise<unknown[]>;
  findOne(query: object): Promise<unknown>;
  count(params: { query?: object }): Promise<number>;
  insert(doc: object): Promise<unknown>;
  updateMany(query: object, update: object): Promise<number>;
  removeMany(query: object): Promise<number>;
  entityToObject(doc: unknown): object;
  /**
   * Optional: updates at most one document matching `query` and answers it as it is after the
   * update (null when none matched), in one operation. Without it `updateIf` reads it back.
   */
  updateOne?(query: object, update: object): Promise<unknown>;
  /**
   * Optional: inserts all of `docs` in one operation, or none of them (a duplicate `_id` among
   * them fails the whole insert). Without it `insertAllOnce` inserts them one by one.
   */
  insertAll?(docs: object[]): Promise<unknown>;
}

export class DuplicateKeyError extends Error {
  constructor(public readonly id: string) {
    super(`A document with _id "${id}" already exists.`);
    this.name = "DuplicateKeyError";
  }
}

function isDuplicateKey(err: unknown): boolean {
  if (err instanceof DuplicateKeyError) return true;
  const e = err as { code?: number; errorType?: string } | undefined;
  return e?.code === 11000 || e?.errorType === "uniqueViolated";
}

export class Store<T extends Doc> {
  constructor(private readonly adapter: DbAdapter) {}

  private plain(doc: unknown): T {
    return this.adapter.entityToObject(doc) as T;
  }

  async get(id: string): Promise<T | null> {
    const doc = await this.adapter.findOne({ _id: id });
    return doc ? this.plain(doc) : null;
  }

  async getMany(ids: string[]): Promise<T[]> {
    if (ids.length === 0) return [];
    return this.find({ _id: { $in: ids } });
  }

  async find(query: object = {}, options: FindOptions = {}): Promise<T[]> {
    const docs = await this.adapter.find({ query, ...options });
    return docs.map((doc) => this.plain(doc));
  }

  async count(query: object = {}): Promise<number> {
    return this.adapter.count({ query });
  }

  async insert(doc: T): Promise<T> {
    try {
      return this.plain(await this.adapter.insert(doc));
    } catch (err) {
      if (isDuplicateKey(err)) throw new DuplicateKeyError(doc._id);
      throw err;
    }
  }

  /** Inserts unless `_id` exists; true when this call created it. */
  async insertOnce(doc: T): Promise<boolean> {
    try {
      await this.insert(doc);
      return true;
    } catch (err) {
      if (err instanceof DuplicateKeyError) return false;
      throw err;
    }
  }

  /**
   * insertOnce for several documents: how many this call created. In one write when the store
   * can insert them all or none; after a duplicate (a redelivery), one by one.
   */
  async insertAllOnce(docs: T[]): Promise<number> {
    if (this.adapter.insertAll && docs.length > 1) {
      try {
        await this.adapter.insertAll(docs);
        return docs.length;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
    let created = 0;
    for (const doc of docs) if (await this.insertOnce(doc)) created++;
    return created;
  }

  /** An atomic conditional update: the number of documents that matched `query` and changed. */
  async update(query: object, update: object): Promise<number> {
    return this.adapter.updateMany(query, update);
  }

  /** Updates one document when it still matches `condition`; the document after, or null. */
  async updateIf(id: string, condition: object, update: object): Promise<T | null> {
    const query = { ...condition, _id: id };
    if (this.adapter.updateOne) {
      const after = await this.adapter.updateOne(query, update);
      return after ? this.plain(after) : null;
    }
    const changed = await this.adapter.updateMany(query, update);
    return changed > 0 ? this.get(id) : null;
  }

  async remove(query: object): Promise<number> {
    return this.adapter.removeMany(query);
  }
}
