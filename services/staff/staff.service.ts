import jwt from "jsonwebtoken";
import type { Context, ServiceSchema } from "moleculer";
import { dbMixin } from "../../mixins/db.mixin";
import { cacheCleaner } from "../../mixins/cache-cleaner.mixin";
import type { Store } from "../../lib/store";
import { ANYONE, ANY_STAFF, ROLES, type StaffIdentity, type StaffMeta } from "../../lib/roles";
import { Conflict, InvalidCredentials, NotFound, Unauthorized } from "../../lib/errors";
import { loadSettings, type Settings } from "../../lib/settings";
import { jwtSecret } from "../../lib/jwt-secret";
import { decoyHash, hashPassword, randomPassword, verifyPassword } from "../../lib/passwords";
import { pageParams, paginate, type PageQuery } from "../../lib/paging";
import { identity, PASSWORD, PERSON_NAME, staffView, USERNAME, type StaffDoc, type TokenClaims } from "./staff";
import type { Role } from "../../lib/roles";
import { patchParams } from "../../lib/patch-params";
import { answerCreated } from "../../lib/created";
import { TOKEN_MAX_LENGTH } from "../../lib/contracts";

interface StaffMethods {
  changed(): Promise<void>;
  load(id: string): Promise<StaffDoc>;
  ensureAdmin(): Promise<void>;
  announceOnce(lines: string): void;
}
interface StaffVars {
  store: Store<StaffDoc>;
  config: Settings;
  secret: string;
}

const ROLE = { type: "enum", values: [...ROLES] } as const;

