import { Errors } from "moleculer";
import { toHttpError } from "../../../lib/http-errors";
import { Conflict, NotFound, OutOfStock, Forbidden, LocationRequired } from "../../../lib/errors";

const shape = (body: object) => Object.keys(body).sort();

describe("one error shape for every failure", () => {
  it("passes Brigade's client errors through with their type and data", () => {
    const e = toHttpError(OutOfStock([{ dish: "fries", name: "Fries", ingredients: ["oil"] }]));
    expect(e.status).toBe(409);
    expect(e.body).toMatchObject({
      name: "OutOfStockError",
      code: 409,
      type: "OUT_OF_STOCK",
      data: { dishes: [{ dish: "fries" }] },
    });
    expect(e.serverFault).toBe(false);
    expect(toHttpError(NotFound("order", "ord_x")).status).toBe(404);
    expect(toHttpError(Forbidden("chef", ["waiter"])).status).toBe(403);
    expect(toHttpError(Conflict("ALREADY_RECEIVED", "x")).body.type).toBe("ALREADY_RECEIVED");
  });

  it("turns validation errors into 422 with the fields and without the client's values", () => {
    const err = new Errors.ValidationError("Parameters validation error!", "VALIDATION_ERROR", [
      { type: "string", field: "table", message: "The 'table' field must be a string.", actual: "x".repeat(100_000) },
    ]);
    const e = toHttpError(err);
    expect(e.status).toBe(422);
    expect(e.body.data).toEqual([{ type: "string", field: "table", message: "The 'table' field must be a string." }]);
    expect(JSON.stringify(e.body).length).toBeLessThan(1000);
  });

  it("keeps the type and data of a 422 of Brigade's own that is not a field problem", () => {
    const http = toHttpError(LocationRequired(["east", "main"]));
    expect(http.status).toBe(422);
    expect(http.body).toMatchObject({ type: "LOCATION_REQUIRED", data: { locations: ["east", "main"] } });
    expect(http.body.message).toContain("X-Brigade-Location");
  });

  it("maps body-parser failures to 400, 413 and 415", () => {
    expect(toHttpError({ type: "entity.parse.failed", status: 400 }).status).toBe(400);
    expect(toHttpError({ type: "entity.too.large", status: 413 }).status).toBe(413);
    expect(toHttpError({ status: 415 }).status).toBe(415);
  });

  it("answers 503 when no live node runs the service", () => {
    expect(toHttpError(new Errors.ServiceNotFoundError({ action: "orders.place" })).status).toBe(503);
    expect(toHttpError(new Errors.ServiceNotAvailableError({ action: "orders.place" })).status).toBe(503);
    expect(
      toHttpError(new Errors.QueueIsFullError({ action: "orders.place", nodeID: "n1", size: 1, limit: 1 })).status,
    ).toBe(503);
    // a node killed while it held the request
    const rejected = toHttpError(new Errors.RequestRejectedError({ action: "kitchen.list", nodeID: "gone" }));
    expect(rejected.status).toBe(503);
    expect(rejected.serverFault).toBe(false);
    expect(
      toHttpError(new Errors.BrokerDisconnectedError("The broker is disconnected.", 502, "BAD_GATEWAY")).status,
    ).toBe(503);
  });

  it("hides a server fault's message, stack and names behind a request id", () => {
    const e = toHttpError(
      new TypeError("Cannot read properties of undefined (reading 'adapter') at OrdersService.place"),
      "req-123",
    );
    expect(e.status).toBe(500);
    expect(e.serverFault).toBe(true);
    expect(e.body.message).not.toMatch(/adapter|OrdersService|TypeError/);
    expect(e.body.data).toEqual({ requestId: "req-123" });
  });

  it("always has exactly the five fields", () => {
    for (const err of [new Error("x"), null, undefined, "text", { code: 418 }, NotFound("dish", "x")]) {
      expect(shape(toHttpError(err).body)).toEqual(["code", "data", "message", "name", "type"]);
    }
  });
});
