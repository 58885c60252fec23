/**
 * What the container runs, run here: the TypeScript compiled as the image's build stage
 * compiles it, beside a node_modules holding the production dependencies only (what the final
 * stage's `npm ci --omit=dev` installs), started with the final stage's own CMD and ENV from
 * the Dockerfile. It must get ready, serve, log JSON lines that carry the node and the request,
 * trace a request across services with TRACING=console, expose metrics, and stop cleanly.
 *
 * Differences from the image, on purpose: ports are picked free (PORT, HEALTH_PORT and
 * METRICS_PORT = 0) and the data folder is a temporary one. There is no Docker engine here.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { eventually } from "../support/meal";
import { envOf, execForm, readDockerfile } from "../support/dockerfile";

const root = path.resolve(__dirname, "../..");
const run = promisify(execFile);

interface LogLine {
  level: number;
  msg: string;
  nodeID?: string;
  mod?: string;
  requestID?: string;
  [key: string]: unknown;
}

/** The production dependency tree, as `npm ci --omit=dev` installs it from the lockfile. */
async function productionPackages(): Promise<string[]> {
  const { stdout } = await run("npm", ["ls", "--omit=dev", "--all", "--parseable"], {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((err) => err as { stdout: string });
  return stdout
    .split("\n")
    .filter((line) => line.startsWith(path.join(root, "node_modules") + path.sep))
    .map((line) => path.relative(path.join(root, "node_modules"), line));
}

describe("the production build, run as the image runs it", () => {
  const stage = readDockerfile().pop()!;
  const work = mkdtempSync(path.join(os.tmpdir(), "brigade-prod-"));
  const lines: LogLine[] = [];
  const other: string[] = [];
  let child: ChildProcess;
  let exited: Promise<number | null>;
  let prodPackages: string[];
  const port = { health: 0, gateway: 0, metrics: 0 };

  const found = (pattern: RegExp) => lines.map((l) => pattern.exec(l.msg)).find(Boolean);

  beforeAll(async () => {
    // The build stage: `npm run build` is tsc with tsconfig.build.json, then public/ beside it.
    await run(
      process.execPath,
      [
        path.join(root, "node_modules/typescript/bin/tsc"),
        "-p",
        "tsconfig.build.json",
        "--outDir",
        path.join(work, "dist"),
      ],
      { cwd: root },
    );
    cpSync(path.join(root, "public"), path.join(work, "dist/public"), { recursive: true });

    // The final stage's node_modules: production packages only. Top-level links suffice; nested
    // packages live inside their parents.
    prodPackages = await productionPackages();
    for (const pkg of prodPackages.filter((p) => !p.includes(`${path.sep}node_modules${path.sep}`))) {
      mkdirSync(path.dirname(path.join(work, "node_modules", pkg)), { recursive: true });
      symlinkSync(path.join(root, "node_modules", pkg), path.join(work, "node_modules", pkg), "dir");
    }

    const [command, ...args] = execForm(stage, "CMD");
    // The image's Node (22) takes its NODE_OPTIONS; a Node 20 running this test refuses the async
    // context frame flag, so there the request IDs this test reads are asked for by name.
    const imageEnv: Record<string, string> = { ...envOf(stage) };
    if (Number(process.versions.node.split(".")[0]) < 22) {
      delete imageEnv.NODE_OPTIONS;
      imageEnv.LOG_REQUEST_IDS = "on";
    }
    child = spawn(command === "node" ? process.execPath : command, args, {
      cwd: work,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...imageEnv,
        PORT: "0",
        HEALTH_PORT: "0",
        METRICS_PORT: "0",
        DATA_DIR: path.join(work, "data"),
        BRIGADE_ADMIN_PASSWORD: "prod-build-admin-pw",
        TRACING: "console",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        other.push(line);
      }
    });
    createInterface({ input: child.stderr! }).on("line", (line) => other.push(line));

    const health = await eventually(
      async () => found(/Health probes on http:\/\/[^:]+:(\d+)\//),
      "the health server's port in the log",
      60_000,
    );
    port.health = Number(health[1]);
    await eventually(
      async () => (await fetch(`http://127.0.0.1:${port.health}/health/ready`)).status === 200,
      "the node to be ready",
      60_000,
    );
    // The image sets HOST=0.0.0.0, and the log says so.
    port.gateway = Number(found(/Brigade gateway listening on http:\/\/0\.0\.0\.0:(\d+)/)![1]);
    port.metrics = Number(found(/Prometheus metric reporter listening on http:\/\/.*:(\d+)\/metrics/)![1]);
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    rmSync(work, { recursive: true, force: true });
  });

  it("runs without any dev dependency installed", () => {
    const devDependencies = Object.keys(
      JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).devDependencies,
    );
    const topLevel = new Set(prodPackages);
    // A dev dependency that a production package also needs (the lockfile does not mark it
    // `dev`) belongs in the image; any other one does not.
    const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8")) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = devDependencies.filter((dep) => lock.packages[`node_modules/${dep}`]?.dev === true);
    expect(devOnly.length).toBeGreaterThan(5);
    expect(devOnly.filter((dep) => topLevel.has(dep))).toEqual([]);
    expect(["tsx", "typescript", "jest", "ts-jest"].filter((dep) => topLevel.has(dep))).toEqual([]);
    expect(topLevel.has("moleculer")).toBe(true);
  });

  it("serves the API and both health routes", async () => {
    const dishes = await fetch(`http://127.0.0.1:${port.gateway}/api/dishes`);
    expect(dishes.status).toBe(200);
    expect(((await dishes.json()) as { total: number }).total).toBeGreaterThan(0);
    expect((await fetch(`http://127.0.0.1:${port.gateway}/health/ready`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port.health}/health/live`)).status).toBe(200);
  });

  it("serves the OpenAPI document and the docs page's files from production dependencies alone", async () => {
    const document = await fetch(`http://127.0.0.1:${port.gateway}/api/openapi.json`);
    expect(document.status).toBe(200);
    expect(((await document.json()) as { info: { version: string } }).info.version).toBe(
      (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version,
    );
    expect((await fetch(`http://127.0.0.1:${port.gateway}/api/docs/swagger-ui-bundle.js`)).status).toBe(200);
  });

  it("passes the image's own HEALTHCHECK command", async () => {
    const [command, ...args] = execForm(stage, "HEALTHCHECK");
    expect(command).toBe("node");
    await expect(
      run(process.execPath, args, { env: { ...process.env, HEALTH_PORT: String(port.health) } }),
    ).resolves.toBeDefined();
    // And it fails where nothing is ready.
    await expect(run(process.execPath, args, { env: { ...process.env, HEALTH_PORT: "1" } })).rejects.toMatchObject({
      code: 1,
    });
  });

  it("logs JSON lines that carry the node ID, and the request ID within a request", async () => {
    const login = await fetch(`http://127.0.0.1:${port.gateway}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "prod-build-login-1" },
      body: JSON.stringify({ username: "admin", password: "prod-build-admin-pw" }),
    });
    expect(login.status).toBe(200);
    const nodeID = lines[0].nodeID;
    expect(nodeID).toEqual(expect.any(String));
    const inRequest = await eventually(
      async () => lines.find((l) => l.msg === "Staff member logged in."),
      "the login's log line",
    );
    expect(inRequest).toMatchObject({ nodeID, mod: "staff", requestID: "prod-build-login-1", staff: "admin" });
    expect(lines.every((l) => l.nodeID === nodeID)).toBe(true);
    // Nothing on stdout or stderr that is not a JSON log line.
    expect(other).toEqual([]);
  });

  it("traces a request across services with TRACING=console", async () => {
    const login = await fetch(`http://127.0.0.1:${port.gateway}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: "prod-build-admin-pw" }),
    });
    const { token } = (await login.json()) as { token: string };
    const before = lines.length;
    const orders = await fetch(`http://127.0.0.1:${port.gateway}/api/orders`, {
      headers: { authorization: `Bearer ${token}`, "x-request-id": "prod-build-trace-1" },
    });
    expect(orders.status).toBe(200);
    // The console exporter draws each request as one box, a tree of spans, once its root ends:
    // the gateway's HTTP span, and under it the actions it called, service by service.
    const box = await eventually(async () => {
      const drawn = lines
        .slice(before)
        .filter((l) => l.mod === "tracer")
        .map((l) => l.msg)
        .join("\n");
      return drawn.split("┌").find((b) => b.includes("GET /api/orders") && b.includes("└"));
    }, "the request's trace");
    const spans = box.split("\n").filter((l) => l.startsWith("│") && !l.includes("ID:"));
    expect(
      spans.map((l) =>
        /│ ([^\d]*?)\s+\d/
          .exec(l)?.[1]
          .replace(/[├└─ ]+(?=action)/, "")
          // A span answered from the cache is drawn with a star.
          .replace(/\s\*$/, "")
          .trim(),
      ),
    ).toEqual(["GET /api/orders", "action 'staff.resolveToken'", "action 'staff.locationIds'", "action 'orders.list'"]);
  });

  it("serves Moleculer's and Brigade's metrics on METRICS_PORT", async () => {
    const res = await fetch(`http://127.0.0.1:${port.metrics}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^brigade_orders_placed_total\{[^}]*\} 0$/m);
    expect(text).toMatch(/^brigade_stock_available\{[^}]*ingredient="[a-z-]+"[^}]*\} \d+$/m);
    expect(text).toMatch(/^moleculer_request_total\{/m);
  });

  it("stops cleanly on SIGTERM", async () => {
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(lines.at(-1)?.msg ?? "").toMatch(/stopped|Good bye/i);
  });
});
