/**
 * Who may call what. Every action reachable over HTTP declares `roles`; the gateway enforces
 * them in one place (`authorize`). An action with no `roles` is not reachable over HTTP at all.
 */

export const ROLES = ["owner", "manager", "waiter", "chef", "cashier", "purchaser"] as const;
export type Role = (typeof ROLES)[number];

/** Anyone, without a token (login, the public menu). */
export const ANYONE = "anyone";
/** Any logged-in staff member, whatever the role. */
export const ANY_STAFF = "any-staff";

export type Access = Role | typeof ANYONE | typeof ANY_STAFF;

/** The caller, as the gateway resolved it from the token; carried in `ctx.meta.staff`. */
export interface StaffIdentity {
  id: string;
  username: string;
  name: string;
  role: Role;
  /** The one location a staff member works in; absent for an owner, who runs the whole group. */
  location?: string;
}

export interface StaffMeta {
  staff?: StaffIdentity;
  /**
   * Set by the gateway (services/api/location-choice.ts): the location this request acts in.
   * A staff member's own; for an owner, `X-Brigade-Location` or the group's only location.
   */
  location?: string;
  /** Set by the gateway: the version claim of the caller's login token (a live ticket carries it). */
  sessionVersion?: number;
  idempotencyKey?: string;
  /** Set by the gateway: the action was called over HTTP on behalf of `staff`. */
  viaGateway?: boolean;
  /** moleculer-web: the HTTP status of a successful answer (201 for a creation). */
  $statusCode?: number;
  $location?: string;
  $responseHeaders?: Record<string, string>;
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export type Decision = "allow" | "unauthenticated" | "forbidden" | "not-exposed";

/**
 * Decides an HTTP call. An owner may do everything, a manager everything but what only an
 * owner may (`roles: ["owner"]`); `anyone` needs no token.
 */
export function decide(declared: readonly Access[] | undefined, staff: StaffIdentity | undefined): Decision {
  if (!declared || declared.length === 0) return "not-exposed";
  if (declared.includes(ANYONE)) return "allow";
  if (!staff) return "unauthenticated";
  if (declared.includes(ANY_STAFF) || staff.role === "owner" || declared.includes(staff.role)) return "allow";
  if (staff.role === "manager" && declared.some((access) => access !== "owner")) return "allow";
  return "forbidden";
}

/** The roles to name in a 403, without the markers: those declared, and those above them. */
export function namedRoles(declared: readonly Access[]): Role[] {
  const roles = declared.filter(isRole);
  const above: Role[] = roles.every((role) => role === "owner") ? ["owner"] : ["manager", "owner"];
  return [...roles, ...above.filter((role) => !roles.includes(role))];
}

/** Managers and owners: they may use every view and hear every event of the places they run. */
export function runsTheHouse(role: Role): boolean {
  return role === "manager" || role === "owner";
}
