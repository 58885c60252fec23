/**
 * One collection per service, on whichever store the environment names:
 *   MONGO_URI set      → MongoDB through moleculer-db-adapter-mongo;
 *   DATA_DIR=":memory:" → NeDB in memory (the default under NODE_ENV=test);
 *   otherwise          → NeDB files in DATA_DIR, kept across restarts.
 *
 * moleculer-db's generic CRUD actions are switched off: every service declares its own actions
 * with strict params and roles, and reaches the data only through `this.store` (lib/store.ts).
 * Writes call `this.changed()`, which cleans this service's cache entries on every node: the
 * `cache.clean.<service>` event is broadcast, and cache-cleaner.mixin listens for it.
 */
import path from "node:path";
import fs from "node:fs";
import type { ServiceSchema } from "moleculer";
import DbService from "moleculer-db";
import MongoDbAdapter from "moleculer-db-adapter-mongo";
import { loadSettings } from "../lib/settings";
import { Store, type Doc, type DbAdapter } from "../lib/store";

export interface DbMethods<T extends Doc> {
  changed(): Promise<void>;
}

export interface DbVars<T extends Doc> {
  store: Store<T>;
  adapter: DbAdapter & { connect(): Promise<void>; init(broker: unknown, service: unknown): void };
}

export interface DbMixinOptions<T extends Doc> {
  /** Documents put into an empty collection when BRIGADE_SEED allows (deterministic ids). */
  seed?: () => T[];
}

const GENERIC_ACTIONS = ["find", "count", "list", "create", "insert", "get", "update", "remove"] as const;

export function createAdapter(collection: string, env = process.env): DbAdapter {
  const settings = loadSettings(env);
  if (settings.mongoUri) {
    // The driver 3.x bundled by the adapter wants the unified topology for sane reconnects.
    return new MongoDbAdapter(settings.mongoUri, { useUnifiedTopology: true, useNewUrlParser: true }) as unknown as DbAdapter;
  }
  if (settings.dataDir === ":memory:") return new DbService.MemoryAdapter() as unknown as DbAdapter;
  fs.mkdirSync(settings.dataDir, { recursive: true });
  return new DbService.MemoryAdapter({ filename: path.join(settings.dataDir, `${collection}.db`) }) as unknown as DbAdapter;
}

export function dbMixin<T extends Doc>(collection: string, options: DbMixinOptions<T> = {}): Partial<ServiceSchema> {
  const disabled = Object.fromEntries(GENERIC_ACTIONS.map(name => [name, false]));
  const schema: ServiceSchema<Record<string, unknown>, DbMethods<T>, DbVars<T>> = {
    name: "",
    mixins: [DbService],
    collection,
    actions: disabled,

    methods: {
      async changed() {
        // moleculer-db's clearCache broadcasts `cache.clean.<service>` and cleans the local cacher.
        await (this as unknown as { clearCache(): Promise<void> }).clearCache();
      },
    },

    created() {
      // Built per service instance (not per module), so each broker in a test gets its own store.
      this.adapter = createAdapter(collection) as DbVars<T>["adapter"];
      this.adapter.init(this.broker, this);
      this.store = new Store<T>(this.adapter);
    },

    async afterConnected(this: { store: Store<T>; logger: { info(...a: unknown[]): void } }) {
      if (!options.seed || !loadSettings().seed) return;
      if ((await this.store.count()) > 0) return;
      let inserted = 0;
      // insertOnce: two nodes seeding an empty collection at once end up with one copy.
      for (const doc of options.seed()) if (await this.store.insertOnce(doc)) inserted++;
      this.logger.info({ collection, inserted }, "Seeded the demo restaurant into an empty collection.");
    },
  } as ServiceSchema<Record<string, unknown>, DbMethods<T>, DbVars<T>>;
  return schema as Partial<ServiceSchema>;
}
