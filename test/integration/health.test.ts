/**
 * Health probes on every node: the health port of a node without the gateway, and the gateway's
 * own /health routes, answer from the same checks. Ready means the broker runs, the transporter
 * reaches NATS, and each store answers; each failure turns the answer to 503 and names itself.
 *
 * NATS here is our own nats-server on a spare port (never the machine's 4222), started, killed
 * and restarted by the test. MongoDB is the wire-compatible emulator (test/support/mongo.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import { ServiceBroker, type BrokerOptions } from "moleculer";
import config from "../../moleculer.config";
import { startBrigade, type Brigade } from "../support/brigade";
import { eventually } from "../support/meal";
import { startMongo, type TestMongo } from "../support/mongo";
import { HealthServerMiddleware, healthAddress } from "../../middlewares/health-server.middleware";
import { READY_CACHE_MS } from "../../services/api/health";

const NATS_SERVER = "/usr/sbin/nats-server";

async function get(port: number, path: string, method = "GET") {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: res.status, body: (await res.json()) as any };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Our own NATS on `port`; resolves once it accepts connections. */
async function startNats(port: number): Promise<ChildProcess> {
  if (!existsSync(NATS_SERVER)) throw new Error(`${NATS_SERVER} is missing: install the Debian package nats-server.`);
  const child = spawn(NATS_SERVER, ["-a", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
  await eventually(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = net.connect(port, "127.0.0.1", () => {
          socket.destroy();
          resolve(true);
        });
        socket.on("error", () => resolve(false));
      }),
    `nats-server on port ${port}`,
    10_000,
  );
  return child;
}

async function killNats(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

describe("the health port of a node without the gateway", () => {
  let b: Brigade;
  let port: number;
  beforeAll(async () => {
    b = await startBrigade({ services: ["staff", "menu"], env: { HEALTH_PORT: "0" } });
    port = healthAddress(b.broker)!.port;
  });
  afterAll(() => b.stop());

  it("is alive, and ready with every store answering", async () => {
    expect(await get(port, "/health/live")).toEqual({ status: 200, body: { status: "alive", node: b.broker.nodeID } });
    expect(await get(port, "/health/ready")).toEqual({
      status: 200,
      body: {
        ready: true,
        node: b.broker.nodeID,
        checks: { broker: true, transporter: "none", stores: { staff: true, menu: true } },
      },
    });
  });

  it("answers anything else with the API's error shape", async () => {
    const missing = await get(port, "/api/orders");
    expect(missing.status).toBe(404);
    expect(Object.keys(missing.body).sort()).toEqual(["code", "data", "message", "name", "type"]);
    expect((await get(port, "/health/ready", "POST")).status).toBe(405);
  });

  it("is not ready while a store does not answer, and says which", async () => {
    // A store that hangs (a MongoDB behind a dead network link): the probe's deadline answers.
    const hung = b.broker.createService({
      name: "hung",
      methods: { storeReachable: () => new Promise(() => undefined) },
    });
    await b.broker.waitForServices("hung");
    const res = await get(port, "/health/ready");
    expect(res.status).toBe(503);
    expect(res.body.checks.stores).toEqual({ staff: true, menu: true, hung: false });
    await b.broker.destroyService(hung);
    expect((await get(port, "/health/ready")).status).toBe(200);
  });

  it("answers a flood of probes from one address, checking each store about once a second", async () => {
    const menu = b.broker.getLocalService("menu") as unknown as { storeReachable(ms: number): Promise<boolean> };
    const original = menu.storeReachable;
    let checks = 0;
    menu.storeReachable = (ms) => {
      checks++;
      return original.call(menu, ms);
    };
    try {
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 300 }, () => get(port, "/health/ready")));
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
      expect(checks).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / READY_CACHE_MS) + 1);
    } finally {
      menu.storeReachable = original;
    }
  });

  it("is not ready once the node is stopping", async () => {
    const node = await startBrigade({ services: ["staff"], env: { HEALTH_PORT: "0" } });
    const nodePort = healthAddress(node.broker)!.port;
    expect((await get(nodePort, "/health/ready")).status).toBe(200);
    const stopping = node.stop();
    // registry.stopDelay keeps the node up a moment after SIGTERM; it already says "not ready".
    const res = await get(nodePort, "/health/ready");
    expect(res.status).toBe(503);
    expect(res.body.checks.broker).toBe(false);
    await stopping;
  });
});

