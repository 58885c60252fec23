import jwt from "jsonwebtoken";
import type { Context, ServiceSchema } from "moleculer";
import { dbMixin } from "../../mixins/db.mixin";
import { cacheCleaner } from "../../mixins/cache-cleaner.mixin";
import type { Doc, Store } from "../../lib/store";
import { ANYONE, ANY_STAFF, ROLES, type StaffIdentity, type StaffMeta } from "../../lib/roles";
import { Conflict, Forbidden, Invalid, InvalidCredentials, NotFound, Unauthorized } from "../../lib/errors";
import { loadSettings, type Settings } from "../../lib/settings";
import { jwtSecret } from "../../lib/jwt-secret";
import { decoyHash, hashPassword, randomPassword, verifyPassword } from "../../lib/passwords";
import { pageParams, paginate, type PageQuery } from "../../lib/paging";
import {
  identity,
  manages,
  PASSWORD,
  PERSON_NAME,
  movedMember,
  placeMember,
  type Placement,
  staffView,
  USERNAME,
  type StaffDoc,
  type TokenClaims,
} from "./staff";
import {
  duplicateTaxRate,
  LOCATION_ID,
  LOCATION_RULES,
  locationDefaults,
  locationView,
  type LocationDoc,
  type LocationFields,
} from "./locations";
import { MAIN_LOCATION, requestLocation } from "../../lib/locations";
import type { Role } from "../../lib/roles";
import { patchParams } from "../../lib/patch-params";
import { answerCreated } from "../../lib/created";
import { TOKEN_MAX_LENGTH, type Location, type LocationBrief, type TaxRate } from "../../lib/contracts";

interface StaffMethods {
  changed(): Promise<void>;
  load(id: string): Promise<StaffDoc>;
  ensureAdmin(): Promise<void>;
  ensureLocations(): Promise<void>;
  location(id: string): Promise<LocationDoc | null>;
  visibleMember(id: string, caller: StaffIdentity | undefined): Promise<StaffDoc>;
  announceOnce(lines: string): void;
}
interface StaffVars {
  store: Store<StaffDoc>;
  locations: Store<LocationDoc>;
  stores: Record<string, Store<Doc>>;
  config: Settings;
  secret: string;
}

const ROLE = { type: "enum", values: [...ROLES] } as const;
const LOCATIONS = "locations";
const TAX_RATES_PROBLEM = (id: string) =>
  Invalid([{ field: "taxRates", type: "duplicate", message: `Two tax rates have the id "${id}"; give each its own.` }]);

