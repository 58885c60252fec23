/**
 * A store in memory for unit tests of the plain modules: moleculer-db's MemoryAdapter (NeDB in
 * memory) behind lib/store.ts, as the services reach theirs, with no broker and no files.
 */
import DbService from "moleculer-db";
import { Store, type DbAdapter, type Doc } from "../../lib/store";

export async function memoryAdapter(): Promise<DbAdapter> {
  const adapter = new DbService.MemoryAdapter() as unknown as DbAdapter & {
    init(b: unknown, s: unknown): void;
    connect(): Promise<void>;
  };
  adapter.init(null, {});
  await adapter.connect();
  return adapter;
}

export async function memoryStore<T extends Doc>(): Promise<Store<T>> {
  return new Store<T>(await memoryAdapter());
}
