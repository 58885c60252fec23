/**
 * The pass, end to end, in Debian's Chromium: a waiter, a chef and a cashier each on their own
 * page, one order going round the restaurant. Every page is opened before the order exists and
 * none of them polls, so whatever a page shows about the order reached it over the live stream.
 */
import { ServiceBroker } from "moleculer";
import type { Browser, Page } from "playwright-core";
import { startBrigade, ADMIN_PASSWORD, type Brigade } from "../support/brigade";
import { createAccount, errorsOf, launchChromium, openAs, type Account } from "./browser";

const LIVE = 15_000; // a deadline for what must arrive live, not a measure of speed

describe("the pass in a browser", () => {
  let b: Brigade;
  let browser: Browser | undefined;
  let waiter: Account;
  let chef: Account;
  let cashier: Account;
  let purchaser: Account;
  const pages: Page[] = [];

  const open = async (account: Account, viewport?: { width: number; height: number }) => {
    const page = await openAs(browser!, b.url, account, viewport);
    pages.push(page);
    return page;
  };

  beforeAll(async () => {
    // Chromium first: when it is missing, every test here fails with how to install it.
    browser = await launchChromium();
    b = await startBrigade({
      // Dishes take hours at this scale: a ticket is only done when the chef bumps it.
      env: { BRIGADE_SEED: "true", KITCHEN_TIME_SCALE: "1000", KITCHEN_POLL_MS: "50" },
      // An in-process bus, so that other nodes can join this one in the cluster test.
      broker: { transporter: "Fake", nodeID: "pass-main" },
    });
    waiter = await createAccount(b, "waiter", "wendy");
    chef = await createAccount(b, "chef", "charles");
    cashier = await createAccount(b, "cashier", "carla");
    purchaser = await createAccount(b, "purchaser", "percy");
  }, 60_000);

  afterEach(() => {
    for (const page of pages.splice(0)) expect(errorsOf(page)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await b?.stop();
  });

  it("takes an order from the floor to the kitchen, back to the table, to the till and into the takings", async () => {
    const floor = await open(waiter);
    const kitchen = await open(chef);
    const till = await open(cashier);

    const revenue = till.getByTestId("takings-revenue");
    await revenue.waitFor();
    expect(await revenue.textContent()).toBe("0.00");

    // The gin runs out while the waiter's page is open: the dish greys out there, live.
    const counted = await b.request("PATCH", "/api/ingredients/gin", { token: b.adminToken, body: { onHand: 0 } });
    expect(counted.status).toBe(200);
    const soldOut = floor.getByRole("button", { name: "Gin and Tonic (sold out)" });
    await soldOut.waitFor({ timeout: LIVE });
    expect(await soldOut.isDisabled()).toBe(true);
    expect(await floor.getByRole("button", { name: "Add Hand-cut Fries" }).isEnabled()).toBe(true);

    // The waiter takes table 7's order.
    await floor.getByRole("button", { name: "Table 7", exact: true }).click();
    await floor.getByRole("button", { name: "Add Hand-cut Fries" }).click();
    await floor.getByLabel("Notes for Hand-cut Fries").fill("extra crispy");
    await floor.getByRole("button", { name: "Place order for table 7" }).click();
    const table7 = floor.getByRole("list", { name: "Table 7" });
    await table7.getByRole("listitem", { name: /^Order for table 7, (Placed|Cooking)$/ }).waitFor();

    // The chef's board shows the ticket without being asked, and the chef bumps it.
    const ticket = kitchen.getByRole("listitem", { name: "Hand-cut Fries × 1, table 7" });
    await ticket.waitFor({ timeout: LIVE });
    expect(await ticket.getByText("extra crispy").count()).toBe(1);
    await kitchen.getByRole("button", { name: "Bump Hand-cut Fries for table 7" }).click();
    await ticket.waitFor({ state: "detached", timeout: LIVE });

    // Back on the floor the order is ready, live; the waiter serves it and opens the bill.
    const ready = table7.getByRole("listitem", { name: "Order for table 7, Ready" });
    await ready.waitFor({ timeout: LIVE });
    await ready.getByRole("button", { name: "Serve" }).click();
    await table7.getByRole("listitem", { name: "Order for table 7, Served" }).waitFor({ timeout: LIVE });
    await floor.getByRole("button", { name: "Open bill" }).click();
    await floor.getByText("Bill open: 4.50 due of 4.50.").waitFor({ timeout: LIVE });

    // The bill reaches the till live; the cashier takes 10.00 in cash and gives 5.50 back.
    await till.getByRole("button", { name: "Take payment for table 7" }).click({ timeout: LIVE });
    await till.getByRole("radio", { name: "Cash" }).check();
    await till.getByLabel("Cash received").fill("10.00");
    await till.getByRole("button", { name: "Take payment", exact: true }).click();
    await till.getByTestId("change").waitFor();
    expect(await till.getByTestId("change").textContent()).toBe("5.50");

    // The takings move, and the floor sees the order paid.
    await till.getByTestId("takings-revenue").getByText("4.50", { exact: true }).waitFor({ timeout: LIVE });
    expect(await till.getByTestId("takings-cash").textContent()).toBe("4.50");
    expect(await till.getByTestId("takings-orders").textContent()).toBe("1");
    await table7.getByRole("listitem", { name: "Order for table 7, Paid" }).waitFor({ timeout: LIVE });

    // And the API agrees with the pages.
    const takings = await b.request("GET", "/api/takings", { token: b.adminToken });
    expect(takings.body).toMatchObject({ orders: 1, revenueCents: 450, byMethod: { cash: 450, card: 0 } });
  }, 90_000);

  it("seats a table of four from the plan, takes its order, and later moves the party to a free table", async () => {
    const floor = await open(waiter);
    const plan = floor.getByRole("group", { name: "Table plan" });
    await plan.getByRole("group", { name: "Terrace" }).waitFor();
    expect(await plan.getByRole("group", { name: "Dining room" }).getByRole("button").count()).toBe(8);
    const tile = (name: string) => floor.getByRole("button", { name: `Table ${name}`, exact: true });
    const status = floor.getByTestId("table-status");

    await tile("4").click();
    await status.getByText("Free · 4 seats").waitFor();
    await floor.getByLabel("Covers").fill("4");
    await floor.getByRole("button", { name: "Seat table 4" }).click();
    await status.getByText(/^Seated · 4 covers · since /).waitFor({ timeout: LIVE });
    expect(await tile("4").getAttribute("data-status")).toBe("seated");

    await floor.getByRole("button", { name: "Add Hand-cut Fries" }).click();
    await floor.getByRole("button", { name: "Place order for table 4" }).click();
    await floor
      .getByRole("list", { name: "Table 4" })
      .getByRole("listitem", { name: /^Order for table 4, / })
      .waitFor({ timeout: LIVE });
    await status.getByText(/^Ordering · 4 covers/).waitFor({ timeout: LIVE });

    // The party wants the terrace: table 11, free, is offered; the order follows the party.
    await floor.getByLabel("Move to table").selectOption("11");
    await floor.getByRole("button", { name: "Transfer table 4" }).click();
    await floor
      .getByRole("list", { name: "Table 11" })
      .getByRole("listitem", { name: /^Order for table 11, / })
      .waitFor({ timeout: LIVE });
    await status.getByText(/^Ordering · 4 covers/).waitFor({ timeout: LIVE });
    expect(await tile("11").getAttribute("data-status")).toBe("ordering");
    expect(await tile("4").getAttribute("data-status")).toBe("free");

    const tables = await b.request("GET", "/api/tables?pageSize=100", { token: b.adminToken });
    const byId = new Map(tables.body.rows.map((t: { id: string }) => [t.id, t]));
    expect(byId.get("4")).toMatchObject({ status: "free", covers: null });
    expect(byId.get("11")).toMatchObject({ status: "ordering", covers: 4, waiter: expect.any(String) });
  }, 90_000);

  it("shows each role only its views, and a manager every view", async () => {
    await b.request("PATCH", "/api/ingredients/gin", { token: b.adminToken, body: { onHand: 0 } });
    const stock = await open(purchaser);
    expect(await stock.locator("#nav").isHidden()).toBe(true);
    await stock.getByRole("heading", { name: "Stock", level: 1 }).waitFor();
    // Out of gin: low, and shown as such.
    await stock.getByRole("row", { name: "Gin, low" }).waitFor();
    // A view the role may not use is not there, even by its address.
    await stock.goto(`${b.url}/#floor`);
    await stock.getByRole("heading", { name: "Stock", level: 1 }).waitFor();
    expect(await stock.getByRole("heading", { name: "Floor" }).count()).toBe(0);

    const manager = await open({ username: "admin", password: ADMIN_PASSWORD, role: "owner" });
    const links = await manager.getByRole("navigation", { name: "Views" }).getByRole("link").allTextContents();
    // The admin is the group's owner: every view, and the group's own page.
    expect(links).toEqual(["Floor", "Kitchen", "Cashier", "Stock", "Cluster", "Group"]);
  }, 60_000);

  it("shows a node joining the cluster and leaving it, live", async () => {
    const manager = await open({ username: "admin", password: ADMIN_PASSWORD, role: "owner" });
    await manager.getByRole("link", { name: "Cluster" }).click();
    await manager.getByRole("listitem", { name: "Node pass-main" }).waitFor();
    expect(await manager.getByRole("listitem", { name: /^Node / }).count()).toBe(1);

    const kitchen2 = new ServiceBroker({
      nodeID: "pass-kitchen-2",
      transporter: "Fake",
      logger: false,
      heartbeatInterval: 5,
      heartbeatTimeout: 15,
    });
    kitchen2.createService({ name: "sous-chef", actions: { ping: () => "pong" } });
    await kitchen2.start();
    const card = manager.getByRole("listitem", { name: "Node pass-kitchen-2" });
    try {
      await card.waitFor({ timeout: LIVE });
      expect(await card.getByRole("list", { name: "Services on pass-kitchen-2" }).textContent()).toBe("sous-chef");
    } finally {
      await kitchen2.stop();
    }
    await card.waitFor({ state: "detached", timeout: LIVE });
  }, 60_000);

  // Last: from here on the group has two locations.
  it("lets an owner switch between two locations, and see the group side by side", async () => {
    const owner = await open({ username: "admin", password: ADMIN_PASSWORD, role: "owner" });
    await owner.getByRole("heading", { name: "Floor", level: 1 }).waitFor();
    // One location: nothing to choose.
    expect(await owner.getByRole("combobox", { name: "Location" }).isVisible()).toBe(false);
    const menu = owner.getByRole("button", { name: /^Add / });
    await menu.first().waitFor();
    expect(await menu.count()).toBeGreaterThan(5);

    const east = await b.request("POST", "/api/locations", {
      token: b.adminToken,
      body: { id: "east", name: "Brigade East", currency: "USD" },
    });
    expect(east.status).toBe(201);
    await owner.reload();
    const picker = owner.getByRole("combobox", { name: "Location" });
    await picker.waitFor();
    expect(await picker.locator("option").allTextContents()).toEqual(["Brigade East (east)", "Main (main)"]);

    await picker.selectOption("main");
    await menu.first().waitFor();
    await picker.selectOption("east");
    // East has no dishes yet: its floor shows none of main's menu.
    await owner.getByRole("heading", { name: "Floor", level: 1 }).waitFor();
    await owner.waitForFunction(`document.querySelectorAll("button[aria-label^='Add ']").length === 0`);
    await owner.getByRole("status").filter({ hasText: "Live" }).waitFor({ timeout: LIVE });

    await owner.getByRole("link", { name: "Group" }).click();
    const cards = owner.getByRole("listitem", { name: /^Location / });
    await cards.nth(1).waitFor();
    expect(await cards.evaluateAll((els) => els.map((el) => el.getAttribute("aria-label")))).toEqual([
      "Location east",
      "Location main",
    ]);
    await owner.getByRole("listitem", { name: "Location east" }).getByText("$0.00").first().waitFor();
  }, 60_000);
});
