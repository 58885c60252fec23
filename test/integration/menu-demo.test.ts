import type { DishView, IngredientView } from "../../lib/contracts";
import { DEMO_DISHES, DEMO_INGREDIENTS } from "../../services/seed/demo-restaurant";
import { startBrigade, type Brigade } from "../support/brigade";

describe("the demo restaurant (BRIGADE_SEED=true)", () => {
  let b: Brigade;
  beforeAll(async () => {
    b = await startBrigade({ services: ["api", "staff", "menu", "inventory"], env: { BRIGADE_SEED: "true" } });
  });
  afterAll(() => b.stop());

  it("serves the seeded menu at GET /api/dishes, every dish cookable from seeded stock", async () => {
    const menu = await b.request("GET", "/api/dishes?pageSize=100");
    expect(menu.status).toBe(200);
    expect(menu.body.total).toBe(DEMO_DISHES.length);
    const dishes: DishView[] = menu.body.rows;
    expect(dishes.map((d) => d.name).sort()).toEqual(DEMO_DISHES.map((d) => d.name).sort());
    expect(new Set(dishes.map((d) => d.station)).size).toBe(6);
    expect(dishes.every((d) => d.available)).toBe(true);

    const stock = await b.request("GET", "/api/ingredients?pageSize=100", { token: b.adminToken });
    expect(stock.body.total).toBe(DEMO_INGREDIENTS.length);
    const ids = new Set(stock.body.rows.map((i: IngredientView) => i.id));
    for (const dish of dishes) for (const line of dish.recipe) expect(ids).toContain(line.ingredient);
  });

  it("shows a seeded dish with its price in cents and its recipe", async () => {
    const burger = await b.request("GET", "/api/dishes/classic-cheeseburger");
    expect(burger.body).toMatchObject({
      name: "Classic Cheeseburger",
      station: "grill",
      priceCents: 1450,
      prepSeconds: 600,
      available: true,
    });
    expect(burger.body.recipe).toContainEqual({ ingredient: "beef-mince", qty: 180 });
  });
});
