import { randomFillSync } from "node:crypto";

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/**
 * Random bytes drawn from the system 4 KiB at a time: one `randomBytes(6)` per id was a system
 * call and a Buffer per order placed (and per ticket, reservation…), seen in the bench profile.
 */
const entropy = Buffer.alloc(4096);
let used = entropy.length;

function randomByte(): number {
  if (used === entropy.length) {
    randomFillSync(entropy);
    used = 0;
  }
  return entropy[used++];
}

/**
 * A new id such as `ord_lq2x9k3m7h2c4d`: the prefix names the kind of thing, the first part
 * sorts by creation time, the rest is random. Ids are plain strings on every store (lib/store.ts
 * queries `_id` directly, never through the MongoDB adapter's ObjectId conversion).
 */
export function newId(prefix: string): string {
  const time = Date.now().toString(36).padStart(9, "0");
  let rand = "";
  for (let i = 0; i < 6; i++) rand += ALPHABET[randomByte() % 36];
  return `${prefix}_${time}${rand}`;
}

/** A readable natural key from a name: "Olive oil (extra virgin)" → "olive-oil-extra-virgin". */
export function slugId(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48)
    .replace(/-+$/g, "");
  return slug;
}

/** What an id accepted from a client must look like: no operators, no dots, bounded. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const idParam = { type: "string", min: 1, max: 64, pattern: ID_PATTERN } as const;
