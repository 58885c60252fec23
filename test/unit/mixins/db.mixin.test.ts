import { ServiceBroker } from "moleculer";
import { dbMixin } from "../../../mixins/db.mixin";
import type { Store } from "../../../lib/store";

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
    created(this: { store: Store<Thing> }) {
      // Like the emulator's file store before it kept string _ids: every insert "already there".
      if (storeKeepsNothing) this.store.insertOnce = async () => false;
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
  it("puts the seed into an empty collection", async () => {
    const broker = await startWith(false);
    const service = broker.getLocalService("things") as unknown as { store: Store<Thing> };
    expect(await service.store.count()).toBe(SEED.length);
    await broker.stop();
  });

  it("refuses to start when the store kept none of it", async () => {
    await expect(startWith(true)).rejects.toThrow(
      /Seeding "things" stored none of 2 documents into an empty collection/,
    );
  });
});
