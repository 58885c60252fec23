/**
 * The API's page (GET /api/docs) in Debian's Chromium: Swagger UI, served by the gateway from
 * swagger-ui-dist, renders every operation of the document under the gateway's own strict
 * Content-Security-Policy, without one violation or error in the console.
 */
import type { Browser, Page } from "playwright-core";
import { startBrigade, type Brigade } from "../support/brigade";
import { errorsOf, launchChromium } from "./browser";

describe("the API docs page in a browser", () => {
  let b: Brigade;
  let browser: Browser | undefined;
  let page: Page;
  const messages: string[] = [];
  const offHost: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    b = await startBrigade();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on("pageerror", (err) => messages.push(`pageerror: ${err.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") messages.push(message.text());
    });
    page.on("response", (response) => {
      if (response.status() >= 400) messages.push(`${response.status()} ${response.url()}`);
    });
    page.on("request", (request) => {
      if (!request.url().startsWith(b.url) && !request.url().startsWith("data:")) offHost.push(request.url());
    });
    // A violation is reported to the page as an event, whatever the console says about it.
    // (A string: this file is compiled without the DOM's types.)
    await page.addInitScript(`
      window.cspViolations = [];
      document.addEventListener("securitypolicyviolation", (e) =>
        window.cspViolations.push(e.violatedDirective + " " + e.blockedURI));
    `);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await b?.stop();
  });

  it("renders every operation of the document, with no CSP violation and nothing fetched from another host", async () => {
    const doc = (await b.request("GET", "/api/openapi.json")).body as { paths: Record<string, object> };
    const operations = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);

    await page.goto(`${b.url}/api/docs`);
    await page
      .locator(".opblock")
      .nth(operations - 1)
      .waitFor();
    expect(await page.locator(".opblock").count()).toBe(operations);
    await page.locator(".info .title", { hasText: "Brigade" }).waitFor();

    // One operation opened: its roles, the Idempotency-Key header and the body's example are there.
    await page.locator("#operations-orders-ordersPlace .opblock-summary-control").click();
    const place = page.locator("#operations-orders-ordersPlace");
    await place.locator(".parameters").waitFor();
    expect(await place.textContent()).toContain("Roles: waiter, manager, owner.");
    expect(await place.textContent()).toContain("Idempotency-Key");
    expect(await place.textContent()).toContain("classic-cheeseburger");

    expect(await page.evaluate("window.cspViolations")).toEqual([]);
    expect(messages).toEqual([]);
    expect(errorsOf(page)).toEqual([]);
    expect(offHost).toEqual([]);
  });
});
