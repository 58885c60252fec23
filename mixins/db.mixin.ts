/**
 * One collection per service, on whichever store the environment names:
 *   MONGO_URI set      → MongoDB through moleculer-db-adapter-mongo;
 *   DATA_DIR=":memory:" → SQLite in memory (the default under NODE_ENV=test);
 *   otherwise          → one SQLite file in DATA_DIR, kept across restarts (lib/sqlite-adapter.ts).
 * Both get the indexes lib/indexes.ts declares for the collection.
 *
 * moleculer-db's generic CRUD actions are switched off: every service declares its own actions
 * with strict params and roles, and reaches the data only through `this.store` (lib/store.ts).
 * Writes call `this.changed()`, which cleans this service's cache entries on every node: the
 * `cache.clean.<service>` event is broadcast, and cache-cleaner.mixin listens for it.
 */
import type { ServiceSchema } from "moleculer";
import DbService from "moleculer-db";
import type MongoDbAdapterClass from "moleculer-db-adapter-mongo";
import { loadSettings } from "../lib/settings";
import { Store, type Doc, type DbAdapter } from "../lib/store";
import { LocationStores } from "../lib/location-store";
import { MAIN_LOCATION } from "../lib/locations";
import type { CacheCleaned } from "../lib/contracts";
import { SqliteAdapter } from "../lib/sqlite-adapter";
import { indexesOf, indexName } from "../lib/indexes";

export interface DbMethods<_T extends Doc> {
  /**
   * After a write: cleans the caches that depend on this collection and tells the live streams.
   * `location`: the location written, so only its streams hear the hint (none: every location's).
   */
  changed(location?: string): Promise<void>;
  /** For readiness probes (services/api/health.ts): the store answers a cheap query in time. */
  storeReachable(timeoutMs: number): Promise<boolean>;
  /** Puts `seed` into an empty collection when BRIGADE_SEED allows; throws when none of it stays. */
  seedIfEmpty(): Promise<void>;
  adoptUnlocated(): Promise<void>;
}

type ConnectableAdapter = DbAdapter & {
  connect(): Promise<void>;
  disconnect?(): unknown;
  init(broker: unknown, service: unknown): void;
};

export interface DbVars<T extends Doc> {
  /** A `Store` for a collection of the whole group (`scope: "group"`), else one per location. */
  store: Store<T> | LocationStores<T>;
  adapter: ConnectableAdapter;
  /** The further collections named in `collections`, by name (type them in the service's own vars). */
  stores: Record<string, Store<Doc> | LocationStores<Doc>>;
  collectionAdapters: ConnectableAdapter[];
  /** Whether any action of this service declares `cache` (set when the service is created). */
  cachesOwnAnswers: boolean;
}

export interface DbMixinOptions<T extends Doc> {
  /** Documents put into an empty collection when BRIGADE_SEED allows (deterministic ids). */
  seed?: () => T[];
  /**
   * Further collections this service owns beside its main one (reservations beside ingredients),
   * reachable as `this.stores[name]`: connected before the service's own `started` runs and
   * closed when it stops. moleculer-db drives one adapter per service, hence these.
   */
  collections?: readonly string[];
  /**
   * "group": the collections hold the group's own records (staff, locations), reached as plain
   * stores. Otherwise they hold restaurant documents, each of one location, reached only
   * through a store bound to a location (lib/location-store.ts).
   */
  scope?: "group";
  /** The main collection's ids are natural keys (slugs of names) that may repeat across locations. */
  localIds?: boolean;
  /** The further collections whose ids are natural keys too (a table "1" in every location). */
  localIdCollections?: readonly string[];
}

/** Where one-time data migrations note that they ran (`adoptUnlocated`). */
const MIGRATIONS = "brigade_data_notes";

const GENERIC_ACTIONS = ["find", "count", "list", "create", "insert", "get", "update", "remove"] as const;

