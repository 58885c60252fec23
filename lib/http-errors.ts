/**
 * Turns any error the gateway meets into Brigade's one JSON error shape
 * `{ name, message, code, type, data }` and a status. Pure, so every mapping is unit-tested.
 * Server faults never show their message, stack or internal names to the client.
 */

export interface ErrorBody {
  name: string;
  message: string;
  code: number;
  type: string;
  data: unknown;
}

export interface HttpError {
  status: number;
  body: ErrorBody;
  /** True when the fault is ours (5xx): log it as an error. A client's mistake is not. */
  serverFault: boolean;
  retryAfterSeconds?: number;
}

interface AnyError {
  name?: string;
  message?: string;
  code?: unknown;
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
  data?: unknown;
}

const clientError = (status: number, name: string, type: string, message: string, data: unknown = null): HttpError => ({
  status,
  body: { name, message, code: status, type, data },
  serverFault: false,
});

const unavailable = (message: string, retryAfterSeconds = 1): HttpError => ({
  status: 503,
  body: { name: "ServiceUnavailableError", message, code: 503, type: "SERVICE_UNAVAILABLE", data: null },
  serverFault: false,
  retryAfterSeconds,
});

/** Field problems from fastest-validator, without echoing the client's (possibly huge) values back. */
function fieldProblems(data: unknown): { type: string; field: string; message: string; group?: string }[] {
  if (!Array.isArray(data)) return [];
  return data.slice(0, 20).map((item) => {
    const p = item as { type?: unknown; field?: unknown; message?: unknown; group?: unknown };
    const problem: { type: string; field: string; message: string; group?: string } = {
      type: String(p.type ?? "invalid").slice(0, 64),
      field: String(p.field ?? "").slice(0, 128),
      message: String(p.message ?? "is invalid").slice(0, 256),
    };
    // The modifier group an order line's problem is about (lib/errors.ts: FieldProblem).
    if (typeof p.group === "string") problem.group = p.group.slice(0, 64);
    return problem;
  });
}

export function toHttpError(raw: unknown, requestId?: string): HttpError {
  const err = (raw ?? {}) as AnyError;
  const name = typeof err.name === "string" ? err.name : "Error";
  const code = typeof err.code === "number" ? err.code : undefined;
  const status =
    typeof err.status === "number" ? err.status : typeof err.statusCode === "number" ? err.statusCode : undefined;
  const type = typeof err.type === "string" ? err.type : undefined;

  // body-parser and the HTTP layer (they carry `status`, not `code`).
  if (type === "entity.parse.failed")
    return clientError(400, "BadRequestError", "MALFORMED_JSON", "The request body is not valid JSON.");
  if (type === "entity.too.large" || status === 413 || code === 413)
    return clientError(413, "PayloadTooLargeError", "PAYLOAD_TOO_LARGE", "The request body is too large.");
  if (status === 415 || code === 415 || type === "charset.unsupported" || type === "encoding.unsupported")
    return clientError(
      415,
      "UnsupportedMediaTypeError",
      "UNSUPPORTED_MEDIA_TYPE",
      "Send the body as JSON with 'Content-Type: application/json'.",
    );
  // Node refuses headers over its 16 kB limit before the gateway sees them (a token that long is no token of ours).
  if (status === 431)
    return clientError(
      431,
      "RequestHeaderFieldsTooLargeError",
      "HEADERS_TOO_LARGE",
      "The request's headers are too large; a login token is far shorter.",
    );
  if (status === 400 && code === undefined)
    return clientError(400, "BadRequestError", "BAD_REQUEST", "The request could not be read.");

  // A 422 of Brigade's own with a type of its own (LOCATION_REQUIRED) is shown as it is, below.
  if (name === "ValidationError" || (code === 422 && (type === undefined || type === "VALIDATION_ERROR"))) {
    const problems = fieldProblems(err.data);
    const message = problems.length
      ? `Invalid request: ${problems.map((p) => p.message).join("; ")}`.slice(0, 1000)
      : (err.message ?? "Invalid request.").slice(0, 1000);
    return clientError(422, "ValidationError", "VALIDATION_ERROR", message, problems);
  }

  // The route exists, but no live node runs the service behind it (or its breaker is open).
  // The node that had the request went away (RequestRejectedError), the broker lost the
  // transporter (BrokerDisconnectedError), or nothing can serve it now: all "try again shortly".
  if (
    name === "ServiceNotFoundError" ||
    name === "ServiceNotAvailableError" ||
    name === "ServiceUnavailableError" ||
    name === "RequestRejectedError" ||
    name === "BrokerDisconnectedError" ||
    code === 502 ||
    code === 503
  )
    return unavailable(
      "This part of Brigade is not running right now. Try again shortly; if it lasts, ask an operator to start the service.",
    );
  if (name === "RequestTimeoutError" || code === 504)
    return {
      ...unavailable(
        "Brigade took too long to answer. Try again; the request may or may not have been done, so retry with the same Idempotency-Key.",
      ),
      status: 504,
      body: {
        name: "GatewayTimeoutError",
        message: "Brigade took too long to answer. Retry with the same Idempotency-Key.",
        code: 504,
        type: "TIMEOUT",
        data: null,
      },
    };
  if (name === "QueueIsFullError") return unavailable("Brigade is too busy right now. Try again in a moment.", 2);

  if (name === "NotFoundError" && err.message === "Not found")
    return clientError(404, "NotFoundError", "NOT_FOUND", "There is no such route. See the API table in the README.");
  if (name === "RateLimitExceeded" || code === 429) {
    const given = (err.data as { retryAfterSeconds?: unknown } | null | undefined)?.retryAfterSeconds;
    const retryAfterSeconds = typeof given === "number" && Number.isInteger(given) && given > 0 ? given : 60;
    return {
      ...clientError(
        429,
        "RateLimitExceededError",
        "RATE_LIMITED",
        `Too many requests. Wait ${retryAfterSeconds} s before trying again.`,
        { retryAfterSeconds },
      ),
      retryAfterSeconds,
    };
  }
  if (name === "UnAuthorizedError" || (code === 401 && type !== undefined && type.startsWith("INVALID_TOKEN")))
    return clientError(
      401,
      "UnauthorizedError",
      "UNAUTHORIZED",
      "Log in first: send 'Authorization: Bearer <token>' from POST /api/auth/login.",
    );

  // Brigade's own client errors and Moleculer's: shown as they are.
  if (code !== undefined && code >= 400 && code < 500) {
    return clientError(
      code,
      name,
      type ?? "CLIENT_ERROR",
      (err.message ?? "Request refused.").slice(0, 1000),
      err.data ?? null,
    );
  }

  return {
    status: 500,
    body: {
      name: "InternalError",
      message: `Something went wrong on our side; it has been logged${requestId ? ` as ${requestId}` : ""}. Try again, and tell an operator if it lasts.`,
      code: 500,
      type: "INTERNAL_ERROR",
      data: requestId ? { requestId } : null,
    },
    serverFault: true,
  };
}
