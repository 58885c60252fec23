/**
 * The operator's REPL commands against a live Brigade in one broker (the real menu, inventory,
 * orders and kitchen): each command is run as moleculer-repl runs it, and its table must hold
 * the rows the cluster's state implies. The kitchen runs 100× fast (KITCHEN_TIME_SCALE 0.01).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ServiceBroker, Errors } from "moleculer";
import { startBrigade, type Brigade } from "../support/brigade";
import {
  createDishes,
  createIngredients,
  eventually,
  orderReaches,
  allTickets,
  KITCHEN_SERVICES,
  fastKitchen,
} from "../support/meal";
import { replCommands } from "../../services/operator/repl-commands";
import { readBreakers } from "../../lib/breakers";
import { renderBreakers } from "../../services/operator/breakers";
import OperatorService from "../../services/operator/operator.service";

/** The cells of every body row of the cli-table3 tables in `text`. */
function rowsOf(text: string): string[][] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("│"))
    .map((line) =>
      line
        .split("│")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

async function run(broker: ServiceBroker, line: string): Promise<string> {
  const printed: string[] = [];
  const commands = replCommands((text) => printed.push(text));
  const [name, ...rest] = line.split(" ");
  const command = commands.find((c) => c.command.split(" ")[0] === name);
  if (!command) throw new Error(`no command ${name}`);
  const options: Record<string, unknown> = {};
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--limit") options.limit = rest[++i];
    else if (rest[i] === "--all") options.all = true;
    else if (rest[i] === "--resume") options.resume = true;
    else if (rest[i] === "--location") options.location = rest[++i];
    else positional.push(rest[i]);
  }
  await command.action(broker, { options, nodeID: positional[0] });
  return printed.join("\n");
}

