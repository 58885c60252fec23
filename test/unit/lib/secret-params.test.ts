import { Cachers } from "moleculer";
import { actionSpanTags, secretFreeKeygen, sha256 } from "../../../lib/secret-params";

describe("secret params in cache keys", () => {
  const cacher = new Cachers.Memory({ keygen: secretFreeKeygen as never });
  const key = (params: object, keys?: string[]) =>
    cacher.getCacheKey({ name: "staff.resolveToken" } as never, { keys } as never, { params, meta: {} } as never);

  it("hold the SHA-256 of a token, never the token", () => {
    const token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl";
    for (const k of [key({ token }, ["token"]), key({ token })]) {
      expect(k).toContain(sha256(token));
      expect(k).not.toContain("eyJ");
    }
    expect(key({ password: "hunter2-hunter2", username: "ann" })).not.toContain("hunter2");
  });

  it("are Moleculer's own when no param is secret, and tell different secrets apart", () => {
    expect(key({ id: "fries" }, ["id"])).toBe(`staff.resolveToken:"fries"`);
    expect(key({ token: "a.b.c" }, ["token"])).not.toBe(key({ token: "a.b.d" }, ["token"]));
  });
});

describe("secret params in traces", () => {
  it("tag a span with the params, each secret replaced by a mark", () => {
    expect(actionSpanTags({ params: { username: "ann", password: "hunter2-hunter2" } })).toEqual({
      params: { username: "ann", password: "[secret]" },
    });
    expect(actionSpanTags({ params: { token: "eyJ.x.y" } })).toEqual({ params: { token: "[secret]" } });
  });
});
