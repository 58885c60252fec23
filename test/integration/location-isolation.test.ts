/**
 * Isolation through HTTP (API-service.md §1): two locations of one Brigade each run a whole
 * meal; neither sees, changes nor cooks the other's menu, stock, orders, tickets, bills or
 * takings. Anything of the other location answers 404, as if it did not exist.
 */
import { startBrigade, type Brigade } from "../support/brigade";
import { eventually, fastKitchen } from "../support/meal";

let b: Brigade;
type Staff = Record<"manager" | "waiter" | "chef" | "cashier" | "purchaser", string>;
const main = {} as Staff;
const east = {} as Staff;

async function staffOf(location: string, into: Staff) {
  for (const role of ["manager", "waiter", "chef", "cashier", "purchaser"] as const) {
    const username = `${location}-${role}`;
    const password = `pw-${username}-secret`;
    const res = await b.request("POST", "/api/staff", {
      token: b.adminToken,
      body: { username, name: `${location} ${role}`, role, password, location },
    });
    expect(res.status).toBe(201);
    into[role] = await b.login(username, password);
  }
}

const get = (token: string, path: string) => b.request("GET", path, { token });
const post = (token: string, path: string, body: unknown = {}) => b.request("POST", path, { token, body });

async function meal(staff: Staff, dish: string, table: string) {
  const placed = await post(staff.waiter, "/api/orders", { table, lines: [{ dish, qty: 1 }] });
  expect(placed.status).toBe(201);
  const id = placed.body.id as string;
  await eventually(async () => (await get(staff.waiter, `/api/orders/${id}`)).body.status === "ready", `${id} ready`);
  expect((await post(staff.waiter, `/api/orders/${id}/serve`)).status).toBe(200);
  const bill = await post(staff.cashier, "/api/bills", { table });
  expect(bill.status).toBe(201);
  const paid = await post(staff.cashier, `/api/bills/${bill.body.id}/payments`, {
    method: "card",
    amountCents: bill.body.totalCents,
  });
  expect(paid.status).toBe(201);
  return { order: id, bill: bill.body.id as string, totalCents: bill.body.totalCents as number };
}

beforeAll(async () => {
  b = await startBrigade({ env: { ...fastKitchen(4), BRIGADE_SEED: "true" } });
  await staffOf("main", main);
  const created = await b.request("POST", "/api/locations", {
    token: b.adminToken,
    body: { id: "east", name: "Brigade East" },
  });
  expect(created.status).toBe(201);
  await staffOf("east", east);
});
afterAll(() => b.stop());

