/**
 * The OpenAPI document against what it describes. The rules are walked here on their own, so
 * a route, a param or a constraint the generator drops fails a test; and the document is
 * checked by a real OpenAPI 3.1 validator, its examples by the actions' own validator.
 */
import { validate } from "@readme/openapi-parser";
import Ajv2020 from "ajv/dist/2020";
import type { ServiceSchema } from "moleculer";
import Api from "../../../services/api/api.service";
import { API_ROUTES } from "../../../services/api/routes";
import { actionsOf, brigadeDocument, DOMAIN_SCHEMAS } from "../../../services/api/openapi/brigade-document";
import { openApiPath, whoMay, type Operation } from "../../../services/api/openapi/document";
import { EXAMPLES } from "../../../services/api/openapi/examples";
import { ParamValidator } from "../../../lib/param-validator";

type Rule = Record<string, unknown>;
type Schema = Record<string, any>;

const doc = brigadeDocument(Api);
const actions = actionsOf([
  { name: "api", actions: Api.actions as ServiceSchema["actions"] },
  ...(DOMAIN_SCHEMAS as ServiceSchema[]),
]);
const operationOf = (method: string, path: string): Operation =>
  doc.paths[openApiPath(path).path]?.[method.toLowerCase()];
const fieldsOf = (params: Rule = {}) => Object.entries(params).filter(([k]) => !k.startsWith("$$")) as [string, Rule][];

/** Every constraint of a rule, as the schema must show it (the walk the generator must not skip). */
function expectShown(rule: Rule, schema: Schema, where: string) {
  const shown = (key: string, value: unknown) => expect({ where, [key]: schema[key] }).toEqual({ where, [key]: value });
  const bound = { string: ["minLength", "maxLength"], number: ["minimum", "maximum"], array: ["minItems", "maxItems"] };
  const [min, max] = bound[rule.type as keyof typeof bound] ?? [];
  if (rule.min !== undefined) shown(min, rule.min);
  if (rule.max !== undefined) shown(max, rule.max);
  if (rule.length !== undefined) shown(min, rule.length);
  if (rule.pattern instanceof RegExp) shown("pattern", rule.pattern.source);
  if (rule.type === "enum") shown("enum", rule.values);
  if (rule.type === "number") shown("type", rule.integer ? "integer" : "number");
  if (rule.type === "string" || rule.type === "boolean" || rule.type === "array") shown("type", rule.type);
  if (rule.type === "array") expectShown(rule.items as Rule, schema.items, `${where}[]`);
  if (rule.type === "object") {
    if (rule.strict === true) shown("additionalProperties", false);
    expectProperties(rule.props as Rule, schema, where);
  }
}

