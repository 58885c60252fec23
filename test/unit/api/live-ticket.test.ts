import jwt from "jsonwebtoken";
import { issueTicket, ticketKey, TicketRedeemer, TICKET_TTL_SECONDS } from "../../../services/api/live-ticket";
import type { StaffIdentity } from "../../../lib/roles";

const SECRET = "a-login-token-secret-of-at-least-32-characters";
const KEY = ticketKey(SECRET);
// On a whole second, so `iat` and `exp` (whole seconds) line up with the clock we pass.
const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const chef: StaffIdentity = { id: "stf_chef", username: "chef", name: "Carla Chef", role: "chef" };
const session = { staff: chef, version: 3, location: "main" };

function refusal(redeem: () => unknown): { code?: number; type?: string; message: string } {
  try {
    redeem();
  } catch (err) {
    return err as { code?: number; type?: string; message: string };
  }
  throw new Error("expected the ticket to be refused");
}

function expectRefused(redeem: () => unknown, message: RegExp) {
  const err = refusal(redeem);
  expect(err.code).toBe(401);
  expect(err.type).toBe("UNAUTHORIZED");
  expect(err.message).toMatch(message);
}

/** What staff.resolveToken does with a bearer token. */
function resolveAsLoginToken(token: string) {
  return jwt.verify(token, SECRET, { algorithms: ["HS256"], issuer: "brigade" });
}

