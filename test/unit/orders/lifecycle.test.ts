import { ORDER_STATUSES, type OrderStatus } from "../../../lib/contracts";
import {
  nextStatus,
  ORDER_ACTIONS,
  stepsToward,
  transition,
  type OrderAction,
} from "../../../services/orders/lifecycle";

const LEGAL: Record<string, OrderStatus> = {
  "placed cook": "cooking",
  "placed cancel": "cancelled",
  "cooking ready": "ready",
  "cooking cancel": "cancelled",
  "ready serve": "served",
  "served pay": "paid",
};

const everyMove = ORDER_STATUSES.flatMap((from) =>
  ORDER_ACTIONS.map((action) => [from, action] as [OrderStatus, OrderAction]),
);

describe("order life cycle", () => {
  it("covers all 30 pairs of status and action", () => {
    expect(everyMove).toHaveLength(ORDER_STATUSES.length * ORDER_ACTIONS.length);
    expect(everyMove).toHaveLength(30);
  });

  describe.each(everyMove)("%s + %s", (from, action) => {
    const expected = LEGAL[`${from} ${action}`];
    if (expected) {
      it(`moves to ${expected}`, () => {
        expect(nextStatus(from, action)).toBe(expected);
        expect(transition("ord_1", from, action)).toBe(expected);
      });
    } else {
      it("is refused with 409 INVALID_TRANSITION naming the order, its status and the move", () => {
        expect(nextStatus(from, action)).toBeUndefined();
        expect(() => transition("ord_1", from, action)).toThrow(
          expect.objectContaining({
            code: 409,
            type: "INVALID_TRANSITION",
            data: { id: "ord_1", from, action },
          }),
        );
      });
    }
  });

  it("never leaves paid or cancelled", () => {
    for (const action of ORDER_ACTIONS) {
      expect(nextStatus("paid", action)).toBeUndefined();
      expect(nextStatus("cancelled", action)).toBeUndefined();
    }
  });

  it("allows cancelling only before the order is ready", () => {
    const cancellable = ORDER_STATUSES.filter((s) => nextStatus(s, "cancel") !== undefined);
    expect(cancellable).toEqual(["placed", "cooking"]);
  });
});

describe("kitchen-driven moves (applied idempotently)", () => {
  it.each([
    ["placed", "cooking", ["cook"]],
    ["placed", "ready", ["cook", "ready"]],
    ["cooking", "cooking", []],
    ["cooking", "ready", ["ready"]],
    ["ready", "cooking", []],
    ["ready", "ready", []],
    ["served", "ready", []],
    ["paid", "ready", []],
  ] as const)("from %s toward %s takes %j", (from, target, steps) => {
    expect(stepsToward(from, target)).toEqual(steps);
  });

  it("cannot bring a cancelled order anywhere", () => {
    expect(stepsToward("cancelled", "cooking")).toBeNull();
    expect(stepsToward("cancelled", "ready")).toBeNull();
  });

  it("only ever proposes legal moves", () => {
    for (const from of ORDER_STATUSES) {
      for (const target of ["cooking", "ready"] as const) {
        let at: OrderStatus = from;
        for (const step of stepsToward(from, target) ?? []) at = transition("ord_1", at, step);
        if (stepsToward(from, target)?.length) expect(at).toBe(target);
      }
    }
  });
});
