import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startBrigade, type Brigade } from "../support/brigade";

describe("menu and inventory across a restart (NeDB files)", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "brigade-inventory-"));
  const env = { DATA_DIR: dataDir, BRIGADE_SEED: "true" };
  const services = ["api", "staff", "menu", "inventory"] as const;
  let b: Brigade | undefined;

  afterAll(async () => {
    await b?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps dishes, stock, reservations and purchase orders, and does not seed twice", async () => {
    b = await startBrigade({ services: [...services], env });
    const seededDishes = (await b.request("GET", "/api/dishes")).body.total;
    const seededIngredients = (await b.request("GET", "/api/ingredients", { token: b.adminToken })).body.total;
    expect(seededDishes).toBeGreaterThan(0);

    await b.request("POST", "/api/ingredients", {
      token: b.adminToken,
      body: { name: "Quail eggs", unit: "pcs", onHand: 24 },
    });
    await b.request("POST", "/api/dishes", {
      token: b.adminToken,
      body: {
        name: "Quail egg canape",
        category: "starters",
        priceCents: 650,
        station: "cold",
        prepSeconds: 120,
        recipe: [{ ingredient: "quail-eggs", qty: 2 }],
      },
    });
    await b.broker.call("inventory.reserve", {
      reservation: "ord-before-restart",
      lines: [{ ingredient: "quail-eggs", qty: 4 }],
    });
    const po = await b.request("POST", "/api/purchase-orders", {
      token: b.adminToken,
      body: { lines: [{ ingredient: "quail-eggs", qty: 12 }] },
    });
    expect(po.status).toBe(201);
    await b.stop();

    b = await startBrigade({ services: [...services], env });
    expect((await b.request("GET", "/api/dishes")).body.total).toBe(seededDishes + 1);
    expect((await b.request("GET", "/api/ingredients", { token: b.adminToken })).body.total).toBe(
      seededIngredients + 1,
    );
    expect((await b.request("GET", "/api/dishes/quail-egg-canape")).body).toMatchObject({
      priceCents: 650,
      available: true,
    });
    expect((await b.request("GET", "/api/ingredients/quail-eggs", { token: b.adminToken })).body).toMatchObject({
      onHand: 24,
      reserved: 4,
      available: 20,
    });

    // The reservation survived: repeating it takes nothing more, releasing it gives the 4 back.
    await expect(
      b.broker.call("inventory.reserve", {
        reservation: "ord-before-restart",
        lines: [{ ingredient: "quail-eggs", qty: 4 }],
      }),
    ).resolves.toMatchObject({ status: "held" });
    await b.broker.call("inventory.release", { reservation: "ord-before-restart" });
    expect((await b.request("GET", "/api/ingredients/quail-eggs", { token: b.adminToken })).body).toMatchObject({
      reserved: 0,
      available: 24,
    });

    const received = await b.request("POST", `/api/purchase-orders/${po.body.id}/receive`, { token: b.adminToken });
    expect(received.status).toBe(200);
    expect((await b.request("GET", "/api/ingredients/quail-eggs", { token: b.adminToken })).body).toMatchObject({
      onHand: 36,
      available: 36,
    });
  });
});
