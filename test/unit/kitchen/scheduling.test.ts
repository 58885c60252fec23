import type { OrderPlaced } from "../../../lib/contracts";
import { adoptionOrder, dueAt, freeChefs, isOrphan, prepMs, remainingMs } from "../../../services/kitchen/scheduling";
import {
  isOrderDone,
  progressOf,
  ticketIngredients,
  ticketsFor,
  ticketView,
  type TicketDoc,
} from "../../../services/kitchen/ticket";

const placed: OrderPlaced = {
  order: "ord_abc",
  table: "7",
  placedAt: "2025-01-01T12:00:00.000Z",
  lines: [
    {
      index: 0,
      dish: "burger",
      name: "Burger",
      qty: 2,
      notes: "rare",
      station: "grill",
      prepSeconds: 600,
      ingredients: [{ ingredient: "beef", qty: 0.4 }],
    },
    {
      index: 1,
      dish: "fries",
      name: "Fries",
      qty: 1,
      notes: "",
      station: "fryer",
      prepSeconds: 240,
      ingredients: [{ ingredient: "potato", qty: 0.3 }],
    },
  ],
};

describe("tickets", () => {
  it("makes one queued ticket per line, routed to the dish's station, with a redelivery-proof id", () => {
    const tickets = ticketsFor(placed);
    expect(tickets.map((t) => [t._id, t.station, t.status, t.queuedAt])).toEqual([
      ["ord_abc-0", "grill", "queued", placed.placedAt],
      ["ord_abc-1", "fryer", "queued", placed.placedAt],
    ]);
    expect(ticketsFor(placed).map((t) => t._id)).toEqual(tickets.map((t) => t._id));
    expect(tickets[0].ingredients).toEqual({ beef: 0.4 });
    expect(ticketIngredients(tickets[0])).toEqual([{ ingredient: "beef", qty: 0.4 }]);
    // Written before ingredients were stored as portions: the same lines.
    expect(ticketIngredients({ ingredients: [{ ingredient: "beef", qty: 0.4 }] })).toEqual([
      { ingredient: "beef", qty: 0.4 },
    ]);
  });

  it("shows a ticket as the API describes it", () => {
    const view = ticketView(ticketsFor(placed)[0]);
    expect(view).toMatchObject({
      id: "ord_abc-0",
      order: "ord_abc",
      dish: "burger",
      station: "grill",
      status: "queued",
      node: null,
      startedAt: null,
      doneAt: null,
    });
    expect(view).not.toHaveProperty("ingredients");
  });

  it("stores no empty notes, node or times on a new ticket, and shows them as every ticket always showed them", () => {
    const [rare, plain] = ticketsFor(placed);
    expect(rare.notes).toBe("rare");
    for (const field of ["notes", "node", "startedAt", "doneAt"]) expect(plain).not.toHaveProperty(field);
    const view = ticketView(plain);
    expect(Object.keys(view)).toEqual([
      "id",
      "order",
      "table",
      "dish",
      "name",
      "qty",
      "notes",
      "modifiers",
      "seat",
      "course",
      "allergyAlert",
      "station",
      "status",
      "prepSeconds",
      "node",
      "queuedAt",
      "startedAt",
      "doneAt",
    ]);
    expect(view).toMatchObject({ notes: "", node: null, startedAt: null, doneAt: null });
    // Written before they were left out: the same view.
    const older: TicketDoc = { ...plain, notes: "", node: null, startedAt: null, doneAt: null };
    expect(ticketView(older)).toEqual(view);
  });

  it("calls an order done only when every ticket is done or void", () => {
    expect(isOrderDone([])).toBe(false);
    expect(isOrderDone([{ status: "done" }, { status: "cooking" }])).toBe(false);
    expect(isOrderDone([{ status: "done" }, { status: "queued" }])).toBe(false);
    expect(isOrderDone([{ status: "done" }, { status: "void" }])).toBe(true);
    expect(isOrderDone([{ status: "done" }, { status: "done" }])).toBe(true);
  });

  it("reports an order's progress for reconciliation", () => {
    expect(
      progressOf("o", [
        { status: "done", startedAt: "t" },
        { status: "queued", startedAt: null },
        { status: "void", startedAt: null },
      ]),
    ).toEqual({ order: "o", tickets: 3, done: 1, void: 1, started: true });
    expect(progressOf("o", [])).toEqual({ order: "o", tickets: 0, done: 0, void: 0, started: false });
    // A queued ticket stored without a start time is not started either.
    expect(progressOf("o", [{ status: "queued" }, { status: "queued", startedAt: null }])).toEqual({
      order: "o",
      tickets: 2,
      done: 0,
      void: 0,
      started: false,
    });
  });
});

describe("kitchen timing", () => {
  it("scales a dish's prep time", () => {
    expect(prepMs(600, 1)).toBe(600_000);
    expect(prepMs(600, 0.01)).toBe(6_000);
    expect(prepMs(1, 0.0001)).toBe(0);
  });

  it("finishes a ticket at its start plus prep time, whoever resumes it", () => {
    const startedAt = "2025-01-01T12:00:00.000Z";
    expect(dueAt(startedAt, 600, 0.01)).toBe(Date.parse(startedAt) + 6_000);
    expect(remainingMs(startedAt, 600, 0.01, Date.parse(startedAt) + 1_000)).toBe(5_000);
    expect(remainingMs(startedAt, 600, 0.01, Date.parse(startedAt) + 60_000)).toBe(0);
  });

  it("starts no more tickets than it has chefs, and none while draining", () => {
    expect(freeChefs(4, 0, false)).toBe(4);
    expect(freeChefs(4, 3, false)).toBe(1);
    expect(freeChefs(4, 4, false)).toBe(0);
    expect(freeChefs(4, 6, false)).toBe(0);
    expect(freeChefs(4, 0, true)).toBe(0);
  });
});

describe("adopting tickets whose cook is gone", () => {
  const alive = new Set(["me", "other"]);
  const here = new Set(["mine-1"]);
  type Case = [Pick<TicketDoc, "_id" | "status" | "node">, boolean, string];
  it.each<Case>([
    [{ _id: "t", status: "cooking", node: "gone" }, true, "its node left the cluster"],
    [{ _id: "t", status: "cooking", node: "other" }, false, "another live node cooks it"],
    [{ _id: "mine-1", status: "cooking", node: "me" }, false, "this process cooks it"],
    [{ _id: "mine-2", status: "cooking", node: "me" }, true, "a previous process with this node ID started it"],
    [{ _id: "t", status: "cooking", node: null }, true, "it has no node at all"],
    [{ _id: "t", status: "queued", node: null }, false, "it is not cooking"],
    [{ _id: "t", status: "done", node: "gone" }, false, "it is done"],
  ])("%j → %s (%s)", (ticket, orphan) => {
    expect(isOrphan(ticket, "me", (node) => alive.has(node), here)).toBe(orphan);
  });

  it("adopts the earliest started first", () => {
    const orphans = [
      { _id: "b", startedAt: "2025-01-01T12:00:02Z" },
      { _id: "a", startedAt: "2025-01-01T12:00:01Z" },
      { _id: "c", startedAt: "2025-01-01T12:00:01Z" },
    ];
    expect(adoptionOrder(orphans).map((t) => t._id)).toEqual(["a", "c", "b"]);
  });
});
