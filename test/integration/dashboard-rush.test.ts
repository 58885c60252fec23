/**
 * `npm run rush` against an in-process Brigade, small and fast: it makes its own accounts with
 * the admin's password, every order it places is cooked, served and paid, and its summary
 * agrees with the day's takings.
 */
import { startBrigade, ADMIN_PASSWORD, type Brigade } from "../support/brigade";
import { parseCommandLine, renderSummary, rush } from "../../scripts/rush";

describe("npm run rush", () => {
  let b: Brigade;

  beforeAll(async () => {
    b = await startBrigade({
      env: { BRIGADE_SEED: "true", KITCHEN_TIME_SCALE: "0.002", KITCHEN_POLL_MS: "20", BRIGADE_RECONCILE_MS: "500" },
    });
  });
  afterAll(() => b.stop());

  it("runs a small rush to the end: every order placed is ready, served and paid, and the takings say so", async () => {
    const summary = await rush({
      url: b.url,
      adminPassword: ADMIN_PASSWORD,
      orders: 8,
      tables: 3,
      seconds: 60,
      drainSeconds: 60,
      pace: 25,
      lateSeconds: 30,
      progress: false,
    });

    expect(summary.errors).toEqual([]);
    expect(summary.unfinished).toBe(0);
    expect(summary.orders).toBeGreaterThanOrEqual(1);
    expect(summary.orders).toBeLessThanOrEqual(8);
    expect(summary.ready).toBe(summary.orders);
    expect(summary.served).toBe(summary.orders);
    expect(summary.paid).toBe(summary.orders);
    expect(summary.bills).toBeGreaterThanOrEqual(1);
    expect(summary.readyWorstSeconds).not.toBeNull();
    expect(summary.readyMeanSeconds!).toBeLessThanOrEqual(summary.readyWorstSeconds!);

    // The takings moved by exactly what the rush's bills came to.
    expect(summary.takingsCents).toBe(summary.settledCents);
    const takings = await b.request("GET", "/api/takings", { token: b.adminToken });
    expect(takings.body.revenueCents).toBe(summary.takingsCents);

    // Its accounts are real staff, one set per rush.
    const staff = await b.request("GET", "/api/staff?pageSize=100", { token: b.adminToken });
    const roles = (staff.body.rows as { username: string; role: string }[])
      .filter((s) => s.username.startsWith("rush-"))
      .map((s) => s.role);
    expect(roles.sort()).toEqual(["cashier", "chef", "chef", "waiter", "waiter", "waiter"]);

    expect(renderSummary(summary)).toContain(`orders placed`);
  }, 120_000);

  it("stops before it starts without a way in, and says which", async () => {
    await expect(rush({ url: b.url, progress: false, orders: 1 })).rejects.toThrow(/BRIGADE_ADMIN_PASSWORD/);
    await expect(rush({ url: b.url, progress: false, orders: 1, adminPassword: "not-the-password" })).rejects.toThrow(
      /401/,
    );
  });

  it("reads its options from the command line and refuses nonsense", () => {
    expect(
      parseCommandLine(
        ["--url", "http://10.0.0.5:3000", "--orders", "40", "--pace", "2.5", "--waiter", "ann:pw:with:colons"],
        {},
      ),
    ).toMatchObject({
      url: "http://10.0.0.5:3000",
      orders: 40,
      pace: 2.5,
      accounts: { waiter: { username: "ann", password: "pw:with:colons" } },
    });
    expect(
      parseCommandLine([], { BRIGADE_URL: "http://brigade:3000", BRIGADE_ADMIN_PASSWORD: "secret" }),
    ).toMatchObject({ url: "http://brigade:3000", adminPassword: "secret" });
    expect(() => parseCommandLine(["--orders", "-3"], {})).toThrow(/--orders/);
    expect(() => parseCommandLine(["--tables", "2.5"], {})).toThrow(/--tables/);
    expect(() => parseCommandLine(["--bogus"], {})).toThrow();
    expect(parseCommandLine(["--help"], {})).toBeNull();
  });
});
