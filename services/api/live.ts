/**
 * How the live streams (./live-streams.ts) plug into the api service: the stream's own route,
 * and the broker events each gateway fans out. Streams are opened with a short-lived ticket,
 * never the login token (./live-ticket.ts says why).
 *
 *   POST /api/live/tickets        any staff → { ticket, expiresAt }       (action api.liveTicket)
 *   GET  /api/live?ticket=…       text/event-stream                        (liveRoute() below)
 *   GET  /api/cluster             manager → ClusterView                    (action api.cluster)
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context, Service, ServiceSchema } from "moleculer";
import type { CacheCleaned, EventName } from "../../lib/contracts";
import { CHANGE_HINTS, FORWARDED_EVENTS } from "./live-audience";
import type { LiveStreams } from "./live-streams";
import { MAIN_LOCATION } from "../../lib/locations";

type Req = IncomingMessage & { query?: Record<string, unknown> };
type Next = (err?: unknown) => void;
interface WithLive {
  live: LiveStreams;
}

const NODE_EVENTS = ["$node.connected", "$node.disconnected", "$services.changed"] as const;

/** The events a gateway forwards to its streams, and the staff change that re-checks their sessions. */
export function liveEvents(): NonNullable<ServiceSchema["events"]> {
  const events: NonNullable<ServiceSchema["events"]> = {};
  for (const name of Object.keys(FORWARDED_EVENTS) as EventName[]) {
    events[name] = {
      handler(this: WithLive, ctx: Context<{ location?: string }>) {
        // Each event tells the staff of its own location only (one from before locations: main's).
        const location = ctx.params?.location ?? MAIN_LOCATION;
        this.live.fanOut({ event: name, payload: ctx.params }, FORWARDED_EVENTS[name], location);
      },
    };
  }
  for (const [what, audience] of Object.entries(CHANGE_HINTS)) {
    events[`cache.clean.${what}`] = {
      handler(this: WithLive, ctx: Context<CacheCleaned | undefined>) {
        this.live.hintChanged(what, audience, ctx.params?.location);
      },
    };
  }
  // The broadcast that ends login tokens (an account changed): every gateway hears it.
  events["cache.clean.staff"] = {
    handler(this: WithLive) {
      return this.live.recheckSessions();
    },
  };
  for (const name of NODE_EVENTS) {
    events[name] = {
      handler(this: WithLive) {
        this.live.pushCluster();
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
    // moleculer-web would log the URL, ticket and all; live-streams.ts logs who opened a stream.
    logging: false,
    aliases: {
      "GET /"(this: WithLive, req: Req, res: ServerResponse, next: Next) {
        void this.live.open(req, res, next);
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
export function groupEventsPerNode(this: Pick<Service, "broker">, schema: ServiceSchema) {
  const group = `api-live-${this.broker.nodeID}`;
  const events = { ...schema.events };
  for (const name of Object.keys(FORWARDED_EVENTS)) events[name] = { ...(events[name] as object), group } as never;
  schema.events = events;
}
