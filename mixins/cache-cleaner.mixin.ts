/**
 * Cleans this service's cached answers on every node when a collection it depends on changes.
 * moleculer-db broadcasts `cache.clean.<service>` after a write; a broadcast reaches each node
 * (including the writer), so a memory cacher on every node and a shared Redis cacher both end
 * up clean. The menu, for instance, lists `inventory` because availability follows stock.
 */
import type { ServiceSchema } from "moleculer";

export function cacheCleaner(dependsOn: string[]): Partial<ServiceSchema> {
  const events: NonNullable<ServiceSchema["events"]> = {};
  for (const name of dependsOn) {
    events[`cache.clean.${name}`] = {
      async handler(this: { broker: { cacher?: { clean(match: string): Promise<unknown> } }; fullName: string }) {
        await this.broker.cacher?.clean(`${this.fullName}.**`);
      },
    };
  }
  return { events };
}
