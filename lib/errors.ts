/**
 * Brigade's domain errors. Each is a MoleculerClientError (so the retry policy and the circuit
 * breaker leave it alone) with an HTTP status and a stable `type` that clients can switch on.
 * The gateway renders every error as `{ name, message, code, type, data }`.
 */
import { Errors } from "moleculer";

const { MoleculerClientError } = Errors;

export class BrigadeError extends MoleculerClientError {
  constructor(name: string, message: string, code: number, type: string, data?: unknown) {
    super(message, code, type, data);
    this.name = name;
  }
}

export interface FieldProblem {
  field: string;
  message: string;
  type?: string;
  /** The modifier group the problem is about (an order line's choices). */
  group?: string;
}

export const NotFound = (what: string, id: string) =>
  new BrigadeError(
    "NotFoundError",
    `No ${what} with id "${id}". Check the id, or list ${what}s to find it.`,
    404,
    "NOT_FOUND",
    { what, id },
  );

export const Unauthorized = (
  message = "Log in first: send 'Authorization: Bearer <token>' from POST /api/auth/login.",
) => new BrigadeError("UnauthorizedError", message, 401, "UNAUTHORIZED");

export const RateLimited = (message: string, retryAfterSeconds: number) =>
  new BrigadeError("RateLimitExceededError", message, 429, "RATE_LIMITED", { retryAfterSeconds });

export const UnsupportedMediaType = () =>
  new BrigadeError(
    "UnsupportedMediaTypeError",
    "Send the body as JSON with 'Content-Type: application/json'.",
    415,
    "UNSUPPORTED_MEDIA_TYPE",
  );

export const NoSuchRoute = () =>
  new BrigadeError("NotFoundError", "There is no such route. See the API table in the README.", 404, "NOT_FOUND");

export const InvalidCredentials = () =>
  new BrigadeError("UnauthorizedError", "Wrong username or password.", 401, "INVALID_CREDENTIALS");

export const Forbidden = (role: string | undefined, allowed: readonly string[]) =>
  new BrigadeError(
    "ForbiddenError",
    `Your role (${role ?? "anonymous"}) may not do this; it needs one of: ${allowed.join(", ")}.`,
    403,
    "FORBIDDEN",
    { role, allowed },
  );

/** An owner's request that acts in one location, in a group of several, without naming which. */
export const LocationRequired = (known: readonly string[]) =>
  new BrigadeError(
    "LocationRequiredError",
    `Name the location this acts in: send 'X-Brigade-Location: <id>' (one of: ${known.join(", ")}).`,
    422,
    "LOCATION_REQUIRED",
    { locations: known },
  );

export const Invalid = (problems: FieldProblem[]) =>
  new BrigadeError(
    "ValidationError",
    `Invalid request: ${problems.map((p) => p.message).join("; ")}`,
    422,
    "VALIDATION_ERROR",
    problems.map((p) => ({
      type: p.type ?? "invalid",
      field: p.field,
      message: p.message,
      ...(p.group === undefined ? {} : { group: p.group }),
    })),
  );

export interface ShortDish {
  dish: string;
  name: string;
  ingredients: string[];
}

export const OutOfStock = (dishes: ShortDish[]) =>
  new BrigadeError(
    "OutOfStockError",
    `Not enough stock for: ${dishes.map((d) => d.name).join(", ")}. Remove them or pick other dishes.`,
    409,
    "OUT_OF_STOCK",
    { dishes },
  );

/** Dishes taken off by hand ("86"): the stock may be there, the kitchen is not making them. */
export const SoldOut = (dishes: { dish: string; name: string }[]) =>
  new BrigadeError(
    "SoldOutError",
    `Sold out: ${dishes.map((d) => d.name).join(", ")}. Remove them or pick other dishes.`,
    409,
    "SOLD_OUT",
    { dishes },
  );

/** Lines that contain what the guests said they are allergic to, not yet confirmed by the waiter. */
export const AllergenConflict = (
  lines: { line: number; dish: string; name: string; allergens: string[] }[],
  allergens: string[],
) =>
  new BrigadeError(
    "AllergenConflictError",
    `${lines.map((l) => `${l.name} contains ${l.allergens.join(", ")}`).join("; ")}, which the guests are allergic to. Check with them, then send the order again with "allergyConfirmed": true (the kitchen will be alerted), or change it.`,
    409,
    "ALLERGEN_CONFLICT",
    { lines, allergens },
  );

export const InsufficientStock = (ingredients: string[]) =>
  new BrigadeError(
    "OutOfStockError",
    `Not enough available stock of: ${ingredients.join(", ")}.`,
    409,
    "OUT_OF_STOCK",
    { ingredients },
  );

export const InvalidTransition = (what: string, id: string, from: string, action: string) =>
  new BrigadeError(
    "InvalidTransitionError",
    `Cannot ${action} ${what} ${id}: it is ${from}.`,
    409,
    "INVALID_TRANSITION",
    { id, from, action },
  );

export const Conflict = (type: string, message: string, data?: unknown) =>
  new BrigadeError("ConflictError", message, 409, type, data);

/** Only faults of the callee count against it; a 4xx says nothing about a node's health. */
export function isServerFault(err: Error | undefined): boolean {
  const code = (err as { code?: number } | undefined)?.code;
  return !code || code >= 500;
}

/** An order (or a transfer) names a table its location's floor plan does not have. */
export const UnknownTable = (table: string, field = "table") =>
  new BrigadeError(
    "UnknownTableError",
    `There is no table "${table}" on this location's floor plan. Pick one from GET /api/tables.`,
    422,
    "UNKNOWN_TABLE",
    [{ type: "unknownTable", field, message: `There is no table "${table}" on the floor plan.` }],
  );
