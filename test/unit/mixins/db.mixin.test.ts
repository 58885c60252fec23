import { ServiceBroker } from "moleculer";
import { dbMixin } from "../../../mixins/db.mixin";
import type { LocationStores } from "../../../lib/location-store";

// Seeding an empty collection: what it inserts is kept, and a store that acknowledges the
// writes but keeps none of them stops the node instead of serving an empty menu.

interface Thing {
  _id: string;
  name: string;
}
const SEED: Thing[] = [
  { _id: "a", name: "first" },
  { _id: "b", name: "second" },
];

async function startWith(storeKeepsNothing: boolean) {
  const previous = { seed: process.env.BRIGADE_SEED, dir: process.env.DATA_DIR };
  process.env.BRIGADE_SEED = "true";
  process.env.DATA_DIR = ":memory:";
  const broker = new ServiceBroker({ logger: false });
  broker.createService({
    name: "things",
    mixins: [dbMixin<Thing>("things", { seed: () => SEED })],
    created(this: { store: LocationStores<Thing> }) {
      // Like the emulator's file store before it kept string _ids: every insert "already there".
      if (storeKeepsNothing) this.store.at("main").insertOnce = async () => false;
    },
  });
  try {
    await broker.start();
    return broker;
  } finally {
    process.env.BRIGADE_SEED = previous.seed;
    process.env.DATA_DIR = previous.dir;
    if (previous.seed === undefined) delete process.env.BRIGADE_SEED;
    if (previous.dir === undefined) delete process.env.DATA_DIR;
  }
}

describe("dbMixin seeding", () => {
  it("puts the seed into an empty collection, as main's: another location sees none of it", async () => {
    const broker = await startWith(false);
    const service = broker.getLocalService("things") as unknown as { store: LocationStores<Thing> };
    expect(await service.store.at("main").count()).toBe(SEED.length);
    expect(await service.store.at("east").count()).toBe(0);
    expect(await service.store.acrossLocations.find({}, { sort: ["_id"] })).toEqual([
      { _id: "a", name: "first", location: "main" },
      { _id: "b", name: "second", location: "main" },
    ]);
    await broker.stop();
  });

  it("refuses to start when the store kept none of it", async () => {
    await expect(startWith(true)).rejects.toThrow(
      /Seeding "things" stored none of 2 documents into an empty collection/,
    );
  });
});
