/**
 * Every document of every collection of a broker's local services, read through the services'
 * own stores (`this.store`, `this.stores`), keyed `service/collection` and sorted by id, so two
 * snapshots compare with one toEqual.
 */
import type { ServiceBroker } from "moleculer";
import type { Doc, Store } from "../../../lib/store";

export type StoreSnapshot = Record<string, Doc[]>;

interface WithStores {
  name: string;
  store?: Store<Doc>;
  stores?: Record<string, Store<Doc>>;
  schema?: { collection?: string };
}

export async function snapshotStores(broker: ServiceBroker): Promise<StoreSnapshot> {
  const snapshot: StoreSnapshot = {};
  const byId = (a: Doc, b: Doc) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0);
  for (const service of broker.services as unknown as WithStores[]) {
    if (service.store)
      snapshot[`${service.name}/${service.schema?.collection ?? "main"}`] = (await service.store.find({})).sort(byId);
    for (const [name, store] of Object.entries(service.stores ?? {}))
      snapshot[`${service.name}/${name}`] = (await store.find({})).sort(byId);
  }
  return snapshot;
}
