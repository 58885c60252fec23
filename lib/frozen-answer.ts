/**
 * Cached answers as shared, read-only values. The memory cacher freezes an answer once when it
 * stores it, instead of deep-copying it on every hit; a caller that tried to change one throws
 * at once rather than corrupt the cache for everyone.
 *
 * Because such an answer can never change, its JSON can be computed once too: the gateway sends
 * the same bytes for every hit until the entry is cleaned (`jsonOf`). The text lives as long as
 * the answer does (a WeakMap), so a cleaned entry takes its text with it.
 */
const texts = new WeakMap<object, string>();
const frozenAnswers = new WeakSet<object>();

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}

/** The memory cacher's `clone` option: freezes the answer (deeply) and marks it as one. */
export function freezeAnswer<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  deepFreeze(value);
  frozenAnswers.add(value);
  return value;
}

/** `JSON.stringify(data)`, computed once per frozen cached answer. */
export function jsonOf(data: unknown): string {
  if (data === null || typeof data !== "object" || !frozenAnswers.has(data)) return JSON.stringify(data);
  let text = texts.get(data);
  if (text === undefined) {
    text = JSON.stringify(data);
    texts.set(data, text);
  }
  return text;
}
