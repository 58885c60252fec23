import {
  CHANGE_HINTS,
  CLUSTER_EVENT,
  FORWARDED_EVENTS,
  KEEPALIVE_FRAME,
  mayReceive,
  sseFrame,
} from "../../../services/api/live-audience";
import { ROLES, type Role } from "../../../lib/roles";

/** Who hears a domain event on the live stream, the way the gateway decides it. */
function hearers(event: string): Role[] {
  // The gateway subscribes to the table's own keys only, so inherited names (`constructor`) forward nothing.
  if (!Object.hasOwn(FORWARDED_EVENTS, event)) return [];
  return ROLES.filter((role) => mayReceive(role, FORWARDED_EVENTS[event as keyof typeof FORWARDED_EVENTS]));
}

function hintHearers(what: string): Role[] {
  if (!Object.hasOwn(CHANGE_HINTS, what)) return [];
  return ROLES.filter((role) => mayReceive(role, CHANGE_HINTS[what]));
}

/** Every role but the manager and the owner (who hear everything), by what its views show. */
const HEARS: Record<Exclude<Role, "manager" | "owner">, string[]> = {
  waiter: [
    "order.placed",
    "order.accepted",
    "order.cooking",
    "order.ready",
    "order.served",
    "order.paid",
    "order.cancelled",
    "bill.paid",
    // The floor plan.
    "table.created",
    "table.updated",
    "table.removed",
    "table.seated",
    "table.transferred",
    "dish.soldOut",
    "dish.backOn",
    "ingredient.allergensChanged",
  ],
  chef: [
    "order.placed",
    "order.accepted",
    "order.ready",
    "order.cancelled",
    "ticket.started",
    "ticket.done",
    "stock.low",
    "dish.soldOut",
    "dish.backOn",
    "ingredient.allergensChanged",
  ],
  cashier: [
    "order.served",
    "order.paid",
    "order.cancelled",
    "bill.paid",
    "payment.taken",
    "bill.refunded",
    "table.created",
    "table.updated",
    "table.removed",
    "table.seated",
    "table.transferred",
  ],
  purchaser: ["stock.low"],
};

const EVENTS = Object.keys(FORWARDED_EVENTS);

describe("who hears what on the live stream", () => {
  it("forwards every domain event, and only those", () => {
    expect([...EVENTS].sort()).toEqual(
      [
        "order.placed",
        "order.accepted",
        "order.cooking",
        "order.ready",
        "order.served",
        "order.paid",
        "order.cancelled",
        "ticket.started",
        "ticket.done",
        "stock.low",
        "dish.soldOut",
        "dish.backOn",
        "ingredient.allergensChanged",
        "bill.paid",
        "payment.taken",
        "bill.refunded",
        "table.created",
        "table.updated",
        "table.removed",
        "table.seated",
        "table.transferred",
      ].sort(),
    );
  });

  it.each(Object.entries(HEARS))("tells a %s exactly what its views show", (role, events) => {
    expect(EVENTS.filter((event) => hearers(event).includes(role as Role)).sort()).toEqual([...events].sort());
  });

  it.each(["manager", "owner"] as const)("tells the %s everything", (role) => {
    for (const event of EVENTS) expect(hearers(event)).toContain(role);
    for (const what of Object.keys(CHANGE_HINTS)) expect(hintHearers(what)).toContain(role);
  });

  it("gives every forwarded event someone besides the manager, and names only real roles", () => {
    for (const event of EVENTS) {
      expect(hearers(event).filter((role) => role !== "manager" && role !== "owner").length).toBeGreaterThan(0);
      for (const role of FORWARDED_EVENTS[event as keyof typeof FORWARDED_EVENTS]) expect(ROLES).toContain(role);
    }
  });

  it("keeps money events from the kitchen and the purchaser", () => {
    for (const event of ["payment.taken", "bill.refunded", "bill.paid"]) {
      expect(hearers(event)).not.toContain("chef");
      expect(hearers(event)).not.toContain("purchaser");
    }
  });

  it("forwards nothing it does not know, not even to the manager", () => {
    for (const event of [
      "order.deleted",
      "staff.created",
      "cache.clean.orders",
      CLUSTER_EVENT,
      "changed",
      "",
      "__proto__",
      "constructor",
    ]) {
      expect(hearers(event)).toEqual([]);
    }
  });

  it.each([
    ["orders", ["owner", "manager", "waiter", "chef", "cashier"]],
    ["kitchen", ["owner", "manager", "chef"]],
    ["billing", ["owner", "manager", "waiter", "cashier"]],
    ["inventory", ["owner", "manager", "waiter", "chef", "purchaser"]],
    ["menu", ["owner", "manager", "waiter"]],
  ])("hints a change to %s to %j", (what, roles) => {
    expect(hintHearers(what).sort()).toEqual([...roles].sort());
  });

  it("hints nothing about collections no view shows", () => {
    expect(Object.keys(CHANGE_HINTS).sort()).toEqual(["billing", "inventory", "kitchen", "menu", "orders"]);
    expect(hintHearers("staff")).toEqual([]);
  });

  it("lets only owners and managers in on an empty audience (as for the cluster view)", () => {
    expect(ROLES.filter((role) => mayReceive(role, []))).toEqual(["owner", "manager"]);
  });
});

describe("server-sent event frames", () => {
  it("is one data line with the event named in the JSON, ended by a blank line", () => {
    const frame = sseFrame(7, { event: "order.ready", payload: { order: "ord_1", note: "line one\nline two\r\n" } });
    expect(frame.endsWith("\n\n")).toBe(true);
    const lines = frame.slice(0, -2).split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe("id: 7");
    expect(lines[1].startsWith("data: ")).toBe(true);
    expect(frame).not.toContain("\r");
    expect(JSON.parse(lines[1].slice("data: ".length))).toEqual({
      event: "order.ready",
      payload: { order: "ord_1", note: "line one\nline two\r\n" },
    });
  });

  it("keeps the stream alive with a comment, which EventSource ignores", () => {
    expect(KEEPALIVE_FRAME.startsWith(":")).toBe(true);
    expect(KEEPALIVE_FRAME.endsWith("\n\n")).toBe(true);
  });
});