describe("two locations on one Brigade", () => {
  let mainMenu: { id: string; name: string; recipe: { ingredient: string; qty: number }[] }[];

  it("gives a new location an empty menu and stock, and keeps main's to main", async () => {
    mainMenu = (await get(main.waiter, "/api/dishes?pageSize=100")).body.rows;
    expect(mainMenu.length).toBeGreaterThan(5);
    expect((await get(east.waiter, "/api/dishes")).body.total).toBe(0);
    expect((await get(east.purchaser, "/api/ingredients")).body.total).toBe(0);
    expect((await get(east.waiter, `/api/dishes/${mainMenu[0].id}`)).status).toBe(404);
    expect((await b.request("GET", "/api/dishes?location=east")).body.total).toBe(0);
  });

  it("lets each location have its own ingredient and dish of the same name", async () => {
    const burger = mainMenu.find((d) => d.id === "cheeseburger") ?? mainMenu[0];
    const ingredient = burger.recipe[0].ingredient;
    const mainBefore = (await get(main.purchaser, `/api/ingredients/${ingredient}`)).body;
    const name = mainBefore.name as string;
    const mine = await post(east.purchaser, "/api/ingredients", { name, unit: mainBefore.unit, onHand: 5000 });
    expect(mine.status).toBe(201);
    expect(mine.body.id).toBe(ingredient);
    const dish = await post(east.manager, "/api/dishes", {
      name: "East Special",
      category: "mains",
      priceCents: 1500,
      station: "grill",
      prepSeconds: 60,
      recipe: [{ ingredient, qty: 10 }],
    });
    expect(dish.status).toBe(201);
    expect((await get(main.waiter, "/api/dishes/east-special")).status).toBe(404);
    expect((await get(main.purchaser, `/api/ingredients/${ingredient}`)).body.onHand).toBe(mainBefore.onHand);
    // East's recipe may only name east's ingredients.
    const foreign = await post(east.manager, "/api/dishes", {
      name: "Borrowed",
      category: "mains",
      priceCents: 900,
      station: "grill",
      prepSeconds: 60,
      recipe: [{ ingredient: mainMenu[1].recipe[0].ingredient, qty: 1 }],
    });
    expect(foreign.status).toBe(422);
  });

  it("runs a meal in each location that the other never sees, cooks nor counts", async () => {
    const ordered = await post(east.waiter, "/api/orders", { table: "9", lines: [{ dish: mainMenu[0].id, qty: 1 }] });
    expect(ordered.status).toBe(422);

    // East has drawn no floor plan: any table name goes; main orders at a table of its plan.
    const eastMeal = await meal(east, "east-special", "E1");
    const mainMeal = await meal(main, mainMenu[0].id, "1");

    for (const [staff, other] of [
      [main, eastMeal],
      [east, mainMeal],
    ] as const) {
      expect((await get(staff.waiter, `/api/orders/${other.order}`)).status).toBe(404);
      expect((await get(staff.cashier, `/api/bills/${other.bill}`)).status).toBe(404);
      expect((await post(staff.waiter, `/api/orders/${other.order}/serve`)).status).toBe(404);
      expect(
        (await post(staff.cashier, `/api/bills/${other.bill}/payments`, { method: "cash", amountCents: 100 })).status,
      ).toBe(404);
      expect((await post(staff.chef, `/api/tickets/${other.order}-0/bump`)).status).toBe(404);
      const orders = (await get(staff.waiter, "/api/orders?pageSize=100")).body.rows.map((o: { id: string }) => o.id);
      expect(orders).not.toContain(other.order);
      const tickets = (await get(staff.chef, "/api/tickets?pageSize=100")).body.rows.map(
        (t: { order: string }) => t.order,
      );
      expect(tickets).not.toContain(other.order);
    }

    const eastTakings = (await get(east.cashier, "/api/takings")).body;
    const mainTakings = (await get(main.cashier, "/api/takings")).body;
    expect(eastTakings).toMatchObject({ orders: 1, revenueCents: eastMeal.totalCents });
    expect(mainTakings.topDishes.map((d: { dish: string }) => d.dish)).not.toContain("east-special");
    expect(eastTakings.topDishes).toEqual([{ dish: "east-special", name: "East Special", qty: 1 }]);

    // East's stock moved, main's did not.
    const ingredient = (await get(east.manager, "/api/dishes/east-special")).body.recipe[0].ingredient;
    expect((await get(east.purchaser, `/api/ingredients/${ingredient}`)).body).toMatchObject({
      onHand: 4990,
      reserved: 0,
    });
  });

  it("gives the owner the group's takings, a row per location and totals per currency", async () => {
    await b.request("PATCH", "/api/locations/east", { token: b.adminToken, body: { currency: "USD" } });
    const group = await b.request("GET", "/api/takings?location=all", { token: b.adminToken });
    expect(group.status).toBe(200);
    expect(group.body.locations.map((l: { location: string; currency: string }) => [l.location, l.currency])).toEqual([
      ["east", "USD"],
      ["main", "EUR"],
    ]);
    const east = group.body.locations[0];
    expect(east).toMatchObject({ orders: 1, topDishes: [{ dish: "east-special", qty: 1 }] });
    expect(group.body.totals).toEqual([
      expect.objectContaining({ currency: "EUR", locations: 1, revenueCents: group.body.locations[1].revenueCents }),
      expect.objectContaining({ currency: "USD", locations: 1, revenueCents: east.revenueCents }),
    ]);
    expect((await b.request("GET", "/api/takings?location=all", { token: main.cashier })).status).toBe(403);
    const unnamed = await b.request("GET", "/api/takings", { token: b.adminToken });
    expect(unnamed.status).toBe(422);
    expect(unnamed.body.type).toBe("LOCATION_REQUIRED");
  });

  it("lets an owner act in either location by naming it", async () => {
    const inEast = await b.request("GET", "/api/orders", {
      token: b.adminToken,
      headers: { "x-brigade-location": "east" },
    });
    expect(inEast.body.total).toBe(1);
    const inMain = await b.request("GET", "/api/dishes/east-special", {
      token: b.adminToken,
      headers: { "x-brigade-location": "main" },
    });
    expect(inMain.status).toBe(404);
  });
});
