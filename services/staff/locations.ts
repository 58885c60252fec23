/**
 * Locations: the restaurants of a group, each with the money rules its bills follow. Staff
 * (but the owner) belong to one; every restaurant document belongs to one (docs/locations.md).
 */
import type { Location, TaxRate } from "../../lib/contracts";
import { personText } from "../../lib/text-rules";

export interface LocationDoc extends Omit<Location, "id"> {
  _id: string;
  createdAt: string;
  updatedAt: string;
}

/** A location's id goes into URLs, headers, cache keys and subjects: short, lower-case, plain. */
export const LOCATION_ID = {
  type: "string",
  min: 2,
  max: 32,
  pattern: /^[a-z][a-z0-9-]{1,31}$/,
  messages: {
    stringPattern: "A location id is 2-32 characters: lower-case letters, digits or '-', starting with a letter.",
  },
} as const;

const TIME_ZONES = new Set(Intl.supportedValuesOf("timeZone"));
// `UTC` is valid everywhere but not always listed.
TIME_ZONES.add("UTC");
const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));

/** A tax rate's id, which dishes name ("standard", "food", "a"). */
const TAX_RATE_ID = {
  type: "string",
  min: 1,
  max: 16,
  pattern: /^[a-z][a-z0-9-]{0,15}$/,
  messages: { stringPattern: "A tax rate id is 1-16 lower-case letters, digits or '-', starting with a letter." },
} as const;

const BPS = { type: "number", integer: true, min: 0, max: 10_000 } as const;

export const LOCATION_RULES = {
  name: personText(1, 80),
  // Enums with a message of their own: the default would list hundreds of allowed values.
  timezone: {
    type: "enum",
    values: [...TIME_ZONES],
    messages: { enumValue: "The 'timezone' field must be an IANA time zone, such as 'Europe/Paris'." },
  },
  currency: {
    type: "enum",
    values: [...CURRENCIES],
    messages: { enumValue: "The 'currency' field must be an ISO 4217 code in capitals, such as 'EUR'." },
  },
  taxMode: { type: "enum", values: ["inclusive", "exclusive"] },
  taxRates: {
    type: "array",
    max: 20,
    items: {
      type: "object",
      strict: true,
      props: { id: TAX_RATE_ID, name: personText(1, 40), bps: BPS },
    },
  },
  serviceChargeBps: BPS,
  serviceChargeMinCovers: { type: "number", integer: true, min: 0, max: 1000 },
} as const;

export type LocationFields = Omit<Location, "id">;

/** What a new location starts with where its creator says nothing: no tax, no service charge. */
export function locationDefaults(name: string): LocationFields {
  return {
    name,
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
    currency: "EUR",
    taxMode: "inclusive",
    taxRates: [],
    serviceChargeBps: 0,
    serviceChargeMinCovers: 0,
  };
}

/** The ids of two tax rates must differ: a dish names its rate by id. */
export function duplicateTaxRate(rates: readonly TaxRate[] | undefined): string | undefined {
  const seen = new Set<string>();
  for (const rate of rates ?? []) {
    if (seen.has(rate.id)) return rate.id;
    seen.add(rate.id);
  }
  return undefined;
}

export function locationView(doc: LocationDoc): Location {
  return {
    id: doc._id,
    name: doc.name,
    timezone: doc.timezone,
    currency: doc.currency,
    taxMode: doc.taxMode,
    taxRates: doc.taxRates.map((rate) => ({ ...rate })),
    serviceChargeBps: doc.serviceChargeBps,
    serviceChargeMinCovers: doc.serviceChargeMinCovers,
  };
}
