/**
 * What Brigade's data layer needs from "MongoDB", checked with the exact driver it talks through
 * (mongodb 3.7, bundled by moleculer-db-adapter-mongo). In CI this runs against CongoDB, a
 * wire-compatible emulator (test/support/mongo.ts): it proves the emulator is good enough for the
 * store contract, not how MongoDB itself behaves. With MONGO_URI set it runs against that server.
 */
import { startMongo, type TestMongo } from "../support/mongo";

// mongodb 3.7 ships no type declarations; these are the few calls this file makes.
interface WriteResult {
  matchedCount: number;
  modifiedCount: number;
  upsertedCount: number;
}
interface Cursor<T> {
  sort(spec: object): Cursor<T>;
  skip(n: number): Cursor<T>;
  limit(n: number): Cursor<T>;
  batchSize(n: number): Cursor<T>;
  toArray(): Promise<T[]>;
}
interface Collection<T> {
  insertOne(doc: T): Promise<{ insertedCount: number }>;
  insertMany(docs: T[]): Promise<{ insertedCount: number }>;
  findOne(filter: object): Promise<T | null>;
  find(filter: object): Cursor<T>;
  updateOne(filter: object, update: object, options?: object): Promise<WriteResult>;
  updateMany(filter: object, update: object): Promise<WriteResult>;
  findOneAndUpdate(filter: object, update: object, options: object): Promise<{ value: T | null }>;
  countDocuments(filter?: object): Promise<number>;
  deleteMany(filter: object): Promise<{ deletedCount: number }>;
}
interface Client {
  db(): { collection<T>(name: string): Collection<T> & { drop(): Promise<unknown> } };
  close(): Promise<void>;
}
const { MongoClient } = require("mongodb") as {
  MongoClient: { connect(uri: string, options: object): Promise<Client> };
};

interface Stock {
  _id: string;
  available: number;
  reserved: number;
  par: number;
}

let mongo: TestMongo;
let client: Client;
let stock: Collection<Stock>;
// Collections this file made: dropped one by one at the end, never the database, which with
// MONGO_URI may be someone's real one.
const made: string[] = [];
const collection = <T>(prefix: string): Collection<T> => {
  const name = `${prefix}_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  made.push(name);
  return client.db().collection<T>(name);
};

beforeAll(async () => {
  mongo = await startMongo();
  client = await MongoClient.connect(mongo.uri, { useUnifiedTopology: true, useNewUrlParser: true });
}, 120_000);
afterAll(async () => {
  for (const name of made) await client?.db().collection(name).drop();
  await client?.close();
  await mongo?.stop();
});
beforeEach(async () => {
  stock = collection<Stock>("stock");
  await stock.insertMany([
    { _id: "oil", available: 5, reserved: 0, par: 8 },
    { _id: "potato", available: 40, reserved: 0, par: 20 },
    { _id: "salt", available: 1, reserved: 0, par: 1 },
  ]);
});

/** The inventory reservation: take q only while at least q is available, in one atomic write. */
const reserve = (sku: string, q: number) =>
  stock.updateOne({ _id: sku, available: { $gte: q } }, { $inc: { available: -q, reserved: q } });

describe(`MongoDB driver 3.7 against ${process.env.MONGO_URI ? "MONGO_URI" : "the CongoDB emulator"}`, () => {
  it("reports whether it is the emulator", () => {
    expect(mongo.emulated).toBe(!process.env.MONGO_URI);
    expect(mongo.uri).toMatch(/^mongodb:\/\//);
  });

  it("inserts and finds documents by string _id", async () => {
    expect(await stock.findOne({ _id: "oil" })).toEqual({ _id: "oil", available: 5, reserved: 0, par: 8 });
    expect(await stock.findOne({ _id: "missing" })).toBeNull();
  });

  it("rejects a second document with the same _id with code 11000", async () => {
    await expect(stock.insertOne({ _id: "oil", available: 1, reserved: 0, par: 0 })).rejects.toMatchObject({
      code: 11000,
    });
    expect(await stock.countDocuments({ _id: "oil" })).toBe(1);
  });

  it("reserves with a conditional $inc on two fields, and refuses once stock is short", async () => {
    expect(await reserve("oil", 3)).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    expect(await reserve("oil", 3)).toMatchObject({ matchedCount: 0, modifiedCount: 0 });
    expect(await stock.findOne({ _id: "oil" })).toMatchObject({ available: 2, reserved: 3 });
  });

  it("never oversells when many reservations race for the same stock", async () => {
    const results = await Promise.all(Array.from({ length: 12 }, () => reserve("oil", 1)));
    expect(results.filter((r) => r.modifiedCount === 1)).toHaveLength(5);
    expect(await stock.findOne({ _id: "oil" })).toMatchObject({ available: 0, reserved: 5 });
  });

  it("updateMany with a conditional query and $inc reports modifiedCount", async () => {
    const result = await stock.updateMany({ available: { $gte: 5 } }, { $inc: { available: -1, reserved: 1 } });
    expect(result).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    expect(await stock.findOne({ _id: "salt" })).toMatchObject({ available: 1, reserved: 0 });
  });

  it("findOneAndUpdate applies a conditional filter and returns the new document, or null", async () => {
    const hit = await stock.findOneAndUpdate(
      { _id: "potato", available: { $gte: 10 } },
      { $inc: { available: -10, reserved: 10 } },
      { returnDocument: "after" },
    );
    expect(hit.value).toMatchObject({ _id: "potato", available: 30, reserved: 10 });
    const miss = await stock.findOneAndUpdate(
      { _id: "potato", available: { $gte: 100 } },
      { $inc: { available: -100 } },
      { returnDocument: "after" },
    );
    expect(miss.value).toBeNull();
  });

  it("compares two fields of a document with $expr (stock below par)", async () => {
    const low = await stock.find({ $expr: { $lt: ["$available", "$par"] } }).toArray();
    expect(low.map((d) => d._id)).toEqual(["oil"]);
  });

  it("counts, filters with $in, and pages with sort + skip + limit", async () => {
    expect(await stock.countDocuments()).toBe(3);
    expect(await stock.countDocuments({ available: { $gte: 5 } })).toBe(2);
    const some = await stock
      .find({ _id: { $in: ["salt", "oil", "nope"] } })
      .sort({ _id: 1 })
      .toArray();
    expect(some.map((d) => d._id)).toEqual(["oil", "salt"]);
    const page = await stock.find({}).sort({ available: -1 }).skip(1).limit(1).toArray();
    expect(page.map((d) => d._id)).toEqual(["oil"]);
  });

  it("upserts by string _id", async () => {
    const result = await stock.updateOne(
      { _id: "pepper" },
      { $inc: { available: 4 }, $setOnInsert: { reserved: 0, par: 2 } },
      { upsert: true },
    );
    expect(result.upsertedCount).toBe(1);
    expect(await stock.findOne({ _id: "pepper" })).toEqual({ _id: "pepper", available: 4, reserved: 0, par: 2 });
  });

  it("returns large results across getMore batches", async () => {
    const many = collection<{ _id: string; n: number }>("many");
    await many.insertMany(Array.from({ length: 250 }, (_, n) => ({ _id: `k${String(n).padStart(3, "0")}`, n })));
    expect(await many.find({}).batchSize(40).toArray()).toHaveLength(250);
    expect((await many.deleteMany({ n: { $lt: 100 } })).deletedCount).toBe(100);
  });
});
