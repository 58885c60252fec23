/**
 * Live updates for the dashboard: server-sent events through the gateway.
 *
 * A mixin of the api service. It listens to the domain events (lib/contracts.ts), to every
 * service's "my collection changed" broadcast, and to the registry's node events, and fans each
 * one out to the connected streams whose role may see it (./live-audience.ts). Streams are
 * opened with a short-lived ticket, never the login token (./live-ticket.ts says why).
 *
 *   POST /api/live/tickets        any staff → { ticket, expiresAt }       (action api.liveTicket)
 *   GET  /api/live?ticket=…       text/event-stream                        (liveRoute() below)
 *   GET  /api/cluster             manager → ClusterView                    (action api.cluster)
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context, Service, ServiceSchema } from "moleculer";
import { ANY_STAFF, type Role, type StaffIdentity, type StaffMeta } from "../../lib/roles";
import type { EventName } from "../../lib/contracts";
import { loadSettings } from "../../lib/settings";
import { jwtSecret } from "../../lib/jwt-secret";
import { issueTicket, ticketKey, TicketRedeemer, type LiveTicket } from "./live-ticket";
import {
  CHANGE_HINTS,
  CLUSTER_EVENT,
  FORWARDED_EVENTS,
  KEEPALIVE_FRAME,
  mayReceive,
  sseFrame,
  type LiveMessage,
} from "./live-audience";
import { readCluster, type ClusterView } from "./cluster-view";

/** Proxies and NAT tables drop a silent connection after 30-60 s; a comment every 15 s keeps it. */
const KEEPALIVE_MS = 15_000;
/** A stream ends after this long and the page asks for a new ticket: a revoked account stops hearing within it. */
const STREAM_LIFETIME_MS = 15 * 60_000;
/** Tabs one staff member may keep open at once, and streams one gateway node serves. */
const STREAMS_PER_STAFF = 8;
const STREAMS_PER_NODE = 2_000;
/** A reader this far behind is not reading: drop it rather than buffer for it. */
const MAX_BUFFERED_BYTES = 1 << 20;
/** Change hints arriving within this window are sent once (a rush writes many times a second). */
const HINT_COALESCE_MS = 250;
/** Browsers wait this long before reconnecting on their own (the page reconnects itself anyway). */
const RETRY_MS = 3_000;

type Req = IncomingMessage & { query?: Record<string, unknown> };
type Res = ServerResponse;
type Next = (err?: unknown) => void;

interface LiveStream {
  id: number;
  staff: StaffIdentity;
  res: Res;
  closesAt: number;
}

export interface LiveMethods {
  openLiveStream(req: Req, res: Res, next: Next): void;
  fanOut(message: LiveMessage, audience: readonly Role[] | "managers"): void;
  writeTo(stream: LiveStream, frame: string): void;
  closeLiveStream(stream: LiveStream, farewell?: LiveMessage): void;
  hintChanged(what: string): void;
  pushCluster(): void;
  keepStreamsAlive(): void;
}

export interface LiveVars {
  liveStreams: Set<LiveStream>;
  liveSeq: number;
  liveKey: Buffer;
  liveRedeemer: TicketRedeemer;
  liveKeepalive?: NodeJS.Timeout;
  liveClusterTimer?: NodeJS.Timeout;
  liveHints: Map<string, NodeJS.Timeout>;
  liveClusterPending?: NodeJS.Timeout;
  liveClusterReading?: Promise<void>;
}

type LiveThis = LiveMethods & LiveVars & Pick<Service, "broker" | "logger">;

const NODE_EVENTS = ["$node.connected", "$node.disconnected", "$services.changed"] as const;

function liveEvents(): NonNullable<ServiceSchema["events"]> {
  const events: NonNullable<ServiceSchema["events"]> = {};
  for (const name of Object.keys(FORWARDED_EVENTS) as EventName[]) {
    events[name] = {
      handler(this: LiveThis, ctx: Context<unknown>) {
        this.fanOut({ event: name, payload: ctx.params }, FORWARDED_EVENTS[name]);
      },
    };
  }
  for (const what of Object.keys(CHANGE_HINTS)) {
    events[`cache.clean.${what}`] = {
      handler(this: LiveThis) {
        this.hintChanged(what);
      },
    };
  }
  for (const name of NODE_EVENTS) {
    events[name] = {
      handler(this: LiveThis) {
        this.pushCluster();
      },
    };
  }
  return events;
}

