import * as Moleculer from "moleculer";
import { Errors } from "moleculer";
import { NotFound } from "../../../lib/errors";
import { brigadeInternalMiddlewares } from "../../../middlewares/internal-order";
import { safeToRetry } from "../../../middlewares/retry-at-the-hop.middleware";

const menuList = { name: "menu.list", cache: { keys: ["category"] } };
const kitchenDrain = { name: "kitchen.drain", idempotent: true };
const ordersPlace = { name: "orders.place" };

const timedOut = (action: string) => new Errors.RequestTimeoutError({ action, nodeID: "node-2" });
const nodeLost = (action: string) => new Errors.RequestRejectedError({ action, nodeID: "node-2" });

describe("which failed calls are sent to another node", () => {
  it("retries a cached read that timed out at this hop", () => {
    expect(safeToRetry(timedOut("menu.list"), menuList)).toBe(true);
  });

  it("retries a cached read whose node went away mid-call", () => {
    expect(safeToRetry(nodeLost("menu.list"), menuList)).toBe(true);
  });

  it("retries an action that declares itself idempotent", () => {
    expect(safeToRetry(timedOut("kitchen.drain"), kitchenDrain)).toBe(true);
    expect(safeToRetry(nodeLost("kitchen.drain"), kitchenDrain)).toBe(true);
  });

  it("never repeats a write that may have happened: an order could be placed twice", () => {
    expect(safeToRetry(timedOut("orders.place"), ordersPlace)).toBe(false);
    expect(safeToRetry(nodeLost("orders.place"), ordersPlace)).toBe(false);
    expect(safeToRetry(timedOut("orders.place"), { ...ordersPlace, idempotent: false })).toBe(false);
  });

  it("leaves a timeout the other node met further down to the hop where it happened", () => {
    // orders.place on node 2 timed out calling inventory.reserve; the error reaches us as is.
    expect(safeToRetry(timedOut("inventory.reserve"), menuList)).toBe(false);
    expect(safeToRetry(nodeLost("inventory.reserve"), kitchenDrain)).toBe(false);
  });

  it("does not retry errors Moleculer calls retryable but a retry cannot mend", () => {
    expect(safeToRetry(new Errors.ServiceNotAvailableError({ action: "menu.list", nodeID: "node-2" }), menuList)).toBe(
      false,
    );
    expect(
      safeToRetry(
        new Errors.QueueIsFullError({ action: "menu.list", nodeID: "node-2", size: 1000, limit: 1000 }),
        menuList,
      ),
    ).toBe(false);
    expect(
      safeToRetry(new Errors.MoleculerRetryableError("flaky", 500, "FLAKY", { action: "menu.list" }), menuList),
    ).toBe(false);
  });

  it("never retries a domain error or a plain failure", () => {
    expect(safeToRetry(NotFound("dish", "d1"), menuList)).toBe(false);
    expect(safeToRetry(new Error("boom"), kitchenDrain)).toBe(false);
    expect(safeToRetry(undefined, kitchenDrain)).toBe(false);
  });

  it("recognises a timeout by its name, as it arrives from another node (a plain object, not the class)", () => {
    const overTheWire = Object.assign(new Error("Request is timed out"), {
      name: "RequestTimeoutError",
      data: { action: "menu.list" },
    });
    expect(safeToRetry(overTheWire, menuList)).toBe(true);
    expect(safeToRetry({ ...overTheWire, name: "RequestTimeoutError", data: {} } as Error, menuList)).toBe(false);
  });
});

describe("Brigade's order of Moleculer's internal middlewares", () => {
  const list = brigadeInternalMiddlewares();
  const moleculers = Moleculer.INTERNAL_MIDDLEWARES as string[];

  it("puts Timeout inside CircuitBreaker, so a hung node trips its breaker", () => {
    expect(list.indexOf("Timeout")).toBe(list.indexOf("CircuitBreaker") - 1);
  });

  it("replaces Moleculer's Retry with the hop-only one, outside both Timeout and the breaker", () => {
    expect(list).not.toContain("Retry");
    const retry = list.findIndex((m) => typeof m === "function");
    expect(retry).toBeGreaterThan(list.indexOf("CircuitBreaker"));
    expect(list.filter((m) => typeof m === "function")).toHaveLength(1);
  });

  it("puts Validator outside Cacher, so a cache hit never skips the params check", () => {
    expect(list.indexOf("Validator")).toBe(list.indexOf("Cacher") + 1);
  });

  it("puts Cacher outside the guards of a running handler, so a cache hit skips them", () => {
    for (const guard of ["ContextTracker", "Timeout", "CircuitBreaker", "Bulkhead"])
      expect(list.indexOf("Cacher")).toBeGreaterThan(list.indexOf(guard));
    expect(list.indexOf("Cacher")).toBeLessThan(list.findIndex((m) => typeof m === "function"));
  });

  it("keeps every other internal middleware, in Moleculer's order", () => {
    const moved = ["Timeout", "Retry", "Validator", "Cacher", "ContextTracker", "CircuitBreaker"];
    const others = (names: readonly unknown[]) => names.filter((m) => typeof m === "string" && !moved.includes(m));
    expect(others(list)).toEqual(others(moleculers));
    expect(list).toHaveLength(moleculers.length);
  });
});
