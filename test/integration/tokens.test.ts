/**
 * Login tokens and secrets: what a token can and cannot do, when it stops working, where the
 * signing secret comes from, and what never leaves the staff service.
 */
import crypto from "node:crypto";
import jwt from "jsonwebtoken";
import { ServiceBroker, type Context, type ServiceSchema } from "moleculer";
import { startBrigade, type Brigade, ADMIN_PASSWORD } from "../support/brigade";
import { jwtSecret } from "../../lib/jwt-secret";
import { loadSettings } from "../../lib/settings";
import ApiService from "../../services/api/api.service";
import StaffService from "../../services/staff/staff.service";

const SECRET = "tokens-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
const TTL_SECONDS = 600;

const sign = (claims: object, secret = SECRET, options: jwt.SignOptions = {}) =>
  jwt.sign(claims, secret, {
    algorithm: "HS256",
    issuer: "brigade",
    ...("exp" in claims ? {} : { expiresIn: TTL_SECONDS }),
    ...options,
  });

/** Turns the base64url JSON of a token's payload into something else, keeping its signature. */
function tamper(token: string, change: (claims: Record<string, unknown>) => void): string {
  const [header, payload, signature] = token.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  change(claims);
  return [header, Buffer.from(JSON.stringify(claims)).toString("base64url"), signature].join(".");
}

