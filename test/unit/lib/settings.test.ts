import { loadSettings, SettingsError } from "../../../lib/settings";

describe("settings from the environment", () => {
  it("runs embedded with nothing set", () => {
    const s = loadSettings({});
    expect(s).toMatchObject({
      port: 3000,
      transporter: undefined,
      cacher: "Memory",
      mongoUri: undefined,
      dataDir: "./data",
      seed: true,
      kitchenChefs: 4,
      kitchenTimeScale: 1,
    });
  });

  it("binds the gateway to loopback unless HOST opens it", () => {
    expect(loadSettings({}).host).toBe("127.0.0.1");
    expect(loadSettings({ HOST: "0.0.0.0" }).host).toBe("0.0.0.0");
    expect(loadSettings({ HOST: "::" }).host).toBe("::");
    expect(loadSettings({ HOST: "gateway.local" }).host).toBe("gateway.local");
    expect(() => loadSettings({ HOST: "http://0.0.0.0" })).toThrow(/HOST=/);
  });

  it("pins a kitchen to the locations KITCHEN_LOCATIONS lists, and to every one by default", () => {
    expect(loadSettings({}).kitchenLocations).toBeUndefined();
    expect(loadSettings({ KITCHEN_LOCATIONS: "all" }).kitchenLocations).toBeUndefined();
    expect(loadSettings({ KITCHEN_LOCATIONS: " main, east ,main" }).kitchenLocations).toEqual(["main", "east"]);
    for (const bad of ["Main", "main;east", ",", "e"])
      expect(() => loadSettings({ KITCHEN_LOCATIONS: bad })).toThrow(/KITCHEN_LOCATIONS=/);
  });

  it("keeps tests in memory unless DATA_DIR says otherwise", () => {
    expect(loadSettings({ NODE_ENV: "test" }).dataDir).toBe(":memory:");
    expect(loadSettings({ NODE_ENV: "test", DATA_DIR: "/tmp/x" }).dataDir).toBe("/tmp/x");
  });

  it("reads the cluster variables", () => {
    const s = loadSettings({
      TRANSPORTER: "nats://127.0.0.1:4222",
      CACHER: "redis://127.0.0.1:6379",
      MONGO_URI: "mongodb://m:27017/brigade",
      SERVICES: "kitchen",
    });
    expect(s.transporter).toBe("nats://127.0.0.1:4222");
    expect(s.cacher).toBe("redis://127.0.0.1:6379");
    expect(loadSettings({ CACHER: "redis://:secret@cache:6380/2" }).cacher).toBe("redis://:secret@cache:6380/2");
    expect(s.mongoUri).toBe("mongodb://m:27017/brigade");
  });

  it.each([
    ["PORT", "eighty"],
    ["PORT", "70000"],
    ["KITCHEN_CHEFS", "0"],
    ["KITCHEN_CHEFS", "2.5"],
    ["KITCHEN_TIME_SCALE", "-1"],
    ["BRIGADE_SEED", "maybe"],
    ["TRANSPORTER", "tcp://somewhere"],
    ["CACHER", "memcached://x"],
    ["CACHER", "redis://cache/abc"],
    ["MONGO_URI", "postgres://x"],
    ["LOG_LEVEL", "loud"],
    ["TRACING", "datadog"],
  ])("refuses %s=%s with a message naming the variable", (name, value) => {
    expect(() => loadSettings({ [name]: value })).toThrow(SettingsError);
    expect(() => loadSettings({ [name]: value })).toThrow(name);
  });

  it("parses booleans and lists", () => {
    expect(loadSettings({ BRIGADE_SEED: "false" }).seed).toBe(false);
    expect(loadSettings({ BRIGADE_SEED: "1" }).seed).toBe(true);
    expect(loadSettings({ CORS_ORIGINS: "https://a.example, https://b.example" }).corsOrigins).toEqual([
      "https://a.example",
      "https://b.example",
    ]);
    expect(loadSettings({ TRACING: "off" }).tracing).toBeUndefined();
  });

  it("logs JSON in production and text elsewhere", () => {
    expect(loadSettings({ NODE_ENV: "production" }).logFormat).toBe("json");
    expect(loadSettings({}).logFormat).toBe("text");
  });
});
