// Where an order's life begins: the placement saga against a real store (NeDB in memory) and a
// fake menu and inventory, so its races and compensations are decided deterministically.
import type { Store } from "../../../lib/store";
import type { OrderPlaced, ReservationResult, ResolvedDish, StockLine } from "../../../lib/contracts";
import { InsufficientStock, Invalid } from "../../../lib/errors";
import { placeOrder, type PlacementPorts, type PlaceRequest } from "../../../services/orders/place-order";
import { orderIdFor, orderView, requestFingerprint, type OrderDoc } from "../../../services/orders/order";
import { memoryStore } from "../../support/memory-store";

const STEAK: ResolvedDish = {
  id: "steak",
  name: "Steak",
  category: "mains",
  priceCents: 2850,
  station: "grill",
  prepSeconds: 900,
  recipe: [{ ingredient: "stock", qty: 50 }],
  modifierGroups: [
    {
      id: "doneness",
      name: "Doneness",
      min: 1,
      max: 1,
      options: [{ id: "rare", name: "Rare", priceCents: 0, allergens: [] }],
    },
    {
      id: "extras",
      name: "Extras",
      min: 0,
      max: 1,
      options: [
        {
          id: "walnut-butter",
          name: "Walnut butter",
          priceCents: 200,
          recipe: [{ ingredient: "flour", qty: 10 }],
          allergens: ["nuts", "milk"],
        },
      ],
    },
  ],
  course: 2,
  taxRate: null,
  soldOut: false,
  allergens: [],
};

const MENU: ResolvedDish[] = [
  STEAK,
  { ...STEAK, id: "special", name: "Special", modifierGroups: [], soldOut: true },
  {
    id: "soup",
    name: "Soup",
    category: "starters",
    priceCents: 650,
    station: "saute",
    prepSeconds: 300,
    recipe: [{ ingredient: "stock", qty: 300 }],
    modifierGroups: [],
    course: 1,
    taxRate: null,
    soldOut: false,
    allergens: ["celery"],
  },
  {
    id: "bread",
    name: "Bread",
    category: "sides",
    priceCents: 250,
    station: "pastry",
    prepSeconds: 60,
    recipe: [{ ingredient: "flour", qty: 100 }],
    modifierGroups: [],
    course: 2,
    taxRate: null,
    soldOut: false,
    allergens: ["gluten"],
  },
];

/** Like the inventory: all or nothing, idempotent per reservation, a release before a reserve wins. */
class FakeInventory {
  available = new Map([
    ["stock", 1_000],
    ["flour", 1_000],
  ]);
  reservations = new Map<string, { status: "held" | "released"; lines: StockLine[] }>();
  reserves = 0;

  async reserve({ reservation, lines }: { reservation: string; lines: StockLine[] }): Promise<ReservationResult> {
    this.reserves++;
    await new Promise((resolve) => setImmediate(resolve));
    const existing = this.reservations.get(reservation);
    if (existing) return { reservation, status: existing.status };
    const short = lines.filter((l) => (this.available.get(l.ingredient) ?? 0) < l.qty).map((l) => l.ingredient);
    if (short.length) throw InsufficientStock(short);
    for (const l of lines) this.available.set(l.ingredient, this.available.get(l.ingredient)! - l.qty);
    this.reservations.set(reservation, { status: "held", lines });
    return { reservation, status: "held" };
  }

  async release({ reservation }: { reservation: string }) {
    const existing = this.reservations.get(reservation);
    if (existing?.status === "held")
      for (const l of existing.lines) this.available.set(l.ingredient, this.available.get(l.ingredient)! + l.qty);
    this.reservations.set(reservation, { status: "released", lines: existing?.lines ?? [] });
    return { reservation, status: "released" };
  }
}

