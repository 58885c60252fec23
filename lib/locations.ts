/**
 * The location rule every service shares: a restaurant document belongs to one location, and
 * what was written before locations existed belongs to `main` (docs/locations.md).
 */

/** The location `npm start` makes, and the one data from before locations belongs to. */
export const MAIN_LOCATION = "main";

/** A document's location; one written before locations existed is `main`'s. */
export function locationOf(doc: { location?: string }): string {
  return doc.location ?? MAIN_LOCATION;
}

/** The location a request acts in (the gateway's choice); a call from inside with none acts in `main`. */
export function requestLocation(meta: { location?: string } | undefined): string {
  return meta?.location ?? MAIN_LOCATION;
}
