/**
 * The data-layer contract: the same tests against every store Brigade runs on. The services
 * rely on exactly these behaviours (lib/store.ts), so a store that passes can hold any of them.
 *
 * "MongoDB" here is the real moleculer-db-adapter-mongo over a real socket. In CI it talks to a
 * wire-compatible emulator (test/support/mongo.ts), so this proves the adapter contract, not
 * MongoDB-specific behaviour; with MONGO_URI set it runs against that server instead.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createAdapter } from "../../mixins/db.mixin";
import { Store, DuplicateKeyError, type DbAdapter } from "../../lib/store";
import { startMongo, type TestMongo } from "../support/mongo";

interface Item {
  _id: string;
  name: string;
  qty: number;
  held: number;
  tags: string[];
  createdAt: string;
}

type Connectable = DbAdapter & {
  init(b: unknown, s: unknown): void;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
};

const quiet = { info() {}, warn() {}, error() {}, debug() {} };

async function open(
  collection: string,
  env: Record<string, string>,
): Promise<{ store: Store<Item>; close(): Promise<void> }> {
  const adapter = createAdapter(collection, { NODE_ENV: "test", ...env }) as Connectable;
  adapter.init({}, { schema: { collection }, logger: quiet, broker: {} });
  await adapter.connect();
  return { store: new Store<Item>(adapter), close: () => adapter.disconnect() };
}

const item = (id: string, qty = 10, extra: Partial<Item> = {}): Item => ({
  _id: id,
  name: `Item ${id}`,
  qty,
  held: 0,
  tags: [],
  createdAt: `2026-01-01T00:00:${id.padStart(2, "0").slice(-2)}Z`,
  ...extra,
});

let mongo: TestMongo;
let tmp: string;
beforeAll(async () => {
  mongo = await startMongo();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "brigade-store-"));
}, 120_000);
afterAll(async () => {
  await mongo?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const stores: [string, () => Record<string, string>][] = [
  ["SQLite in memory", () => ({ DATA_DIR: ":memory:" })],
  ["SQLite file", () => ({ DATA_DIR: tmp })],
  [
    "MongoDB adapter contract, against a wire-compatible emulator in CI (or MONGO_URI)",
    () => ({ MONGO_URI: mongo.uri }),
  ],
];

describe.each(stores)("store contract: %s", (_label, env) => {
  let store: Store<Item>;
  let close: () => Promise<void>;
  let n = 0;
  beforeEach(async () => {
    ({ store, close } = await open(`items_${Date.now()}_${++n}`, env()));
  });
  afterEach(() => close());

  it("inserts and reads back by string id", async () => {
    await store.insert(item("a1"));
    expect(await store.get("a1")).toMatchObject({ _id: "a1", name: "Item a1", qty: 10 });
    expect(await store.get("missing")).toBeNull();
  });

  it("refuses a second document with the same _id", async () => {
    await store.insert(item("dup"));
    await expect(store.insert(item("dup"))).rejects.toBeInstanceOf(DuplicateKeyError);
    expect(await store.insertOnce(item("dup"))).toBe(false);
    expect(await store.insertOnce(item("new"))).toBe(true);
    expect(await store.count()).toBe(2);
  });

  it("inserts several at once, and after a redelivery creates only the missing ones", async () => {
    expect(await store.insertAllOnce([item("t-1"), item("t-2")])).toBe(2);
    expect(await store.insertAllOnce([item("t-1"), item("t-2")])).toBe(0);
    // One of them already there (a ticket written before a crash): the other is still created.
    await store.remove({ _id: "t-2" });
    expect(await store.insertAllOnce([item("t-1"), item("t-2"), item("t-3")])).toBe(2);
    expect((await store.find({}, { sort: ["_id"] })).map((d) => d._id)).toEqual(["t-1", "t-2", "t-3"]);
  });

  it("updates only when the condition still holds, and says how many changed", async () => {
    await store.insert(item("c1", 5));
    expect(await store.update({ _id: "c1", qty: { $gte: 3 } }, { $inc: { qty: -3, held: 3 } })).toBe(1);
    expect(await store.update({ _id: "c1", qty: { $gte: 3 } }, { $inc: { qty: -3, held: 3 } })).toBe(0);
    expect(await store.get("c1")).toMatchObject({ qty: 2, held: 3 });
    const after = await store.updateIf("c1", { held: 3 }, { $set: { name: "renamed" }, $push: { tags: "x" } });
    expect(after).toMatchObject({ name: "renamed", tags: ["x"] });
    expect(await store.updateIf("c1", { held: 99 }, { $set: { name: "no" } })).toBeNull();
  });

  it("never oversells under concurrent conditional decrements", async () => {
    await store.insert(item("stock", 50));
    const attempts = await Promise.all(
      Array.from({ length: 200 }, () =>
        store.update({ _id: "stock", qty: { $gte: 1 } }, { $inc: { qty: -1, held: 1 } }),
      ),
    );
    expect(attempts.filter((c) => c === 1)).toHaveLength(50);
    expect(await store.get("stock")).toMatchObject({ qty: 0, held: 50 });
  });

  it("finds with a query, sort, limit and offset, and counts", async () => {
    for (const [id, qty] of [
      ["01", 3],
      ["02", 1],
      ["03", 2],
      ["04", 5],
      ["05", 4],
    ] as const)
      await store.insert(item(id, qty));
    const page = await store.find({ qty: { $gte: 2 } }, { sort: ["-qty"], limit: 2, offset: 1 });
    expect(page.map((d) => d._id)).toEqual(["05", "01"]);
    expect(await store.count({ qty: { $lt: 3 } })).toBe(2);
    expect((await store.getMany(["02", "04", "zz"])).map((d) => d._id).sort()).toEqual(["02", "04"]);
    expect((await store.find({ _id: { $in: ["01", "03"] } }, { sort: ["createdAt"] })).map((d) => d._id)).toEqual([
      "01",
      "03",
    ]);
  });

  it("removes what matches", async () => {
    await store.insert(item("r1"));
    await store.insert(item("r2"));
    expect(await store.remove({ _id: "r1" })).toBe(1);
    expect(await store.count()).toBe(1);
  });
});

it("the SQLite file keeps the data across a reopen", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "brigade-reopen-"));
  const first = await open("kept", { DATA_DIR: dir });
  await first.store.insert(item("k1", 7));
  await first.store.update({ _id: "k1" }, { $inc: { qty: 1 } });
  await first.close();
  const second = await open("kept", { DATA_DIR: dir });
  expect(await second.store.get("k1")).toMatchObject({ qty: 8 });
  await second.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
