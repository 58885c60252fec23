import { portionLines, portionsOf } from "../../../lib/portions";

describe("portions", () => {
  it("keeps a line's ingredients as one object and gives back the same lines, in ingredient id order", () => {
    const lines = [
      { ingredient: "7-spice", qty: 2 },
      { ingredient: "beef", qty: 0.4 },
      { ingredient: "constructor", qty: 3 },
      { ingredient: "10", qty: 1 },
    ].sort((a, b) => (a.ingredient < b.ingredient ? -1 : 1));
    const portions = portionsOf(lines);
    expect(portions).toEqual({ "7-spice": 2, beef: 0.4, constructor: 3, "10": 1 });
    expect(portionLines(portions)).toEqual(lines);
    expect(JSON.parse(JSON.stringify(portionLines(JSON.parse(JSON.stringify(portions)))))).toEqual(lines);
  });

  it("sums an ingredient named twice, and reads a list stored before as it is", () => {
    expect(
      portionsOf([
        { ingredient: "flour", qty: 100 },
        { ingredient: "flour", qty: 20 },
      ]),
    ).toEqual({ flour: 120 });
    const older = [{ ingredient: "stock", qty: 600 }];
    expect(portionLines(older)).toEqual(older);
    expect(portionLines({})).toEqual([]);
  });
});
