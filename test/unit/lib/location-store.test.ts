import { LocationStores } from "../../../lib/location-store";
import { memoryAdapter } from "../../support/memory-store";

interface Thing {
  _id: string;
  name: string;
  qty: number;
  location?: string;
}

async function stores(options: { localIds?: boolean } = {}) {
  const adapter = await memoryAdapter();
  return { adapter, things: new LocationStores<Thing>(adapter, options) };
}

describe("a store bound to a location", () => {
  it("stamps what it inserts and sees only its own location's documents", async () => {
    const { things } = await stores();
    await things.at("main").insert({ _id: "m1", name: "soup", qty: 1 });
    await things.at("east").insert({ _id: "e1", name: "soup", qty: 2 });
    expect(await things.at("main").find({ name: "soup" })).toEqual([
      { _id: "m1", name: "soup", qty: 1, location: "main" },
    ]);
    expect(await things.at("east").count({})).toBe(1);
    expect(await things.at("east").get("m1")).toBeNull();
    expect(await things.at("east").getMany(["m1", "e1"])).toHaveLength(1);
  });

  it("changes and removes only its own location's documents", async () => {
    const { things } = await stores();
    await things.at("main").insert({ _id: "m1", name: "soup", qty: 1 });
    await things.at("east").insert({ _id: "e1", name: "soup", qty: 2 });
    expect(await things.at("east").update({ name: "soup" }, { $inc: { qty: 10 } })).toBe(1);
    expect(await things.at("east").updateIf("m1", {}, { $set: { qty: 99 } })).toBeNull();
    expect(await things.at("east").remove({ _id: "m1" })).toBe(0);
    expect((await things.at("main").get("m1"))?.qty).toBe(1);
    expect((await things.at("east").get("e1"))?.qty).toBe(12);
    // A query naming another location still answers its own location's documents only.
    expect((await things.at("east").find({ location: "main" })).map((t) => t._id)).toEqual(["e1"]);
  });

  it("lets two locations hold the same natural id, each seeing it without a prefix", async () => {
    const { things, adapter } = await stores({ localIds: true });
    expect(await things.at("main").insertOnce({ _id: "rice", name: "Rice", qty: 1 })).toBe(true);
    expect(await things.at("east").insertOnce({ _id: "rice", name: "Rice", qty: 5 })).toBe(true);
    expect(await things.at("east").insertOnce({ _id: "rice", name: "Rice again", qty: 6 })).toBe(false);
    expect(await things.at("east").get("rice")).toEqual({ _id: "rice", name: "Rice", qty: 5, location: "east" });
    expect((await things.at("main").get("rice"))?.qty).toBe(1);
    expect((await things.at("east").find({ _id: { $in: ["rice", "beans"] } })).map((t) => t._id)).toEqual(["rice"]);
    expect(await things.at("east").updateIf("rice", { qty: 5 }, { $set: { qty: 4 } })).toMatchObject({
      _id: "rice",
      qty: 4,
    });
    // Stored as they always were in main, with the location in front elsewhere.
    const stored = (await adapter.find({ query: {}, sort: ["_id"] })) as Thing[];
    expect(stored.map((t) => t._id)).toEqual(["east:rice", "rice"]);
  });

  it("reads across every location for the work no request drives, and moves old documents into main once", async () => {
    const { things, adapter } = await stores();
    await adapter.insert({ _id: "old", name: "from before locations", qty: 3 });
    await things.at("east").insert({ _id: "e1", name: "soup", qty: 2 });
    expect(await things.at("main").get("old")).toBeNull();
    expect(await things.adoptUnlocated()).toBe(1);
    expect(await things.adoptUnlocated()).toBe(0);
    expect(await things.at("main").get("old")).toMatchObject({ _id: "old", location: "main" });
    expect((await things.acrossLocations.find({}, { sort: ["_id"] })).map((t) => [t._id, t.location])).toEqual([
      ["e1", "east"],
      ["old", "main"],
    ]);
  });
});
