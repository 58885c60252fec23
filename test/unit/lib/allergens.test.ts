import { ALLERGENS, allergenOverlap, allergenUnion } from "../../../lib/allergens";

describe("the 14 EU allergens", () => {
  it("are the regulation's fourteen, spelled as the API takes them", () => {
    expect(ALLERGENS).toHaveLength(14);
    expect(new Set(ALLERGENS).size).toBe(14);
    expect(ALLERGENS).toEqual(expect.arrayContaining(["gluten", "nuts", "peanuts", "sulphites", "molluscs"]));
  });

  it("unite lists once each, in the regulation's order, whatever order they came in", () => {
    expect(allergenUnion(["milk", "gluten"], undefined, ["sesame", "milk"], [])).toEqual(["gluten", "milk", "sesame"]);
    expect(allergenUnion()).toEqual([]);
  });

  it("overlap: only what both lists hold", () => {
    expect(allergenOverlap(["milk", "nuts", "eggs"], ["nuts", "milk", "fish"])).toEqual(["milk", "nuts"]);
    expect(allergenOverlap(["milk"], [])).toEqual([]);
  });
});
