/**
 * The dashboard's live streams on one gateway: server-sent events, opened with a short-lived
 * ticket (./live-ticket.ts says why), each fanned the events its role may see
 * (./live-audience.ts). A plain module: the api service hands it the broker's events and
 * gives it its ports.
 *
 * A stream belongs to a session (an account and its token version). A ticket is checked with
 * the staff service when it opens a stream, and every open stream again when the staff service
 * says an account changed (the `cache.clean.staff` broadcast that also ends login tokens, heard
 * by every gateway): a deactivated account, or one whose role or password changed, loses its
 * streams at once.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { runsTheHouse, type Role, type StaffIdentity } from "../../lib/roles";
import type { Logger } from "../../lib/logger";
import { RateLimited } from "../../lib/errors";
import { issueTicket, TicketRedeemer, type LiveSession, type LiveTicket } from "./live-ticket";
import { CLUSTER_EVENT, KEEPALIVE_FRAME, mayReceive, sseFrame, type LiveMessage } from "./live-audience";
import type { ClusterView } from "./cluster-view";

/** Proxies and NAT tables drop a silent connection after 30-60 s; a comment every 15 s keeps it. */
export const KEEPALIVE_MS = 15_000;
/** A stream ends after this long and the page asks for a new ticket. */
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
type Next = (err?: unknown) => void;

interface LiveStream {
  id: number;
  staff: StaffIdentity;
  version: number;
  /** Only this location's events reach the stream. */
  location: string;
  res: ServerResponse;
  closesAt: number;
}

export interface LivePorts {
  nodeID: string;
  logger: Logger;
  /** The key tickets are signed with (./live-ticket.ts `ticketKey`). */
  ticketKey: Buffer;
  readCluster(): Promise<ClusterView>;
  /**
   * The account behind a session as it is now, or null when the session has ended (deactivated,
   * role or password changed). Throws when it cannot tell (the staff service is away).
   */
  checkSession(staffId: string, version: number): Promise<StaffIdentity | null>;
}

export class LiveStreams {
  private readonly streams = new Set<LiveStream>();
  private readonly redeemer: TicketRedeemer;
  private readonly hints = new Map<string, NodeJS.Timeout>();
  private seq = 0;
  private clusterPending?: NodeJS.Timeout;
  private clusterReading?: Promise<void>;
  private rechecking?: Promise<void>;
  private recheckAgain = false;
  /** A check failed (the staff service was away): the next keepalive checks again. */
  private recheckOwed = false;

  constructor(private readonly ports: LivePorts) {
    this.redeemer = new TicketRedeemer(ports.ticketKey);
  }

  get size(): number {
    return this.streams.size;
  }

  issue(session: LiveSession): LiveTicket {
    return issueTicket(this.ports.ticketKey, session);
  }

