/**
 * The README's screenshots, of the real page: `npm run screenshots` starts an in-process
 * Brigade (demo restaurant, in-memory store, a slow kitchen so tickets stay on the board, a
 * second gateway node so the cluster has more than one node), sets a dinner service going
 * through the API, and photographs each view in Debian's Chromium at tablet size into docs/.
 *
 * Not a test (nothing is asserted beyond the page coming up); the browser test is dashboard.e2e.test.ts.
 */
import path from "node:path";
import type { Page } from "playwright-core";

const OUT = path.join(__dirname, "..", "..", "docs");

async function main() {
  // Before anything reads the settings: an in-memory store and quiet logs.
  process.env.NODE_ENV ??= "test";
  process.env.LOG_LEVEL ??= "error";
  const { ServiceBroker } = await import("moleculer");
  type ServiceSchema = import("moleculer").ServiceSchema;
  const { startBrigade, ADMIN_PASSWORD } = await import("../support/brigade");
  const { launchChromium, createAccount, openAs, errorsOf, TABLET } = await import("./browser");
  const { default: ApiService } = await import("../../services/api/api.service");

  const b = await startBrigade({
    env: { BRIGADE_SEED: "true", DATA_DIR: ":memory:", KITCHEN_TIME_SCALE: "40", KITCHEN_CHEFS: "3" },
    broker: { transporter: "Fake", nodeID: "brigade-main-1" },
  });
  // A second gateway on the same (in-process) bus: the cluster view shows two nodes.
  const gateway2 = new ServiceBroker({
    nodeID: "brigade-gateway-2",
    transporter: "Fake",
    logger: false,
    heartbeatInterval: 5,
    heartbeatTimeout: 15,
  });
  gateway2.createService({
    name: "api",
    mixins: [ApiService as unknown as Partial<ServiceSchema>],
    settings: { port: 0 },
  });
  await gateway2.start();

  const browser = await launchChromium();
  try {
    const admin = b.adminToken;
    const call = async (method: string, url: string, body?: unknown, token = admin) => {
      const res = await b.request(method, url, { token, body });
      if (res.status >= 400) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const waiter = await createAccount(b, "waiter", "marie", "Marie Curtis");
    const chef = await createAccount(b, "chef", "auguste", "Auguste Escoffier");
    const cashier = await createAccount(b, "cashier", "nadia", "Nadia Okafor");
    const purchaser = await createAccount(b, "purchaser", "tomas", "Tomás Ruiz");
    const waiterToken = await b.login(waiter.username, waiter.password);
    const cashierToken = await b.login(cashier.username, cashier.password);

    // Stock: two ingredients under their reorder point, the gin nearly gone (its dish sold out).
    await call("PATCH", "/api/ingredients/fresh-mint", { onHand: 60 });
    await call("PATCH", "/api/ingredients/salmon-fillet", { onHand: 4 });
    await call("PATCH", "/api/ingredients/gin", { onHand: 30 });
    const po = await call("POST", "/api/purchase-orders", {
      lines: [
        { ingredient: "salmon-fillet", qty: 20 },
        { ingredient: "lemons", qty: 30 },
      ],
    });
    await call("POST", `/api/purchase-orders/${po.id}/receive`);
    await call("PATCH", "/api/ingredients/salmon-fillet", { onHand: 4 });
    await call("POST", "/api/purchase-orders", {
      lines: [
        { ingredient: "fresh-mint", qty: 300 },
        { ingredient: "gin", qty: 2100 },
      ],
    });

    // Each party is seated first (the floor plan shows covers and time seated); one just sat down.
    const place = async (
      table: string,
      lines: { dish: string; qty: number; notes?: string; modifiers?: string[] }[],
    ) => {
      const here = await call("GET", `/api/tables/${table}`);
      if (here.status === "free")
        await call("POST", `/api/tables/${table}/seat`, { covers: Math.min(4, here.seats) }, waiterToken);
      return call("POST", "/api/orders", { table, lines }, waiterToken);
    };
    await call("POST", "/api/tables/10/seat", { covers: 3 }, waiterToken);
    const ticketsOf = async (order: string) =>
      ((await call("GET", "/api/tickets?pageSize=100")).rows as { id: string; order: string }[]).filter(
        (t) => t.order === order,
      );
    const bumpAll = async (order: string) => {
      for (const t of await ticketsOf(order)) await call("POST", `/api/tickets/${t.id}/bump`);
    };
    const until = async (what: string, probe: () => Promise<boolean>) => {
      for (let i = 0; i < 200; i++) {
        if (await probe()) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`timed out waiting for ${what}`);
    };
    const statusOf = async (id: string) => (await call("GET", `/api/orders/${id}`)).status as string;

    // Table 5 has eaten and paid; table 3 has eaten and has its bill; table 1's order is at the pass.
    const paid = await place("5", [
      { dish: "ribeye-steak-frites", qty: 2, modifiers: ["medium"] },
      { dish: "lemon-tart", qty: 2 },
      { dish: "fresh-lemonade", qty: 2 },
    ]);
    await bumpAll(paid.id);
    await until("table 5 ready", async () => (await statusOf(paid.id)) === "ready");
    await call("POST", `/api/orders/${paid.id}/serve`, undefined, waiterToken);
    const bill5 = await call("POST", "/api/bills", { table: "5" }, waiterToken);
    await call(
      "POST",
      `/api/bills/${bill5.id}/payments`,
      { method: "card", amountCents: bill5.dueCents + 800, tipCents: 800 },
      cashierToken,
    );

    const eaten = await place("3", [
      { dish: "classic-cheeseburger", qty: 2 },
      { dish: "hand-cut-fries", qty: 1 },
      { dish: "caesar-salad", qty: 1 },
    ]);
    await bumpAll(eaten.id);
    await until("table 3 ready", async () => (await statusOf(eaten.id)) === "ready");
    await call("POST", `/api/orders/${eaten.id}/serve`, undefined, waiterToken);
    await call("POST", "/api/bills", { table: "3" }, waiterToken);

    const atPass = await place("1", [
      { dish: "grilled-salmon", qty: 1 },
      { dish: "tomato-and-onion-salad", qty: 1 },
    ]);
    await bumpAll(atPass.id);
    await until("table 1 ready", async () => (await statusOf(atPass.id)) === "ready");

    // Still in the kitchen: a few tables' mains, starters and drinks.
    await place("7", [
      { dish: "wild-mushroom-risotto", qty: 1, notes: "no garlic" },
      { dish: "garlic-butter-chicken", qty: 1 },
    ]);
    await place("2", [
      { dish: "buttermilk-fried-chicken", qty: 2 },
      { dish: "onion-rings", qty: 1 },
      { dish: "fresh-lemonade", qty: 2 },
    ]);
    await place("8", [
      { dish: "classic-cheeseburger", qty: 1, notes: "well done" },
      { dish: "chocolate-fondant", qty: 2 },
    ]);
    await place("4", [
      { dish: "caesar-salad", qty: 2 },
      { dish: "ribeye-steak-frites", qty: 1, modifiers: ["medium-rare"] },
    ]);

    const shoot = async (page: Page, name: string, { fullPage = false } = {}) => {
      // No hover, no focus ring, from the top; and time for the last live reload to paint.
      await page.mouse.move(1, 1);
      await page.evaluate("document.activeElement?.blur(); window.scrollTo(0, 0)");
      await page.waitForTimeout(400);
      await page.screenshot({ path: path.join(OUT, `screenshot-${name}.png`), fullPage });
      if (errorsOf(page).length) throw new Error(`the ${name} page threw: ${errorsOf(page).join("; ")}`);
      console.log(`docs/screenshot-${name}.png`);
    };

    const floor = await openAs(browser, b.url, waiter);
    await floor.getByRole("button", { name: "Table 1", exact: true }).click();
    await floor.getByRole("button", { name: "Add Classic Cheeseburger" }).click();
    await floor.getByRole("button", { name: "Add Classic Cheeseburger" }).click();
    await floor.getByRole("button", { name: "Add Lemon Tart" }).click();
    await floor.getByLabel("Notes for Classic Cheeseburger").fill("one without onions");
    await floor
      .getByRole("listitem", { name: /Order for table 1, Ready/ })
      .first()
      .waitFor();
    // The whole page: the sold-out drink is at the bottom of the menu.
    await shoot(floor, "floor", { fullPage: true });

    const kitchen = await openAs(browser, b.url, chef);
    await kitchen.locator(".ticket").first().waitFor();
    await shoot(kitchen, "kitchen");

    const till = await openAs(browser, b.url, cashier);
    await till.getByRole("button", { name: "Take payment for table 3" }).click();
    await till.getByLabel("Cash received").fill("80.00");
    await shoot(till, "cashier");

    const stock = await openAs(browser, b.url, purchaser);
    await stock.getByRole("button", { name: "Add every low item" }).click();
    await shoot(stock, "stock");

    const manager = await openAs(browser, b.url, { username: "admin", password: ADMIN_PASSWORD, role: "owner" });
    await manager.getByRole("link", { name: "Cluster" }).click();
    await manager.getByRole("listitem", { name: "Node brigade-gateway-2" }).waitFor();
    await shoot(manager, "cluster");

    // The same page on a phone-sized screen, to show it reflows.
    const phone = await openAs(browser, b.url, waiter, { width: 390, height: 844 });
    await phone.getByRole("button", { name: "Table 1", exact: true }).click();
    await phone.waitForTimeout(300);
    await phone.screenshot({ path: path.join(OUT, "screenshot-floor-phone.png") });
    console.log("docs/screenshot-floor-phone.png");
    void TABLET;
  } finally {
    await browser.close();
    await gateway2.stop();
    await b.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
