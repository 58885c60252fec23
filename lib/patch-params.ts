/**
 * The params of a PATCH: the same rules as a creation, each field optional. A field left out is
 * left as it is (the gateway refuses `null`, so "optional" never means "set to nothing").
 */
export function patchParams<T extends Record<string, object>>(rules: T): { [K in keyof T]: T[K] & { optional: true } } {
  const optional = {} as { [K in keyof T]: T[K] & { optional: true } };
  for (const key of Object.keys(rules) as (keyof T)[]) optional[key] = { ...rules[key], optional: true };
  return optional;
}
