import type { ServiceBroker } from "moleculer";
import type { IngredientView, StockLow } from "../../lib/contracts";
import { startBrigade, type Brigade } from "../support/brigade";

describe("inventory over HTTP", () => {
  let b: Brigade;
  let purchaser: string;
  let chef: string;
  let waiter: string;
  const lowEvents: StockLow[] = [];

  beforeAll(async () => {
    b = await startBrigade({ services: ["api", "staff", "menu", "inventory"] });
    [purchaser, chef, waiter] = await Promise.all([b.tokenFor("purchaser"), b.tokenFor("chef"), b.tokenFor("waiter")]);
    b.broker.createService({
      name: "stock-watch",
      events: {
        "stock.low"(ctx: { params: StockLow }) {
          lowEvents.push(ctx.params);
        },
      },
    });
    await b.broker.waitForServices(["stock-watch"]);
  });
  afterAll(() => b.stop());

  const createIngredient = (body: Record<string, unknown>, token = purchaser) =>
    b.request("POST", "/api/ingredients", { token, body });
  const ingredient = async (id: string) =>
    (await b.request<IngredientView>("GET", `/api/ingredients/${id}`, { token: purchaser })).body;
  const call = (broker: ServiceBroker, action: string, params: object) => broker.call(action, params);

  it("creates, reads, lists and edits an ingredient, with its id from its name", async () => {
    const created = await createIngredient({
      name: "Smoked paprika",
      unit: "g",
      onHand: 500,
      reorderPoint: 100,
      reorderQty: 500,
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe("/api/ingredients/smoked-paprika");
    expect(created.body).toEqual({
      id: "smoked-paprika",
      name: "Smoked paprika",
      unit: "g",
      onHand: 500,
      reserved: 0,
      available: 500,
      reorderPoint: 100,
      reorderQty: 500,
      allergens: [],
      low: false,
    });

    expect((await b.request("GET", "/api/ingredients/smoked-paprika", { token: chef })).body).toMatchObject({
      id: "smoked-paprika",
      available: 500,
    });
    const list = await b.request("GET", "/api/ingredients?page=1&pageSize=100", { token: chef });
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ page: 1, pageSize: 100 });
    expect(list.body.rows.map((r: IngredientView) => r.id)).toContain("smoked-paprika");

    const edited = await b.request("PATCH", "/api/ingredients/smoked-paprika", {
      token: purchaser,
      body: { name: "Smoked paprika (sweet)", reorderQty: 750, onHand: 480 },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      id: "smoked-paprika",
      name: "Smoked paprika (sweet)",
      reorderQty: 750,
      onHand: 480,
      available: 480,
    });
    expect((await ingredient("smoked-paprika")).name).toBe("Smoked paprika (sweet)");
  });

  it("refuses a second ingredient with the same name (409) and an unknown one (404)", async () => {
    await createIngredient({ name: "Saffron", unit: "g", onHand: 10 });
    const again = await createIngredient({ name: "SAFFRON", unit: "g" });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ type: "INGREDIENT_EXISTS", data: { id: "saffron" } });
    expect((await b.request("GET", "/api/ingredients/no-such-thing", { token: chef })).status).toBe(404);
    expect(
      (await b.request("PATCH", "/api/ingredients/no-such-thing", { token: purchaser, body: { reorderQty: 1 } }))
        .status,
    ).toBe(404);
  });

  it("answers invalid ingredients with 422 naming the fields", async () => {
    const res = await createIngredient({ name: "", unit: "kg", onHand: -5, reorderPoint: 1.5, colour: "red" });
    expect(res.status).toBe(422);
    expect(res.body.type).toBe("VALIDATION_ERROR");
    const fields = res.body.data.map((p: { field: string }) => p.field);
    expect(fields).toEqual(expect.arrayContaining(["name", "unit", "onHand", "reorderPoint"]));
    expect(res.body.data.length).toBeGreaterThanOrEqual(5);

    const symbols = await createIngredient({ name: "!!!", unit: "g" });
    expect(symbols.status).toBe(422);
    expect(symbols.body.data[0].field).toBe("name");

    const query = await b.request("GET", "/api/ingredients?pageSize=1000", { token: chef });
    expect(query.status).toBe(422);
    expect(query.body.data[0].field).toBe("pageSize");
  });

  it("lets purchasers and managers change stock, chefs only read, and nobody else in", async () => {
    expect((await b.request("GET", "/api/ingredients")).status).toBe(401);
    expect((await b.request("GET", "/api/ingredients", { token: waiter })).status).toBe(403);
    expect((await b.request("GET", "/api/ingredients", { token: chef })).status).toBe(200);
    const chefCreates = await createIngredient({ name: "Chef special salt", unit: "g" }, chef);
    expect(chefCreates.status).toBe(403);
    expect(chefCreates.body).toMatchObject({ type: "FORBIDDEN", data: { allowed: ["purchaser", "manager", "owner"] } });
    expect((await b.request("GET", "/api/purchase-orders", { token: chef })).status).toBe(403);
    expect((await b.request("POST", "/api/purchase-orders", { body: { lines: [] } })).status).toBe(401);
    expect((await createIngredient({ name: "Managers salt", unit: "g" }, b.adminToken)).status).toBe(201);
  });

  it("adds a purchase order's stock once: a second receive is a 409, also when receives race", async () => {
    await createIngredient({ name: "Basmati rice", unit: "g", onHand: 1000, reorderPoint: 0 });
    const unknown = await b.request("POST", "/api/purchase-orders", {
      token: purchaser,
      body: {
        lines: [
          { ingredient: "basmati-rice", qty: 10 },
          { ingredient: "moon-rock", qty: 1 },
        ],
      },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.data.map((p: { field: string }) => p.field)).toEqual(["lines[1].ingredient"]);
    const badQty = await b.request("POST", "/api/purchase-orders", {
      token: purchaser,
      body: { lines: [{ ingredient: "basmati-rice", qty: 0 }] },
    });
    expect(badQty.status).toBe(422);
    expect(badQty.body.data[0].field).toBe("lines[0].qty");

    const po = await b.request("POST", "/api/purchase-orders", {
      token: purchaser,
      body: { lines: [{ ingredient: "basmati-rice", qty: 5000 }] },
    });
    expect(po.status).toBe(201);
    expect(po.body).toMatchObject({ status: "open", lines: [{ ingredient: "basmati-rice", qty: 5000 }] });

    const received = await b.request("POST", `/api/purchase-orders/${po.body.id}/receive`, { token: purchaser });
    expect(received.status).toBe(200);
    expect(received.body).toMatchObject({ id: po.body.id, status: "received" });
    expect(received.body.receivedAt).toEqual(expect.any(String));
    const twice = await b.request("POST", `/api/purchase-orders/${po.body.id}/receive`, { token: purchaser });
    expect(twice.status).toBe(409);
    expect(twice.body.type).toBe("ALREADY_RECEIVED");
    expect(await ingredient("basmati-rice")).toMatchObject({ onHand: 6000, available: 6000 });

    const racing = await b.request("POST", "/api/purchase-orders", {
      token: purchaser,
      body: { lines: [{ ingredient: "basmati-rice", qty: 1000 }] },
    });
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        b.request("POST", `/api/purchase-orders/${racing.body.id}/receive`, { token: purchaser }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    expect(await ingredient("basmati-rice")).toMatchObject({ onHand: 7000, available: 7000 });

    const open = await b.request("GET", "/api/purchase-orders?status=received", { token: purchaser });
    expect(open.body.rows.map((r: { id: string }) => r.id)).toEqual(
      expect.arrayContaining([po.body.id, racing.body.id]),
    );
    expect((await b.request("POST", "/api/purchase-orders/po_nothing/receive", { token: purchaser })).status).toBe(404);
  });

  it("lets exactly 50 of 200 concurrent reservations through against stock for 50", async () => {
    await createIngredient({ name: "Truffle shavings", unit: "g", onHand: 50, reorderPoint: 0 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        call(b.broker, "inventory.reserve", {
          reservation: `truffle-${i}`,
          lines: [{ ingredient: "truffle-shavings", qty: 1 }],
        }),
      ),
    );
    const held = outcomes.filter((o) => o.status === "fulfilled");
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(held).toHaveLength(50);
    expect(refused).toHaveLength(150);
    expect(
      refused.every((o) => o.reason.type === "OUT_OF_STOCK" && o.reason.data.ingredients[0] === "truffle-shavings"),
    ).toBe(true);
    const after = await ingredient("truffle-shavings");
    expect(after).toMatchObject({ onHand: 50, reserved: 50, available: 0 });
    expect(after.available + after.reserved).toBe(after.onHand);
  });

  it("reserves all or nothing, and releases and consumes idempotently", async () => {
    await createIngredient({ name: "Duck breast", unit: "pcs", onHand: 10 });
    await createIngredient({ name: "Orange", unit: "pcs", onHand: 1 });
    await expect(
      call(b.broker, "inventory.reserve", {
        reservation: "ord-duck-0",
        lines: [
          { ingredient: "duck-breast", qty: 2 },
          { ingredient: "orange", qty: 2 },
        ],
      }),
    ).rejects.toMatchObject({ type: "OUT_OF_STOCK", data: { ingredients: ["orange"] } });
    expect(await ingredient("duck-breast")).toMatchObject({ reserved: 0, available: 10 });

    const lines = [
      { ingredient: "duck-breast", qty: 2 },
      { ingredient: "orange", qty: 1 },
    ];
    await expect(call(b.broker, "inventory.reserve", { reservation: "ord-duck-1", lines })).resolves.toEqual({
      reservation: "ord-duck-1",
      status: "held",
    });
    await expect(call(b.broker, "inventory.reserve", { reservation: "ord-duck-1", lines })).resolves.toEqual({
      reservation: "ord-duck-1",
      status: "held",
    });
    expect(await ingredient("duck-breast")).toMatchObject({ onHand: 10, reserved: 2, available: 8 });

    const consume = { reservation: "ord-duck-1", key: "tkt-duck-1", lines: [{ ingredient: "duck-breast", qty: 1 }] };
    await Promise.all([call(b.broker, "inventory.consume", consume), call(b.broker, "inventory.consume", consume)]);
    expect(await ingredient("duck-breast")).toMatchObject({ onHand: 9, reserved: 1, available: 8 });

    await Promise.all([
      call(b.broker, "inventory.release", { reservation: "ord-duck-1" }),
      call(b.broker, "inventory.release", { reservation: "ord-duck-1" }),
    ]);
    expect(await ingredient("duck-breast")).toMatchObject({ onHand: 9, reserved: 0, available: 9 });
    expect(await ingredient("orange")).toMatchObject({ onHand: 1, reserved: 0, available: 1 });
    await expect(call(b.broker, "inventory.consume", { ...consume, key: "tkt-duck-2" })).rejects.toMatchObject({
      code: 409,
      type: "RESERVATION_RELEASED",
    });
    await expect(call(b.broker, "inventory.consume", { ...consume, reservation: "ord-never" })).rejects.toMatchObject({
      code: 404,
    });
    await expect(
      call(b.broker, "inventory.reserve", { reservation: "ord-bad", lines: [{ ingredient: "duck-breast", qty: -1 }] }),
    ).rejects.toMatchObject({ code: 422 });
  });

  it("will not count stock below what orders hold", async () => {
    await createIngredient({ name: "Scallops", unit: "pcs", onHand: 12 });
    await call(b.broker, "inventory.reserve", {
      reservation: "ord-scallops",
      lines: [{ ingredient: "scallops", qty: 8 }],
    });
    const below = await b.request("PATCH", "/api/ingredients/scallops", { token: purchaser, body: { onHand: 7 } });
    expect(below.status).toBe(409);
    expect(below.body).toMatchObject({ type: "BELOW_RESERVED", data: { reserved: 8 } });
    const counted = await b.request("PATCH", "/api/ingredients/scallops", { token: purchaser, body: { onHand: 9 } });
    expect(counted.body).toMatchObject({ onHand: 9, reserved: 8, available: 1 });
  });

  it("sends stock.low once when stock dips below the reorder point, and again only after it recovered", async () => {
    await createIngredient({ name: "Oysters", unit: "pcs", onHand: 24, reorderPoint: 10, reorderQty: 48 });
    const oysterEvents = () => lowEvents.filter((e) => e.ingredient === "oysters");
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(b.broker, "inventory.reserve", { reservation: `oys-${i}`, lines: [{ ingredient: "oysters", qty: 1 }] }),
      ),
    );
    expect(oysterEvents()).toHaveLength(1);
    expect(oysterEvents()[0]).toMatchObject({
      ingredient: "oysters",
      name: "Oysters",
      reorderPoint: 10,
      reorderQty: 48,
    });
    expect(oysterEvents()[0].available).toBeLessThan(10);
    expect((await ingredient("oysters")).low).toBe(true);
    expect(
      (await b.request("GET", "/api/ingredients?low=true&pageSize=100", { token: chef })).body.rows.map(
        (r: IngredientView) => r.id,
      ),
    ).toContain("oysters");

    for (let i = 0; i < 20; i++) await call(b.broker, "inventory.release", { reservation: `oys-${i}` });
    expect((await ingredient("oysters")).low).toBe(false);
    await call(b.broker, "inventory.reserve", {
      reservation: "oys-again",
      lines: [{ ingredient: "oysters", qty: 20 }],
    });
    expect(oysterEvents()).toHaveLength(2);
  });
});
