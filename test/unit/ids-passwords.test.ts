import { ID_PATTERN, newId, slugId } from "../../lib/ids";
import { hashPassword, verifyPassword } from "../../lib/passwords";

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

describe("passwords", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const hash = await hashPassword("correct horse");
    expect(hash).toMatch(/^scrypt\$/);
    expect(hash).not.toContain("correct horse");
    await expect(verifyPassword("correct horse", hash)).resolves.toBe(true);
    await expect(verifyPassword("correct horsf", hash)).resolves.toBe(false);
    await expect(verifyPassword("anything", "garbage")).resolves.toBe(false);
  });

  it("salts every hash", async () => {
    expect(await hashPassword("same")).not.toBe(await hashPassword("same"));
  });
});
