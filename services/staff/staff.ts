/** Staff accounts: the stored document, the view other services and clients see, and rules. */
import type { StaffView } from "../../lib/contracts";
import type { Role, StaffIdentity } from "../../lib/roles";
import { personText } from "../../lib/text-rules";

export interface StaffDoc {
  _id: string;
  username: string;
  name: string;
  role: Role;
  /** The location the member works in; absent for an owner (services/staff/locations.ts). */
  location?: string;
  passwordHash: string;
  active: boolean;
  /** Bumped by a password change or a deactivation: tokens carry it and stop matching. */
  tokenVersion: number;
  createdAt: string;
  updatedAt: string;
}

/** The username is the account's id: unique on every store, readable in logs and URLs. */
export const USERNAME = {
  type: "string",
  min: 3,
  max: 32,
  pattern: /^[a-z][a-z0-9._-]{2,31}$/,
  messages: {
    stringPattern:
      "A username is 3-32 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter.",
  },
} as const;
export const PASSWORD = { type: "string", min: 8, max: 128 } as const;
export const PERSON_NAME = personText(1, 80);

/** Never includes the password hash: this is the only shape that leaves the staff service. */
export function staffView(doc: StaffDoc): StaffView {
  return {
    id: doc._id,
    username: doc.username,
    name: doc.name,
    role: doc.role,
    location: doc.location ?? null,
    active: doc.active,
    createdAt: doc.createdAt,
  };
}

export function identity(doc: StaffDoc): StaffIdentity {
  const who: StaffIdentity = { id: doc._id, username: doc.username, name: doc.name, role: doc.role };
  if (doc.role !== "owner" && doc.location) who.location = doc.location;
  return who;
}

export interface TokenClaims {
  sub: string;
  ver: number;
  role: Role;
  /** The member's location; absent for an owner. The record stays the truth: a move revokes the token. */
  loc?: string;
}

/**
 * Whether `caller` may see and change `target`'s account: an owner any, a manager those of
 * their own location but owners. Anything else answers 404: another location's staff are not told of.
 */
export function manages(caller: StaffIdentity | undefined, target: StaffDoc): boolean {
  if (caller?.role === "owner") return true;
  return target.role !== "owner" && !!caller?.location && target.location === caller.location;
}

/** Where a new account belongs: an owner names the location (an owner has none), a manager's staff get theirs. */
export type Placement = { location?: string } | { problem: "owner-only" | "location-required" | "foreign-location" };

/**
 * Where an account belongs after a change of role or location: only an owner makes an owner or
 * moves a member; an owner has no location, anyone else needs one.
 */
export function movedMember(
  caller: StaffIdentity | undefined,
  before: Pick<StaffDoc, "role" | "location">,
  change: { role?: Role; location?: string },
): Placement {
  const role = change.role ?? before.role;
  const location = role === "owner" ? undefined : (change.location ?? before.location);
  const promoted = change.role === "owner" && before.role !== "owner";
  if (caller?.role !== "owner" && (promoted || location !== before.location)) return { problem: "owner-only" };
  if (role !== "owner" && !location) return { problem: "location-required" };
  return location ? { location } : {};
}

export function placeMember(caller: StaffIdentity | undefined, role: Role, location: string | undefined): Placement {
  if (caller?.role === "owner") {
    if (role === "owner") return {};
    return location ? { location } : { problem: "location-required" };
  }
  if (role === "owner") return { problem: "owner-only" };
  if (location !== undefined && location !== caller?.location) return { problem: "foreign-location" };
  return { location: caller?.location };
}
