/**
 * The dashboard in a real browser: Debian's Chromium (never a downloaded one) driven by
 * playwright-core, against an in-process Brigade. Shared by the end-to-end test and the
 * screenshot script.
 */
import fs from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import type { Brigade } from "../support/brigade";

export const CHROMIUM = "/usr/bin/chromium";

/** A missing browser fails the run with what to do; it never skips the test. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: install it (apt-get install -y chromium; bash .ci/run does) to run the browser tests.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

export interface Account {
  username: string;
  password: string;
  role: string;
}

/** A staff account made by the admin, with a password the test knows. */
export async function createAccount(
  b: Brigade,
  role: string,
  username: string,
  name = `${role[0].toUpperCase()}${role.slice(1)} ${username}`,
): Promise<Account> {
  const password = `pw-${username}-for-the-pass`;
  const res = await b.request("POST", "/api/staff", { token: b.adminToken, body: { username, name, role, password } });
  if (res.status !== 201)
    throw new Error(`creating ${role} ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { username, password, role };
}

const pageErrors = new WeakMap<Page, string[]>();

/** Uncaught exceptions the page's scripts threw since it opened (a test expects none). */
export function errorsOf(page: Page): string[] {
  return pageErrors.get(page) ?? [];
}

/** A tablet in landscape: the size the page is designed for. */
export const TABLET = { width: 1180, height: 820 };

/** A new tab (its own sessionStorage) logged in as `account`, on its live stream. */
export async function openAs(browser: Browser, url: string, account: Account, viewport = TABLET): Promise<Page> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: "en-GB", timezoneId: "UTC" });
  const page = await context.newPage();
  const errors: string[] = [];
  pageErrors.set(page, errors);
  page.on("pageerror", (err) => errors.push(err.message));
  await page.goto(url);
  await page.getByLabel("Username").fill(account.username);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.locator("#live-status[data-state=live]").waitFor();
  return page;
}
