/**
 * Which location a request acts in, decided once by the gateway and carried in
 * `ctx.meta.location` to every service the request reaches:
 *  - a staff member acts in their own location; naming another is a 404 (its existence is not told);
 *  - an owner names one with `X-Brigade-Location`, or needs not when the group has one location;
 *  - anyone (the public menu) names one with `?location=`, under the same rule.
 * An action of the whole group (`scope: "group"`) needs none; any other does: 422 LOCATION_REQUIRED.
 */
import type { StaffIdentity } from "../../lib/roles";

export const LOCATION_HEADER = "x-brigade-location";

export type LocationChoice = { location?: string } | { refused: "required" } | { refused: "unknown"; asked: string };

export interface LocationQuestion {
  staff?: StaffIdentity;
  /** The header's value, or the public menu's `?location=`. */
  asked?: string;
  /** Whether the action acts in one location. */
  needed: boolean;
}

/**
 * Whether the choice needs the list of locations: never for a member (their own is known), nor
 * for anyone's request of the whole group that names none (a login).
 */
export function needsLocationList(question: LocationQuestion): boolean {
  if (question.staff?.location) return false;
  return question.needed || question.asked !== undefined || question.staff?.role === "owner";
}

export function chooseLocation(question: LocationQuestion, known: readonly string[] = []): LocationChoice {
  const { staff, asked, needed } = question;
  if (staff?.location) {
    return asked === undefined || asked === staff.location
      ? { location: staff.location }
      : { refused: "unknown", asked };
  }
  if (asked !== undefined) return known.includes(asked) ? { location: asked } : { refused: "unknown", asked };
  if (known.length === 1) return { location: known[0] };
  return needed ? { refused: "required" } : {};
}
