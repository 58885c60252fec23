/**
 * How deep a value may nest. Brigade's deepest param is three levels (an order's lines, each
 * with its fields); anything far deeper is hostile. fastest-validator turns a rejected value
 * into a string for its message, which on thousands of levels overflows the stack: so depth is
 * checked first, without recursion, at the gateway and in every action's validator.
 */

export const MAX_NESTING = 32;

function step(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/** The path of the first value nested deeper than `max` levels, or undefined. */
export function tooDeep(value: unknown, max = MAX_NESTING): string | undefined {
  const pending: { value: unknown; at: string; depth: number }[] = [{ value, at: "", depth: 0 }];
  while (pending.length > 0) {
    const item = pending.pop()!;
    if (item.value === null || typeof item.value !== "object") continue;
    if (item.depth >= max) return item.at.slice(0, 128);
    const entries = Array.isArray(item.value)
      ? item.value.map((v, i) => [i, v] as const)
      : Object.entries(item.value as Record<string, unknown>);
    for (const [key, v] of entries) pending.push({ value: v, at: step(item.at, key), depth: item.depth + 1 });
  }
  return undefined;
}

export const tooDeepMessage = (field: string) =>
  `The '${field || "body"}' field nests deeper than ${MAX_NESTING} levels.`;