describe("placing an order", () => {
  let store: Store<OrderDoc>;
  let inventory: FakeInventory;
  let handedOff: OrderPlaced[];
  let ports: PlacementPorts;
  const request = (fields: Partial<PlaceRequest> = {}): PlaceRequest => ({
    location: "main",
    table: "3",
    lines: [
      { dish: "soup", qty: 2 },
      { dish: "bread", qty: 1, notes: "warm" },
    ],
    staffId: "anna",
    ...fields,
  });

  beforeEach(async () => {
    store = await memoryStore<OrderDoc>();
    inventory = new FakeInventory();
    handedOff = [];
    ports = {
      store,
      resolveDishes: async (ids) => ids.flatMap((id) => MENU.filter((d) => d.id === id)),
      reserve: (params) => inventory.reserve(params),
      release: (params) => inventory.release(params),
      handOff: { send: async (order) => void handedOff.push(order) },
      changed: async () => undefined,
      logger: { info() {}, warn() {} },
      now: () => new Date(),
      retryWaitMs: 50,
    };
  });

  it("prices the order, reserves the sum of its recipes, accepts it and hands it to the kitchen", async () => {
    const doc = await placeOrder(ports, request());
    expect(doc).toMatchObject({
      status: "placed",
      accepted: true,
      totalCents: 2 * 650 + 250,
      createdBy: "anna",
      bill: null,
    });
    expect(inventory.reservations.get(doc._id)?.lines).toEqual([
      { ingredient: "flour", qty: 100 },
      { ingredient: "stock", qty: 600 },
    ]);
    expect(inventory.available.get("stock")).toBe(400);
    // The first hand-off: not marked `resent`, so the metrics count the order once.
    expect(handedOff).toEqual([
      {
        order: doc._id,
        location: "main",
        table: "3",
        placedAt: doc.createdAt,
        lines: [
          {
            index: 0,
            dish: "soup",
            name: "Soup",
            qty: 2,
            notes: "",
            station: "saute",
            prepSeconds: 300,
            ingredients: [{ ingredient: "stock", qty: 600 }],
            course: 1,
          },
          {
            index: 1,
            dish: "bread",
            name: "Bread",
            qty: 1,
            notes: "warm",
            station: "pastry",
            prepSeconds: 60,
            ingredients: [{ ingredient: "flour", qty: 100 }],
            course: 2,
          },
        ],
      },
    ]);
  });

  it("refuses an order short of stock by naming its dishes, and keeps nothing", async () => {
    inventory.available.set("stock", 500);
    await expect(placeOrder(ports, request())).rejects.toMatchObject({
      code: 409,
      type: "OUT_OF_STOCK",
      data: { dishes: [{ dish: "soup", name: "Soup", ingredients: ["stock"] }] },
    });
    expect(await store.count()).toBe(0);
    expect(inventory.available).toEqual(
      new Map([
        ["stock", 500],
        ["flour", 1_000],
      ]),
    );
    expect(handedOff).toEqual([]);
  });

  it("names an unknown dish by the line that asked for it, whoever noticed", async () => {
    await expect(
      placeOrder(
        ports,
        request({
          lines: [
            { dish: "soup", qty: 1 },
            { dish: "cake", qty: 1 },
          ],
        }),
      ),
    ).rejects.toMatchObject({
      code: 422,
      data: [expect.objectContaining({ field: "lines[1].dish" })],
    });
    ports.resolveDishes = async () => {
      throw Invalid([{ field: "dishes[1]", message: 'There is no dish "cake" on the menu.' }]);
    };
    await expect(
      placeOrder(
        ports,
        request({
          lines: [
            { dish: "soup", qty: 1 },
            { dish: "cake", qty: 1 },
            { dish: "cake", qty: 2 },
          ],
        }),
      ),
    ).rejects.toMatchObject({
      code: 422,
      data: [expect.objectContaining({ field: "lines[1].dish" }), expect.objectContaining({ field: "lines[2].dish" })],
    });
  });

  it("answers a retry with the same key with the same order, even many at once, reserving once", async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => placeOrder(ports, request({ idempotencyKey: "k1" }))),
    );
    expect(new Set(answers.map((a) => a._id))).toEqual(new Set([orderIdFor("anna", "k1")]));
    expect(answers.every((a) => a.accepted)).toBe(true);
    expect(inventory.reservations.size).toBe(1);
    expect(inventory.available.get("stock")).toBe(400);
    expect(handedOff).toHaveLength(1);
  });

  it("refuses the same key for a different order", async () => {
    await placeOrder(ports, request({ idempotencyKey: "k1" }));
    await expect(placeOrder(ports, request({ idempotencyKey: "k1", table: "4" }))).rejects.toMatchObject({
      code: 409,
      type: "IDEMPOTENCY_KEY_REUSED",
    });
  });

  it("gives a retry of a refused order the same refusal and still holds nothing", async () => {
    inventory.available.set("flour", 0);
    const first = await placeOrder(ports, request({ idempotencyKey: "k2" })).catch((err) => err);
    inventory.available.set("flour", 1_000); // stock arriving does not turn a refused request into an order
    const again = await placeOrder(ports, request({ idempotencyKey: "k2" })).catch((err) => err);
    expect(first).toMatchObject({ type: "OUT_OF_STOCK", data: { dishes: [{ dish: "bread" }] } });
    expect(again).toMatchObject({ type: "OUT_OF_STOCK", data: first.data });
    expect(inventory.reservations.get(orderIdFor("anna", "k2"))?.status).toBe("released");
    expect(inventory.available).toEqual(
      new Map([
        ["stock", 1_000],
        ["flour", 1_000],
      ]),
    );
  });

  it("finishes a placement whose first request died, when the client retries", async () => {
    // The first request stored the order and was never heard of again.
    void placeOrder({ ...ports, reserve: () => new Promise(() => undefined) }, request({ idempotencyKey: "k3" }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await store.get(orderIdFor("anna", "k3")))!.accepted).toBe(false);

    const retried = await placeOrder(ports, request({ idempotencyKey: "k3" }));
    expect(retried).toMatchObject({ _id: orderIdFor("anna", "k3"), accepted: true });
    expect(handedOff.map((h) => h.order)).toEqual([retried._id]);
  });

  it("tells a retry that a placement given up by the reconcile loop must be made again", async () => {
    const id = orderIdFor("anna", "k4");
    void placeOrder({ ...ports, reserve: () => new Promise(() => undefined) }, request({ idempotencyKey: "k4" }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    await store.update({ _id: id }, { $set: { status: "rejected", rejection: { reason: "abandoned" } } });
    await inventory.release({ reservation: id });

    await expect(placeOrder(ports, request({ idempotencyKey: "k4" }))).rejects.toMatchObject({
      code: 409,
      type: "ORDER_ABANDONED",
    });
    expect(inventory.available.get("stock")).toBe(1_000);
  });

  it("stores nothing twice: the kitchen's lines add only what the order's lines lack, and no reservation", async () => {
    const doc = (await store.get((await placeOrder(ports, request()))._id))!;
    expect(doc.kitchen).toEqual([
      { station: "saute", prepSeconds: 300, ingredients: { stock: 600 } },
      { station: "pastry", prepSeconds: 60, ingredients: { flour: 100 } },
    ]);
    expect(doc).not.toHaveProperty("reservation");
    // No empty notes stored; the order shows them as always.
    expect(doc.lines).toEqual([
      { dish: "soup", name: "Soup", qty: 2, unitPriceCents: 650, allergens: ["celery"], course: 1 },
      { dish: "bread", name: "Bread", qty: 1, unitPriceCents: 250, notes: "warm", allergens: ["gluten"], course: 2 },
    ]);
    const unmodified = { modifiers: [], seat: null };
    expect(orderView(doc).lines).toEqual([
      {
        dish: "soup",
        name: "Soup",
        qty: 2,
        unitPriceCents: 650,
        notes: "",
        allergens: ["celery"],
        course: 1,
        ...unmodified,
      },
      {
        dish: "bread",
        name: "Bread",
        qty: 1,
        unitPriceCents: 250,
        notes: "warm",
        allergens: ["gluten"],
        course: 2,
        ...unmodified,
      },
    ]);
    expect(Object.keys(orderView(doc).lines[0])).toEqual([
      "dish",
      "name",
      "qty",
      "unitPriceCents",
      "notes",
      "modifiers",
      "allergens",
      "course",
      "seat",
    ]);
    // Without an Idempotency-Key no retry can meet this order: nothing to compare a request with.
    expect(doc).not.toHaveProperty("fingerprint");
    const keyed = await placeOrder(ports, request({ idempotencyKey: "k5", lines: [{ dish: "bread", qty: 1 }] }));
    expect((await store.get(keyed._id))!.fingerprint).toBe(requestFingerprint("3", [{ dish: "bread", qty: 1 }]));
  });

  it("finishes and hands over an order stored in full, as documents written before the trim are", async () => {
    const id = orderIdFor("anna", "k6");
    const lines = [{ dish: "soup", qty: 2 }];
    const kitchen = [
      {
        index: 0,
        dish: "soup",
        name: "Soup",
        qty: 2,
        notes: "",
        station: "saute" as const,
        prepSeconds: 300,
        ingredients: [{ ingredient: "stock", qty: 600 }],
      },
    ];
    const now = new Date().toISOString();
    // A placement whose first request died after storing it.
    await store.insert({
      _id: id,
      table: "3",
      status: "placed",
      lines: [{ dish: "soup", name: "Soup", qty: 2, unitPriceCents: 650, notes: "" }],
      totalCents: 1300,
      createdAt: now,
      createdBy: "anna",
      updatedAt: now,
      accepted: false,
      handedOff: false,
      reservation: [{ ingredient: "stock", qty: 600 }],
      kitchen,
      fingerprint: requestFingerprint("3", lines),
      bill: null,
    });
    ports.retryWaitMs = 0;
    await expect(
      placeOrder(ports, request({ idempotencyKey: "k6", lines: [{ dish: "soup", qty: 1 }] })),
    ).rejects.toMatchObject({ type: "IDEMPOTENCY_KEY_REUSED" });
    expect(await placeOrder(ports, request({ idempotencyKey: "k6", lines }))).toMatchObject({
      _id: id,
      accepted: true,
    });
    expect(inventory.reservations.get(id)?.lines).toEqual([{ ingredient: "stock", qty: 600 }]);
    // An order from before locations is main's.
    expect(handedOff).toEqual([{ order: id, location: "main", table: "3", placedAt: now, lines: kitchen }]);
  });

  it("accepts the order even when the hand-off fails: the reconcile loop hands it over later", async () => {
    ports.handOff = { send: async () => Promise.reject(new Error("transporter down")) };
    const doc = await placeOrder(ports, request());
    expect(doc).toMatchObject({ accepted: true, handedOff: false });
  });

  it("reserves the chosen options' recipes with the dish's, and prices them in", async () => {
    const lines = [{ dish: "steak", qty: 2, seat: 1, modifiers: ["walnut-butter", "rare"] }];
    const doc = await placeOrder(ports, request({ lines }));
    expect(doc.totalCents).toBe(2 * (2850 + 200));
    expect(inventory.reservations.get(doc._id)?.lines).toEqual([
      { ingredient: "flour", qty: 20 },
      { ingredient: "stock", qty: 100 },
    ]);
    expect(handedOff[0].lines[0]).toMatchObject({
      seat: 1,
      course: 2,
      modifiers: [
        { group: "doneness", option: "rare", name: "Rare", priceCents: 0 },
        { group: "extras", option: "walnut-butter", name: "Walnut butter", priceCents: 200 },
      ],
    });
    expect(handedOff[0].lines[0]).not.toHaveProperty("allergyAlert");
  });

  it("refuses modifiers that break the dish's groups, storing and reserving nothing", async () => {
    await expect(placeOrder(ports, request({ lines: [{ dish: "steak", qty: 1 }] }))).rejects.toMatchObject({
      code: 422,
      data: [expect.objectContaining({ field: "lines[0].modifiers", group: "doneness", type: "modifierRequired" })],
    });
    expect(await store.count({})).toBe(0);
    expect(inventory.reserves).toBe(0);
  });

  it("refuses a sold-out dish (409 SOLD_OUT), whatever the stock", async () => {
    await expect(placeOrder(ports, request({ lines: [{ dish: "special", qty: 1 }] }))).rejects.toMatchObject({
      code: 409,
      type: "SOLD_OUT",
      data: { dishes: [{ dish: "special", name: "Special" }] },
    });
    expect(await store.count({})).toBe(0);
  });

  it("stops lines that meet the guests' allergies until confirmed, then alerts their tickets", async () => {
    const lines = [
      { dish: "steak", qty: 1, modifiers: ["rare", "walnut-butter"] },
      { dish: "bread", qty: 1 },
    ];
    await expect(placeOrder(ports, request({ lines, allergies: ["nuts"] }))).rejects.toMatchObject({
      code: 409,
      type: "ALLERGEN_CONFLICT",
      data: { lines: [{ line: 0, dish: "steak", name: "Steak", allergens: ["nuts"] }], allergens: ["nuts"] },
    });
    expect(await store.count({})).toBe(0);
    expect(inventory.reserves).toBe(0);

    const doc = await placeOrder(ports, request({ lines, allergies: ["nuts", "gluten"], allergyConfirmed: true }));
    expect(orderView(doc)).toMatchObject({ allergies: ["nuts", "gluten"], allergyConfirmed: true });
    expect(handedOff[0].lines.map((line) => line.allergyAlert)).toEqual([["nuts"], ["gluten"]]);
  });

  it("places an order whose allergies meet nothing without asking, and alerts no ticket", async () => {
    const doc = await placeOrder(ports, request({ allergies: ["fish"] }));
    expect(orderView(doc)).toMatchObject({ allergies: ["fish"], allergyConfirmed: false });
    expect(handedOff[0].lines.every((line) => line.allergyAlert === undefined)).toBe(true);
  });
});
