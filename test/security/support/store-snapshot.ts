/**
 * Every document of every collection of a broker's local services, read through the services'
 * own stores (`this.store`, `this.stores`), keyed `service/collection` and sorted by id, so two
 * snapshots compare with one toEqual.
 */
import type { ServiceBroker } from "moleculer";
import type { Doc, Store } from "../../../lib/store";
import { LocationStores } from "../../../lib/location-store";

export type StoreSnapshot = Record<string, Doc[]>;

interface WithStores {
  name: string;
  store?: Store<Doc> | LocationStores<Doc>;
  stores?: Record<string, Store<Doc> | LocationStores<Doc>>;
  schema?: { collection?: string };
}

export async function snapshotStores(broker: ServiceBroker): Promise<StoreSnapshot> {
  const snapshot: StoreSnapshot = {};
  const byId = (a: Doc, b: Doc) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0);
  for (const service of broker.services as unknown as WithStores[]) {
    // Every location's documents, as stored.
    const all = (store: Store<Doc> | LocationStores<Doc>) =>
      (store instanceof LocationStores ? store.acrossLocations : store).find({});
    if (service.store)
      snapshot[`${service.name}/${service.schema?.collection ?? "main"}`] = (await all(service.store)).sort(byId);
    for (const [name, store] of Object.entries(service.stores ?? {}))
      snapshot[`${service.name}/${name}`] = (await all(store)).sort(byId);
  }
  return snapshot;
}