const StaffService: ServiceSchema<Record<string, never>, StaffMethods, StaffVars> = {
  name: "staff",
  // The token cache must be cleaned on every node when an account changes, not only here.
  mixins: [dbMixin<StaffDoc>("staff"), cacheCleaner({ staff: "**" })],

  actions: {
    login: {
      roles: [ANYONE],
      params: {
        username: { type: "string", min: 1, max: 64 },
        password: { type: "string", min: 1, max: 256 },
        $$strict: true,
      },
      async handler(ctx: Context<{ username: string; password: string }>) {
        const doc = await this.store.get(ctx.params.username.toLowerCase());
        // Same scrypt work whether or not the user exists: timing tells nothing.
        const ok = await verifyPassword(ctx.params.password, doc?.passwordHash ?? (await decoyHash()));
        if (!doc || !ok || !doc.active) throw InvalidCredentials();
        const claims: TokenClaims = { sub: doc._id, ver: doc.tokenVersion, role: doc.role };
        const token = jwt.sign(claims, this.secret, {
          algorithm: "HS256",
          expiresIn: this.config.tokenTtlSeconds,
          issuer: "brigade",
        });
        const expiresAt = new Date(Date.now() + this.config.tokenTtlSeconds * 1000).toISOString();
        this.logger.info({ staff: doc._id }, "Staff member logged in.");
        return { token, expiresAt, staff: staffView(doc) };
      },
    },

    me: {
      idempotent: true,
      roles: [ANY_STAFF],
      params: { $$strict: true },
      async handler(ctx: Context<unknown, StaffMeta>) {
        return staffView(await this.load(ctx.meta.staff!.id));
      },
    },

    /** The gateway's one question per request: who holds this token? Cached; a staff change cleans it. */
    resolveToken: {
      visibility: "public",
      cache: { keys: ["token"], ttl: 60 },
      params: { token: { type: "string", min: 1, max: TOKEN_MAX_LENGTH }, $$strict: true },
      async handler(ctx: Context<{ token: string }>): Promise<StaffIdentity> {
        let claims: TokenClaims;
        try {
          claims = jwt.verify(ctx.params.token, this.secret, {
            algorithms: ["HS256"],
            issuer: "brigade",
          }) as unknown as TokenClaims;
        } catch (err) {
          const expired = (err as Error).name === "TokenExpiredError";
          throw Unauthorized(
            expired ? "Your session has expired: log in again." : "That token is not valid: log in again.",
          );
        }
        const doc = await this.store.get(String(claims.sub));
        if (!doc?.active || doc.tokenVersion !== claims.ver)
          throw Unauthorized("That token is no longer valid: log in again.");
        return identity(doc);
      },
    },

    /**
     * A live stream's question (the gateway, when a ticket is used and when an account changed):
     * is this session (account and token version) still valid? Never cached, so a revocation shows at once.
     */
    checkSession: {
      visibility: "public",
      params: { id: USERNAME, version: { type: "number", integer: true, min: 0, max: 1_000_000_000 }, $$strict: true },
      async handler(ctx: Context<{ id: string; version: number }>): Promise<StaffIdentity> {
        const doc = await this.store.get(ctx.params.id);
        if (!doc?.active || doc.tokenVersion !== ctx.params.version)
          throw Unauthorized("Your session has ended: log in again.");
        return identity(doc);
      },
    },

    list: {
      idempotent: true,
      roles: ["manager"],
      params: { ...pageParams, $$strict: true },
      async handler(ctx: Context<PageQuery>) {
        return paginate(this.store, {}, ["username"], ctx.params, staffView);
      },
    },

    create: {
      roles: ["manager"],
      params: { username: USERNAME, name: PERSON_NAME, role: ROLE, password: PASSWORD, $$strict: true },
      async handler(ctx: Context<{ username: string; name: string; role: Role; password: string }, StaffMeta>) {
        const now = new Date().toISOString();
        const doc: StaffDoc = {
          _id: ctx.params.username,
          username: ctx.params.username,
          name: ctx.params.name,
          role: ctx.params.role,
          passwordHash: await hashPassword(ctx.params.password),
          active: true,
          tokenVersion: 1,
          createdAt: now,
          updatedAt: now,
        };
        if (!(await this.store.insertOnce(doc))) {
          throw Conflict(
            "USERNAME_TAKEN",
            `The username "${doc.username}" is taken (usernames are never reused). Pick another.`,
            { username: doc.username },
          );
        }
        await this.changed();
        answerCreated(ctx.meta, `/api/staff/${doc._id}`);
        return staffView(doc);
      },
    },

    update: {
      roles: ["manager"],
      params: {
        id: USERNAME,
        ...patchParams({ name: PERSON_NAME, role: ROLE, password: PASSWORD, active: { type: "boolean" } }),
        $$strict: true,
      },
      async handler(
        ctx: Context<{ id: string; name?: string; role?: Role; password?: string; active?: boolean }, StaffMeta>,
      ) {
        const before = await this.load(ctx.params.id);
        // As with DELETE: a manager cannot lock themselves out (possibly the last manager).
        if (before._id === ctx.meta.staff?.id) {
          if (ctx.params.active === false)
            throw Conflict("CANNOT_DEACTIVATE_SELF", "You cannot deactivate your own account; ask another manager.");
          if (ctx.params.role !== undefined && ctx.params.role !== before.role)
            throw Conflict("CANNOT_CHANGE_OWN_ROLE", "You cannot change your own role; ask another manager.");
        }
        const set: Partial<StaffDoc> = { updatedAt: new Date().toISOString() };
        if (ctx.params.name !== undefined) set.name = ctx.params.name;
        if (ctx.params.role !== undefined) set.role = ctx.params.role;
        if (ctx.params.active !== undefined) set.active = ctx.params.active;
        if (ctx.params.password !== undefined) set.passwordHash = await hashPassword(ctx.params.password);
        // A new password, a new role or a deactivation ends every session of the account.
        const revoke =
          ctx.params.password !== undefined ||
          (ctx.params.role !== undefined && ctx.params.role !== before.role) ||
          ctx.params.active === false;
        const update = revoke ? { $set: set, $inc: { tokenVersion: 1 } } : { $set: set };
        const after = await this.store.updateIf(before._id, {}, update);
        await this.changed();
        return staffView(after!);
      },
    },

    deactivate: {
      roles: ["manager"],
      params: { id: USERNAME, $$strict: true },
      async handler(ctx: Context<{ id: string }, StaffMeta>) {
        const before = await this.load(ctx.params.id);
        if (before._id === ctx.meta.staff?.id)
          throw Conflict("CANNOT_DEACTIVATE_SELF", "You cannot deactivate your own account; ask another manager.");
        const after = await this.store.updateIf(
          before._id,
          {},
          { $set: { active: false, updatedAt: new Date().toISOString() }, $inc: { tokenVersion: 1 } },
        );
        await this.changed();
        return staffView(after!);
      },
    },
  },

  methods: {
    async load(id: string) {
      const doc = await this.store.get(id);
      if (!doc) throw NotFound("staff member", id);
      return doc;
    },

    /** The first start with no staff creates the `admin` manager, so someone can log in. */
    async ensureAdmin() {
      const given = this.config.adminPassword;
      if ((await this.store.count()) > 0) {
        if (given && (await this.store.get("admin")))
          this.logger.warn(
            "admin exists; BRIGADE_ADMIN_PASSWORD not applied (it sets the password only when no staff exist). Change it with PATCH /api/staff/admin.",
          );
        return;
      }
      const password = given ?? randomPassword();
      const now = new Date().toISOString();
      const created = await this.store.insertOnce({
        _id: "admin",
        username: "admin",
        name: "Administrator",
        role: "manager",
        passwordHash: await hashPassword(password),
        active: true,
        tokenVersion: 1,
        createdAt: now,
        updatedAt: now,
      });
      if (!created) return; // another node made it first
      if (given) this.logger.info("Created the 'admin' manager with the password from BRIGADE_ADMIN_PASSWORD.");
      else this.announceOnce(adminPasswordBanner(password));
    },

    /** After every service has started, so the line is not lost above the gateway's route list. */
    announceOnce(lines: string) {
      if (this.broker.started) this.logger.warn(lines);
      else this.broker.localBus.once("$broker.started", () => this.logger.warn(lines));
    },
  },

  created() {
    this.config = loadSettings();
    this.secret = jwtSecret(this.config);
  },

  async started() {
    await this.ensureAdmin();
    // Made now, not by the first login for an unknown user, which would take twice as long.
    await decoyHash();
  },
};

export default StaffService;

/** The one-time admin password, framed so it stands out in a start-up log. */
export function adminPasswordBanner(password: string): string {
  const lines = [
    "Created the 'admin' manager. Its password, shown this once:",
    `    ${password}`,
    "Log in as admin, then change it: PATCH /api/staff/admin.",
  ];
  const width = Math.max(...lines.map((l) => l.length));
  const rule = `+${"-".repeat(width + 2)}+`;
  return ["", rule, ...lines.map((l) => `| ${l.padEnd(width)} |`), rule].join("\n");
}
