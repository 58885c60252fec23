import jwt from "jsonwebtoken";
import { bodyProblems } from "../../services/api/body-problems";
import { tokenExpired } from "../../services/api/token-claims";

describe("what the gateway refuses in a JSON body", () => {
  it("finds null anywhere, named by its path", () => {
    const body = JSON.parse('{"priceCents": null, "recipe": [{"ingredient": "flour", "qty": null}], "name": "Soup"}');
    expect(
      bodyProblems(body)
        .map((p) => p.field)
        .sort(),
    ).toEqual(["priceCents", "recipe[0].qty"]);
    expect(bodyProblems(body).every((p) => p.type === "null")).toBe(true);
  });

  it("finds a __proto__ key, which Object.assign would turn into the params' prototype", () => {
    const body = JSON.parse('{"__proto__": {"role": "manager"}, "lines": [{"__proto__": {}}]}');
    expect(
      bodyProblems(body)
        .map((p) => `${p.type} ${p.field}`)
        .sort(),
    ).toEqual(["forbiddenKey __proto__", "forbiddenKey lines[0].__proto__"]);
  });

  it("accepts what the API takes", () => {
    expect(bodyProblems({ table: "7", lines: [{ dish: "soup", qty: 2, notes: "" }], flag: false, n: 0 })).toEqual([]);
    expect(bodyProblems({})).toEqual([]);
  });

  it("walks a body nested far deeper than the call stack would allow, and stops after 20 problems", () => {
    let deep: unknown = null;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(bodyProblems({ deep })).toHaveLength(1);
    expect(bodyProblems({ many: Array.from({ length: 1000 }, () => null) })).toHaveLength(20);
  });
});

describe("a token's own expiry", () => {
  const secret = "x".repeat(40);
  it("counts to the second, and a token without one counts as expired", () => {
    const now = Date.now();
    const token = jwt.sign({ sub: "a", exp: Math.floor(now / 1000) + 10 }, secret);
    expect(tokenExpired(token, now)).toBe(false);
    expect(tokenExpired(token, now + 11_000)).toBe(true);
    expect(tokenExpired(jwt.sign({ sub: "a" }, secret), now)).toBe(true);
    expect(tokenExpired("not.a.token", now)).toBe(true);
    expect(tokenExpired("", now)).toBe(true);
    expect(tokenExpired(`x.${Buffer.from("null").toString("base64url")}.y`, now)).toBe(true);
    expect(tokenExpired(`x.${Buffer.from('{"exp":"9999999999"}').toString("base64url")}.y`, now)).toBe(true);
  });
});
