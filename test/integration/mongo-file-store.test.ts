/**
 * The cluster recipe in docs/cluster.md, on the emulator's file store (`--storage-dir`): the
 * demo menu, the stock and the admin are written with string _ids and must read back as such,
 * before and after both the emulator and Brigade restart. (With MONGO_URI set, startMongo gives
 * that server and no file store: the test then checks the same across a restart of Brigade.) This proves the emulator's file store
 * as Brigade's tests patch it (scripts/congodb/fetch.sh), not MongoDB itself.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBrigade } from "../support/brigade";
import { startMongo } from "../support/mongo";

const SERVICES = ["api", "staff", "menu", "inventory"] as const;

describe("Brigade on the MongoDB emulator's file store (MongoDB adapter contract, against a wire-compatible emulator)", () => {
  const dir = mkdtempSync(join(tmpdir(), "brigade-congodb-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** One start of the emulator on `dir` and of Brigade on it; what a client then sees. */
  async function startOnce() {
    const mongo = await startMongo({ storageDir: dir, database: "brigade" });
    const brigade = await startBrigade({
      services: [...SERVICES],
      env: { MONGO_URI: mongo.uri, BRIGADE_SEED: "true" },
    });
    try {
      const dishes = await brigade.request("GET", "/api/dishes?pageSize=100");
      const ingredients = await brigade.request("GET", "/api/ingredients?pageSize=100", { token: brigade.adminToken });
      const burger = await brigade.request("GET", "/api/dishes/classic-cheeseburger");
      const admin = await brigade.request("GET", "/api/auth/me", { token: brigade.adminToken });
      return {
        dishes: dishes.body.total,
        ingredients: ingredients.body.total,
        burger: burger.status,
        admin: admin.body,
      };
    } finally {
      await brigade.stop();
      await mongo.stop();
    }
  }

  it("seeds the demo restaurant and the admin, and finds them again after a restart", async () => {
    const first = await startOnce();
    expect(first.dishes).toBeGreaterThan(10);
    expect(first.ingredients).toBeGreaterThan(10);
    expect(first.burger).toBe(200);
    expect(first.admin).toMatchObject({ id: "admin", role: "owner" });

    // the same admin (not one created again because the staff read back empty), the same menu
    const second = await startOnce();
    expect(second).toEqual(first);
  }, 120_000);
});
