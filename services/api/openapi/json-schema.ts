/**
 * fastest-validator rules → JSON Schema (draft 2020-12, OpenAPI 3.1's dialect), for the rules
 * Brigade's actions use. A rule keyword this module does not know is an error, not a silent
 * gap: the document must never look stricter or looser than the validator.
 */
import Validator from "fastest-validator";

export type JsonSchema = Record<string, unknown>;
type Rule = Record<string, unknown>;

/** Keywords that change nothing a client sends: how a message reads, how a query string is converted. */
const WITHOUT_SCHEMA = new Set(["type", "optional", "messages", "convert", "label"]);

const parser = new Validator();

/** A rule as fastest-validator reads it: a shorthand string ("string|min:3") parsed the same way. */
function normalize(rule: unknown): Rule {
  if (typeof rule === "string") return (parser as unknown as { parseShortHand(s: string): Rule }).parseShortHand(rule);
  if (Array.isArray(rule)) throw new Error("Alternative rules (an array of rules) have no JSON Schema here yet.");
  if (rule === null || typeof rule !== "object") throw new Error(`Not a rule: ${JSON.stringify(rule)}`);
  return rule as Rule;
}

function pattern(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof RegExp) {
    // JSON Schema patterns are ECMA-262 without flags: a flag would change what they match.
    if (value.flags.replace("u", "") !== "") throw new Error(`A pattern with flags (/${value.source}/${value.flags}).`);
    return value.source;
  }
  throw new Error(`Not a pattern: ${String(value)}`);
}

type Keyword = (value: unknown, schema: JsonSchema) => void;
const set =
  (name: string, map: (value: unknown) => unknown = (v) => v): Keyword =>
  (value, schema) => {
    schema[name] = map(value);
  };
const note =
  (text: string): Keyword =>
  (value, schema) => {
    if (value) schema.description = [schema.description, text].filter(Boolean).join(" ");
  };

const KEYWORDS: Record<string, Record<string, Keyword>> = {
  string: {
    min: set("minLength"),
    max: set("maxLength"),
    length: (v, s) => Object.assign(s, { minLength: v, maxLength: v }),
    pattern: set("pattern", pattern),
    enum: set("enum"),
    empty: (v, s) => {
      if (v === false) s.minLength = Math.max(Number(s.minLength ?? 0), 1);
    },
    trim: note("Leading and trailing spaces are trimmed."),
  },
  number: {
    min: set("minimum"),
    max: set("maximum"),
    equal: set("const"),
    positive: (v, s) => {
      if (v) s.exclusiveMinimum = 0;
    },
    negative: (v, s) => {
      if (v) s.exclusiveMaximum = 0;
    },
    integer: (v, s) => {
      if (v) s.type = "integer";
    },
  },
  boolean: {},
  any: {},
  enum: { values: set("enum") },
  array: {
    min: set("minItems"),
    max: set("maxItems"),
    length: (v, s) => Object.assign(s, { minItems: v, maxItems: v }),
    unique: set("uniqueItems"),
    empty: (v, s) => {
      if (v === false) s.minItems = Math.max(Number(s.minItems ?? 0), 1);
    },
    items: (v, s) => {
      s.items = ruleToSchema(v);
    },
  },
  object: {
    props: (v, s) => Object.assign(s, objectSchema(v as Record<string, unknown>)),
    properties: (v, s) => Object.assign(s, objectSchema(v as Record<string, unknown>)),
    strict: (v, s) => {
      // "remove" drops unknown keys instead of refusing them: not something a schema can say.
      if (v === true) s.additionalProperties = false;
    },
  },
};

const JSON_TYPE: Record<string, string | undefined> = {
  string: "string",
  number: "number",
  boolean: "boolean",
  array: "array",
  object: "object",
};

/** One rule's JSON Schema; `optional` is the parent object's business (`required`). */
export function ruleToSchema(raw: unknown): JsonSchema {
  const rule = normalize(raw);
  const type = String(rule.type ?? "any");
  const keywords = KEYWORDS[type];
  if (!keywords) throw new Error(`The fastest-validator type "${type}" has no JSON Schema here yet.`);
  const schema: JsonSchema = JSON_TYPE[type] ? { type: JSON_TYPE[type] } : {};
  for (const [name, value] of Object.entries(rule)) {
    if (WITHOUT_SCHEMA.has(name)) continue;
    if (name === "default") schema.default = value;
    else if (name === "nullable") continue;
    else if (keywords[name]) keywords[name](value, schema);
    else throw new Error(`The "${name}" keyword of a fastest-validator "${type}" rule has no JSON Schema here yet.`);
  }
  if (rule.nullable === true && typeof schema.type === "string") schema.type = [schema.type, "null"];
  return schema;
}

export function isOptional(raw: unknown): boolean {
  const rule = normalize(raw);
  return rule.optional === true || rule.default !== undefined;
}

/** An object of rules (an action's params, an object's props): its properties and `required`. */
export function objectSchema(rules: Record<string, unknown>): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, rule] of Object.entries(rules)) {
    if (name.startsWith("$$")) continue;
    properties[name] = ruleToSchema(rule);
    if (!isOptional(rule)) required.push(name);
  }
  return { type: "object", properties, ...(required.length ? { required } : {}) };
}
