/**
 * Brigade's OpenAPI 3.1 document, built from what the gateway really does: the routes table
 * (../routes.ts), each action's own fastest-validator `params` and `roles`, and the few routes
 * the gateway answers itself (health, the live stream, this document). Pure: no broker.
 *
 * Where a param goes: `:name` in the path is a path parameter; the others are the query of a
 * GET or DELETE and the JSON body of a POST or PATCH (moleculer-web merges them all into params).
 */
import { ANY_STAFF, ANYONE, namedRoles, type Access } from "../../../lib/roles";
import type { RouteDef } from "../routes";
import { objectSchema, ruleToSchema, isOptional, type JsonSchema } from "./json-schema";
import type { RequestExample } from "./examples";
import { ERROR_COMPONENTS, errorResponses } from "./errors";
import { GATEWAY_PATHS } from "./gateway-paths";
import { IDEMPOTENCY_KEY } from "../idempotency-key";
import { answerComponents, type AnswersSchema } from "./answer-schemas";

export interface ActionRules {
  params?: Record<string, unknown>;
  roles?: readonly Access[];
}

export interface DocumentSources {
  version: string;
  routes: readonly RouteDef[];
  actions: Readonly<Record<string, ActionRules>>;
  examples: Readonly<Record<string, RequestExample>>;
  /** What each action answers (./answers.schema.json). */
  answers: AnswersSchema;
}

export type OpenApiDocument = {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  tags: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, unknown>;
  [extension: `x-${string}`]: unknown;
};
export type Operation = Record<string, unknown> & {
  operationId: string;
  responses: Record<string, unknown>;
  "x-roles": readonly string[];
};

export const API_PREFIX = "/api";
const BODY_METHODS = new Set(["POST", "PATCH"]);

/** `/orders/:id/serve` → `/api/orders/{id}/serve`, and the names of its path parameters. */
export function openApiPath(path: string): { path: string; names: string[] } {
  const names: string[] = [];
  const converted = path.replace(/:(\w+)/g, (_, name: string) => {
    names.push(name);
    return `{${name}}`;
  });
  return { path: API_PREFIX + converted, names };
}

/** Who may call a route, as a reader means it: managers may do everything staff may do. */
export function whoMay(roles: readonly Access[]): string[] {
  if (roles.includes(ANYONE)) return [ANYONE];
  if (roles.includes(ANY_STAFF)) return [ANY_STAFF];
  return namedRoles(roles);
}

function rolesSentence(who: readonly string[]): string {
  if (who[0] === ANYONE) return "Roles: anyone, no token needed.";
  if (who[0] === ANY_STAFF) return "Roles: any logged-in staff member.";
  return `Roles: ${who.join(", ")}.`;
}

function operationId(action: string): string {
  return action.replace(/\.(\w)/g, (_, c: string) => c.toUpperCase());
}

function operationOf(
  route: RouteDef,
  rules: ActionRules,
  example: RequestExample | undefined,
  answer: JsonSchema,
): Operation {
  const { names } = openApiPath(route.path);
  const params = rules.params ?? {};
  const roles = rules.roles ?? [];
  if (roles.length === 0)
    throw new Error(`${route.action} declares no roles: the gateway refuses it, so it is no route.`);
  const who = whoMay(roles);
  const strict = params.$$strict === true;

  const parameters: Record<string, unknown>[] = names.map((name) => {
    if (!(name in params)) throw new Error(`${route.method} ${route.path}: ${route.action} has no rule for :${name}.`);
    return {
      name,
      in: "path",
      required: true,
      schema: ruleToSchema(params[name]),
      ...(example?.path?.[name] !== undefined ? { example: example.path[name] } : {}),
    };
  });
  const rest = Object.fromEntries(Object.entries(params).filter(([k]) => !names.includes(k) && !k.startsWith("$$")));
  const hasBody = BODY_METHODS.has(route.method);
  if (!hasBody) {
    for (const [name, rule] of Object.entries(rest)) {
      parameters.push({
        name,
        in: "query",
        required: !isOptional(rule),
        schema: ruleToSchema(rule),
        ...(example?.query?.[name] !== undefined ? { example: example.query[name] } : {}),
      });
    }
  }
  if (route.idempotencyKey) parameters.push({ $ref: "#/components/parameters/IdempotencyKey" });

  const operation: Operation = {
    operationId: operationId(route.action),
    tags: [route.action.split(".")[0]],
    summary: route.summary,
    description: [
      rolesSentence(who),
      strict ? "Unknown fields are refused (422)." : "",
      route.idempotencyKey ? "Send an `Idempotency-Key` to retry safely: the same key gives the same answer." : "",
      `Action: \`${route.action}\`.`,
    ]
      .filter(Boolean)
      .join(" "),
    "x-roles": who,
    "x-action": route.action,
    security: who[0] === ANYONE ? [] : [{ bearer: [] }],
    ...(parameters.length ? { parameters } : {}),
    responses: {
      [String(route.status ?? 200)]: {
        description: route.status === 201 ? "Created." : "Done.",
        content: { "application/json": { schema: answer } },
      },
      ...errorResponses({
        body: hasBody,
        authenticated: who[0] !== ANYONE,
        roles: who[0] !== ANYONE && who[0] !== ANY_STAFF,
        ids: names.length > 0,
        conflict: route.conflict,
        login: route.action === "staff.login",
      }),
    },
  };
  if (hasBody && Object.keys(rest).length > 0) {
    const schema: JsonSchema = { ...objectSchema(rest), ...(strict ? { additionalProperties: false } : {}) };
    operation.requestBody = {
      required: Array.isArray(schema.required),
      content: { "application/json": { schema, ...(example?.body ? { example: example.body } : {}) } },
    };
  }
  return operation;
}

export function openApiDocument(sources: DocumentSources): OpenApiDocument {
  const paths = structuredClone(GATEWAY_PATHS) as unknown as OpenApiDocument["paths"];
  const answers = answerComponents(sources.answers);
  for (const route of sources.routes) {
    const rules = sources.actions[route.action];
    if (!rules) throw new Error(`${route.method} ${route.path} names ${route.action}, which no service declares.`);
    const answer = answers.answerOf(route.action);
    if (!answer) throw new Error(`${route.action} has no answer in answers.ts: add it and run npm run client:types.`);
    const { path } = openApiPath(route.path);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operationOf(route, rules, sources.examples[route.action], answer);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Brigade",
      version: sources.version,
      description:
        "Restaurant operations over HTTP. Log in with `POST /api/auth/login` and send the token as " +
        "`Authorization: Bearer <token>`. Money is integer cents; ids are strings; a collection answers " +
        "`{ rows, total, page, pageSize, totalPages }`. Every error is the `Error` shape below, never a stack trace.",
    },
    servers: [{ url: "/" }],
    tags: [...new Set(sources.routes.map((r) => r.action.split(".")[0]))].map((name) => ({ name })),
    paths,
    components: {
      ...ERROR_COMPONENTS,
      schemas: { ...answers.schemas, ...ERROR_COMPONENTS.schemas },
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "The `token` of `POST /api/auth/login`.",
        },
      },
      parameters: {
        IdempotencyKey: {
          name: "Idempotency-Key",
          in: "header",
          required: false,
          description: "Any 1-128 printable ASCII characters; a retry with the same key gives the same answer.",
          schema: { type: "string", pattern: IDEMPOTENCY_KEY.source },
          example: "table-12-round-2",
        },
      },
    },
  };
}
