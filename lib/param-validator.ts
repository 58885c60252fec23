/**
 * Moleculer's fastest-validator, with two things made safe for hostile params:
 *  - depth is checked first (lib/nesting.ts): the validator builds every message with the
 *    rejected value turned into a string, which overflows the stack thousands of levels down;
 *  - a problem never carries the client's value as it came: `actual` is a short description,
 *    and the enum message shows the value sent (its stock message shows the allowed list twice).
 */
import { Validators } from "moleculer";
import { MAX_NESTING, tooDeep, tooDeepMessage } from "./nesting";

interface Problem {
  type: string;
  field?: string;
  message?: string;
  expected?: unknown;
  actual?: unknown;
}
type Check = ((params: unknown, opts?: unknown) => true | Problem[] | Promise<true | Problem[]>) & { async?: boolean };

/** A value as a message may show it: short, one line, never walked. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function safe(problem: Problem): Problem {
  const actual = describeValue(problem.actual);
  if (problem.type === "enumValue") {
    const allowed = String(problem.expected ?? "").replace(/^"|"$/g, "");
    problem.message = `The '${problem.field}' field value ${actual} is not one of the allowed values: ${allowed}.`;
  }
  problem.actual = actual;
  return problem;
}

function checked(result: true | Problem[]): true | Problem[] {
  return result === true ? result : result.map(safe);
}

export class ParamValidator extends Validators.Fastest {
  // Moleculer's types say a check answers a boolean; fastest-validator's answers its problems.
  override compile(schema: Record<string, unknown>) {
    return this.guarded(schema) as never;
  }

  guarded(schema: Record<string, unknown>): Check {
    const check = super.compile(schema) as unknown as Check;
    const guarded: Check = (params, opts) => {
      const at = tooDeep(params, MAX_NESTING);
      if (at !== undefined) {
        const problems = [{ type: "tooDeep", field: at, message: tooDeepMessage(at), actual: "a nested value" }];
        return check.async ? Promise.resolve(problems) : problems;
      }
      const result = check(params, opts);
      return result instanceof Promise ? result.then(checked) : checked(result);
    };
    guarded.async = check.async;
    return guarded;
  }
}

Validators.register("Brigade", ParamValidator as never);