describe("live tickets", () => {
  it("gives back who it was issued to, and says when it expires", () => {
    const issued = issueTicket(KEY, session, NOW);
    expect(issued.expiresAt).toBe(new Date(NOW + TICKET_TTL_SECONDS * 1000).toISOString());
    expect(new TicketRedeemer(KEY).redeem(issued.ticket, NOW + 1000)).toEqual(session);
  });

  it("derives a key that is not the token secret and differs per secret", () => {
    expect(KEY.equals(Buffer.from(SECRET))).toBe(false);
    expect(ticketKey(SECRET).equals(KEY)).toBe(true);
    expect(ticketKey(`${SECRET}x`).equals(KEY)).toBe(false);
  });

  it("refuses a ticket issued under another secret", () => {
    const { ticket } = issueTicket(ticketKey("another-secret-that-is-32-characters-long"), session, NOW);
    expectRefused(() => new TicketRedeemer(KEY).redeem(ticket, NOW), /expired or not valid/);
  });

  it("refuses a ticket with the right key but another issuer or audience", () => {
    const claims = {
      sub: chef.id,
      username: chef.username,
      name: chef.name,
      role: chef.role,
      jti: "j1",
      iat: NOW / 1000,
    };
    const wrongIssuer = jwt.sign(claims, KEY, {
      algorithm: "HS256",
      expiresIn: 30,
      issuer: "brigade",
      audience: "live",
    });
    const wrongAudience = jwt.sign({ ...claims, jti: "j2" }, KEY, {
      algorithm: "HS256",
      expiresIn: 30,
      issuer: "brigade-live",
      audience: "api",
    });
    const redeemer = new TicketRedeemer(KEY);
    expectRefused(() => redeemer.redeem(wrongIssuer, NOW), /expired or not valid/);
    expectRefused(() => redeemer.redeem(wrongAudience, NOW), /expired or not valid/);
  });

  it("refuses a tampered ticket and an unsigned one", () => {
    const { ticket } = issueTicket(KEY, session, NOW);
    const [header, , signature] = ticket.split(".");
    const payload = Buffer.from(JSON.stringify({ ...(jwt.decode(ticket) as object), role: "manager" })).toString(
      "base64url",
    );
    const unsigned = jwt.sign({ ...(jwt.decode(ticket) as object), jti: "other" }, "", { algorithm: "none" });
    const redeemer = new TicketRedeemer(KEY);
    expectRefused(() => redeemer.redeem(`${header}.${payload}.${signature}`, NOW), /expired or not valid/);
    expectRefused(() => redeemer.redeem(unsigned, NOW), /expired or not valid/);
  });

  it("expires after its time to live", () => {
    const redeemer = new TicketRedeemer(KEY);
    expect(redeemer.redeem(issueTicket(KEY, session, NOW).ticket, NOW + (TICKET_TTL_SECONDS - 1) * 1000)).toEqual(
      session,
    );
    const late = issueTicket(KEY, session, NOW).ticket;
    expectRefused(() => redeemer.redeem(late, NOW + (TICKET_TTL_SECONDS + 1) * 1000), /expired or not valid/);
  });

  it("is never accepted as a login token", () => {
    // Issued now: resolveToken checks against the real clock, and an expired ticket would fail for the wrong reason.
    const { ticket } = issueTicket(KEY, session);
    expect(() => resolveAsLoginToken(ticket)).toThrow("invalid signature");
    // Even a gateway that checked it with the ticket key as a login token would find the wrong issuer.
    expect(() => jwt.verify(ticket, KEY, { algorithms: ["HS256"], issuer: "brigade" })).toThrow(/jwt issuer invalid/);
  });

  it("refuses a login token as a ticket", () => {
    const login = jwt.sign({ sub: chef.id, ver: 1, role: "chef" }, SECRET, {
      algorithm: "HS256",
      expiresIn: 3600,
      issuer: "brigade",
    });
    expect(resolveAsLoginToken(login)).toMatchObject({ sub: chef.id });
    expectRefused(() => new TicketRedeemer(KEY).redeem(login, Date.now()), /expired or not valid/);
  });

  it("opens one stream per gateway: taken twice on one node is refused, on another node it is not", () => {
    const { ticket } = issueTicket(KEY, session, NOW);
    const here = new TicketRedeemer(KEY);
    const there = new TicketRedeemer(KEY);
    expect(here.redeem(ticket, NOW)).toEqual(session);
    expectRefused(() => here.redeem(ticket, NOW + 1000), /already used/);
    expect(there.redeem(ticket, NOW + 2000)).toEqual(session);
    expectRefused(() => there.redeem(ticket, NOW + 3000), /already used/);
  });

  it("issues a fresh ticket each time, each good once", () => {
    const first = issueTicket(KEY, session, NOW).ticket;
    const second = issueTicket(KEY, session, NOW).ticket;
    expect(second).not.toBe(first);
    const redeemer = new TicketRedeemer(KEY);
    expect(redeemer.redeem(first, NOW)).toEqual(session);
    expect(redeemer.redeem(second, NOW)).toEqual(session);
  });

  it("stays refused after the node forgets it, because by then it has expired", () => {
    const redeemer = new TicketRedeemer(KEY);
    const { ticket } = issueTicket(KEY, session, NOW);
    redeemer.redeem(ticket, NOW);
    // Redeeming another ticket much later sweeps the remembered one out.
    redeemer.redeem(issueTicket(KEY, session, NOW + 120_000).ticket, NOW + 120_000);
    expectRefused(() => redeemer.redeem(ticket, NOW + 120_000), /expired or not valid/);
  });

  it("carries the login token's version, and refuses a ticket without one", () => {
    expect(new TicketRedeemer(KEY).redeem(issueTicket(KEY, session, NOW).ticket, NOW).version).toBe(3);
    const { ticket } = issueTicket(KEY, { staff: chef, version: 1.5, location: "main" }, NOW);
    expectRefused(() => new TicketRedeemer(KEY).redeem(ticket, NOW), /not valid/);
  });

  it("carries the location whose events the stream gets", () => {
    const east = issueTicket(KEY, { ...session, location: "east" }, NOW).ticket;
    expect(new TicketRedeemer(KEY).redeem(east, NOW).location).toBe("east");
  });

  it("refuses a signed ticket whose role is not a Brigade role", () => {
    const { ticket } = issueTicket(
      KEY,
      { staff: { ...chef, role: "sommelier" as never }, version: 3, location: "main" },
      NOW,
    );
    expectRefused(() => new TicketRedeemer(KEY).redeem(ticket, NOW), /not valid/);
  });

  it.each([
    ["nothing", undefined],
    ["an empty string", ""],
    ["a number", 42],
    ["an array", ["a.b.c"]],
    ["an oversized string", "x".repeat(2049)],
  ])("asks for a ticket when given %s", (_what, ticket) => {
    expectRefused(() => new TicketRedeemer(KEY).redeem(ticket, NOW), /POST \/api\/live\/tickets, then GET/);
  });

  it("refuses garbage of a plausible size as not valid", () => {
    expectRefused(() => new TicketRedeemer(KEY).redeem("not.a.jwt", NOW), /expired or not valid/);
  });
});
