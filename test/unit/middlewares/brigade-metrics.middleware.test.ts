/**
 * Which event moves which metric, by how much: observeEvent against a registry that records
 * what it is told. Malformed payloads count nothing rather than throw: a metric must never
 * break the event it watches.
 */
import { observeEvent, BRIGADE_METRICS as M } from "../../../middlewares/brigade-metrics.middleware";

type Call = [op: string, name: string, value: number | undefined, labels: Record<string, string> | undefined];

function recorder() {
  const calls: Call[] = [];
  const registry = {
    increment: (name: string, labels?: Record<string, string>, value?: number) =>
      void calls.push(["increment", name, value ?? 1, labels]),
    observe: (name: string, value: number, labels?: Record<string, string>) =>
      void calls.push(["observe", name, value, labels]),
    set: (name: string, value: number, labels?: Record<string, string>) =>
      void calls.push(["set", name, value, labels]),
  };
  const observe = (event: string, payload: unknown) => observeEvent(registry as never, event, payload);
  return { calls, observe };
}

describe("observeEvent", () => {
  it("counts a placed order once, and not its hand-over again", () => {
    const { calls, observe } = recorder();
    observe("order.placed", { order: "ord_1", table: "4", lines: [], placedAt: "2025-01-01T12:00:00.000Z" });
    observe("order.placed", {
      order: "ord_1",
      table: "4",
      lines: [],
      placedAt: "2025-01-01T12:00:00.000Z",
      resent: true,
    });
    expect(calls).toEqual([["increment", M.ordersPlaced, 1, { location: "main" }]]);
  });

  it("counts cancellations", () => {
    const { calls, observe } = recorder();
    observe("order.cancelled", {
      order: "ord_1",
      table: "4",
      status: "cancelled",
      at: "2025-01-01T12:00:00.000Z",
      reason: "left",
    });
    expect(calls).toEqual([["increment", M.ordersCancelled, 1, { location: "main" }]]);
  });

  it("times a ticket from started to done, by station", () => {
    const { calls, observe } = recorder();
    observe("ticket.done", {
      ticket: "t1",
      order: "o1",
      station: "grill",
      node: "n1",
      startedAt: "2025-01-01T12:00:00.000Z",
      doneAt: "2025-01-01T12:03:30.500Z",
      orderDone: true,
    });
    expect(calls).toEqual([["observe", M.ticketCookSeconds, 210.5, { station: "grill", location: "main" }]]);
  });

  it("times an order from placed to ready, when the event says when it was placed", () => {
    const { calls, observe } = recorder();
    observe("order.ready", {
      order: "o1",
      table: "4",
      status: "ready",
      at: "2025-01-01T12:10:00.000Z",
      placedAt: "2025-01-01T12:00:00.000Z",
    });
    observe("order.ready", { order: "o2", table: "4", status: "ready", at: "2025-01-01T12:10:00.000Z" });
    expect(calls).toEqual([["observe", M.orderReadySeconds, 600, { location: "main" }]]);
  });

  it("counts payments, cents applied and tips by method and location (an event without one is main's)", () => {
    const { calls, observe } = recorder();
    observe("payment.taken", { payment: "p1", bill: "b1", method: "cash", appliedCents: 4250, tipCents: 300 });
    observe("payment.taken", {
      payment: "p2",
      bill: "b2",
      method: "card",
      appliedCents: 1000,
      tipCents: 0,
      location: "harbour",
    });
    expect(calls).toEqual([
      ["increment", M.payments, 1, { method: "cash", location: "main" }],
      ["increment", M.paymentsCents, 4250, { method: "cash", location: "main" }],
      ["increment", M.tipsCents, 300, { method: "cash", location: "main" }],
      ["increment", M.payments, 1, { method: "card", location: "harbour" }],
      ["increment", M.paymentsCents, 1000, { method: "card", location: "harbour" }],
    ]);
  });

  it("sets the stock gauge from a low-stock announcement", () => {
    const { calls, observe } = recorder();
    observe("stock.low", { ingredient: "truffle", name: "Truffle", available: 2, reorderPoint: 5, reorderQty: 10 });
    expect(calls).toEqual([["set", M.stockAvailable, 2, { ingredient: "truffle", location: "main" }]]);
  });

  it("counts nothing for malformed payloads or events it does not know", () => {
    const { calls, observe } = recorder();
    observe("ticket.done", {
      station: "grill",
      startedAt: "2025-01-01T12:05:00.000Z",
      doneAt: "2025-01-01T12:00:00.000Z",
    });
    observe("ticket.done", { station: "grill", startedAt: "yesterday", doneAt: "2025-01-01T12:00:00.000Z" });
    observe("ticket.done", null);
    observe("payment.taken", { method: "cheque", appliedCents: 100 });
    observe("payment.taken", undefined);
    observe("stock.low", { ingredient: "truffle" });
    observe("order.served", { order: "o1" });
    observe("cache.clean.inventory", undefined);
    expect(calls).toEqual([]);
  });

  it("uses Prometheus names once Moleculer's dots become underscores", () => {
    const exposed = Object.values(M).map((name) => name.replace(/\./g, "_"));
    expect(exposed).toEqual([
      "brigade_orders_placed_total",
      "brigade_orders_cancelled_total",
      "brigade_ticket_cook_seconds",
      "brigade_order_ready_seconds",
      "brigade_stock_available",
      "brigade_payments_total",
      "brigade_payments_cents_total",
      "brigade_tips_cents_total",
      "brigade_eventloop_lag_seconds",
    ]);
  });
});