/** The adapter for a collection; its name reaches the adapter through `init` (the service's schema). */
export function createAdapter(_collection: string, env = process.env): DbAdapter {
  const settings = loadSettings(env);
  if (settings.mongoUri) {
    // Required here, not imported: the adapter loads the whole MongoDB driver (about 12 MB of
    // resident memory), which an embedded node never uses.
    const MongoDbAdapter = require("moleculer-db-adapter-mongo") as typeof MongoDbAdapterClass;
    // The driver 3.x bundled by the adapter wants the unified topology for sane reconnects.
    return new MongoDbAdapter(settings.mongoUri, {
      useUnifiedTopology: true,
      useNewUrlParser: true,
    }) as unknown as DbAdapter;
  }
  return new SqliteAdapter(settings.dataDir);
}

interface MongoCollection {
  createIndex(keys: Record<string, 1 | -1>, options: { name: string }): Promise<unknown>;
}

/** On MongoDB, the collection's declared indexes (SQLite creates its own when it connects). */
export async function ensureMongoIndexes(adapter: unknown, collection: string): Promise<number> {
  const mongo = (adapter as { collection?: MongoCollection }).collection;
  if (!mongo || typeof mongo.createIndex !== "function") return 0;
  const specs = indexesOf(collection);
  // createIndex is a no-op for an index that exists with the same keys and name.
  await Promise.all(
    specs.map((spec) => mongo.createIndex(Object.fromEntries(spec.keys), { name: indexName(collection, spec) })),
  );
  return specs.length;
}

