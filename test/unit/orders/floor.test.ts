import { requireTable, seatTable, transferTable, type FloorPorts } from "../../../services/orders/floor";
import type { TableDoc } from "../../../services/orders/tables";
import type { OrderDoc } from "../../../services/orders/order";
import { memoryStore } from "../../support/memory-store";

const table = (id: string): TableDoc => ({
  _id: id,
  name: id,
  area: "Dining room",
  seats: 4,
  seating: null,
  version: 0,
  createdAt: "2026-12-04T18:00:00.000Z",
  updatedAt: "2026-12-04T18:00:00.000Z",
});

async function floor(moveBill: FloorPorts["moveBill"] = async () => ({ moved: 0 })) {
  const tables = await memoryStore<TableDoc>();
  const orders = await memoryStore<OrderDoc>();
  const events: [string, unknown][] = [];
  const ports: FloorPorts = {
    location: "main",
    tables,
    orders,
    moveBill,
    emit: async (event, payload) => events.push([event, payload]),
    changed: async () => undefined,
    now: () => new Date("2026-12-04T19:00:00.000Z"),
  };
  return { ports, tables, events };
}

describe("an order's table", () => {
  it("may be any table while the location has drawn no plan, and only one of the plan after", async () => {
    const { tables } = await floor();
    await expect(requireTable(tables, "T4")).resolves.toBeUndefined();
    await tables.insert(table("4"));
    await expect(requireTable(tables, "4")).resolves.toBeUndefined();
    await expect(requireTable(tables, "T4")).rejects.toMatchObject({ code: 422, type: "UNKNOWN_TABLE" });
  });
});

describe("seating and transferring", () => {
  it("seats a party and says so in a past-tense event", async () => {
    const { ports, tables, events } = await floor();
    await tables.insert(table("4"));
    const seated = await seatTable(ports, "4", 4, "stf_ana");
    expect(seated).toMatchObject({ status: "seated", covers: 4, waiter: "stf_ana", since: "2026-12-04T19:00:00.000Z" });
    expect(events).toEqual([
      ["table.seated", { location: "main", table: "4", covers: 4, waiter: "stf_ana", at: "2026-12-04T19:00:00.000Z" }],
    ]);
    expect((await tables.get("4"))?.version).toBe(1);
  });

  it("gives the free table back when the bill cannot move, and changes nothing else", async () => {
    const { ports, tables, events } = await floor(async () => {
      throw new Error("billing is away");
    });
    await tables.insert(table("4"));
    await tables.insert(table("9"));
    await seatTable(ports, "4", 2, "stf_ana");
    await expect(transferTable(ports, "4", "9", "stf_ana")).rejects.toThrow("billing is away");
    expect((await tables.get("9"))?.seating).toBeNull();
    expect((await tables.get("4"))?.seating).toMatchObject({ covers: 2 });
    expect(events.map(([event]) => event)).toEqual(["table.seated"]);
  });

  it("moves the seating and announces the transfer", async () => {
    const { ports, tables, events } = await floor(async () => ({ moved: 1 }));
    await tables.insert(table("4"));
    await tables.insert(table("9"));
    await seatTable(ports, "4", 2, "stf_ana");
    expect(await transferTable(ports, "4", "9", "stf_ben")).toMatchObject({ id: "9", status: "seated", covers: 2 });
    expect((await tables.get("4"))?.seating).toBeNull();
    expect(events.at(-1)).toEqual([
      "table.transferred",
      { location: "main", from: "4", to: "9", orders: [], bills: 1, waiter: "stf_ben", at: "2026-12-04T19:00:00.000Z" },
    ]);
  });
});
