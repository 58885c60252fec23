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

describe("the generated API files (lib/client/api-types.ts, services/api/openapi/answers.schema.json)", () => {
  it("are what `npm run client:types` generates today", () => {
    const run = check();
    expect({ status: run.status, out: run.stdout.trim(), err: run.stderr }).toEqual({
      status: 0,
      out: "The generated API files are up to date.",
      err: "",
    });
  });

  it("are found stale when one differs from a fresh generation", () => {
    const edited = path.join(mkdtempSync(path.join(os.tmpdir(), "api-types-")), "api-types.ts");
    writeFileSync(edited, `${readFileSync(path.join(ROOT, "lib/client/api-types.ts"), "utf8")}// edited by hand\n`);
    const run = check(edited);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("is stale: run npm run client:types");
  });
});
