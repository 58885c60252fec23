/** Staff accounts: the stored document, the view other services and clients see, and rules. */
import type { StaffView } from "../../lib/contracts";
import type { Role, StaffIdentity } from "../../lib/roles";
import { personText } from "../../lib/text-rules";

export interface StaffDoc {
  _id: string;
  username: string;
  name: string;
  role: Role;
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
    active: doc.active,
    createdAt: doc.createdAt,
  };
}

export function identity(doc: StaffDoc): StaffIdentity {
  return { id: doc._id, username: doc.username, name: doc.name, role: doc.role };
}

export interface TokenClaims {
  sub: string;
  ver: number;
  role: Role;
}
