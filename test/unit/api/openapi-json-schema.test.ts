import { isOptional, objectSchema, ruleToSchema } from "../../../services/api/openapi/json-schema";

describe("fastest-validator rules as JSON Schema", () => {
  it("maps a string's bounds, pattern and trimming", () => {
    expect(ruleToSchema({ type: "string", min: 1, max: 16, pattern: /^[a-z]+$/, trim: true, messages: {} })).toEqual({
      type: "string",
      minLength: 1,
      maxLength: 16,
      pattern: "^[a-z]+$",
      description: "Leading and trailing spaces are trimmed.",
    });
    expect(ruleToSchema({ type: "string", length: 10 })).toEqual({ type: "string", minLength: 10, maxLength: 10 });
    expect(ruleToSchema({ type: "string", empty: false })).toEqual({ type: "string", minLength: 1 });
  });

  it("maps integers and numbers with their bounds, and leaves conversion out", () => {
    expect(ruleToSchema({ type: "number", integer: true, min: 1, max: 50, convert: true })).toEqual({
      type: "integer",
      minimum: 1,
      maximum: 50,
    });
    expect(ruleToSchema({ type: "number", positive: true })).toEqual({ type: "number", exclusiveMinimum: 0 });
  });

  it("maps enums, booleans, defaults and nullable values", () => {
    expect(ruleToSchema({ type: "enum", values: ["cash", "card"] })).toEqual({ enum: ["cash", "card"] });
    expect(ruleToSchema({ type: "boolean", convert: true, default: false })).toEqual({
      type: "boolean",
      default: false,
    });
    expect(ruleToSchema({ type: "number", integer: true, nullable: true })).toEqual({ type: ["integer", "null"] });
  });

  it("maps nested arrays of strict objects, with what is required", () => {
    const rule = {
      type: "array",
      min: 1,
      max: 30,
      items: {
        type: "object",
        strict: true,
        props: { dish: { type: "string", min: 1 }, notes: { type: "string", optional: true } },
      },
    };
    expect(ruleToSchema(rule)).toEqual({
      type: "array",
      minItems: 1,
      maxItems: 30,
      items: {
        type: "object",
        additionalProperties: false,
        properties: { dish: { type: "string", minLength: 1 }, notes: { type: "string" } },
        required: ["dish"],
      },
    });
  });

  it("reads shorthand rules the way fastest-validator does", () => {
    expect(ruleToSchema("string|min:3|max:32")).toEqual({ type: "string", minLength: 3, maxLength: 32 });
    expect(isOptional("number|optional")).toBe(true);
    expect(isOptional({ type: "number", default: 1 })).toBe(true);
    expect(isOptional({ type: "number" })).toBe(false);
  });

  it("leaves `$$` options out of an object's properties, and lists only the required", () => {
    expect(objectSchema({ a: { type: "string" }, b: { type: "string", optional: true }, $$strict: true })).toEqual({
      type: "object",
      properties: { a: { type: "string" }, b: { type: "string" } },
      required: ["a"],
    });
    expect(objectSchema({ $$strict: true })).toEqual({ type: "object", properties: {} });
  });

  it("refuses a type or keyword it cannot show, rather than hide a rule", () => {
    expect(() => ruleToSchema({ type: "email" })).toThrow(/"email" has no JSON Schema/);
    expect(() => ruleToSchema({ type: "string", alpha: true })).toThrow(/"alpha" keyword/);
    expect(() => ruleToSchema({ type: "string", pattern: /abc/i })).toThrow(/flags/);
    expect(() => ruleToSchema([{ type: "string" }, { type: "number" }])).toThrow(/Alternative rules/);
  });
});