describe("readiness follows the transporter", () => {
  it("is alive but not ready while NATS cannot be reached at start", async () => {
    const unused = await freePort();
    const broker = new ServiceBroker({
      ...config,
      nodeID: `health-unreachable-${process.pid}`,
      transporter: `nats://127.0.0.1:${unused}` as BrokerOptions["transporter"],
      // One failed attempt is the state under test; Moleculer's retry every 5 s would outlive it.
      transit: { disableReconnect: true },
      logger: false,
      metrics: { enabled: false },
      middlewares: [(b: ServiceBroker) => HealthServerMiddleware(b, { port: 0, host: "127.0.0.1" })] as never,
      started: undefined,
      replOptions: null,
    });
    // start() waits for the transporter: it does not resolve here.
    broker.start().catch(() => undefined);
    const port = await eventually(async () => healthAddress(broker)?.port, "the health server to listen");
    expect((await get(port, "/health/live")).status).toBe(200);
    const ready = await get(port, "/health/ready");
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toMatchObject({ broker: false, transporter: false });
    await broker.stop();
  });

  describe("with our own NATS", () => {
    let natsPort: number;
    let nats: ChildProcess;
    let b: Brigade;
    let healthPort: number;

    beforeAll(async () => {
      natsPort = await freePort();
      nats = await startNats(natsPort);
      b = await startBrigade({
        services: ["api", "staff"],
        env: { HEALTH_PORT: "0", BRIGADE_JWT_SECRET: "a-test-secret-long-enough-for-hs256-0123456789" },
        broker: {
          transporter: `nats://127.0.0.1:${natsPort}` as BrokerOptions["transporter"],
          namespace: `health-${process.pid}`,
        },
      });
      healthPort = healthAddress(b.broker)!.port;
    });
    afterAll(async () => {
      await b.stop();
      await killNats(nats);
    });

    it("turns 503 on both ports while NATS is down, and 200 again once it is back", async () => {
      const ready = await get(healthPort, "/health/ready");
      expect(ready).toMatchObject({
        status: 200,
        body: { checks: { broker: true, transporter: true, stores: { staff: true } } },
      });
      expect((await b.request("GET", "/health/ready")).status).toBe(200);

      await killNats(nats);
      const down = await eventually(async () => {
        const res = await get(healthPort, "/health/ready");
        return res.status === 503 ? res : null;
      }, "readiness to notice NATS is gone");
      expect(down.body.checks).toEqual({ broker: true, transporter: false, stores: { staff: true } });
      const gateway = await b.request("GET", "/health/ready");
      expect(gateway.status).toBe(503);
      expect(gateway.body.checks.transporter).toBe(false);
      // Alive all along: an orchestrator must not restart a node for its NATS being away.
      expect((await get(healthPort, "/health/live")).status).toBe(200);

      nats = await startNats(natsPort);
      await eventually(
        async () => (await get(healthPort, "/health/ready")).status === 200,
        "readiness to come back with NATS",
        20_000,
      );
      expect((await b.request("GET", "/health/ready")).status).toBe(200);
    });
  });
});

describe("readiness follows the store (MongoDB adapter contract, against a wire-compatible emulator in CI)", () => {
  let mongo: TestMongo;
  let b: Brigade;
  beforeAll(async () => {
    mongo = await startMongo();
    b = await startBrigade({ services: ["staff"], env: { HEALTH_PORT: "0", MONGO_URI: mongo.uri } });
  }, 120_000);
  afterAll(async () => {
    await b.stop();
    await mongo.stop();
  });

  it("turns 503 when MongoDB goes away", async () => {
    const port = healthAddress(b.broker)!.port;
    expect((await get(port, "/health/ready")).body.checks.stores).toEqual({ staff: true });
    // MONGO_URI naming a real server: it is not ours to stop, the reachable half above is the test.
    if (!mongo.emulated) return;
    await mongo.stop();
    // The last answer is shared for up to READY_CACHE_MS (a flood of probes costs one check), then checked again.
    const res = await eventually(
      async () => {
        const answer = await get(port, "/health/ready");
        return answer.status === 503 ? answer : null;
      },
      "readiness to notice MongoDB is gone",
      READY_CACHE_MS + 3_000,
    );
    expect(res.status).toBe(503);
    expect(res.body.checks.stores).toEqual({ staff: false });
  });
});
