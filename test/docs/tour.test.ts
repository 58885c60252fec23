import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { ADMIN_PASSWORD, type Brigade, startBrigade } from "../support/brigade";

// The README's curl tour is scripts/tour.sh, word for word: this test holds the two together
// and runs the script against a real Brigade, so the tour cannot drift from what Brigade does.

const root = resolve(__dirname, "../..");
const run = promisify(execFile);

/** The script's lines from its "--- tour ---" marker on: what a reader types. */
function tourOfScript(): string {
  const script = readFileSync(join(root, "scripts/tour.sh"), "utf8");
  const marker = "# --- tour ---\n";
  expect(script).toContain(marker);
  return script.slice(script.indexOf(marker) + marker.length).trim();
}

/** The first sh block under the README's tour heading. */
function tourOfReadme(): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## A short tour with curl"));
  const block = /```sh\n([\s\S]*?)\n```/.exec(section);
  expect(block).not.toBeNull();
  return block![1].trim();
}

describe("the README's curl tour", () => {
  let brigade: Brigade;
  beforeAll(async () => {
    brigade = await startBrigade({ env: { BRIGADE_SEED: "true" } });
  });
  afterAll(() => brigade.stop());

  it("is scripts/tour.sh word for word", () => {
    expect(tourOfReadme()).toBe(tourOfScript());
  });

  it("runs as written: a whole meal ends in today's takings", async () => {
    const tour = () =>
      run("bash", [join(root, "scripts/tour.sh")], {
        env: { ...process.env, BRIGADE_URL: brigade.url, BRIGADE_ADMIN_PASSWORD: ADMIN_PASSWORD },
        timeout: 60_000,
      });
    const first = await tour();
    const takings = JSON.parse(first.stdout.trim().split("\n").at(-1)!);
    expect(takings).toMatchObject({ orders: 1, revenueCents: 3800, tipsCents: 500 });
    expect(takings.byMethod.cash).toBe(4300);

    // a second run on the same data (the staff exist by then) is still a whole meal
    const second = await tour();
    expect(second.stdout).toContain('"USERNAME_TAKEN"');
    const after = JSON.parse(second.stdout.trim().split("\n").at(-1)!);
    expect(after).toMatchObject({ orders: 2, revenueCents: 7600, tipsCents: 1000 });
  }, 120_000);
});
