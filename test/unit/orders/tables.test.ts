import {
  currentSeating,
  maxCovers,
  removalRefusal,
  seatingToMove,
  seatRefusal,
  tableStatus,
  tableView,
  transferRefusal,
  byArea,
  type OpenOrder,
  type Seating,
  type TableDoc,
} from "../../../services/orders/tables";
import type { TableView } from "../../../lib/contracts";

const seating: Seating = {
  covers: 4,
  waiter: "stf_ana",
  since: "2026-12-04T19:00:00.000Z",
  at: "2026-12-04T19:00:00.000Z",
};
const order = (createdAt: string, bill: string | null = null): OpenOrder => ({
  _id: `ord_${createdAt}`,
  table: "4",
  bill,
  createdAt,
  createdBy: "stf_ben",
});
const doc = (over: Partial<TableDoc> = {}): TableDoc => ({
  _id: "4",
  name: "4",
  area: "Dining room",
  seats: 4,
  seating: null,
  version: 0,
  createdAt: "2026-12-01T00:00:00.000Z",
  updatedAt: "2026-12-01T00:00:00.000Z",
  ...over,
});
const view = (over: Partial<TableView> = {}): TableView => ({ ...tableView(doc(), [], null), ...over });

describe("table status", () => {
  it("is free with nobody and nothing, seated with a party and no order", () => {
    expect(tableStatus(null, [])).toBe("free");
    expect(tableStatus(seating, [])).toBe("seated");
  });

  it("is ordering while an open order is not on a bill, billed once every open order is", () => {
    expect(tableStatus(seating, [order("19:05")])).toBe("ordering");
    expect(tableStatus(null, [order("19:05")])).toBe("ordering");
    expect(tableStatus(seating, [order("19:05", "bil_1"), order("19:40")])).toBe("ordering");
    expect(tableStatus(seating, [order("19:05", "bil_1"), order("19:40", "bil_1")])).toBe("billed");
  });
});

describe("the seating that holds", () => {
  it("holds until a payment since it was written", () => {
    expect(currentSeating(seating, [], null)).toBe(seating);
    expect(currentSeating(seating, [], "2026-12-04T18:30:00.000Z")).toBe(seating);
  });

  it("ends with a payment that leaves no order placed before it open: the table is free again", () => {
    expect(currentSeating(seating, [], "2026-12-04T20:30:00.000Z")).toBeNull();
    expect(tableView(doc({ seating }), [], "2026-12-04T20:30:00.000Z")).toMatchObject({
      status: "free",
      covers: null,
      waiter: null,
      since: null,
    });
  });

  it("holds after a part payment while an order from before it is still open", () => {
    const open = [order("2026-12-04T19:10:00.000Z")];
    expect(currentSeating(seating, open, "2026-12-04T19:30:00.000Z")).toBe(seating);
  });

  it("is over when the open orders all came after the payment (a new party that was never seated)", () => {
    const open = [order("2026-12-04T21:00:00.000Z")];
    expect(currentSeating(seating, open, "2026-12-04T20:30:00.000Z")).toBeNull();
    expect(tableView(doc({ seating }), open, "2026-12-04T20:30:00.000Z")).toMatchObject({
      status: "ordering",
      covers: null,
      waiter: "stf_ben",
      since: "2026-12-04T21:00:00.000Z",
    });
  });
});

describe("the table's view", () => {
  it("shows the party's covers, who seated it and since when", () => {
    expect(tableView(doc({ seating }), [order("2026-12-04T19:05:00.000Z")], null)).toEqual({
      id: "4",
      name: "4",
      area: "Dining room",
      seats: 4,
      status: "ordering",
      covers: 4,
      waiter: "stf_ana",
      since: seating.since,
    });
  });

  it("without a seating, takes the waiter and the time of the first open order", () => {
    const open = [order("2026-12-04T19:20:00.000Z"), order("2026-12-04T19:05:00.000Z")];
    expect(tableView(doc(), open, null)).toMatchObject({ since: "2026-12-04T19:05:00.000Z", waiter: "stf_ben" });
  });

  it("sorts by area, then by name as people count", () => {
    const names = ["10", "2", "1"].map((name) => view({ name, area: "Dining room" }));
    const terrace = view({ name: "1", area: "Terrace" });
    expect([terrace, ...names].sort(byArea).map((t) => `${t.area} ${t.name}`)).toEqual([
      "Dining room 1",
      "Dining room 2",
      "Dining room 10",
      "Terrace 1",
    ]);
  });
});

describe("the rules", () => {
  it("seats a party of up to twice the seats at a free table", () => {
    expect(maxCovers(4)).toBe(8);
    expect(seatRefusal(view(), 1)).toBeNull();
    expect(seatRefusal(view(), 8)).toBeNull();
    expect(seatRefusal(view(), 9)).toMatchObject({ code: 422, type: "VALIDATION_ERROR" });
    for (const status of ["seated", "ordering", "billed"] as const)
      expect(seatRefusal(view({ status }), 2)).toMatchObject({ code: 409, type: "TABLE_OCCUPIED" });
  });

  it("transfers an occupied table to another, free one", () => {
    const from = view({ id: "4", status: "ordering" });
    expect(transferRefusal(from, view({ id: "9" }))).toBeNull();
    expect(transferRefusal(from, view({ id: "4" }))).toMatchObject({ code: 422 });
    expect(transferRefusal(view({ id: "5" }), view({ id: "9" }))).toMatchObject({ code: 409, type: "TABLE_FREE" });
    expect(transferRefusal(from, view({ id: "9", status: "seated" }))).toMatchObject({
      code: 409,
      type: "TABLE_OCCUPIED",
    });
  });

  it("removes only a free table", () => {
    expect(removalRefusal(view())).toBeNull();
    for (const status of ["seated", "ordering", "billed"] as const)
      expect(removalRefusal(view({ status }))).toMatchObject({ code: 409, type: "TABLE_IN_USE" });
  });

  it("carries the party's seating to the new table, or makes one from its first order", () => {
    const at = "2026-12-04T20:00:00.000Z";
    expect(seatingToMove(view({ status: "seated", covers: 3, waiter: "stf_ana", since: seating.since }), at)).toEqual({
      covers: 3,
      waiter: "stf_ana",
      since: seating.since,
      at,
    });
    expect(
      seatingToMove(view({ status: "ordering", waiter: "stf_ben", since: "2026-12-04T19:05:00.000Z" }), at),
    ).toEqual({ covers: null, waiter: "stf_ben", since: "2026-12-04T19:05:00.000Z", at });
  });
});
