// Moving an order along its life against a real store (NeDB in memory): what the document keeps
// at each step, since an embedded node holds every order in memory.
import type { Store } from "../../../lib/store";
import type { EventName } from "../../../lib/contracts";
import { advanceOrder, moveOrder, type MovePorts } from "../../../services/orders/order-moves";
import type { OrderDoc } from "../../../services/orders/order";
import { memoryStore } from "../../support/memory-store";

const order = (id: string): OrderDoc => ({
  _id: id,
  table: "1",
  status: "placed",
  lines: [{ dish: "soup", name: "Soup", qty: 1, unitPriceCents: 500, notes: "" }],
  totalCents: 500,
  createdAt: new Date().toISOString(),
  createdBy: "anna",
  updatedAt: new Date().toISOString(),
  accepted: true,
  handedOff: true,
  kitchen: [{ station: "saute", prepSeconds: 60, ingredients: [{ ingredient: "stock", qty: 100 }] }],
  bill: null,
});

describe("moving an order", () => {
  let store: Store<OrderDoc>;
  let events: EventName[];
  let ports: MovePorts;

  beforeEach(async () => {
    store = await memoryStore<OrderDoc>();
    events = [];
    ports = {
      store,
      emit: async (event) => void events.push(event),
      changed: async () => undefined,
      now: () => new Date(),
    };
  });

  it("keeps what the kitchen needs while the order is in the kitchen, and empties it once it is ready", async () => {
    await store.insert(order("o1"));
    expect(await advanceOrder(ports, "o1", "cooking")).toMatchObject({
      status: "cooking",
      kitchen: [{ station: "saute" }],
    });
    const ready = await advanceOrder(ports, "o1", "ready");
    expect(ready).toMatchObject({
      status: "ready",
      readyAt: expect.any(String),
      lines: order("o1").lines,
      kitchen: [],
    });
    expect(events).toEqual(["order.cooking", "order.ready"]);
    expect(await moveOrder(ports, "o1", "serve")).toMatchObject({ status: "served" });
  });

  it("empties it in a cancelled order too, whose stock still goes back", async () => {
    await store.insert(order("o2"));
    const cancelled = await moveOrder(ports, "o2", "cancel", { cancelReason: "left" });
    expect(cancelled).toMatchObject({ status: "cancelled", cancelReason: "left", stockReleased: false, kitchen: [] });
  });
});