export function dbMixin<T extends Doc>(collection: string, options: DbMixinOptions<T> = {}): Partial<ServiceSchema> {
  const disabled = Object.fromEntries(GENERIC_ACTIONS.map((name) => [name, false]));
  const schema: ServiceSchema<Record<string, unknown>, DbMethods<T>, DbVars<T>> = {
    name: "",
    mixins: [DbService],
    collection,
    actions: disabled,

    methods: {
      async changed(location?: string) {
        // Like moleculer-db's clearCache, but the broadcast is awaited: its local handlers (a menu
        // on this node that depends on this collection) have cleaned up when the write returns.
        // A service that caches none of its own answers (orders, kitchen, billing) has nothing
        // to clean: its broadcast is for the dashboard's change hints. Cleaning anyway would cost
        // a scan of every cache key on every order and ticket (a SCAN of Redis in a cluster).
        const cleanOwn = this.cachesOwnAnswers ? this.broker.cacher?.clean(`${this.fullName}.**`) : undefined;
        const payload: CacheCleaned = location === undefined ? {} : { location };
        await Promise.all([this.broker.broadcast(`cache.clean.${this.fullName}`, payload), cleanOwn]);
      },

      async seedIfEmpty() {
        if (!options.seed || !loadSettings().seed) return;
        // The demo restaurant is main's: the location `npm start` makes.
        const store = this.store instanceof LocationStores ? this.store.at(MAIN_LOCATION) : this.store;
        if ((await store.count()) > 0) return;
        let inserted = 0;
        // insertOnce: two nodes seeding an empty collection at once end up with one copy.
        const docs = options.seed();
        for (const doc of docs) if (await store.insertOnce(doc)) inserted++;
        // Every insert "already there", yet the collection is still empty: the store acknowledges
        // writes it does not keep (the emulator's file store did, rewriting string ids). Thrown
        // from `started`, this stops the node, instead of one serving an empty menu as if all
        // were well.
        if (docs.length > 0 && inserted === 0 && (await store.count()) === 0) {
          throw new Error(
            `Seeding "${collection}" stored none of ${docs.length} documents into an empty collection: the store ` +
              "acknowledged writes it does not keep. Check that MONGO_URI names a MongoDB that keeps string _ids.",
          );
        }
        this.logger.info({ collection, inserted }, "Seeded the demo restaurant into an empty collection.");
      },

      /**
       * Restaurant documents from before locations are main's: marked so once per collection.
       * Once done, a note in the `brigade_data_notes` collection says so, and later starts skip
       * it: the search for unmarked documents would read every document (no index serves it).
       */
      async adoptUnlocated() {
        const names = [collection, ...(options.collections ?? [])];
        const scoped = [this.store, ...names.slice(1).map((name) => this.stores[name])];
        if (!scoped.some((store) => store instanceof LocationStores)) return;
        const notes = createAdapter(MIGRATIONS) as ConnectableAdapter;
        notes.init(this.broker, { schema: { collection: MIGRATIONS }, logger: this.logger, broker: this.broker });
        await notes.connect();
        try {
          const done = new Store<{ _id: string; at: string }>(notes);
          for (const [index, store] of scoped.entries()) {
            if (!(store instanceof LocationStores)) continue;
            const note = `located:${names[index]}`;
            if (await done.get(note)) continue;
            const adopted = await (store as LocationStores<Doc>).adoptUnlocated();
            await done.insertOnce({ _id: note, at: new Date().toISOString() });
            if (adopted > 0)
              this.logger.info(
                { collection: names[index], documents: adopted, location: MAIN_LOCATION },
                "Documents from before locations moved into main.",
              );
          }
        } finally {
          await notes.disconnect?.();
        }
      },

      async storeReachable(timeoutMs: number) {
        // A count by _id uses the one index every store has. Without a deadline the MongoDB driver
        // would queue it for its server-selection timeout (30 s) while the server is away.
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
        const store = this.store instanceof LocationStores ? this.store.acrossLocations : this.store;
        const probe = store.count({ _id: "health-probe" }).then(
          () => true,
          () => false,
        );
        return Promise.race([probe, deadline]).finally(() => clearTimeout(timer));
      },
    },

    created() {
      this.cachesOwnAnswers = Object.values(this.schema.actions ?? {}).some(
        (action) => typeof action === "object" && action !== null && !!action.cache,
      );
      // Built per service instance (not per module), so each broker in a test gets its own store.
      this.adapter = createAdapter(collection) as DbVars<T>["adapter"];
      this.adapter.init(this.broker, this);
      const grouped = options.scope === "group";
      this.store = grouped
        ? new Store<T>(this.adapter)
        : new LocationStores<T>(this.adapter, { localIds: options.localIds });
      this.stores = {};
      this.collectionAdapters = [];
      for (const name of options.collections ?? []) {
        const adapter = createAdapter(name) as ConnectableAdapter;
        // The MongoDB adapter reads the collection's name from `service.schema.collection`.
        adapter.init(this.broker, { schema: { collection: name }, logger: this.logger, broker: this.broker });
        this.stores[name] = grouped
          ? new Store<Doc>(adapter)
          : new LocationStores<Doc>(adapter, { localIds: options.localIdCollections?.includes(name) });
        this.collectionAdapters.push(adapter);
      }
    },

    async started() {
      // Runs after moleculer-db's own `started` (mixins first), before the service's.
      for (const [index, adapter] of this.collectionAdapters.entries()) {
        const name = options.collections?.[index];
        for (let attempt = 1; ; attempt++) {
          try {
            await adapter.connect();
            break;
          } catch (err) {
            // Like moleculer-db for the main collection: a store still booting is waited for.
            this.logger.error({ collection: name, attempt, err }, "Cannot connect a collection; retrying in 1 s.");
            await new Promise((resolve) => setTimeout(resolve, 1000));
          }
        }
      }
      await ensureMongoIndexes(this.adapter, collection);
      for (const [index, adapter] of this.collectionAdapters.entries())
        await ensureMongoIndexes(adapter, options.collections?.[index] ?? "");
      await this.adoptUnlocated();
      await this.seedIfEmpty();
    },

    async stopped() {
      await Promise.all(this.collectionAdapters.map((adapter) => adapter.disconnect?.()));
    },
  } as ServiceSchema<Record<string, unknown>, DbMethods<T>, DbVars<T>>;
  return schema as Partial<ServiceSchema>;
}