  async open(req: Req, res: ServerResponse, next: Next): Promise<void> {
    let staff: StaffIdentity | null;
    let version: number;
    let location: string;
    try {
      ({ version, staff, location } = this.redeemer.redeem(req.query?.ticket));
      // The ticket may predate a revocation: the account as it is now, or nothing.
      staff = await this.ports.checkSession(staff.id, version);
    } catch (err) {
      return next(err);
    }
    if (!staff) return next(this.redeemer.revoked());
    const mine = [...this.streams].filter((s) => s.staff.id === staff.id);
    if (mine.length >= STREAMS_PER_STAFF) {
      // The oldest tab gives way: a forgotten tablet must not lock its owner out.
      this.close(mine[0], { event: "live.replaced", payload: {} });
    } else if (this.streams.size >= STREAMS_PER_NODE) {
      this.ports.logger.warn(
        { streams: this.streams.size },
        "Live stream refused: this gateway serves as many as it may.",
      );
      return next(RateLimited("This gateway serves as many live streams as it may.", 10));
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
    const stream: LiveStream = {
      id: ++this.seq,
      staff,
      version,
      location,
      res,
      closesAt: Date.now() + STREAM_LIFETIME_MS,
    };
    this.streams.add(stream);
    res.on("close", () => this.streams.delete(stream));
    res.write(`retry: ${RETRY_MS}\n\n`);
    this.write(
      stream,
      sseFrame(++this.seq, {
        event: "live.ready",
        payload: {
          staff,
          location,
          node: this.ports.nodeID,
          serverTime: new Date().toISOString(),
          keepaliveSeconds: KEEPALIVE_MS / 1000,
          closesAt: new Date(stream.closesAt).toISOString(),
        },
      }),
    );
    this.ports.logger.debug({ staff: staff.id, role: staff.role, streams: this.streams.size }, "Live stream opened.");
    if (runsTheHouse(staff.role)) this.pushCluster();
  }

  /** To the streams of `audience`; of `location` only, when the message belongs to one. */
  fanOut(message: LiveMessage, audience: readonly Role[] | "managers", location?: string): void {
    if (this.streams.size === 0) return;
    const frame = sseFrame(++this.seq, message);
    for (const stream of this.streams) {
      if (location !== undefined && stream.location !== location) continue;
      const allowed =
        audience === "managers" ? runsTheHouse(stream.staff.role) : mayReceive(stream.staff.role, audience);
      if (allowed) this.write(stream, frame);
    }
  }

  /** `changed {what}` to `audience`, of `location` only when the write was one location's; coalesced. */
  hintChanged(what: string, audience: readonly Role[], location?: string): void {
    const key = location === undefined ? what : `${what}@${location}`;
    if (this.streams.size === 0 || this.hints.has(key)) return;
    this.hints.set(
      key,
      setTimeout(() => {
        this.hints.delete(key);
        this.fanOut({ event: "changed", payload: { what } }, audience, location);
      }, HINT_COALESCE_MS),
    );
  }

  /** The cluster view for the managers watching; joins a reading in progress, never stacks them. */
  pushCluster(): void {
    const watching = [...this.streams].some((s) => runsTheHouse(s.staff.role));
    if (!watching || this.clusterPending || this.clusterReading) return;
    this.clusterPending = setTimeout(() => {
      this.clusterPending = undefined;
      this.clusterReading = this.ports
        .readCluster()
        .then((view) => this.fanOut({ event: CLUSTER_EVENT, payload: view }, "managers"))
        .catch((err) =>
          this.ports.logger.warn(
            { err: (err as Error).message },
            "Could not read the cluster for the live view; the next heartbeat tries again.",
          ),
        )
        .finally(() => {
          this.clusterReading = undefined;
        });
    }, HINT_COALESCE_MS);
  }

  /**
   * Checks every open stream's session with the staff service, and ends those that ended. One
   * pass at a time; a signal during a pass asks for one more after it.
   */
  recheckSessions(): Promise<void> {
    if (this.rechecking) {
      this.recheckAgain = true;
      return this.rechecking;
    }
    this.rechecking = this.recheckOnce().finally(() => {
      this.rechecking = undefined;
      if (this.recheckAgain) {
        this.recheckAgain = false;
        void this.recheckSessions();
      }
    });
    return this.rechecking;
  }

  private async recheckOnce(): Promise<void> {
    const sessions = new Map<string, LiveStream[]>();
    for (const stream of this.streams) {
      const key = `${stream.staff.id}@${stream.version}`;
      sessions.set(key, [...(sessions.get(key) ?? []), stream]);
    }
    await Promise.all(
      [...sessions.values()].map(async (group) => {
        const { staff, version } = group[0];
        let now: StaffIdentity | null;
        try {
          now = await this.ports.checkSession(staff.id, version);
        } catch (err) {
          // Cannot tell now: keep the streams; the next keepalive asks again.
          this.recheckOwed = true;
          this.ports.logger.warn(
            { staff: staff.id, err: (err as Error).message },
            "Could not check a live stream's session; keeping it for now.",
          );
          return;
        }
        for (const stream of group) {
          if (!now) this.close(stream, { event: "live.revoked", payload: {} });
          else stream.staff = now;
        }
        if (!now)
          this.ports.logger.info(
            { staff: staff.id, streams: group.length },
            "Live streams of a revoked session ended.",
          );
      }),
    );
  }

  /** Every keepalive: a comment on each stream, the end of those past their lifetime. */
  keepAlive(): void {
    if (this.recheckOwed) {
      this.recheckOwed = false;
      void this.recheckSessions();
    }
    const now = Date.now();
    for (const stream of this.streams) {
      if (stream.closesAt <= now) this.close(stream, { event: "live.renew", payload: {} });
      else this.write(stream, KEEPALIVE_FRAME);
    }
  }

  /** Ends every stream (the gateway stops: its HTTP server's close() would wait for them forever). */
  async stop(): Promise<void> {
    clearTimeout(this.clusterPending);
    for (const timer of this.hints.values()) clearTimeout(timer);
    for (const stream of [...this.streams]) this.close(stream, { event: "live.renew", payload: {} });
    await Promise.all([this.clusterReading, this.rechecking]);
  }

  private write(stream: LiveStream, frame: string): void {
    const { res } = stream;
    if (res.writableEnded || res.destroyed) return void this.streams.delete(stream);
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      this.ports.logger.warn(
        { staff: stream.staff.id },
        "A live stream stopped reading; closing it (the page reconnects and reloads).",
      );
      res.destroy();
      return void this.streams.delete(stream);
    }
    res.write(frame);
  }

  private close(stream: LiveStream, farewell?: LiveMessage): void {
    if (farewell) this.write(stream, sseFrame(++this.seq, farewell));
    this.streams.delete(stream);
    stream.res.end();
  }
}
