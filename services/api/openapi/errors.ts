/**
 * The error shape (lib/http-errors.ts) and the 4xx a route can answer, as OpenAPI components.
 * Which ones a route shows follows from what the gateway checks before and around its action.
 */
const errorOf = (status: number, type: string, description: string, retryAfter = false) => ({
  description,
  ...(retryAfter
    ? {
        headers: {
          "Retry-After": {
            description: "Seconds to wait before trying again.",
            schema: { type: "integer", minimum: 1 },
          },
        },
      }
    : {}),
  content: {
    "application/json": {
      schema: { $ref: "#/components/schemas/Error" },
      example: { name: "…", message: description, code: status, type, data: null },
    },
  },
});

export const ERROR_RESPONSES = {
  BadRequest: errorOf(
    400,
    "MALFORMED_JSON",
    "The body is not valid JSON (MALFORMED_JSON), or the request could not be read.",
  ),
  Unauthorized: errorOf(401, "UNAUTHORIZED", "No token, or a bad or expired one (UNAUTHORIZED)."),
  Forbidden: errorOf(403, "FORBIDDEN", "The caller's role may not do this (FORBIDDEN; the roles allowed in `data`)."),
  NotFound: errorOf(404, "NOT_FOUND", "No such id (NOT_FOUND; `data` names what and which)."),
  PayloadTooLarge: errorOf(
    413,
    "PAYLOAD_TOO_LARGE",
    "The body is larger than the gateway accepts (PAYLOAD_TOO_LARGE).",
  ),
  UnsupportedMediaType: errorOf(415, "UNSUPPORTED_MEDIA_TYPE", "The body is not JSON (UNSUPPORTED_MEDIA_TYPE)."),
  ValidationFailed: errorOf(
    422,
    "VALIDATION_ERROR",
    "A param breaks its rule, an unknown one was sent, or the body is not an object (VALIDATION_ERROR; the fields in `data`).",
  ),
  RateLimited: errorOf(429, "RATE_LIMITED", "Too many requests from this address (RATE_LIMITED).", true),
  ServiceUnavailable: errorOf(
    503,
    "SERVICE_UNAVAILABLE",
    "The service behind the route is not running right now (SERVICE_UNAVAILABLE).",
    true,
  ),
} as const;

export const ERROR_COMPONENTS = {
  schemas: {
    Error: {
      type: "object",
      description: "Every error Brigade answers, whatever its status.",
      required: ["name", "message", "code", "type", "data"],
      properties: {
        name: { type: "string", examples: ["ValidationError"] },
        message: { type: "string", description: "For a person: what went wrong and what to do." },
        code: { type: "integer", minimum: 400, maximum: 599, description: "The HTTP status." },
        type: { type: "string", description: "Stable, for a program to switch on.", examples: ["OUT_OF_STOCK"] },
        data: {
          description:
            "Details of this type of error: the field problems of a VALIDATION_ERROR, the dishes short of an OUT_OF_STOCK, …",
          oneOf: [
            { type: "array", items: { $ref: "#/components/schemas/FieldProblem" } },
            { type: "object" },
            { type: "null" },
          ],
        },
      },
    },
    FieldProblem: {
      type: "object",
      required: ["type", "field", "message"],
      properties: {
        type: { type: "string" },
        field: { type: "string" },
        message: { type: "string" },
        group: { type: "string", description: "The modifier group an order line's problem is about." },
      },
    },
  },
  responses: ERROR_RESPONSES,
};

export interface ErrorFacts {
  /** The request may carry a JSON body (parsed, size-limited, type-checked). */
  body: boolean;
  /** A token is needed. */
  authenticated: boolean;
  /** Only some roles may call it. */
  roles: boolean;
  /** The path names an id. */
  ids: boolean;
  /** When it answers 409 (../routes.ts). */
  conflict?: string;
  /** The login route: a wrong password is a 401 of its own type. */
  login?: boolean;
}

const ref = (name: keyof typeof ERROR_RESPONSES) => ({ $ref: `#/components/responses/${name}` });

export function errorResponses(facts: ErrorFacts): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  if (facts.body) responses["400"] = ref("BadRequest");
  if (facts.login)
    responses["401"] = errorOf(401, "INVALID_CREDENTIALS", "Wrong username or password (INVALID_CREDENTIALS).");
  else if (facts.authenticated) responses["401"] = ref("Unauthorized");
  if (facts.roles) responses["403"] = ref("Forbidden");
  if (facts.ids) responses["404"] = ref("NotFound");
  if (facts.conflict)
    responses["409"] = errorOf(409, /^[A-Z_]+/.exec(facts.conflict)?.[0] ?? "CONFLICT", `Conflict: ${facts.conflict}`);
  if (facts.body) {
    responses["413"] = ref("PayloadTooLarge");
    responses["415"] = ref("UnsupportedMediaType");
  }
  responses["422"] = ref("ValidationFailed");
  responses["429"] = ref("RateLimited");
  responses["503"] = ref("ServiceUnavailable");
  return responses;
}
