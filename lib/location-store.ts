/**
 * Isolation in one place: every restaurant document carries its `location`, and a service
 * reaches its collection only through a store bound to one location (`at(location)`), which
 * adds the location to every query, count, update, removal and insert. A handler cannot forget
 * it: `LocationStores` has no `find` of its own, so the compiler asks which location.
 *
 * `acrossLocations` reads and writes every location's documents: for the work no request
 * drives (reconcile loops, the kitchen's queue, events about an id unique group-wide). Each
 * document it answers carries its location; a write it makes addresses one document by its
 * `_id`, which is unique across the group for these collections.
 *
 * Collections whose ids come from names (dishes, ingredients: "rice") would collide across
 * locations, so their ids are stored as `<location>:<id>` outside `main` (whose documents keep
 * the ids they always had) and shown without the prefix: both locations have their "rice".
 */
import { MAIN_LOCATION, requestLocation } from "./locations";
import { Store, type DbAdapter, type Doc } from "./store";

export interface LocationStoreOptions {
  /** Ids are natural keys (slugs of names) and may repeat from one location to the next. */
  localIds?: boolean;
}

export class LocationStores<T extends Doc> {
  readonly acrossLocations: Store<T>;
  private readonly bound = new Map<string, Store<T>>();

  constructor(
    private readonly adapter: DbAdapter,
    private readonly options: LocationStoreOptions = {},
  ) {
    this.acrossLocations = new Store<T>(adapter);
  }

  /** The collection as one location sees it. */
  at(location: string): Store<T> {
    let store = this.bound.get(location);
    if (!store) {
      store = new Store<T>(new LocationAdapter(this.adapter, location, !!this.options.localIds));
      this.bound.set(location, store);
    }
    return store;
  }

  /** The collection as the request's location sees it (`ctx.meta.location`, set by the gateway). */
  for(ctx: { meta?: { location?: string } }): Store<T> {
    return this.at(requestLocation(ctx.meta));
  }

  /** Documents written before locations existed are `main`'s; marked so once, at start. */
  async adoptUnlocated(): Promise<number> {
    return this.adapter.updateMany({ location: { $exists: false } }, { $set: { location: MAIN_LOCATION } });
  }
}

/** A moleculer-db adapter seen through one location: what Store calls, scoped. */
class LocationAdapter implements DbAdapter {
  private readonly prefix: string;
  updateOne?: DbAdapter["updateOne"];
  insertAll?: DbAdapter["insertAll"];

  constructor(
    private readonly inner: DbAdapter,
    private readonly location: string,
    localIds: boolean,
  ) {
    this.prefix = localIds && location !== MAIN_LOCATION ? `${location}:` : "";
    if (inner.updateOne) this.updateOne = (query, update) => inner.updateOne!(this.scope(query), update);
    if (inner.insertAll) this.insertAll = (docs) => inner.insertAll!(docs.map((doc) => this.stamp(doc)));
  }

  find(params: { query?: object; sort?: string[]; limit?: number; offset?: number }) {
    return this.inner.find({ ...params, query: this.scope(params.query ?? {}) });
  }

  findOne(query: object) {
    return this.inner.findOne(this.scope(query));
  }

  count(params: { query?: object }) {
    return this.inner.count({ ...params, query: this.scope(params.query ?? {}) });
  }

  insert(doc: object) {
    return this.inner.insert(this.stamp(doc));
  }

  updateMany(query: object, update: object) {
    return this.inner.updateMany(this.scope(query), update);
  }

  removeMany(query: object) {
    return this.inner.removeMany(this.scope(query));
  }

  entityToObject(doc: unknown): object {
    const plain = this.inner.entityToObject(doc) as { _id?: unknown };
    if (this.prefix && typeof plain._id === "string" && plain._id.startsWith(this.prefix))
      return { ...plain, _id: plain._id.slice(this.prefix.length) };
    return plain;
  }

  private scope(query: object): object {
    const scoped: Record<string, unknown> = { ...query, location: this.location };
    if (this.prefix && "_id" in scoped) scoped._id = this.storedIds(scoped._id);
    return scoped;
  }

  private stamp(doc: object): object {
    const stamped: Record<string, unknown> = { ...doc, location: this.location };
    if (this.prefix && typeof stamped._id === "string") stamped._id = this.prefix + stamped._id;
    return stamped;
  }

  /** An `_id` condition as stored: a value, or `$in`/`$ne`/range operators over values. */
  private storedIds(condition: unknown): unknown {
    if (typeof condition === "string") return this.prefix + condition;
    if (Array.isArray(condition)) return condition.map((c) => this.storedIds(c));
    if (condition && typeof condition === "object")
      return Object.fromEntries(Object.entries(condition).map(([op, value]) => [op, this.storedIds(value)]));
    return condition;
  }
}
