/**
 * The menu's modifiers, allergens and 86 through HTTP, and what orders make of them: prices with
 * their modifiers, option recipes reserved like the dish's, the allergy gate and the alert on the
 * kitchen's tickets. Every refusal is a clear 4xx, and changes nothing.
 */
import type { DishView, IngredientView, TicketView } from "../../lib/contracts";
import { startBrigade, type Brigade } from "../support/brigade";
import { createIngredients, eventually, ingredient, ticketsOf, KITCHEN_SERVICES, fastKitchen } from "../support/meal";
import { named, openStream } from "../support/live-stream";

const STEAK = {
  name: "Ribeye Steak",
  category: "mains",
  priceCents: 2850,
  station: "grill",
  // Stays cooking for the whole suite: its ingredients stay reserved until it is cancelled.
  prepSeconds: 7200,
  recipe: [
    { ingredient: "ribeye", qty: 1 },
    { ingredient: "butter", qty: 20 },
  ],
  modifierGroups: [
    {
      id: "doneness",
      name: "Doneness",
      min: 1,
      max: 1,
      options: [
        { id: "rare", name: "Rare", priceCents: 0 },
        { id: "medium", name: "Medium", priceCents: 0 },
        { id: "well-done", name: "Well done", priceCents: 0 },
      ],
    },
    {
      id: "extras",
      name: "Extras",
      min: 0,
      max: 2,
      options: [
        { id: "extra-cheese", name: "Extra cheese", priceCents: 150, recipe: [{ ingredient: "cheddar", qty: 30 }] },
        {
          id: "hazelnut-crust",
          name: "Hazelnut crust",
          priceCents: 200,
          recipe: [{ ingredient: "hazelnuts", qty: 15 }],
        },
        { id: "fried-egg", name: "Fried egg", priceCents: 150, recipe: [{ ingredient: "eggs", qty: 1 }] },
      ],
    },
  ],
};
const LEMONADE = {
  name: "Lemonade",
  category: "drinks",
  priceCents: 450,
  station: "bar",
  prepSeconds: 7200,
  recipe: [{ ingredient: "lemons", qty: 2 }],
};