describe("login tokens", () => {
  let b: Brigade;
  const events: { name: string; payload: unknown }[] = [];

  beforeAll(async () => {
    b = await startBrigade({
      services: ["api", "staff"],
      env: { BRIGADE_JWT_SECRET: SECRET, BRIGADE_TOKEN_TTL: String(TTL_SECONDS) },
    });
    // Everything the cluster hears, to prove no event carries a password hash.
    await b.broker.createService({
      name: "eavesdropper",
      events: {
        "**"(ctx: Context) {
          events.push({ name: ctx.eventName ?? "", payload: ctx.params });
        },
      },
    });
  });
  afterAll(() => b.stop());

  const me = (token: string) => b.request("GET", "/api/auth/me", { token });
  async function staffMember(role: string, username: string, password = `${username}-password`) {
    const res = await b.request("POST", "/api/staff", {
      token: b.adminToken,
      body: { username, name: username, role, password },
    });
    expect(res.status).toBe(201);
    return { token: await b.login(username, password), password };
  }

  it("expire: a login's token carries an expiry TTL seconds ahead, and says so", async () => {
    const res = await b.request("POST", "/api/auth/login", { body: { username: "admin", password: ADMIN_PASSWORD } });
    const claims = jwt.verify(res.body.token, SECRET, { issuer: "brigade" }) as jwt.JwtPayload;
    expect(claims.exp! - claims.iat!).toBe(TTL_SECONDS);
    expect(Math.abs(Date.parse(res.body.expiresAt) - claims.exp! * 1000)).toBeLessThan(2000);
    expect(Object.keys(claims).sort()).toEqual(["exp", "iat", "iss", "role", "sub", "ver"]);
  });

  it("refuses an expired token", async () => {
    const expired = sign({
      sub: "admin",
      ver: 1,
      role: "manager",
      iat: Math.floor(Date.now() / 1000) - 3600,
      exp: Math.floor(Date.now() / 1000) - 60,
    });
    const res = await me(expired);
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/expired/);
  });

  it("refuses a token that expires while its resolution is still cached", async () => {
    const shortLived = sign({ sub: "admin", ver: 1, role: "manager" }, SECRET, { expiresIn: 5 });
    expect((await me(shortLived)).status).toBe(200);
    const realNow = Date.now;
    // 20 s on: past the token's expiry, within the resolution cache's minute.
    const clock = jest.spyOn(Date, "now").mockImplementation(() => realNow() + 20_000);
    try {
      expect((await me(shortLived)).status).toBe(401);
    } finally {
      clock.mockRestore();
    }
  });

  it("refuses tampered tokens, tokens signed with another secret, and unsigned ones", async () => {
    const { token: waiter } = await staffMember("waiter", "tamper-waiter");
    expect((await me(waiter)).status).toBe(200);
    const promoted = tamper(waiter, (claims) => (claims.role = "manager"));
    const someoneElse = tamper(waiter, (claims) => (claims.sub = "admin"));
    const longer = tamper(waiter, (claims) => (claims.exp = Number(claims.exp) + 86_400));
    const foreign = sign(
      { sub: "admin", ver: 1, role: "manager" },
      "another-secret-that-is-long-enough-to-be-used-0123",
    );
    const otherIssuer = sign({ sub: "admin", ver: 1, role: "manager" }, SECRET, { issuer: "somebody-else" });
    const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    const payload = Buffer.from(
      JSON.stringify({ sub: "admin", ver: 1, role: "manager", iss: "brigade", exp: 9_999_999_999 }),
    ).toString("base64url");
    const unsigned = `${header}.${payload}.`;
    const fakeSigned = `${header}.${payload}.c2lnbmF0dXJl`;
    const otherAlgorithm = jwt.sign({ sub: "admin", ver: 1, role: "manager" }, SECRET, {
      algorithm: "HS512",
      issuer: "brigade",
      expiresIn: 60,
    });
    for (const token of [promoted, someoneElse, longer, foreign, otherIssuer, unsigned, fakeSigned, otherAlgorithm]) {
      const res = await me(token);
      expect(res.status).toBe(401);
      expect(Object.keys(res.body).sort()).toEqual(["code", "data", "message", "name", "type"]);
    }
    // A promoted waiter is no manager anywhere.
    expect((await b.request("GET", "/api/staff", { token: promoted })).status).toBe(401);
  });

  it("answers 401 in the usual shape for a bad token of any size, never a 422 naming an internal param", async () => {
    const { token: waiter } = await staffMember("waiter", "size-waiter");
    const [header, payload] = waiter.split(".");
    const tokens = [
      `${header}.${payload}.${"A".repeat(5_000)}`,
      `${header}.${"B".repeat(12_000)}.sig`,
      `${"a".repeat(15_000)}.b.c`,
      "x.y.z",
      "...",
      `${waiter}x`.repeat(3),
    ];
    for (const token of tokens) {
      const res = await b.request("GET", "/api/auth/me", { headers: { authorization: `Bearer ${token}` } });
      expect({ size: token.length, status: res.status, type: res.body?.type }).toEqual({
        size: token.length,
        status: 401,
        type: "UNAUTHORIZED",
      });
      expect(Object.keys(res.body).sort()).toEqual(["code", "data", "message", "name", "type"]);
      expect(JSON.stringify(res.body)).not.toMatch(/token'|\btoken\b field|resolveToken/);
    }
    // Over Node's 16 kB of headers the request never reaches the gateway: 431, still in the usual shape.
    const huge = await b.request("GET", "/api/auth/me", { headers: { authorization: `Bearer ${"C".repeat(20_000)}` } });
    expect({ status: huge.status, type: huge.body?.type }).toEqual({ status: 431, type: "HEADERS_TOO_LARGE" });
    expect(Object.keys(huge.body).sort()).toEqual(["code", "data", "message", "name", "type"]);
  });

  it("keys the cached token resolutions on a hash: no cache key holds a token", async () => {
    const { token } = await staffMember("waiter", "cache-waiter");
    expect((await me(token)).status).toBe(200);
    const cacher = b.broker.cacher as unknown as { getCacheKeys(): Promise<{ key: string }[]> };
    const keys = (await cacher.getCacheKeys()).map((k) => k.key);
    const hash = crypto.createHash("sha256").update(token).digest("hex");
    expect(keys.some((key) => key.startsWith("staff.resolveToken:") && key.includes(hash))).toBe(true);
    const [, payload, signature] = token.split(".");
    for (const key of keys) {
      expect(key).not.toContain(payload);
      expect(key).not.toContain(signature);
    }
  });

  it("ends every session of an account that is deactivated, and does not revive them on reactivation", async () => {
    const { token, password } = await staffMember("chef", "leaving-chef");
    expect((await me(token)).status).toBe(200);
    expect((await b.request("DELETE", "/api/staff/leaving-chef", { token: b.adminToken })).status).toBe(200);
    expect((await me(token)).status).toBe(401);
    expect((await b.request("POST", "/api/auth/login", { body: { username: "leaving-chef", password } })).status).toBe(
      401,
    );
    expect(
      (await b.request("PATCH", "/api/staff/leaving-chef", { token: b.adminToken, body: { active: true } })).status,
    ).toBe(200);
    expect((await me(token)).status).toBe(401);
    expect((await me(await b.login("leaving-chef", password))).status).toBe(200);
  });

  it("ends every session on a password change, a role change or PATCH active:false, but not on a new name", async () => {
    const { token: first } = await staffMember("cashier", "changing-cashier");
    expect(
      (await b.request("PATCH", "/api/staff/changing-cashier", { token: b.adminToken, body: { name: "New Name" } }))
        .status,
    ).toBe(200);
    expect((await me(first)).status).toBe(200);

    expect(
      (
        await b.request("PATCH", "/api/staff/changing-cashier", {
          token: b.adminToken,
          body: { password: "a-brand-new-password" },
        })
      ).status,
    ).toBe(200);
    expect((await me(first)).status).toBe(401);
    expect(
      (
        await b.request("POST", "/api/auth/login", {
          body: { username: "changing-cashier", password: "changing-cashier-password" },
        })
      ).status,
    ).toBe(401);
    const second = await b.login("changing-cashier", "a-brand-new-password");

    expect(
      (await b.request("PATCH", "/api/staff/changing-cashier", { token: b.adminToken, body: { role: "waiter" } }))
        .status,
    ).toBe(200);
    expect((await me(second)).status).toBe(401);
    const third = await b.login("changing-cashier", "a-brand-new-password");
    expect((await me(third)).body.role).toBe("waiter");

    expect(
      (await b.request("PATCH", "/api/staff/changing-cashier", { token: b.adminToken, body: { active: false } }))
        .status,
    ).toBe(200);
    expect((await me(third)).status).toBe(401);
  });

  it("does not let a manager end their own access, by DELETE or by PATCH", async () => {
    const { token } = await staffMember("manager", "sole-boss");
    for (const [method, body] of [
      ["DELETE", undefined],
      ["PATCH", { active: false }],
      ["PATCH", { role: "waiter" }],
    ] as const) {
      const res = await b.request(method, "/api/staff/sole-boss", { token, body });
      expect(res.status).toBe(409);
    }
    expect((await me(token)).body).toMatchObject({ role: "manager", active: true });
  });

  it("refuses a well-signed token minted before the account's last revocation", async () => {
    await staffMember("purchaser", "revoked-buyer");
    const old = sign({ sub: "revoked-buyer", ver: 1, role: "purchaser" });
    expect((await me(old)).status).toBe(200);
    await b.request("PATCH", "/api/staff/revoked-buyer", {
      token: b.adminToken,
      body: { password: "another-password-1" },
    });
    expect((await me(old)).status).toBe(401);
    expect((await me(sign({ sub: "revoked-buyer", ver: 2, role: "purchaser" }))).status).toBe(200);
    expect((await me(sign({ sub: "nobody-at-all", ver: 1, role: "manager" }))).status).toBe(401);
  });

  it("never lets a password hash (or the token version) out of the staff service", async () => {
    const answers: unknown[] = [];
    const keep = async (p: Promise<{ status: number; body: unknown }>) => {
      const res = await p;
      expect(res.status).toBeLessThan(300);
      answers.push(res.body);
    };
    await keep(b.request("POST", "/api/auth/login", { body: { username: "admin", password: ADMIN_PASSWORD } }));
    await keep(me(b.adminToken));
    await keep(
      b.request("POST", "/api/staff", {
        token: b.adminToken,
        body: { username: "hash-check", name: "Hash", role: "waiter", password: "hash-check-pw" },
      }),
    );
    await keep(b.request("GET", "/api/staff?pageSize=100", { token: b.adminToken }));
    await keep(
      b.request("PATCH", "/api/staff/hash-check", {
        token: b.adminToken,
        body: { password: "hash-check-pw-2", name: "Hashed" },
      }),
    );
    await keep(b.request("DELETE", "/api/staff/hash-check", { token: b.adminToken }));
    answers.push(await b.broker.call("staff.resolveToken", { token: b.adminToken }));
    answers.push(await b.broker.call("staff.list", { pageSize: 100 }));
    const text = JSON.stringify(answers) + JSON.stringify(events);
    expect(text).not.toMatch(/scrypt\$|passwordHash|tokenVersion/);
    expect(text).toContain("hash-check");
  });

  it("costs one key derivation and gives one answer whether the user is unknown, the password wrong or the account deactivated", async () => {
    await staffMember("waiter", "timing-known");
    await staffMember("waiter", "timing-gone");
    await b.request("DELETE", "/api/staff/timing-gone", { token: b.adminToken });
    const scrypt = jest.spyOn(crypto, "scrypt");
    try {
      const attempts = [
        { username: "timing-unknown", password: "whatever-password" },
        { username: "timing-known", password: "wrong-password" },
        { username: "timing-gone", password: "timing-gone-password" },
      ];
      const answers: { status: number; type: string; message: string; kdfCalls: number }[] = [];
      for (const body of attempts) {
        scrypt.mockClear();
        const res = await b.request("POST", "/api/auth/login", { body });
        answers.push({
          status: res.status,
          type: res.body.type,
          message: res.body.message,
          kdfCalls: scrypt.mock.calls.length,
        });
      }
      // One key derivation each, and one indistinguishable answer.
      expect(answers).toEqual(
        attempts.map(() => ({ status: 401, type: "INVALID_CREDENTIALS", message: answers[0].message, kdfCalls: 1 })),
      );
    } finally {
      scrypt.mockRestore();
    }
  });
});

