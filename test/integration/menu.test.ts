import type { DishView, ResolvedDish } from "../../lib/contracts";
import { startBrigade, type Brigade } from "../support/brigade";

describe("menu over HTTP", () => {
  let b: Brigade;
  let waiter: string;
  let purchaser: string;

  beforeAll(async () => {
    b = await startBrigade({ services: ["api", "staff", "menu", "inventory"] });
    [waiter, purchaser] = await Promise.all([b.tokenFor("waiter"), b.tokenFor("purchaser")]);
    for (const body of [
      { name: "Beef mince", unit: "g", onHand: 10_000 },
      { name: "Brioche burger buns", unit: "pcs", onHand: 40 },
      { name: "Cheddar", unit: "g", onHand: 2_000 },
      { name: "Potatoes", unit: "g", onHand: 20_000 },
    ]) {
      expect((await b.request("POST", "/api/ingredients", { token: purchaser, body })).status).toBe(201);
    }
  });
  afterAll(() => b.stop());

  const burger = {
    name: "Classic Cheeseburger",
    category: "mains",
    priceCents: 1450,
    station: "grill",
    prepSeconds: 600,
    recipe: [
      { ingredient: "beef-mince", qty: 180 },
      { ingredient: "brioche-burger-buns", qty: 1 },
      { ingredient: "cheddar", qty: 30 },
    ],
  };
  /** What a dish without modifiers, course or tax rate answers besides what was sent. */
  const DERIVED = { modifierGroups: [], course: 2, taxRate: null, soldOut: false, allergens: [] };
  const createDish = (body: object, token = b.adminToken) => b.request("POST", "/api/dishes", { token, body });
  const dish = async (id: string) => (await b.request<DishView>("GET", `/api/dishes/${id}`)).body;

  it("adds, shows, changes and removes a dish; anyone may read the menu", async () => {
    const created = await createDish(burger);
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe("/api/dishes/classic-cheeseburger");
    expect(created.body).toEqual({ id: "classic-cheeseburger", ...burger, ...DERIVED, available: true });

    const list = await b.request("GET", "/api/dishes");
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 1, page: 1, totalPages: 1 });
    expect(list.body.rows[0]).toMatchObject({ id: "classic-cheeseburger", available: true });

    const changed = await b.request("PATCH", "/api/dishes/classic-cheeseburger", {
      token: b.adminToken,
      body: { priceCents: 1550, name: "Cheeseburger" },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ id: "classic-cheeseburger", name: "Cheeseburger", priceCents: 1550 });
    expect(await dish("classic-cheeseburger")).toMatchObject({ name: "Cheeseburger", priceCents: 1550 });

    const fries = await createDish({
      ...burger,
      name: "Fries",
      category: "sides",
      station: "fryer",
      recipe: [{ ingredient: "potatoes", qty: 300 }],
    });
    expect(fries.status).toBe(201);
    const grillOnly = await b.request("GET", "/api/dishes?station=grill");
    expect(grillOnly.body.rows.map((d: DishView) => d.id)).toEqual(["classic-cheeseburger"]);

    const removed = await b.request("DELETE", "/api/dishes/fries", { token: b.adminToken });
    expect(removed.status).toBe(200);
    expect((await b.request("GET", "/api/dishes/fries")).status).toBe(404);
    expect((await b.request("DELETE", "/api/dishes/fries", { token: b.adminToken })).status).toBe(404);
  });

  it("refuses a dish whose name is taken (409), also by renaming", async () => {
    await createDish({ ...burger, name: "Double Burger" });
    const again = await createDish({ ...burger, name: "double  burger!" });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ type: "DISH_EXISTS", data: { id: "double-burger" } });
    const rename = await b.request("PATCH", "/api/dishes/double-burger", {
      token: b.adminToken,
      body: { name: "Classic cheeseburger" },
    });
    expect(rename.status).toBe(422);
    expect(rename.body.data[0]).toMatchObject({ field: "name", type: "nameTaken" });
  });

  it("answers an invalid dish with 422 naming every field", async () => {
    const res = await createDish({
      name: "Bad dish",
      category: "mains",
      priceCents: 12.5,
      station: "wok",
      prepSeconds: 9000,
      recipe: [{ ingredient: "beef-mince", qty: 0 }],
    });
    expect(res.status).toBe(422);
    const fields = res.body.data.map((p: { field: string }) => p.field);
    expect(fields).toEqual(expect.arrayContaining(["priceCents", "station", "prepSeconds", "recipe[0].qty"]));
    // The station's message shows the value sent, then what is allowed.
    const station = res.body.data.find((p: { field: string }) => p.field === "station");
    expect(station.message).toMatch(/^The 'station' field value "wok" is not one of the allowed values: grill, /);

    const negative = await createDish({ ...burger, name: "Free burger", priceCents: -1 });
    expect(negative.status).toBe(422);
    expect(negative.body.data[0].field).toBe("priceCents");
    const empty = await createDish({ ...burger, name: "Air", recipe: [] });
    expect(empty.body.data[0].field).toBe("recipe");
    const extra = await createDish({ ...burger, name: "Extra", secret: true });
    expect(extra.status).toBe(422);

    const unknown = await createDish({
      ...burger,
      name: "Unicorn burger",
      recipe: [
        { ingredient: "beef-mince", qty: 100 },
        { ingredient: "unicorn", qty: 1 },
        { ingredient: "beef-mince", qty: 1 },
      ],
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.data.map((p: { field: string; type: string }) => [p.field, p.type])).toEqual([
      ["recipe[1].ingredient", "unknownIngredient"],
      ["recipe[2].ingredient", "duplicateIngredient"],
    ]);
    expect((await b.request("GET", "/api/dishes/unicorn-burger")).status).toBe(404);
    const badPatch = await b.request("PATCH", "/api/dishes/classic-cheeseburger", {
      token: b.adminToken,
      body: { recipe: [{ ingredient: "unicorn", qty: 1 }] },
    });
    expect(badPatch.status).toBe(422);
    expect(badPatch.body.data[0].field).toBe("recipe[0].ingredient");
  });

  it("lets only managers change the menu", async () => {
    expect((await createDish({ ...burger, name: "Sneaky" }, "")).status).toBe(401);
    const res = await createDish({ ...burger, name: "Sneaky" }, waiter);
    expect(res.status).toBe(403);
    expect(res.body.type).toBe("FORBIDDEN");
    expect(
      (await b.request("PATCH", "/api/dishes/classic-cheeseburger", { token: purchaser, body: { priceCents: 1 } }))
        .status,
    ).toBe(403);
    expect((await b.request("DELETE", "/api/dishes/classic-cheeseburger", { token: waiter })).status).toBe(403);
    // A bad token on the public menu is ignored, not refused.
    expect((await b.request("GET", "/api/dishes", { token: "a.b.c" })).status).toBe(200);
  });

  it("marks a dish unavailable when an ingredient runs out, and the cached menu follows the stock", async () => {
    await b.request("POST", "/api/ingredients", {
      token: purchaser,
      body: { name: "Lobster", unit: "pcs", onHand: 2 },
    });
    await createDish({
      ...burger,
      name: "Lobster roll",
      recipe: [
        { ingredient: "lobster", qty: 1 },
        { ingredient: "brioche-burger-buns", qty: 1 },
      ],
    });
    const menu = b.broker.getLocalService("menu") as unknown as {
      store: { at(location: string): { find: (...a: unknown[]) => unknown } };
      levels: (...a: unknown[]) => unknown;
    };
    const finds = jest.spyOn(menu.store.at("main"), "find");
    const levels = jest.spyOn(menu, "levels");
    try {
      const lobster = async () =>
        (await b.request("GET", "/api/dishes?pageSize=100")).body.rows.find((d: DishView) => d.id === "lobster-roll");
      expect((await lobster()).available).toBe(true);
      // One stock lookup for the whole list, however many dishes it shows.
      expect(levels).toHaveBeenCalledTimes(1);
      expect((await lobster()).available).toBe(true);
      expect(finds).toHaveBeenCalledTimes(1); // the second answer came from the cache

      await b.broker.call("inventory.reserve", {
        reservation: "ord-lobster-1",
        lines: [{ ingredient: "lobster", qty: 2 }],
      });
      expect((await lobster()).available).toBe(false);
      expect((await dish("lobster-roll")).available).toBe(false);
      expect(finds).toHaveBeenCalledTimes(2);

      await b.broker.call("inventory.release", { reservation: "ord-lobster-1" });
      expect((await lobster()).available).toBe(true);
      expect((await dish("lobster-roll")).available).toBe(true);
    } finally {
      finds.mockRestore();
      levels.mockRestore();
    }
  });

  it("keeps resolving dishes from the cache while the stock moves, and cleans it when a dish changes", async () => {
    const menu = b.broker.getLocalService("menu") as unknown as {
      store: { at(location: string): { getMany: (...a: unknown[]) => unknown } };
    };
    const reads = jest.spyOn(menu.store.at("main"), "getMany");
    try {
      const price = async () =>
        (await b.broker.call<ResolvedDish[], object>("menu.resolve", { dishes: ["classic-cheeseburger"] }))[0]
          .priceCents;
      const before = await price();
      await price();
      // What an order looks up (names, prices, recipes) does not follow the stock: a rush's
      // reservations leave it cached, while the list above follows every movement.
      await b.broker.call("inventory.reserve", {
        reservation: "ord-resolve-1",
        lines: [{ ingredient: "cheddar", qty: 30 }],
      });
      await b.broker.call("inventory.release", { reservation: "ord-resolve-1" });
      expect(await price()).toBe(before);
      expect(reads).toHaveBeenCalledTimes(1);

      expect(
        (
          await b.request("PATCH", "/api/dishes/classic-cheeseburger", {
            token: b.adminToken,
            body: { priceCents: before + 50 },
          })
        ).status,
      ).toBe(200);
      expect(await price()).toBe(before + 50);
      expect(reads).toHaveBeenCalledTimes(2);
      await b.request("PATCH", "/api/dishes/classic-cheeseburger", {
        token: b.adminToken,
        body: { priceCents: before },
      });
    } finally {
      reads.mockRestore();
    }
  });

  it("refuses a param it does not know, also once the plain menu is cached", async () => {
    expect((await b.request("GET", "/api/dishes")).status).toBe(200);
    expect((await b.request("GET", "/api/dishes")).status).toBe(200);
    const res = await b.request("GET", "/api/dishes?colour=red");
    expect(res.status).toBe(422);
    expect(res.body.type).toBe("VALIDATION_ERROR");
    expect((await b.request("GET", "/api/dishes?page=abc")).status).toBe(422);
  });

  it("resolves the dishes an order names, in the order asked, and names unknown ones", async () => {
    const resolved = await b.broker.call<ResolvedDish[], object>("menu.resolve", {
      dishes: ["lobster-roll", "classic-cheeseburger", "lobster-roll"],
    });
    expect(resolved.map((d) => d.id)).toEqual(["lobster-roll", "classic-cheeseburger", "lobster-roll"]);
    expect(resolved[1]).toEqual({
      id: "classic-cheeseburger",
      name: "Cheeseburger",
      category: "mains",
      priceCents: 1550,
      station: "grill",
      prepSeconds: 600,
      recipe: burger.recipe,
      ...DERIVED,
    });
    await expect(b.broker.call("menu.resolve", { dishes: ["lobster-roll", "ghost-dish"] })).rejects.toMatchObject({
      code: 422,
      data: [expect.objectContaining({ field: "dishes[1]", type: "unknownDish" })],
    });
  });
});
