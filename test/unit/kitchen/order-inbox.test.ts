import type { OrderPlaced } from "../../../lib/contracts";
import { ACK_WAIT_MS, HANDLER_DEADLINE_MS, isOrderPlaced, retryDelayMs } from "../../../services/kitchen/order-inbox";

describe("the wait before an order that failed is delivered again", () => {
  it("starts at one second and doubles with each delivery", () => {
    expect([1, 2, 3, 4, 5].map(retryDelayMs)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
  });

  it("stops growing at 30 seconds", () => {
    expect(retryDelayMs(6)).toBe(30_000);
    expect(retryDelayMs(10)).toBe(30_000);
    expect(retryDelayMs(1_000)).toBe(30_000);
  });

  it("never goes below one second, whatever the delivery count says", () => {
    expect(retryDelayMs(0)).toBe(1_000);
    expect(retryDelayMs(-3)).toBe(1_000);
  });

  it("never shrinks from one delivery to the next", () => {
    for (let delivery = 1; delivery < 40; delivery++)
      expect(retryDelayMs(delivery + 1)).toBeGreaterThanOrEqual(retryDelayMs(delivery));
  });
});

describe("the kitchen's deadlines", () => {
  it("waits for an acknowledgement longer than a handler may take, so a slow handler is not raced by a redelivery", () => {
    expect(ACK_WAIT_MS).toBeGreaterThan(HANDLER_DEADLINE_MS);
  });
});

describe("what the kitchen takes as a placed order", () => {
  const placed: OrderPlaced = {
    order: "ord_1",
    table: "T4",
    placedAt: "2025-11-28T19:00:00.000Z",
    lines: [
      {
        index: 0,
        dish: "dish_fries",
        name: "Fries",
        qty: 2,
        notes: "",
        station: "fryer",
        prepSeconds: 240,
        ingredients: [{ ingredient: "potato", qty: 400 }],
      },
      {
        index: 1,
        dish: "dish_salad",
        name: "Salad",
        qty: 1,
        notes: "no onion",
        station: "cold",
        prepSeconds: 120,
        ingredients: [],
      },
    ],
  };

  it("takes a full order.placed payload, and one handed over again", () => {
    expect(isOrderPlaced(placed)).toBe(true);
    expect(isOrderPlaced({ ...placed, resent: true })).toBe(true);
  });

  it.each([
    ["null", null],
    ["a string", "ord_1"],
    ["an array", [placed]],
    ["no order id", { ...placed, order: undefined }],
    ["a numeric order id", { ...placed, order: 1 }],
    ["no table", { ...placed, table: undefined }],
    ["no placedAt", { ...placed, placedAt: undefined }],
    ["no lines", { ...placed, lines: undefined }],
    ["empty lines", { ...placed, lines: [] }],
    ["lines that are not a list", { ...placed, lines: { 0: placed.lines[0] } }],
    ["a null line", { ...placed, lines: [placed.lines[0], null] }],
    ["a line without its index", { ...placed, lines: [{ ...placed.lines[0], index: undefined }] }],
    ["a line with a text index", { ...placed, lines: [{ ...placed.lines[0], index: "0" }] }],
    ["a line without its dish", { ...placed, lines: [{ ...placed.lines[0], dish: undefined }] }],
    ["a line without ingredients", { ...placed, lines: [{ ...placed.lines[0], ingredients: undefined }] }],
  ])("dead-letters a message with %s", (_, value) => {
    expect(isOrderPlaced(value)).toBe(false);
  });
});
