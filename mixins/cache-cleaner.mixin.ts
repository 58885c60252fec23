/**
 * Cleans this service's cached answers on every node when a collection it depends on changes.
 * moleculer-db broadcasts `cache.clean.<service>` after a write; a broadcast reaches each node
 * (including the writer), so a memory cacher on every node and a shared Redis cacher both end
 * up clean.
 *
 * Each dependency names the actions whose answers it changes: `"**"` for all of them, or a list.
 * The menu lists `inventory: ["list", "get"]` because a dish's availability follows the stock,
 * while what `menu.resolve` answers (names, prices, recipes) does not: an order placed during a
 * rush reserves stock, and must not throw away the dishes the next order looks up.
 */
import type { ServiceSchema } from "moleculer";

export type CacheDependencies = Record<string, "**" | readonly string[]>;

export function cacheCleaner(dependsOn: CacheDependencies): Partial<ServiceSchema> {
  const events: NonNullable<ServiceSchema["events"]> = {};
  for (const [name, actions] of Object.entries(dependsOn)) {
    events[`cache.clean.${name}`] = {
      async handler(this: {
        broker: { cacher?: { clean(match: string | string[]): Promise<unknown> } };
        fullName: string;
      }) {
        const patterns =
          actions === "**" ? [`${this.fullName}.**`] : actions.map((action) => `${this.fullName}.${action}:**`);
        await this.broker.cacher?.clean(patterns);
      },
    };
  }
  return { events };
}
