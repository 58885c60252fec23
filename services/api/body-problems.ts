/**
 * What the gateway refuses in a JSON body before any action sees it, because the actions'
 * validator would let it through:
 *  - `null`: fastest-validator treats null as "absent" for an optional field, so
 *    `PATCH {"priceCents": null}` would pass validation and store a null price. No field of
 *    Brigade's API is nullable: leaving a field out is how a client says "no value".
 *  - a `__proto__` key: moleculer-web merges the body into the params with Object.assign, which
 *    turns that key into the params' prototype, so its fields would be read without being own
 *    keys that `$$strict` checks.
 *  - a value nested deeper than lib/nesting.ts allows: refused here, before it travels to a
 *    service (the service's validator refuses it too).
 */
import { tooDeep, tooDeepMessage } from "../../lib/nesting";

export interface BodyProblem {
  type: string;
  field: string;
  message: string;
}

const MAX_PROBLEMS = 20;

function path(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/** Walks the parsed body without recursion (a 64 kB body can nest thousands of levels deep). */
export function bodyProblems(body: unknown): BodyProblem[] {
  const deepAt = tooDeep(body);
  if (deepAt !== undefined) return [{ type: "tooDeep", field: deepAt || "body", message: tooDeepMessage(deepAt) }];
  const problems: BodyProblem[] = [];
  const pending: { value: unknown; at: string }[] = [{ value: body, at: "" }];
  while (pending.length > 0 && problems.length < MAX_PROBLEMS) {
    const { value, at } = pending.pop()!;
    if (value === null) {
      problems.push({
        type: "null",
        field: at || "body",
        message: `The '${at || "body"}' field cannot be null: leave it out instead.`,
      });
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => {
        pending.push({ value: item, at: path(at, index) });
      });
    } else if (typeof value === "object") {
      for (const key of Object.keys(value)) {
        if (key === "__proto__") {
          problems.push({ type: "forbiddenKey", field: path(at, key), message: `The key '__proto__' is not allowed.` });
          continue;
        }
        pending.push({ value: (value as Record<string, unknown>)[key], at: path(at, key) });
      }
    }
  }
  return problems;
}
