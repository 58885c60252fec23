import { freezeAnswer, jsonOf } from "../../../lib/frozen-answer";

describe("cached answers, frozen and serialized once", () => {
  it("freezes an answer all the way down", () => {
    const answer = freezeAnswer({ rows: [{ id: "soup", recipe: [{ qty: 1 }] }] });
    expect(() => {
      (answer.rows[0].recipe[0] as { qty: number }).qty = 2;
    }).toThrow(TypeError);
    expect(Object.isFrozen(answer.rows)).toBe(true);
  });

  it("serializes a frozen answer once, and anything else every time", () => {
    const stringify = jest.spyOn(JSON, "stringify");
    try {
      const answer = freezeAnswer({ total: 1, rows: [{ id: "soup" }] });
      expect(jsonOf(answer)).toBe('{"total":1,"rows":[{"id":"soup"}]}');
      expect(jsonOf(answer)).toBe('{"total":1,"rows":[{"id":"soup"}]}');
      expect(stringify).toHaveBeenCalledTimes(1);

      const plain = { total: 2 };
      expect(jsonOf(plain)).toBe('{"total":2}');
      plain.total = 3;
      expect(jsonOf(plain)).toBe('{"total":3}');
      // Frozen by someone else is not enough: only answers the cacher froze are remembered.
      const frozenElsewhere = Object.freeze({ total: 4 });
      jsonOf(frozenElsewhere);
      jsonOf(frozenElsewhere);
      expect(stringify).toHaveBeenCalledTimes(5);
    } finally {
      stringify.mockRestore();
    }
  });

  it("leaves values that are not objects as they are", () => {
    expect(freezeAnswer(null)).toBeNull();
    expect(jsonOf(null)).toBe("null");
    expect(jsonOf("text")).toBe('"text"');
  });
});
