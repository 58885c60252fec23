import { redisAddress } from "../../../lib/settings";

describe("the Redis address handed to ioredis from CACHER", () => {
  it("spells out host and port, since ioredis ignores a url key in its options", () => {
    expect(redisAddress("redis://cache.internal:6380")).toEqual({
      host: "cache.internal",
      port: 6380,
      username: undefined,
      password: undefined,
      db: 0,
    });
  });

  it("defaults to Redis's port and database 0", () => {
    expect(redisAddress("redis://cache")).toMatchObject({ host: "cache", port: 6379, db: 0 });
    expect(redisAddress("redis://cache/")).toMatchObject({ port: 6379, db: 0 });
  });

  it("takes the database number from the path", () => {
    expect(redisAddress("redis://cache:6379/3").db).toBe(3);
  });

  it("honours a password alone (Redis's requirepass) and a user with a password (ACL)", () => {
    expect(redisAddress("redis://:s3cret@cache:6379")).toMatchObject({ username: undefined, password: "s3cret" });
    expect(redisAddress("redis://brigade:s3cret@cache:6379")).toMatchObject({
      username: "brigade",
      password: "s3cret",
    });
  });

  it("decodes percent-encoded credentials, so a password may hold @, : or /", () => {
    expect(redisAddress("redis://us%40er:p%40ss%3Aw%2Frd@cache:6379/1")).toEqual({
      host: "cache",
      port: 6379,
      username: "us@er",
      password: "p@ss:w/rd",
      db: 1,
    });
  });

  it("gives an IP address as a socket takes it: IPv6 without the URL's brackets", () => {
    expect(redisAddress("redis://127.0.0.1:6379")).toMatchObject({ host: "127.0.0.1", port: 6379 });
    expect(redisAddress("redis://[::1]:6380/2")).toMatchObject({ host: "::1", port: 6380, db: 2 });
    expect(redisAddress("redis://[fd00::5]")).toMatchObject({ host: "fd00::5", port: 6379 });
  });

  it("refuses what is not a URL rather than connecting to localhost", () => {
    expect(() => redisAddress("cache.internal")).toThrow();
  });
});
