/**
 * mixins/db.mixin.ts `changed()`: every write is announced (`cache.clean.<service>`, which the
 * dashboard's change hints and the dependents' cache cleaners hear), and a service's own cache
 * is cleaned only when the service caches answers at all.
 */
import { ServiceBroker, type Context, type ServiceSchema } from "moleculer";
import { dbMixin } from "../../mixins/db.mixin";

function storeService(name: string, cached: boolean): ServiceSchema {
  return {
    name,
    mixins: [dbMixin(name)],
    actions: {
      read: {
        cache: cached ? { keys: ["id"] } : false,
        params: { id: "string" },
        handler: (ctx: Context<{ id: string }>) => ({ id: ctx.params.id, at: Math.random() }),
      },
      touch: {
        async handler(this: { changed(): Promise<void> }) {
          await this.changed();
          return true;
        },
      },
    },
  } as unknown as ServiceSchema;
}

describe("db mixin: announcing a change", () => {
  const heard: string[] = [];
  const broker = new ServiceBroker({ logger: false, cacher: "Memory" });
  broker.createService(storeService("plain", false));
  broker.createService(storeService("cachy", true));
  broker.createService({
    name: "listener",
    events: {
      "cache.clean.plain": () => void heard.push("plain"),
      "cache.clean.cachy": () => void heard.push("cachy"),
    },
  });
  beforeAll(() => broker.start());
  afterAll(() => broker.stop());

  it("announces every write, and cleans its own cache only when it has one", async () => {
    const clean = jest.spyOn(broker.cacher!, "clean");
    const first = await broker.call<{ at: number }, object>("cachy.read", { id: "a" });
    expect(await broker.call<{ at: number }, object>("cachy.read", { id: "a" })).toEqual(first);

    await broker.call("plain.touch");
    expect(heard).toEqual(["plain"]);
    expect(clean).not.toHaveBeenCalled();

    await broker.call("cachy.touch");
    expect(heard).toEqual(["plain", "cachy"]);
    expect(clean).toHaveBeenCalledWith("cachy.**");
    // The cached answer is gone: the next read is computed again.
    expect(await broker.call<{ at: number }, object>("cachy.read", { id: "a" })).not.toEqual(first);
  });
});
