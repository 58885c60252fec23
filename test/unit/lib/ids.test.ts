import { ID_PATTERN, newId, slugId } from "../../../lib/ids";

describe("ids", () => {
  it("makes prefixed, valid, distinct ids", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newId("ord")));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(id).toMatch(ID_PATTERN);
      expect(id.startsWith("ord_")).toBe(true);
    }
  });

  it("slugs names into natural keys", () => {
    expect(slugId("Olive oil (extra virgin)")).toBe("olive-oil-extra-virgin");
    expect(slugId("Crème brûlée")).toBe("creme-brulee");
    expect(slugId("steak frites")).toMatch(ID_PATTERN);
    expect(slugId("  --Fish & Chips!-- ")).toBe("fish-chips");
  });
});