describe("operator commands on a live Brigade", () => {
  let b: Brigade;
  let waiter: string;
  const placed: Record<string, string> = {};

  beforeAll(async () => {
    b = await startBrigade({
      services: KITCHEN_SERVICES,
      env: fastKitchen(2),
    });
    await createIngredients(b, [
      { name: "Soda syrup", unit: "ml", onHand: 100_000 },
      { name: "Lamb shoulder", unit: "pcs", onHand: 50 },
      { name: "Truffle", unit: "pcs", onHand: 3 },
    ]);
    // Truffle is low from the start: 3 on hand against a reorder point of 10.
    expect(
      (await b.request("PATCH", "/api/ingredients/truffle", { token: b.adminToken, body: { reorderPoint: 10 } }))
        .status,
    ).toBe(200);
    await createDishes(b, [
      {
        name: "House Soda",
        priceCents: 350,
        station: "bar",
        prepSeconds: 5,
        recipe: [{ ingredient: "soda-syrup", qty: 30 }],
      },
      // An hour, 36 s here: it stays cooking for the whole file.
      {
        name: "Slow Roast",
        priceCents: 2400,
        station: "grill",
        prepSeconds: 3600,
        recipe: [{ ingredient: "lamb-shoulder", qty: 1 }],
      },
    ]);
    waiter = await b.tokenFor("waiter");
    const place = async (table: string, dish: string) => {
      const res = await b.request("POST", "/api/orders", { token: waiter, body: { table, lines: [{ dish, qty: 1 }] } });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    placed.roast = await place("7", "slow-roast");
    placed.soda = await place("3", "house-soda");
    placed.cancelled = await place("9", "slow-roast");
    expect(
      (
        await b.request("POST", `/api/orders/${placed.cancelled}/cancel`, {
          token: waiter,
          body: { reason: "guest left" },
        })
      ).status,
    ).toBe(200);
    await orderReaches(b, placed.roast, "cooking");
    await orderReaches(b, placed.soda, "ready");
  });
  afterAll(() => b.stop());

  it("board: counts orders by status and lists the oldest waiting first", async () => {
    const out = await run(b.broker, "board");
    const rows = rowsOf(out);
    expect(rows[0]).toEqual(["placed", "cooking", "ready", "served", "paid", "cancelled"]);
    expect(rows[1]).toEqual(["0", "1", "1", "0", "0", "1"]);
    const waiting = rows.slice(3).map((r) => r.slice(0, 3));
    expect(waiting).toEqual([
      [placed.roast, "7", "cooking"],
      [placed.soda, "3", "ready"],
    ]);
    expect(out).not.toContain(placed.cancelled);
  });

  it("board --limit keeps only the oldest", async () => {
    const rows = rowsOf(await run(b.broker, "board --limit 1"));
    expect(rows.slice(3).map((r) => r[0])).toEqual([placed.roast]);
  });

  it("stock: low items come first, marked LOW", async () => {
    const rows = rowsOf(await run(b.broker, "stock"));
    expect(rows[0]).toEqual(["", "ingredient", "available", "reserved", "on hand", "reorder at", "unit"]);
    expect(rows[1]).toEqual(["LOW", "truffle", "3", "0", "3", "10", "pcs"]);
    // Then the rest by name. (Whether the cancelled roast had started, and so used its lamb,
    // is a race with the kitchen: the lamb's numbers are the inventory's business.)
    expect(rows.slice(2).map((r) => r.slice(0, 2))).toEqual([
      ["", "lamb-shoulder"],
      ["", "soda-syrup"],
    ]);
    expect(rows[3]).toEqual(["", "soda-syrup", "99970", "0", "99970", "0", "ml"]);
  });

  it("kitchen: tickets cooking on this node, by station, against its chefs", async () => {
    const out = await run(b.broker, "kitchen");
    expect(out).toContain("Kitchen: 1 cooking, 0 queued");
    expect(rowsOf(out)[1]).toEqual([b.broker.nodeID, "taking tickets", "every", "1", "2", "50%", "grill 1"]);
  });

  it("drain: the node finishes what it cooks and starts nothing new until resumed", async () => {
    const drained = await run(b.broker, `drain ${b.broker.nodeID}`);
    expect(rowsOf(drained)[1]).toEqual([b.broker.nodeID, "draining", "1", "2"]);
    expect(drained).toContain("It finishes its 1 ticket(s)");

    const res = await b.request("POST", "/api/orders", {
      token: waiter,
      body: { table: "12", lines: [{ dish: "house-soda", qty: 1 }] },
    });
    expect(res.status).toBe(201);
    // Accepted and queued, but no chef of a draining node picks it up.
    await eventually(
      async () => (await allTickets(b, "status=queued")).some((t) => t.order === res.body.id),
      "the soda ticket to be queued",
    );
    const kitchen = await run(b.broker, "kitchen");
    expect(kitchen).toContain("1 cooking, 1 queued");
    expect(rowsOf(kitchen)[1].slice(0, 2)).toEqual([b.broker.nodeID, "draining"]);

    const resumed = await run(b.broker, `drain ${b.broker.nodeID} --resume`);
    expect(rowsOf(resumed)[1][1]).toBe("taking tickets");
    await orderReaches(b, res.body.id, "ready");
  });

  it("drain refuses a node that runs no kitchen, naming the ones that do", async () => {
    const out = await run(b.broker, "drain nowhere-1");
    expect(out).toBe(
      `Could not read kitchen node nowhere-1: No kitchen runs on node "nowhere-1". Kitchen nodes now: ${b.broker.nodeID}.`,
    );
  });

  it("breakers: every breaker closed on a calm node", async () => {
    const out = await run(b.broker, "breakers");
    expect(out).toContain("Circuit breakers on 1 node(s): 0 not closed");
    expect(out).toContain("Every breaker is closed");
  });

  it("the operator service answers the same views as actions", async () => {
    const svc = b.broker.createService(OperatorService);
    await b.broker.waitForServices("operator");
    const board = await b.broker.call<{ counts: Record<string, number> }, { limit: number }>("operator.board", {
      limit: 5,
    });
    expect(board.counts).toMatchObject({ cooking: 1, cancelled: 1 });
    await b.broker.destroyService(svc);
  });

  // Last: from here on the group has two locations.
  it("stock and board --location: another location's restaurant, not main's", async () => {
    const east = await b.request("POST", "/api/locations", { token: b.adminToken, body: { id: "east", name: "East" } });
    expect(east.status).toBe(201);
    const eastStock = await run(b.broker, "stock --location east");
    expect(rowsOf(eastStock).slice(1)).toEqual([]);
    expect(eastStock).not.toContain("truffle");
    expect(await run(b.broker, "stock --location main")).toContain("truffle");
    expect(await run(b.broker, "board --location east")).not.toContain(Object.values(placed)[0]);
  });
});

describe("breakers across nodes", () => {
  // Two brokers on Moleculer's in-process Fake transporter: the caller's breaker for the other
  // node's endpoint opens; the callee's own view stays closed. A namespace of its own keeps this
  // cluster apart from any other in the process.
  const namespace = `ops-${process.pid}-${Date.now()}`;
  const quiet = { type: "Console", options: { level: "error" } } as const;
  const caller = new ServiceBroker({
    namespace,
    nodeID: "front-1",
    transporter: "Fake",
    logger: quiet,
    circuitBreaker: { enabled: true, threshold: 0.5, minRequestCount: 5, windowTime: 60, halfOpenTime: 60_000 },
    retryPolicy: { enabled: false },
  });
  const callee = new ServiceBroker({
    namespace,
    nodeID: "back-1",
    transporter: "Fake",
    logger: quiet,
    circuitBreaker: { enabled: true },
  });
  callee.createService({
    name: "flaky",
    actions: {
      fail() {
        throw new Errors.MoleculerServerError("the fryer is on fire", 500, "FIRE");
      },
      fine() {
        return "ok";
      },
    },
  });

  beforeAll(async () => {
    await Promise.all([caller.start(), callee.start()]);
    await caller.waitForServices("flaky");
  });
  afterAll(() => Promise.all([caller.stop(), callee.stop()]));

  it("shows the open breaker on the caller's row, the rest closed", async () => {
    await caller.call("flaky.fine");
    for (let i = 0; i < 5; i++) await expect(caller.call("flaky.fail")).rejects.toThrow();
    // Open: the caller now fails fast without reaching back-1.
    await expect(caller.call("flaky.fail")).rejects.toMatchObject({ name: "ServiceNotAvailableError" });

    const view = await readBreakers(caller);
    expect(view.silent).toEqual([]);
    expect(view.rows.filter((r) => r.state !== "closed")).toEqual([
      { node: "front-1", action: "flaky.fail", target: "back-1", state: "open" },
    ]);
    expect(view.rows).toContainEqual({ node: "back-1", action: "flaky.fail", target: "back-1", state: "closed" });

    const out = await run(caller, "breakers");
    expect(out).toContain("Circuit breakers on 2 node(s): 1 not closed");
    expect(rowsOf(out)).toEqual([
      ["caller node", "action", "target node", "state"],
      ["front-1", "flaky.fail", "back-1", "open"],
    ]);
    const all = rowsOf(renderBreakers(view, { all: true }));
    expect(all).toContainEqual(["front-1", "flaky.fine", "back-1", "closed"]);
  });
});

describe("through moleculer-repl, as `npm run repl` starts it", () => {
  // One embedded node with every service and the REPL, driven through its stdin like a
  // terminal: proves the commands are registered and their options and arguments parsed.
  const root = path.resolve(__dirname, "../..");
  const data = mkdtempSync(path.join(os.tmpdir(), "brigade-repl-"));
  let child: ChildProcess;
  let output = "";

  /** Types one command and waits until its answer (matched by `until`) has been printed. */
  async function type(line: string, until: RegExp): Promise<string> {
    const from = output.length;
    child.stdin!.write(`${line}\n`);
    return eventually(
      async () => {
        const answer = output.slice(from);
        return until.test(answer) ? answer : null;
      },
      `the answer to "${line}"`,
      30_000,
    );
  }

  beforeAll(async () => {
    child = spawn(
      process.execPath,
      [
        path.join(root, "node_modules/tsx/dist/cli.mjs"),
        "scripts/brigade-runner.ts",
        "--config",
        "moleculer.config.ts",
        "--mask",
        "**/*.service.ts",
        "--repl",
      ],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          HOME: data,
          NODE_ENV: "development",
          LOG_LEVEL: "warn",
          SERVICEDIR: "services",
          DATA_DIR: data,
          PORT: "0",
          BRIGADE_ADMIN_PASSWORD: "repl-admin-pw",
        },
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    await eventually(async () => output.includes("brigade $"), "the REPL prompt", 60_000);
  }, 90_000);
  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.stdin!.end("quit\n");
      await exited;
    }
    rmSync(data, { recursive: true, force: true });
  });

  it("runs the Brigade commands beside moleculer-repl's own", async () => {
    expect(await type("board", /No order is waiting\./)).toContain("Orders by status");
    // The demo restaurant is seeded: 26 ingredients, two shown.
    const stock = await type("stock --limit 2", /more not shown/);
    expect(rowsOf(stock)).toHaveLength(3);
    expect(stock).toMatch(/\((\d+) more not shown\)/);
    const kitchen = await type("kitchen", /taking tickets/);
    const node = rowsOf(kitchen)[1][0];
    expect(rowsOf(await type(`drain ${node}`, /can be stopped now/))[1]).toEqual([node, "draining", "0", "4"]);
    expect(rowsOf(await type(`drain ${node} --resume`, /takes tickets again/))[1]).toEqual([
      node,
      "taking tickets",
      "0",
      "4",
    ]);
    expect(await type("breakers", /Every breaker is closed/)).toContain("Circuit breakers on 1 node(s)");
    // moleculer-repl's built-ins are still there.
    expect(await type("services", /operator/)).toContain("kitchen");
  });
});
