/**
 * middlewares/request-context.middleware.ts: request IDs in the logs are on where the runtime
 * carries async context without promise hooks, or when asked for, and never leak between
 * concurrent requests when on.
 */
import { ServiceBroker, type Context, type Middleware } from "moleculer";
import {
  asyncContextFrame,
  currentRequestID,
  RequestContextMiddleware,
  requestIdsInLogs,
} from "../../../middlewares/request-context.middleware";

describe("when request IDs go into the logs", () => {
  it.each([
    ["20.20.2", [], false],
    ["22.23.5", [], false],
    ["22.23.5", ["--experimental-async-context-frame"], true],
    ["24.1.0", [], true],
    ["24.1.0", ["--no-async-context-frame"], false],
  ] as const)("Node %s with %j: async context frame %s", (version, flags, frame) => {
    expect(asyncContextFrame(version, [...flags])).toBe(frame);
  });

  it("follows LOG_REQUEST_IDS: auto where the frame is, on and off regardless", () => {
    expect(requestIdsInLogs("auto", true)).toBe(true);
    expect(requestIdsInLogs("auto", false)).toBe(false);
    expect(requestIdsInLogs("on", false)).toBe(true);
    expect(requestIdsInLogs("off", true)).toBe(false);
  });
});

describe.each([
  ["on", true],
  ["off", false],
] as const)("LOG_REQUEST_IDS=%s", (setting, carried) => {
  const seen: (string | undefined)[] = [];
  let broker: ServiceBroker;
  beforeAll(async () => {
    process.env.LOG_REQUEST_IDS = setting;
    broker = new ServiceBroker({ logger: false, middlewares: [RequestContextMiddleware as unknown as Middleware] });
    broker.createService({
      name: "slow",
      actions: {
        async work(ctx: Context<{ ms: number }>) {
          await new Promise((resolve) => setTimeout(resolve, ctx.params.ms));
          seen.push(currentRequestID());
          return currentRequestID();
        },
      },
    });
    await broker.start();
  });
  afterAll(async () => {
    delete process.env.LOG_REQUEST_IDS;
    await broker.stop();
  });

  it(carried ? "carries each request's ID across awaits, without mixing concurrent ones" : "carries none", async () => {
    const answers = await Promise.all([
      broker.call("slow.work", { ms: 20 }, { requestID: "first" }),
      broker.call("slow.work", { ms: 5 }, { requestID: "second" }),
    ]);
    expect(answers).toEqual(carried ? ["first", "second"] : [undefined, undefined]);
    expect(seen).toEqual(carried ? ["second", "first"] : [undefined, undefined]);
  });
});
