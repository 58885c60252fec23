import { ParamValidator, describeValue } from "../../../lib/param-validator";

const deep = (levels: number): unknown => {
  let value: unknown = "x";
  for (let i = 0; i < levels; i++) value = [value];
  return value;
};

describe("the params validator", () => {
  const validator = new ParamValidator();
  const check = validator.guarded({
    username: { type: "string", min: 1, max: 64 },
    station: { type: "enum", values: ["grill", "fry"] },
    $$strict: true,
  });

  it("refuses 10,000 levels of nesting with a problem naming the field, instead of overflowing the stack", () => {
    const problems = check({ username: deep(10_000), station: "grill" });
    expect(problems).toEqual([
      expect.objectContaining({ type: "tooDeep", field: expect.stringMatching(/^username\[0\]/) }),
    ]);
  });

  it("shows the value sent in the enum message, and the allowed ones after it", () => {
    expect(check({ username: "ann", station: "wok" })).toEqual([
      expect.objectContaining({
        type: "enumValue",
        field: "station",
        message: `The 'station' field value "wok" is not one of the allowed values: grill, fry.`,
      }),
    ]);
  });

  it("never carries the client's value in a problem: a short description instead", () => {
    const [long] = check({ username: "ann", station: "w".repeat(100_000) }) as { message: string; actual: string }[];
    expect(long.message.length).toBeLessThan(120);
    expect(long.actual.length).toBeLessThan(50);
    const [shaped] = check({ username: "ann", station: { $gt: "" } }) as { message: string }[];
    expect(shaped.message).toContain("value an object is not");
  });

  it("describes values without walking them", () => {
    expect([describeValue("wok"), describeValue(3), describeValue(deep(10_000)), describeValue({})]).toEqual([
      '"wok"',
      "3",
      "an array",
      "an object",
    ]);
    expect(describeValue("a\u001bb")).toBe('"a\\u001bb"');
  });
});
