/**
 * Live tickets: how a browser opens the event stream without putting its login token in a URL.
 *
 * EventSource cannot send an Authorization header, so the page first trades its bearer token
 * for a ticket (POST /api/live/tickets, an ordinary authenticated call), then opens
 * GET /api/live?ticket=… with it. A ticket
 *   - lives 30 seconds and is taken once per gateway node: a URL that leaks into a proxy log or
 *     the browser history is worth nothing by the time anyone reads it;
 *   - is signed with a key derived from the token secret (not the secret itself), with its own
 *     issuer: a ticket is never accepted as a login token, nor a login token as a ticket;
 *   - is stateless (a signed JWT), so with several gateways behind a load balancer the stream
 *     may land on another node than the one that issued the ticket;
 *   - carries the login token's version, so the gateway can ask the staff service whether the
 *     session is still valid when the ticket is used (./live-streams.ts).
 */
import { createHmac, randomBytes } from "node:crypto";
import jwt from "jsonwebtoken";
import { isRole, type StaffIdentity } from "../../lib/roles";
import { Unauthorized } from "../../lib/errors";

export const TICKET_TTL_SECONDS = 30;
const ISSUER = "brigade-live";
const AUDIENCE = "live";

export interface LiveTicket {
  ticket: string;
  expiresAt: string;
}

/** Who a ticket is for: the account, and the version of the login token it was traded for. */
export interface LiveSession {
  staff: StaffIdentity;
  version: number;
  /** The location whose events the stream carries: the member's own, or the one an owner named. */
  location: string;
}

interface TicketClaims {
  sub: string;
  username: string;
  name: string;
  role: string;
  ver: number;
  loc: string;
  jti: string;
}

/** A key of its own, so nothing signed for one purpose verifies for the other. */
export function ticketKey(tokenSecret: string): Buffer {
  return createHmac("sha256", tokenSecret).update("brigade live-updates ticket v1").digest();
}

export function issueTicket(key: Buffer, { staff, version, location }: LiveSession, now = Date.now()): LiveTicket {
  const claims: TicketClaims = {
    sub: staff.id,
    username: staff.username,
    name: staff.name,
    role: staff.role,
    ver: version,
    loc: location,
    jti: randomBytes(12).toString("base64url"),
  };
  const ticket = jwt.sign({ ...claims, iat: Math.floor(now / 1000) }, key, {
    algorithm: "HS256",
    expiresIn: TICKET_TTL_SECONDS,
    issuer: ISSUER,
    audience: AUDIENCE,
  });
  return { ticket, expiresAt: new Date(now + TICKET_TTL_SECONDS * 1000).toISOString() };
}

/**
 * Remembers the tickets this node has taken until they expire anyway, so each opens one
 * stream. (A browser that reconnects asks for a new ticket; it never replays the old URL.)
 */
export class TicketRedeemer {
  private readonly taken = new Map<string, number>();

  constructor(private readonly key: Buffer) {}

  redeem(ticket: unknown, now = Date.now()): LiveSession {
    if (typeof ticket !== "string" || ticket.length === 0 || ticket.length > 2048) {
      throw Unauthorized(
        "Open the live stream with a ticket: POST /api/live/tickets, then GET /api/live?ticket=<ticket>.",
      );
    }
    let claims: TicketClaims & { exp: number };
    try {
      claims = jwt.verify(ticket, this.key, {
        algorithms: ["HS256"],
        issuer: ISSUER,
        audience: AUDIENCE,
        clockTimestamp: Math.floor(now / 1000),
      }) as TicketClaims & { exp: number };
    } catch {
      throw Unauthorized("That live ticket is expired or not valid: ask for a new one (POST /api/live/tickets).");
    }
    if (
      !isRole(claims.role) ||
      typeof claims.jti !== "string" ||
      !Number.isInteger(claims.ver) ||
      typeof claims.loc !== "string"
    )
      throw Unauthorized("That live ticket is not valid: ask for a new one (POST /api/live/tickets).");
    this.forgetExpired(now);
    if (this.taken.has(claims.jti))
      throw Unauthorized("That live ticket was already used: ask for a new one (POST /api/live/tickets).");
    this.taken.set(claims.jti, claims.exp * 1000);
    return {
      staff: { id: claims.sub, username: claims.username, name: claims.name, role: claims.role },
      version: claims.ver,
      location: claims.loc,
    };
  }

  /** The session behind a valid ticket has ended since (deactivated, role or password changed). */
  revoked() {
    return Unauthorized("Your session has ended: log in again.");
  }

  private forgetExpired(now: number) {
    for (const [jti, expiresAt] of this.taken) if (expiresAt < now) this.taken.delete(jti);
  }
}
