import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.join(__dirname, "..", "..", "..");
const check = (...file: string[]) =>
  spawnSync(process.execPath, [require.resolve("tsx/cli"), "scripts/client-types.ts", "--check", ...file], {
    cwd: ROOT,
    encoding: "utf8",
  });

describe("lib/client/api-types.ts", () => {
  it("is what `npm run client:types` generates from today's document", () => {
    const run = check();
    expect({ status: run.status, out: run.stdout.trim(), err: run.stderr }).toEqual({
      status: 0,
      out: "lib/client/api-types.ts is up to date.",
      err: "",
    });
  });

  it("is found stale when it differs from a fresh generation", () => {
    const edited = path.join(mkdtempSync(path.join(os.tmpdir(), "api-types-")), "api-types.ts");
    writeFileSync(edited, `${readFileSync(path.join(ROOT, "lib/client/api-types.ts"), "utf8")}// edited by hand\n`);
    const run = check(edited);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("is stale: run npm run client:types");
  });
});