/** The stream's own request (checked before routing, on the raw URL). */
export function isLiveStream(req: Pick<IncomingMessage, "method" | "url">): boolean {
  return req.method === "GET" && /^\/api\/live\/?(\?|$)/.test(req.url ?? "");
}

/** The route of the stream itself: authenticated by its ticket, so the gateway's token check is off. */
export function liveRoute() {
  return {
    path: "/api/live",
    mappingPolicy: "restrict",
    authentication: false,
    authorization: false,
    bodyParsers: { json: false, urlencoded: false },
    aliases: {
      "GET /"(this: LiveMethods, req: Req, res: Res, next: Next) {
        this.openLiveStream(req, res, next);
      },
    },
  };
}

/**
 * `emit` gives a domain event to one instance per group, and a group is the service's name by
 * default: with two gateways only one would hear "order.ready". A group per node makes every
 * gateway hear every event, so each can tell its own streams. (Moleculer's `merged` hook runs
 * once the mixins are merged, before the events are registered, with the broker known.)
 */
function groupEventsPerNode(this: Pick<Service, "broker">, schema: ServiceSchema) {
  const group = `api-live-${this.broker.nodeID}`;
  const events = { ...schema.events };
  for (const name of Object.keys(FORWARDED_EVENTS)) events[name] = { ...(events[name] as object), group } as never;
  schema.events = events;
}