const StaffService: ServiceSchema<Record<string, never>, StaffMethods, StaffVars> = {
  name: "staff",
  // The token cache must be cleaned on every node when an account changes, not only here.
  mixins: [dbMixin<StaffDoc>("staff", { collections: [LOCATIONS], scope: "group" }), cacheCleaner({ staff: "**" })],

  actions: {
    login: {
      roles: [ANYONE],
      scope: "group",
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
        if (doc.role !== "owner" && doc.location) claims.loc = doc.location;
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
      scope: "group",
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
      scope: "group",
      params: { ...pageParams, $$strict: true },
      async handler(ctx: Context<PageQuery, StaffMeta>) {
        // A manager sees their own location's staff; an owner the whole group's.
        const caller = ctx.meta.staff;
        const query = caller?.role === "owner" ? {} : { location: caller?.location ?? "", role: { $ne: "owner" } };
        return paginate(this.store, query, ["username"], ctx.params, staffView);
      },
    },

    create: {
      roles: ["manager"],
      scope: "group",
      params: {
        username: USERNAME,
        name: PERSON_NAME,
        role: ROLE,
        password: PASSWORD,
        location: { ...LOCATION_ID, optional: true },
        $$strict: true,
      },
      async handler(
        ctx: Context<{ username: string; name: string; role: Role; password: string; location?: string }, StaffMeta>,
      ) {
        // Left out, the location is the request's: a manager's own, or the one an owner named
        // with X-Brigade-Location (or the group's only location).
        const placement = placeMember(ctx.meta.staff, ctx.params.role, ctx.params.location ?? ctx.meta.location);
        if ("problem" in placement) throw placementRefused(placement.problem, ctx.meta.staff, ctx.params.location);
        if (placement.location && !(await this.location(placement.location)))
          throw NotFound("location", placement.location);
        const now = new Date().toISOString();
        const doc: StaffDoc = {
          _id: ctx.params.username,
          username: ctx.params.username,
          name: ctx.params.name,
          role: ctx.params.role,
          ...(placement.location ? { location: placement.location } : {}),
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
      scope: "group",
      params: {
        id: USERNAME,
        ...patchParams({
          name: PERSON_NAME,
          role: ROLE,
          password: PASSWORD,
          active: { type: "boolean" },
          location: LOCATION_ID,
        }),
        $$strict: true,
      },
      async handler(
        ctx: Context<
          { id: string; name?: string; role?: Role; password?: string; active?: boolean; location?: string },
          StaffMeta
        >,
      ) {
        const before = await this.visibleMember(ctx.params.id, ctx.meta.staff);
        const placement = movedMember(ctx.meta.staff, before, ctx.params);
        if ("problem" in placement) throw placementRefused(placement.problem, ctx.meta.staff, ctx.params.location);
        const location = placement.location;
        if (location && location !== before.location && !(await this.location(location)))
          throw NotFound("location", location);
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
        const moved = location !== before.location;
        if (moved && location) set.location = location;
        // A new password, role or location, or a deactivation, ends every session of the account.
        const revoke =
          ctx.params.password !== undefined ||
          (ctx.params.role !== undefined && ctx.params.role !== before.role) ||
          moved ||
          ctx.params.active === false;
        const update = {
          $set: set,
          ...(revoke ? { $inc: { tokenVersion: 1 } } : {}),
          ...(moved && !location ? { $unset: { location: 1 } } : {}),
        };
        const after = await this.store.updateIf(before._id, {}, update);
        await this.changed();
        return staffView(after!);
      },
    },

    /** `GET /api/locations`: the whole group for an owner, one's own location for everyone else. */
    locations: {
      idempotent: true,
      roles: [ANY_STAFF],
      scope: "group",
      params: { ...pageParams, $$strict: true },
      async handler(ctx: Context<PageQuery, StaffMeta>) {
        const caller = ctx.meta.staff;
        const query = caller?.role === "owner" ? {} : { _id: caller?.location ?? "" };
        return paginate(this.locations, query, ["_id"], ctx.params, locationView);
      },
    },

    /** Internal: the ids of every location, for the gateway's choice of a request's location. */
    locationIds: {
      visibility: "public",
      cache: { keys: [], ttl: 60 },
      params: { $$strict: true },
      async handler(): Promise<string[]> {
        return (await this.locations.find({}, { sort: ["_id"] })).map((doc) => doc._id);
      },
    },

    /** Internal: the request's location's tax rates (a dish names one by id). */
    taxRates: {
      visibility: "public",
      cache: { keys: ["#location"], ttl: 60 },
      params: { $$strict: true },
      async handler(ctx: Context): Promise<TaxRate[]> {
        const doc = await this.locations.get(requestLocation(ctx.meta));
        return doc ? locationView(doc).taxRates : [];
      },
    },

    /** Internal: every location's id, name, currency and time zone (the group's takings). */
    groupLocations: {
      visibility: "public",
      cache: { keys: [], ttl: 60 },
      params: { $$strict: true },
      async handler(): Promise<LocationBrief[]> {
        return (await this.locations.find({}, { sort: ["_id"] })).map((doc) => ({
          id: doc._id,
          name: doc.name,
          currency: doc.currency,
          timezone: doc.timezone,
        }));
      },
    },

    createLocation: {
      roles: ["owner"],
      scope: "group",
      params: {
        id: LOCATION_ID,
        ...LOCATION_RULES,
        ...patchParams({
          timezone: LOCATION_RULES.timezone,
          currency: LOCATION_RULES.currency,
          taxMode: LOCATION_RULES.taxMode,
          taxRates: LOCATION_RULES.taxRates,
          serviceChargeBps: LOCATION_RULES.serviceChargeBps,
          serviceChargeMinCovers: LOCATION_RULES.serviceChargeMinCovers,
        }),
        $$strict: true,
      },
      async handler(
        ctx: Context<Partial<LocationFields> & { id: string; name: string }, StaffMeta>,
      ): Promise<Location> {
        const { id, ...given } = ctx.params;
        const duplicate = duplicateTaxRate(given.taxRates);
        if (duplicate) throw TAX_RATES_PROBLEM(duplicate);
        const now = new Date().toISOString();
        const doc: LocationDoc = { _id: id, ...locationDefaults(given.name), ...given, createdAt: now, updatedAt: now };
        if (!(await this.locations.insertOnce(doc)))
          throw Conflict("LOCATION_EXISTS", `A location "${id}" exists already; pick another id.`, { id });
        await this.changed();
        this.logger.info({ location: id, staff: ctx.meta.staff?.id }, "Location created.");
        answerCreated(ctx.meta, `/api/locations/${id}`);
        return locationView(doc);
      },
    },

    /** An owner edits any location, a manager their own. */
    updateLocation: {
      roles: ["manager"],
      scope: "group",
      params: { id: LOCATION_ID, ...patchParams(LOCATION_RULES), $$strict: true },
      async handler(ctx: Context<Partial<LocationFields> & { id: string }, StaffMeta>): Promise<Location> {
        const { id, ...patch } = ctx.params;
        const caller = ctx.meta.staff;
        if (caller?.role !== "owner" && caller?.location !== id) throw NotFound("location", id);
        const duplicate = duplicateTaxRate(patch.taxRates);
        if (duplicate) throw TAX_RATES_PROBLEM(duplicate);
        const after = await this.locations.updateIf(
          id,
          {},
          { $set: { ...patch, updatedAt: new Date().toISOString() } },
        );
        if (!after) throw NotFound("location", id);
        await this.changed();
        this.logger.info({ location: id, fields: Object.keys(patch), staff: caller?.id }, "Location changed.");
        return locationView(after);
      },
    },

    deactivate: {
      roles: ["manager"],
      scope: "group",
      params: { id: USERNAME, $$strict: true },
      async handler(ctx: Context<{ id: string }, StaffMeta>) {
        const before = await this.visibleMember(ctx.params.id, ctx.meta.staff);
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
    async location(id: string) {
      return this.locations.get(id);
    },

    /** A staff member the caller manages; any other is 404, as if it did not exist. */
    async visibleMember(id: string, caller: StaffIdentity | undefined) {
      const doc = await this.load(id);
      if (!manages(caller, doc)) throw NotFound("staff member", id);
      return doc;
    },

    /**
     * Every cluster has a location: the first start makes `main`. A version before locations
     * left staff without one and the admin a manager: they move into `main`, once.
     */
    async ensureLocations() {
      if ((await this.locations.count()) === 0) {
        const now = new Date().toISOString();
        const created = await this.locations.insertOnce({
          _id: MAIN_LOCATION,
          ...locationDefaults("Main"),
          createdAt: now,
          updatedAt: now,
        });
        if (created) this.logger.info({ location: MAIN_LOCATION }, "Created the location 'main'.");
      }
      const movedAdmin = await this.store.update(
        { _id: "admin", role: "manager" },
        { $set: { role: "owner" }, $unset: { location: 1 } },
      );
      const placed = await this.store.update(
        { role: { $ne: "owner" }, location: { $exists: false } },
        { $set: { location: MAIN_LOCATION } },
      );
      if (movedAdmin + placed > 0) {
        this.logger.info(
          { adminIsOwner: movedAdmin > 0, staffPlaced: placed, location: MAIN_LOCATION },
          "Staff from before locations moved into 'main'; the admin account is now an owner.",
        );
        await this.changed();
      }
    },

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
        role: "owner",
        passwordHash: await hashPassword(password),
        active: true,
        tokenVersion: 1,
        createdAt: now,
        updatedAt: now,
      });
      if (!created) return; // another node made it first
      if (given) this.logger.info("Created the 'admin' owner with the password from BRIGADE_ADMIN_PASSWORD.");
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
    this.locations = this.stores[LOCATIONS] as unknown as Store<LocationDoc>;
    await this.ensureLocations();
    await this.ensureAdmin();
    // Made now, not by the first login for an unknown user, which would take twice as long.
    await decoyHash();
  },
};

export default StaffService;

/** A placement refused, as the client is told: 403 for owner-only, 404 for another location's. */
function placementRefused(
  problem: Extract<Placement, { problem: string }>["problem"],
  caller: StaffIdentity | undefined,
  asked: string | undefined,
) {
  if (problem === "owner-only") return Forbidden(caller?.role, ["owner"]);
  if (problem === "foreign-location") return NotFound("location", asked ?? "");
  return Invalid([
    {
      field: "location",
      type: "required",
      message: "Name the member's location ('location' or X-Brigade-Location): the group has several.",
    },
  ]);
}

/** The one-time admin password, framed so it stands out in a start-up log. */
export function adminPasswordBanner(password: string): string {
  const lines = [
    "Created the 'admin' owner. Its password, shown this once:",
    `    ${password}`,
    "Log in as admin, then change it: PATCH /api/staff/admin.",
  ];
  const width = Math.max(...lines.map((l) => l.length));
  const rule = `+${"-".repeat(width + 2)}+`;
  return ["", rule, ...lines.map((l) => `| ${l.padEnd(width)} |`), rule].join("\n");
}
