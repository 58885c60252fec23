/**
 * The dashboard's live stream over HTTP, read the way EventSource reads it: who may open it (a
 * ticket, once), what each role hears, the manager's cluster picture as nodes come and go, and
 * that every gateway of a cluster tells its own streams about every event.
 */
import jwt from "jsonwebtoken";
import { ServiceBroker, type ServiceSchema } from "moleculer";
import { startBrigade, type Brigade } from "../support/brigade";
import { eventually } from "../support/meal";
import ApiService from "../../services/api/api.service";
import type { ClusterView } from "../../services/api/cluster-view";
import { issueTicket, ticketKey, TICKET_TTL_SECONDS } from "../../services/api/live-ticket";
import { jwtSecret } from "../../lib/jwt-secret";
import { loadSettings } from "../../lib/settings";
import { named, openStream, type LiveMessage, type Stream } from "../support/live-stream";

describe("the live stream", () => {
  let b: Brigade;
  const streams: Stream[] = [];

  const ticketFor = async (token: string, brigade = b) => {
    const res = await brigade.request("POST", "/api/live/tickets", { token });
    expect(res.status).toBe(200);
    return res.body.ticket as string;
  };
  const streamFor = async (token: string, url = b.url) => {
    const stream = await openStream(url, await ticketFor(token));
    streams.push(stream);
    expect(stream.status).toBe(200);
    await stream.waitFor("the stream's hello", named("live.ready"));
    return stream;
  };

  beforeAll(async () => {
    b = await startBrigade({
      env: { BRIGADE_SEED: "true", KITCHEN_TIME_SCALE: "0.001", KITCHEN_POLL_MS: "20", BRIGADE_RECONCILE_MS: "200" },
      // A quick heartbeat, and an in-process bus other nodes can join.
      broker: { transporter: "Fake", nodeID: "live-main", heartbeatInterval: 1, heartbeatTimeout: 3 },
    });
  });
  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });
  afterAll(() => b.stop());

  describe("the page", () => {
    it("is served at / as static modules, with a policy that lets it run over plain http on a LAN", async () => {
      const page = await b.request("GET", "/");
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      expect(page.body).toContain('<script type="module" src="/js/app.js"></script>');
      const policy = page.headers.get("content-security-policy") ?? "";
      expect(policy).toContain("script-src 'self'");
      // A tablet at http://10.0.0.5:3000 would fetch its scripts over https and show a blank page.
      expect(policy).not.toContain("upgrade-insecure-requests");
      for (const asset of ["/js/app.js", "/js/live.js", "/js/views/floor.js", "/css/brigade.css"]) {
        const res = await fetch(b.url + asset);
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toMatch(asset.endsWith(".css") ? /^text\/css/ : /javascript/);
      }
    });
  });

  describe("opening it", () => {
    it("takes a ticket from a logged-in caller, and each ticket opens one stream", async () => {
      const waiter = await b.tokenFor("waiter");
      const ticket = await ticketFor(waiter);

      const first = await openStream(b.url, ticket);
      streams.push(first);
      expect(first.status).toBe(200);
      const hello = await first.waitFor("hello", named("live.ready"));
      expect(hello.payload.staff).toMatchObject({ role: "waiter" });

      const again = await openStream(b.url, ticket);
      expect(again.status).toBe(401);
    });

    it("refuses no ticket, a forged one, and a login token in its place", async () => {
      const waiter = await b.tokenFor("waiter");
      for (const query of ["", "?ticket=", "?ticket=not-a-ticket", `?ticket=${waiter}`]) {
        const res = await b.request("GET", `/api/live${query}`);
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ name: "UnauthorizedError", type: "UNAUTHORIZED" });
      }
    });

    it("refuses a ticket older than its 30 seconds", async () => {
      const key = ticketKey(jwtSecret(loadSettings()));
      // A real account's session: the gateway checks it with the staff service when the ticket is used.
      const { sub, ver } = jwt.decode(await b.tokenFor("waiter")) as { sub: string; ver: number };
      const session = {
        staff: { id: sub, username: sub, name: "X", role: "waiter" as const },
        version: ver,
        location: "main",
      };
      const stale = issueTicket(key, session, Date.now() - (TICKET_TTL_SECONDS + 1) * 1000);
      expect((await b.request("GET", `/api/live?ticket=${stale.ticket}`)).status).toBe(401);
      const fresh = issueTicket(key, session);
      const stream = await openStream(b.url, fresh.ticket);
      streams.push(stream);
      expect(stream.status).toBe(200);
    });

    it("lets one person keep a few tabs open, the oldest giving way to a new one", async () => {
      const chef = await b.tokenFor("chef");
      const tabs: Stream[] = [];
      for (let i = 0; i < 8; i++) tabs.push(await streamFor(chef));
      const ninth = await streamFor(chef);
      await tabs[0].waitFor("the oldest tab to be told", named("live.replaced"));
      await tabs[0].ended;
      expect(tabs.slice(1).every((t) => !t.messages.some(named("live.replaced")))).toBe(true);
      expect(ninth.messages.some(named("live.replaced"))).toBe(false);
    });

    it("gives tickets to staff only, and a ticket is no login token", async () => {
      expect((await b.request("POST", "/api/live/tickets")).status).toBe(401);
      const ticket = await ticketFor(await b.tokenFor("chef"));
      expect((await b.request("GET", "/api/auth/me", { token: ticket })).status).toBe(401);
    });
  });

  describe("what each role hears", () => {
    it("tells each role what its views show, and a manager everything", async () => {
      const waiterToken = await b.tokenFor("waiter");
      const cashierToken = await b.tokenFor("cashier");
      const [waiter, chef, cashier, purchaser, manager] = await Promise.all([
        streamFor(waiterToken),
        streamFor(await b.tokenFor("chef")),
        streamFor(cashierToken),
        streamFor(await b.tokenFor("purchaser")),
        streamFor(b.adminToken),
      ]);

      // One meal, from the order to the payment.
      const placed = await b.request("POST", "/api/orders", {
        token: waiterToken,
        body: { table: "12", lines: [{ dish: "lemon-tart", qty: 1 }] },
      });
      expect(placed.status).toBe(201);
      const order = placed.body.id as string;
      await waiter.waitFor("order.ready", (m) => m.event === "order.ready" && m.payload.order === order);
      expect((await b.request("POST", `/api/orders/${order}/serve`, { token: waiterToken })).status).toBe(200);
      const bill = await b.request("POST", "/api/bills", { token: waiterToken, body: { table: "12" } });
      expect(bill.status).toBe(201);
      const paid = await b.request("POST", `/api/bills/${bill.body.id}/payments`, {
        token: cashierToken,
        body: { method: "card", amountCents: 750 },
      });
      expect(paid.status).toBe(201);
      await cashier.waitFor("bill.paid", (m) => m.event === "bill.paid" && m.payload.bill === bill.body.id);
      await waiter.waitFor("order.paid", (m) => m.event === "order.paid" && m.payload.order === order);

      // A barrier: each stream gets these after everything above, so what is missing before it was never sent.
      await b.broker.broadcast("cache.clean.inventory");
      await b.broker.broadcast("cache.clean.billing");
      await b.broker.broadcast("cache.clean.kitchen");
      const upToBarrier = async (stream: Stream, what: string) => {
        const barrier = await stream.waitFor(
          `the ${what} barrier`,
          (m) => m.event === "changed" && m.payload.what === what,
        );
        return new Set(stream.messages.slice(0, stream.messages.indexOf(barrier)).map((m) => m.event));
      };

      const heardByWaiter = await upToBarrier(waiter, "billing");
      for (const event of ["order.placed", "order.accepted", "order.ready", "order.served", "order.paid", "bill.paid"])
        expect(heardByWaiter).toContain(event);
      for (const event of ["ticket.started", "ticket.done", "payment.taken"])
        expect(heardByWaiter).not.toContain(event);

      const heardByChef = await upToBarrier(chef, "kitchen");
      for (const event of ["order.placed", "order.accepted", "ticket.started", "ticket.done", "order.ready"])
        expect(heardByChef).toContain(event);
      for (const event of ["order.served", "order.paid", "bill.paid", "payment.taken"])
        expect(heardByChef).not.toContain(event);

      const heardByCashier = await upToBarrier(cashier, "billing");
      for (const event of ["order.served", "order.paid", "bill.paid", "payment.taken"])
        expect(heardByCashier).toContain(event);
      for (const event of ["order.placed", "order.accepted", "order.ready", "ticket.started", "ticket.done"])
        expect(heardByCashier).not.toContain(event);

      const heardByPurchaser = await upToBarrier(purchaser, "inventory");
      expect([...heardByPurchaser].filter((e) => /^(order|ticket|bill|payment)\./.test(e))).toEqual([]);

      const heardByManager = await upToBarrier(manager, "billing");
      for (const event of [
        "order.placed",
        "ticket.done",
        "order.ready",
        "payment.taken",
        "bill.paid",
        "cluster.changed",
      ])
        expect(heardByManager).toContain(event);
    });
  });

  describe("the cluster", () => {
    it("is the manager's, as a route and as live pictures", async () => {
      expect((await b.request("GET", "/api/cluster", { token: await b.tokenFor("waiter") })).status).toBe(403);
      const view = await b.request("GET", "/api/cluster", { token: b.adminToken });
      expect(view.status).toBe(200);
      const main = (view.body as ClusterView).nodes.find((n) => n.id === "live-main");
      expect(main).toMatchObject({
        local: true,
        services: ["api", "billing", "inventory", "kitchen", "menu", "orders", "staff"],
        kitchen: { chefs: 4, draining: false },
      });
      expect(typeof main!.cpu).toBe("number");
      expect((view.body as ClusterView).breakers.tripped).toEqual([]);
    });

    it("shows a node that joins, and drops one that stops sending heartbeats within the heartbeat timeout", async () => {
      const manager = await streamFor(b.adminToken);
      const lists = (m: LiveMessage, node: string) =>
        m.event === "cluster.changed" && (m.payload as ClusterView).nodes.some((n) => n.id === node);

      const other = new ServiceBroker({
        nodeID: "live-silent",
        transporter: "Fake",
        logger: false,
        heartbeatInterval: 1,
        heartbeatTimeout: 3,
      });
      other.createService({ name: "sous-chef", actions: { ping: () => "pong" } });
      await other.start();
      try {
        const joined = await manager.waitFor("the new node", (m) => lists(m, "live-silent"));
        expect((joined.payload as ClusterView).nodes.find((n) => n.id === "live-silent")!.services).toEqual([
          "sous-chef",
        ]);

        // As if the process froze: no more heartbeats, no goodbye.
        (other.registry as unknown as { discoverer: { stopHeartbeatTimers(): void } }).discoverer.stopHeartbeatTimers();
        const after = manager.messages.length;
        await eventually(
          async () =>
            manager.messages.slice(after).find((m) => m.event === "cluster.changed" && !lists(m, "live-silent")),
          "the silent node to leave the picture",
        );
        const view = await b.request("GET", "/api/cluster", { token: b.adminToken });
        expect((view.body as ClusterView).nodes.map((n) => n.id)).toEqual(["live-main"]);
      } finally {
        await other.stop();
      }
    });

    it("tells the streams of every gateway about every event, and a stopping gateway ends its streams", async () => {
      // A second gateway on the bus; the ticket comes from the first (tickets are not tied to a node).
      const gateway = new ServiceBroker({
        nodeID: "live-gateway-2",
        transporter: "Fake",
        logger: false,
        heartbeatInterval: 1,
        heartbeatTimeout: 3,
      });
      gateway.createService({
        name: "api",
        mixins: [ApiService as unknown as Partial<ServiceSchema>],
        settings: { port: 0 },
      });
      await gateway.start();
      let stopped = false;
      try {
        const port = (
          gateway.getLocalService("api") as unknown as { server: { address(): { port: number } } }
        ).server.address().port;
        // Until the first node has the second's INFO packet, it does not know that gateway listens.
        await eventually(async () => {
          const view = await b.request("GET", "/api/cluster", { token: b.adminToken });
          return (view.body as ClusterView).nodes.some((n) => n.id === "live-gateway-2" && n.services.includes("api"));
        }, "the first node to discover the second gateway");
        const waiterToken = await b.tokenFor("waiter");
        const here = await streamFor(waiterToken);
        const there = await streamFor(waiterToken, `http://127.0.0.1:${port}`);
        expect(there.messages[0].payload.node).toBe("live-gateway-2");

        const placed = await b.request("POST", "/api/orders", {
          token: waiterToken,
          body: { table: "9", lines: [{ dish: "hand-cut-fries", qty: 1 }] },
        });
        expect(placed.status).toBe(201);
        const isOurs = (m: LiveMessage) => m.event === "order.placed" && m.payload.order === placed.body.id;
        await here.waitFor("order.placed on the first gateway", isOurs);
        await there.waitFor("order.placed on the second gateway", isOurs);

        await gateway.stop();
        stopped = true;
        await there.ended;
        expect(there.messages.at(-1)?.event).toBe("live.renew");
      } finally {
        if (!stopped) await gateway.stop();
      }
    });
  });
});