describe("modifiers, allergens and sold out, over HTTP", () => {
  let b: Brigade;
  let waiter: string;
  let chef: string;
  let purchaser: string;

  const dish = async (id: string) => (await b.request<DishView>("GET", `/api/dishes/${id}`)).body;
  const patchDish = (id: string, body: object, token = b.adminToken) =>
    b.request("PATCH", `/api/dishes/${id}`, { token, body });
  const place = (body: object) => b.request("POST", "/api/orders", { token: waiter, body });

  beforeAll(async () => {
    b = await startBrigade({ services: [...KITCHEN_SERVICES], env: fastKitchen(4, { KITCHEN_TIME_SCALE: "1" }) });
    [waiter, chef, purchaser] = await Promise.all([b.tokenFor("waiter"), b.tokenFor("chef"), b.tokenFor("purchaser")]);
    await createIngredients(b, [
      { name: "Ribeye", unit: "pcs", onHand: 50 },
      { name: "Butter", unit: "g", onHand: 5_000 },
      { name: "Cheddar", unit: "g", onHand: 3_000 },
      { name: "Hazelnuts", unit: "g", onHand: 1_000 },
      { name: "Eggs", unit: "pcs", onHand: 100 },
      { name: "Lemons", unit: "pcs", onHand: 100 },
    ]);
    for (const [id, allergens] of [
      ["butter", ["milk"]],
      ["cheddar", ["milk"]],
      ["hazelnuts", ["nuts"]],
      ["eggs", ["eggs"]],
    ] as const) {
      const res = await b.request("PATCH", `/api/ingredients/${id}`, { token: purchaser, body: { allergens } });
      expect(res.status).toBe(200);
    }
    for (const body of [STEAK, LEMONADE])
      expect((await b.request("POST", "/api/dishes", { token: b.adminToken, body })).status).toBe(201);
  });
  afterAll(() => b.stop());

  describe("ingredients' allergens", () => {
    it("takes a subset of the 14, in the regulation's order, and refuses anything else with 422", async () => {
      const created = await b.request<IngredientView>("POST", "/api/ingredients", {
        token: purchaser,
        body: { name: "Sesame bun", unit: "pcs", onHand: 10, allergens: ["sesame", "gluten"] },
      });
      expect(created.status).toBe(201);
      expect(created.body.allergens).toEqual(["gluten", "sesame"]);

      for (const allergens of [["shellfish"], ["milk", "milk"], "milk", [1]]) {
        const res = await b.request("PATCH", "/api/ingredients/sesame-bun", { token: purchaser, body: { allergens } });
        expect({ allergens, status: res.status, type: res.body.type }).toEqual({
          allergens,
          status: 422,
          type: "VALIDATION_ERROR",
        });
      }
      expect((await ingredient(b, "sesame-bun")).allergens).toEqual(["gluten", "sesame"]);
      // An ingredient from before allergens, or with none, answers [].
      expect((await ingredient(b, "ribeye")).allergens).toEqual([]);
    });
  });

  describe("dishes", () => {
    it("derive their allergens from the recipe, each option's from its own, with the course of the category", async () => {
      const steak = await dish("ribeye-steak");
      expect(steak).toMatchObject({ allergens: ["milk"], course: 2, taxRate: null, soldOut: false, available: true });
      const extras = steak.modifierGroups[1].options;
      expect(extras.map((o) => [o.id, o.allergens])).toEqual([
        ["extra-cheese", ["milk"]],
        ["hazelnut-crust", ["nuts"]],
        ["fried-egg", ["eggs"]],
      ]);
      expect((await dish("lemonade")).course).toBe(0);
    });

    it("follow an ingredient's allergens when they change, even through the cached menu", async () => {
      expect((await dish("lemonade")).allergens).toEqual([]);
      const stream = await openStream(
        b.url,
        (await b.request("POST", "/api/live/tickets", { token: waiter })).body.ticket,
      );
      try {
        const changed = await b.request("PATCH", "/api/ingredients/lemons", {
          token: purchaser,
          body: { allergens: ["sulphites"] },
        });
        expect(changed.status).toBe(200);
        expect((await dish("lemonade")).allergens).toEqual(["sulphites"]);
        const list = await b.request<{ rows: DishView[] }>("GET", "/api/dishes?category=drinks");
        expect(list.body.rows[0].allergens).toEqual(["sulphites"]);
        await stream.waitFor("the allergen change", named("ingredient.allergensChanged"));
      } finally {
        stream.close();
        await b.request("PATCH", "/api/ingredients/lemons", { token: purchaser, body: { allergens: [] } });
      }
      expect((await dish("lemonade")).allergens).toEqual([]);
    });

    it("refuses allergens typed on a dish: they come from the recipe", async () => {
      const res = await patchDish("lemonade", { allergens: ["milk"] });
      expect(res.status).toBe(422);
      expect(res.body.data).toEqual([
        expect.objectContaining({ type: "objectStrict", message: expect.stringContaining("'allergens'") }),
      ]);
      const created = await b.request("POST", "/api/dishes", {
        token: b.adminToken,
        body: { ...LEMONADE, name: "Milk shake", allergens: ["milk"] },
      });
      expect(created.status).toBe(422);
      expect((await b.request("GET", "/api/dishes/milk-shake")).status).toBe(404);
    });

    it("refuses modifier groups that do not hold together, naming the field, and changes nothing", async () => {
      const [doneness, extras] = STEAK.modifierGroups;
      const cases: [object[], string, string][] = [
        [[{ ...doneness, min: 2 }], "modifierGroups[0].min", "minAboveMax"],
        [[{ ...extras, max: 4 }], "modifierGroups[0].max", "maxAboveOptions"],
        [[doneness, { ...extras, id: "doneness" }], "modifierGroups[1].id", "duplicateGroup"],
        [
          [doneness, { ...extras, options: [doneness.options[0]], max: 1 }],
          "modifierGroups[1].options[0].id",
          "duplicateOption",
        ],
        [
          [
            {
              ...extras,
              options: [
                { id: "truffle", name: "Truffle", priceCents: 900, recipe: [{ ingredient: "truffle", qty: 1 }] },
              ],
              max: 1,
            },
          ],
          "modifierGroups[0].options[0].recipe[0].ingredient",
          "unknownIngredient",
        ],
      ];
      for (const [modifierGroups, field, type] of cases) {
        const res = await patchDish("ribeye-steak", { modifierGroups });
        expect({ field, status: res.status, data: res.body.data }).toEqual({
          field,
          status: 422,
          data: [expect.objectContaining({ field, type })],
        });
      }
      for (const option of [
        { id: "x", name: "X", priceCents: 1.5 },
        { id: "x", name: "X", priceCents: -1 },
        { id: "X!", name: "X", priceCents: 0 },
      ]) {
        const res = await patchDish("ribeye-steak", { modifierGroups: [{ ...extras, options: [option], max: 1 }] });
        expect(res.status).toBe(422);
      }
      expect((await dish("ribeye-steak")).modifierGroups.map((g) => g.options.length)).toEqual([3, 3]);
    });

    it("takes a course of its own, and a tax rate of its location's only", async () => {
      expect((await patchDish("lemonade", { course: 1 })).body.course).toBe(1);
      expect((await patchDish("lemonade", { course: 10 })).status).toBe(422);
      const unknown = await patchDish("lemonade", { taxRate: "reduced" });
      expect(unknown.status).toBe(422);
      expect(unknown.body.data).toEqual([expect.objectContaining({ field: "taxRate", type: "unknownTaxRate" })]);
      const rates = await b.request("PATCH", "/api/locations/main", {
        token: b.adminToken,
        body: { taxRates: [{ id: "reduced", name: "Reduced", bps: 550 }] },
      });
      expect(rates.status).toBe(200);
      await eventually(
        async () => (await patchDish("lemonade", { taxRate: "reduced" })).status === 200,
        "the tax rate",
      );
      expect(await dish("lemonade")).toMatchObject({ taxRate: "reduced", course: 1 });
      await patchDish("lemonade", { course: 0 });
    });
  });

  describe("sold out by hand (86)", () => {
    it("lets a chef take a dish off and put it back, live, whatever the stock; nothing else", async () => {
      const stream = await openStream(
        b.url,
        (await b.request("POST", "/api/live/tickets", { token: waiter })).body.ticket,
      );
      try {
        const off = await patchDish("lemonade", { soldOut: true }, chef);
        expect(off.status).toBe(200);
        expect(off.body).toMatchObject({ soldOut: true, available: false });
        const event = await stream.waitFor("the 86", named("dish.soldOut"));
        expect(event.payload).toMatchObject({ location: "main", dish: "lemonade", name: "Lemonade", soldOut: true });
        expect(await dish("lemonade")).toMatchObject({ soldOut: true, available: false });

        const refused = await place({ table: "2", lines: [{ dish: "lemonade", qty: 1 }] });
        expect(refused.status).toBe(409);
        expect(refused.body).toMatchObject({
          type: "SOLD_OUT",
          data: { dishes: [{ dish: "lemonade", name: "Lemonade" }] },
        });
        expect((await ingredient(b, "lemons")).reserved).toBe(0);

        const back = await patchDish("lemonade", { soldOut: false }, chef);
        expect(back.body).toMatchObject({ soldOut: false, available: true });
        await stream.waitFor("the 86 lifted", named("dish.backOn"));
      } finally {
        stream.close();
      }
    });

    it("refuses a chef anything but soldOut, and a waiter everything (403), changing nothing", async () => {
      const price = await patchDish("lemonade", { priceCents: 1, soldOut: true }, chef);
      expect(price.status).toBe(403);
      expect(price.body).toMatchObject({ type: "FORBIDDEN", data: { fields: ["priceCents"] } });
      expect((await patchDish("lemonade", { soldOut: true }, waiter)).status).toBe(403);
      expect((await patchDish("lemonade", { soldOut: "yes" }, chef)).status).toBe(422);
      expect(await dish("lemonade")).toMatchObject({ priceCents: 450, soldOut: false });
    });
  });

  describe("orders", () => {
    it("prices a steak rare with extra cheese for seat 1, and reserves the cheese with the steak", async () => {
      const before = await ingredient(b, "cheddar");
      const placed = await place({
        table: "5",
        lines: [
          { dish: "ribeye-steak", qty: 2, seat: 1, modifiers: ["extra-cheese", "rare"] },
          { dish: "lemonade", qty: 1, seat: 2 },
        ],
      });
      expect(placed.status).toBe(201);
      expect(placed.body.lines[0]).toMatchObject({
        dish: "ribeye-steak",
        unitPriceCents: 3000,
        seat: 1,
        course: 2,
        allergens: ["milk"],
        modifiers: [
          { group: "doneness", option: "rare", name: "Rare", priceCents: 0 },
          { group: "extras", option: "extra-cheese", name: "Extra cheese", priceCents: 150 },
        ],
      });
      expect(placed.body.lines[1]).toMatchObject({ seat: 2, course: 0, modifiers: [] });
      expect(placed.body.totalCents).toBe(2 * 3000 + 450);
      // Held for the order, or already used by the grill that started the steak: taken either way.
      await eventually(
        async () => (await ingredient(b, "cheddar")).available === before.available - 60,
        "the cheese taken",
      );

      const tickets = await eventually(async () => {
        const found = await ticketsOf(b, placed.body.id);
        return found.length === 2 && found;
      }, "the tickets");
      expect(tickets[0]).toMatchObject({
        seat: 1,
        course: 2,
        allergyAlert: [],
        modifiers: placed.body.lines[0].modifiers,
      });

      // The grill started the steak: the cheese was consumed with it, and stays used once cancelled.
      await eventually(async () => (await ingredient(b, "cheddar")).onHand === before.onHand - 60, "the cheese used");
      const cancelled = await b.request("POST", `/api/orders/${placed.body.id}/cancel`, {
        token: waiter,
        body: { reason: "Guests left." },
      });
      expect(cancelled.status).toBe(200);
      expect(await ingredient(b, "cheddar")).toMatchObject({ reserved: before.reserved, onHand: before.onHand - 60 });
    });

    it("refuses choices that break the dish's groups with 422 naming the group, reserving nothing", async () => {
      const cases: [object, string, string][] = [
        [{ dish: "ribeye-steak", qty: 1 }, "doneness", "modifierRequired"],
        [{ dish: "ribeye-steak", qty: 1, modifiers: ["rare", "medium"] }, "doneness", "tooManyModifiers"],
        [
          { dish: "ribeye-steak", qty: 1, modifiers: ["rare", "extra-cheese", "fried-egg", "hazelnut-crust"] },
          "extras",
          "tooManyModifiers",
        ],
      ];
      for (const [line, group, type] of cases) {
        const res = await place({ table: "6", lines: [line] });
        expect({ line, status: res.status, data: res.body.data }).toEqual({
          line,
          status: 422,
          data: [
            expect.objectContaining({
              field: "lines[0].modifiers",
              group,
              type,
              message: expect.stringContaining(group),
            }),
          ],
        });
      }
      const foreign = await place({ table: "6", lines: [{ dish: "lemonade", qty: 1, modifiers: ["rare"] }] });
      expect(foreign.status).toBe(422);
      expect(foreign.body.data).toEqual([
        expect.objectContaining({ field: "lines[0].modifiers[0]", type: "unknownModifier" }),
      ]);
      for (const line of [
        { dish: "lemonade", qty: 1, seat: 0 },
        { dish: "lemonade", qty: 1, course: -1 },
        { dish: "lemonade", qty: 1, modifiers: "rare" },
        { dish: "lemonade", qty: 1, modifiers: [{ $gt: "" }] },
      ])
        expect((await place({ table: "6", lines: [line] })).status).toBe(422);
      expect((await ingredient(b, "ribeye")).reserved).toBe(0);
      expect((await b.request("GET", "/api/orders?table=6", { token: waiter })).body.total).toBe(0);
    });

    it("stops an order that meets the guests' allergies (409), then alerts the kitchen once confirmed", async () => {
      const body = {
        table: "8",
        allergies: ["nuts"],
        lines: [
          { dish: "ribeye-steak", qty: 1, seat: 1, modifiers: ["medium", "hazelnut-crust"] },
          { dish: "lemonade", qty: 1, seat: 2 },
        ],
      };
      const refused = await place(body);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({
        type: "ALLERGEN_CONFLICT",
        data: {
          lines: [{ line: 0, dish: "ribeye-steak", name: "Ribeye Steak", allergens: ["nuts"] }],
          allergens: ["nuts"],
        },
      });
      expect((await ingredient(b, "hazelnuts")).reserved).toBe(0);
      expect((await b.request("GET", "/api/orders?table=8", { token: waiter })).body.total).toBe(0);

      const placed = await place({ ...body, allergyConfirmed: true });
      expect(placed.status).toBe(201);
      expect(placed.body).toMatchObject({ allergies: ["nuts"], allergyConfirmed: true });
      expect(placed.body.lines[0].allergens).toEqual(["milk", "nuts"]);
      const tickets = await eventually(async () => {
        const found = await ticketsOf(b, placed.body.id);
        return found.length === 2 && found;
      }, "the tickets");
      expect(tickets.map((t: TicketView) => [t.dish, t.allergyAlert])).toEqual([
        ["ribeye-steak", ["nuts"]],
        ["lemonade", []],
      ]);
      await b.request("POST", `/api/orders/${placed.body.id}/cancel`, { token: waiter, body: { reason: "test over" } });
    });

    it("refuses an allergy that is not one of the 14, and places one that meets nothing without asking", async () => {
      for (const allergies of [["shellfish"], ["nuts", "nuts"], "nuts"]) {
        const res = await place({ table: "9", allergies, lines: [{ dish: "lemonade", qty: 1 }] });
        expect({ allergies, status: res.status }).toEqual({ allergies, status: 422 });
      }
      const fine = await place({ table: "9", allergies: ["fish"], lines: [{ dish: "lemonade", qty: 1 }] });
      expect(fine.status).toBe(201);
      expect(fine.body).toMatchObject({ allergies: ["fish"], allergyConfirmed: false });
      await b.request("POST", `/api/orders/${fine.body.id}/cancel`, { token: waiter, body: { reason: "test over" } });
    });
  });
});
