import type { ServerResponse } from "node:http";
import { LiveStreams, type LivePorts } from "../../../services/api/live-streams";
import { issueTicket, ticketKey } from "../../../services/api/live-ticket";
import type { StaffIdentity } from "../../../lib/roles";

const KEY = ticketKey("a-login-token-secret-of-at-least-32-characters");
const waiter: StaffIdentity = { id: "wendy", username: "wendy", name: "Wendy", role: "waiter" };
const quiet = { info() {}, warn() {}, error() {}, debug() {} };

/** A response that keeps what is written, as an SSE reader would see it. */
function fakeResponse() {
  const frames: string[] = [];
  const res = {
    frames,
    ended: false,
    writableEnded: false,
    destroyed: false,
    writableLength: 0,
    writeHead() {},
    write(chunk: string) {
      frames.push(chunk);
      return true;
    },
    end() {
      res.ended = true;
      res.writableEnded = true;
    },
    on() {},
    destroy() {
      res.destroyed = true;
    },
  };
  return res;
}
const events = (res: ReturnType<typeof fakeResponse>) =>
  res.frames.filter((f) => f.startsWith("id:")).map((f) => JSON.parse(f.split("data: ")[1]).event as string);

function streamsWith(sessions: Map<string, StaffIdentity | null | Error>) {
  const ports: LivePorts = {
    nodeID: "unit",
    logger: quiet,
    ticketKey: KEY,
    readCluster: async () => ({}) as never,
    checkSession: async (id, version) => {
      const answer = sessions.get(`${id}@${version}`);
      if (answer instanceof Error) throw answer;
      return answer ?? null;
    },
  };
  return new LiveStreams(ports);
}

async function open(live: LiveStreams, version: number, location = "main") {
  const res = fakeResponse();
  let refused: unknown;
  const { ticket } = issueTicket(KEY, { staff: waiter, version, location });
  const req = { query: { ticket }, socket: { setNoDelay() {}, setKeepAlive() {} } };
  await live.open(req as never, res as unknown as ServerResponse, (err) => (refused = err));
  return { res, refused: refused as { code?: number } | undefined };
}

describe("live streams and revocation", () => {
  it("refuses a valid ticket whose session has ended since it was issued", async () => {
    const live = streamsWith(new Map([["wendy@2", waiter]]));
    const { res, refused } = await open(live, 1);
    expect(refused?.code).toBe(401);
    expect(res.frames).toEqual([]);
    expect(live.size).toBe(0);
  });

  it("ends the streams of a session that ended, keeps the others, and follows a new name", async () => {
    const sessions = new Map<string, StaffIdentity | null | Error>([["wendy@1", waiter]]);
    const live = streamsWith(sessions);
    const first = await open(live, 1);
    const second = await open(live, 1);
    expect(live.size).toBe(2);

    sessions.set("wendy@1", { ...waiter, name: "Wendy W." });
    await live.recheckSessions();
    expect(live.size).toBe(2);
    live.fanOut({ event: "order.placed", payload: {} }, ["waiter"]);
    expect(events(first.res)).toEqual(["live.ready", "order.placed"]);

    sessions.set("wendy@1", null);
    await live.recheckSessions();
    expect(live.size).toBe(0);
    for (const { res } of [first, second]) {
      expect(events(res).at(-1)).toBe("live.revoked");
      expect(res.ended).toBe(true);
    }
  });

  it("tells a stream only its own location's events", async () => {
    const live = streamsWith(new Map([["wendy@1", waiter]]));
    const here = await open(live, 1, "main");
    const there = await open(live, 1, "east");
    live.fanOut({ event: "order.ready", payload: { location: "east" } }, ["waiter"], "east");
    live.fanOut({ event: "order.placed", payload: { location: "main" } }, ["waiter"], "main");
    expect(events(here.res)).toEqual(["live.ready", "order.placed"]);
    expect(events(there.res)).toEqual(["live.ready", "order.ready"]);
  });

  it("sends a change hint to the written location's streams only, and one without a location to all", async () => {
    jest.useFakeTimers();
    try {
      const live = streamsWith(new Map([["wendy@1", waiter]]));
      const here = await open(live, 1, "main");
      const there = await open(live, 1, "east");
      // Two writes of east's orders and one of main's within the window: one hint each.
      live.hintChanged("orders", ["waiter"], "east");
      live.hintChanged("orders", ["waiter"], "east");
      live.hintChanged("orders", ["waiter"], "main");
      jest.advanceTimersByTime(1_000);
      expect(events(here.res)).toEqual(["live.ready", "changed"]);
      expect(events(there.res)).toEqual(["live.ready", "changed"]);
      live.hintChanged("orders", ["waiter"], "east");
      jest.advanceTimersByTime(1_000);
      expect(events(here.res)).toEqual(["live.ready", "changed"]);
      expect(events(there.res)).toEqual(["live.ready", "changed", "changed"]);
      live.hintChanged("menu", ["waiter"]);
      jest.advanceTimersByTime(1_000);
      expect(events(here.res)).toEqual(["live.ready", "changed", "changed"]);
      expect(events(there.res)).toEqual(["live.ready", "changed", "changed", "changed"]);
      await live.stop();
    } finally {
      jest.useRealTimers();
    }
  });

  it("keeps a stream it cannot check, and checks again at the next keepalive", async () => {
    const sessions = new Map<string, StaffIdentity | null | Error>([["wendy@1", waiter]]);
    const live = streamsWith(sessions);
    const { res } = await open(live, 1);
    sessions.set("wendy@1", new Error("staff is away"));
    await live.recheckSessions();
    expect(live.size).toBe(1);
    sessions.set("wendy@1", null);
    live.keepAlive();
    await live.recheckSessions();
    expect(res.ended).toBe(true);
  });
});