describe("the token secret", () => {
  const CLUSTER = { TRANSPORTER: "nats://127.0.0.1:4222" };

  it("must come from BRIGADE_JWT_SECRET in a cluster, and be long enough", () => {
    expect(() => jwtSecret(loadSettings({ ...CLUSTER }))).toThrow(/BRIGADE_JWT_SECRET is required/);
    expect(() => jwtSecret(loadSettings({ ...CLUSTER, BRIGADE_JWT_SECRET: "short" }))).toThrow(/too short/);
    expect(jwtSecret(loadSettings({ ...CLUSTER, BRIGADE_JWT_SECRET: SECRET }))).toBe(SECRET);
    // Embedded and in memory: generated, and the same for every service of the process.
    const embedded = loadSettings({ DATA_DIR: ":memory:" });
    expect(jwtSecret(embedded)).toHaveLength(64);
    expect(jwtSecret(embedded)).toBe(jwtSecret(embedded));
  });

  it("stops a clustered gateway or staff node from starting without one", () => {
    const saved = { TRANSPORTER: process.env.TRANSPORTER, BRIGADE_JWT_SECRET: process.env.BRIGADE_JWT_SECRET };
    process.env.TRANSPORTER = CLUSTER.TRANSPORTER;
    delete process.env.BRIGADE_JWT_SECRET;
    const broker = new ServiceBroker({ logger: false, transporter: null, skipProcessEventRegistration: true });
    try {
      expect(() =>
        broker.createService({ name: "api", mixins: [ApiService as unknown as ServiceSchema], settings: { port: 0 } }),
      ).toThrow(/BRIGADE_JWT_SECRET is required/);
      expect(() => broker.createService(StaffService as unknown as ServiceSchema)).toThrow(
        /BRIGADE_JWT_SECRET is required/,
      );
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});