const schema: ServiceSchema<Record<string, unknown>, LiveMethods, LiveVars> = {
  name: "",

  actions: {
    liveTicket: {
      roles: [ANY_STAFF],
      params: { $$strict: true },
      handler(ctx: Context<unknown, StaffMeta>): LiveTicket {
        return issueTicket(this.liveKey, ctx.meta.staff!);
      },
    },

    cluster: {
      roles: ["manager"],
      params: { $$strict: true },
      handler(): Promise<ClusterView> {
        return readCluster(this.broker);
      },
    },
  },

  events: liveEvents(),

  methods: {
    openLiveStream(req, res, next) {
      let staff: StaffIdentity;
      try {
        staff = this.liveRedeemer.redeem(req.query?.ticket);
      } catch (err) {
        return next(err);
      }
      const mine = [...this.liveStreams].filter((s) => s.staff.id === staff.id);
      if (mine.length >= STREAMS_PER_STAFF) {
        // The oldest tab gives way: a forgotten tablet must not lock its owner out.
        this.closeLiveStream(mine[0], { event: "live.replaced", payload: {} });
      } else if (this.liveStreams.size >= STREAMS_PER_NODE) {
        this.logger.warn(
          { streams: this.liveStreams.size },
          "Live stream refused: this gateway serves as many as it may.",
        );
        return next(
          Object.assign(new Error("This gateway serves as many live streams as it may."), {
            name: "RateLimitExceeded",
            code: 429,
            data: { retryAfterSeconds: 10 },
          }),
        );
      }

      res.writeHead(200, {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-store",
        Connection: "keep-alive",
        // nginx and friends buffer responses by default, which would hold events back.
        "X-Accel-Buffering": "no",
      });
      req.socket.setNoDelay(true);
      req.socket.setKeepAlive(true, KEEPALIVE_MS);
      const stream: LiveStream = { id: ++this.liveSeq, staff, res, closesAt: Date.now() + STREAM_LIFETIME_MS };
      this.liveStreams.add(stream);
      res.on("close", () => this.liveStreams.delete(stream));
      res.write(`retry: ${RETRY_MS}\n\n`);
      this.writeTo(
        stream,
        sseFrame(++this.liveSeq, {
          event: "live.ready",
          payload: {
            staff,
            node: this.broker.nodeID,
            serverTime: new Date().toISOString(),
            keepaliveSeconds: KEEPALIVE_MS / 1000,
            closesAt: new Date(stream.closesAt).toISOString(),
          },
        }),
      );
      this.logger.debug({ staff: staff.id, role: staff.role, streams: this.liveStreams.size }, "Live stream opened.");
      if (staff.role === "manager") this.pushCluster();
    },

    fanOut(message, audience) {
      if (this.liveStreams.size === 0) return;
      const frame = sseFrame(++this.liveSeq, message);
      for (const stream of this.liveStreams) {
        const allowed =
          audience === "managers" ? stream.staff.role === "manager" : mayReceive(stream.staff.role, audience);
        if (allowed) this.writeTo(stream, frame);
      }
    },

    writeTo(stream, frame) {
      const { res } = stream;
      if (res.writableEnded || res.destroyed) return void this.liveStreams.delete(stream);
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        this.logger.warn(
          { staff: stream.staff.id },
          "A live stream stopped reading; closing it (the page reconnects and reloads).",
        );
        res.destroy();
        return void this.liveStreams.delete(stream);
      }
      res.write(frame);
    },

    closeLiveStream(stream, farewell) {
      if (farewell) this.writeTo(stream, sseFrame(++this.liveSeq, farewell));
      this.liveStreams.delete(stream);
      stream.res.end();
    },

    hintChanged(what) {
      if (this.liveStreams.size === 0 || this.liveHints.has(what)) return;
      this.liveHints.set(
        what,
        setTimeout(() => {
          this.liveHints.delete(what);
          this.fanOut({ event: "changed", payload: { what } }, CHANGE_HINTS[what]);
        }, HINT_COALESCE_MS),
      );
    },

    /** The cluster view for the managers watching; joins a reading in progress, never stacks them. */
    pushCluster() {
      const watching = () => [...this.liveStreams].some((s) => s.staff.role === "manager");
      if (!watching() || this.liveClusterPending || this.liveClusterReading) return;
      this.liveClusterPending = setTimeout(() => {
        this.liveClusterPending = undefined;
        this.liveClusterReading = readCluster(this.broker)
          .then((view) => this.fanOut({ event: CLUSTER_EVENT, payload: view }, "managers"))
          .catch((err) =>
            this.logger.warn(
              { err: (err as Error).message },
              "Could not read the cluster for the live view; the next heartbeat tries again.",
            ),
          )
          .finally(() => {
            this.liveClusterReading = undefined;
          });
      }, HINT_COALESCE_MS);
    },

    keepStreamsAlive() {
      const now = Date.now();
      for (const stream of this.liveStreams) {
        if (stream.closesAt <= now) this.closeLiveStream(stream, { event: "live.renew", payload: {} });
        else this.writeTo(stream, KEEPALIVE_FRAME);
      }
    },
  },

  created() {
    this.liveStreams = new Set();
    this.liveSeq = 0;
    this.liveHints = new Map();
    this.liveKey = ticketKey(jwtSecret(loadSettings()));
    this.liveRedeemer = new TicketRedeemer(this.liveKey);
  },

  started() {
    this.liveKeepalive = setInterval(() => this.keepStreamsAlive(), KEEPALIVE_MS);
    this.liveKeepalive.unref();
    // CPU comes with each heartbeat: refresh the managers' view at that pace while one watches.
    const heartbeatMs = (this.broker.options.heartbeatInterval ?? 10) * 1000;
    this.liveClusterTimer = setInterval(() => this.pushCluster(), heartbeatMs);
    this.liveClusterTimer.unref();
  },

  async stopped() {
    clearInterval(this.liveKeepalive);
    clearInterval(this.liveClusterTimer);
    clearTimeout(this.liveClusterPending);
    for (const timer of this.liveHints.values()) clearTimeout(timer);
    // The HTTP server's close() waits for open responses: end the streams first, or a stop hangs.
    for (const stream of [...this.liveStreams]) this.closeLiveStream(stream, { event: "live.renew", payload: {} });
    await this.liveClusterReading;
  },
};

export const LiveUpdates = { ...schema, merged: groupEventsPerNode } as Partial<ServiceSchema>;