function expectProperties(props: Rule, schema: Schema, where: string) {
  for (const [name, rule] of fieldsOf(props)) {
    expect({ where, name, shown: name in (schema.properties ?? {}) }).toEqual({ where, name, shown: true });
    expect({ where, name, required: (schema.required ?? []).includes(name) }).toEqual({
      where,
      name,
      required: rule.optional !== true,
    });
    expectShown(rule, schema.properties[name], `${where}.${name}`);
  }
  expect(Object.keys(schema.properties ?? {}).sort()).toEqual(
    fieldsOf(props)
      .map(([n]) => n)
      .sort(),
  );
}

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document (checked by @readme/openapi-parser)", async () => {
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
  });

  it("shows every route of the routes table at its path and method, with its action", () => {
    const missing = API_ROUTES.filter((r) => operationOf(r.method, r.path)?.["x-action"] !== r.action);
    expect(missing).toEqual([]);
  });

  it("shows every alias the gateway serves, the ones it answers itself included", () => {
    const served: string[] = [];
    for (const route of Api.settings!.routes as { path: string; aliases: Record<string, unknown> }[]) {
      for (const alias of Object.keys(route.aliases)) {
        const [method, path] = alias.split(" ");
        const full = `${route.path}${path === "/" ? "" : path}`.replace(/:(\w+)/g, "{$1}");
        served.push(`${method.toLowerCase()} ${full}`);
      }
    }
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(served.length).toBeGreaterThan(API_ROUTES.length);
    expect(served.filter((s) => !documented.includes(s))).toEqual([]);
    expect(documented.filter((d) => !served.includes(d))).toEqual([]);
  });

  it.each(API_ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))(
    "%s shows every param rule of its action where the gateway reads it",
    (_, route) => {
      const op = operationOf(route.method, route.path) as Schema;
      const params = actions[route.action].params as Rule;
      const { names } = openApiPath(route.path);
      const parameters: Schema[] = op.parameters ?? [];
      const body = op.requestBody?.content["application/json"].schema as Schema | undefined;
      for (const [name, rule] of fieldsOf(params)) {
        const where = names.includes(name)
          ? "path"
          : route.method === "GET" || route.method === "DELETE"
            ? "query"
            : "body";
        if (where === "body") {
          expectProperties({ [name]: rule }, { ...body, properties: { [name]: body?.properties?.[name] } }, "body");
        } else {
          const parameter = parameters.find((p) => p.name === name && p.in === where);
          expect({ name, where, shown: parameter !== undefined }).toEqual({ name, where, shown: true });
          expect({ name, required: parameter!.required }).toEqual({
            name,
            required: where === "path" || rule.optional !== true,
          });
          expectShown(rule, parameter!.schema, `${where}.${name}`);
        }
      }
      if (body && params.$$strict === true) expect(body.additionalProperties).toBe(false);
    },
  );

  it("names each route's roles in its description and as x-roles, and asks a token unless anyone may call it", () => {
    for (const route of API_ROUTES) {
      const op = operationOf(route.method, route.path);
      const who = whoMay(actions[route.action].roles!);
      expect({ route: route.path, roles: op["x-roles"] }).toEqual({ route: route.path, roles: who });
      for (const role of who.filter((r) => r !== "anyone" && r !== "any-staff")) expect(op.description).toContain(role);
      expect(op.security).toEqual(who[0] === "anyone" ? [] : [{ bearer: [] }]);
    }
    expect(operationOf("POST", "/orders")["x-roles"]).toEqual(["waiter", "manager", "owner"]);
    expect(operationOf("GET", "/dishes")["x-roles"]).toEqual(["anyone"]);
  });

  it("shows the Idempotency-Key header on the routes that honour it, and only there", () => {
    const withKey = API_ROUTES.filter((r) =>
      ((operationOf(r.method, r.path) as Schema).parameters ?? []).some(
        (p: Schema) => p.$ref === "#/components/parameters/IdempotencyKey",
      ),
    ).map((r) => r.action);
    expect(withKey.sort()).toEqual(["billing.pay", "billing.refund", "orders.place"]);
  });

  it("answers each route's 4xx in the one error shape", () => {
    const place = operationOf("POST", "/orders").responses;
    expect(Object.keys(place).sort()).toEqual(["201", "400", "401", "403", "409", "413", "415", "422", "429", "503"]);
    expect(Object.keys(operationOf("GET", "/dishes").responses).sort()).toEqual(["200", "422", "429", "503"]);
    expect(Object.keys(operationOf("GET", "/auth/me").responses)).not.toContain("403");
    expect(
      (operationOf("POST", "/auth/login").responses["401"] as Schema).content["application/json"].example.type,
    ).toBe("INVALID_CREDENTIALS");
    expect(doc.components.schemas).toMatchObject({
      Error: { required: ["name", "message", "code", "type", "data"] },
    });
  });

  it("has a valid example for every operation with params: by its JSON Schema, and by the action's own validator", () => {
    const ajv = new Ajv2020({ strict: false });
    const validator = new ParamValidator();
    for (const route of API_ROUTES) {
      const params = actions[route.action].params as Rule;
      if (fieldsOf(params).length === 0) continue;
      const example = EXAMPLES[route.action];
      expect({ action: route.action, example: example !== undefined }).toEqual({ action: route.action, example: true });
      const op = operationOf(route.method, route.path) as Schema;
      const body = op.requestBody?.content["application/json"];
      if (body) {
        expect(body.example).toEqual(example.body);
        expect({
          action: route.action,
          valid: ajv.validate(body.schema, example.body),
          errors: ajv.errors,
        }).toMatchObject({
          valid: true,
        });
      }
      const sent = { ...example.path, ...example.query, ...structuredClone(example.body) };
      expect({ action: route.action, problems: validator.guarded(params)(sent) }).toEqual({
        action: route.action,
        problems: true,
      });
    }
  });
});
