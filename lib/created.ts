import type { StaffMeta } from "./roles";

/**
 * Tells the gateway that the action created something: 201 with a `Location` header naming it
 * (moleculer-web reads both from `ctx.meta` and warns about a 201 without a location).
 */
export function answerCreated(meta: StaffMeta, location: string): void {
  meta.$statusCode = 201;
  meta.$location = location;
}
