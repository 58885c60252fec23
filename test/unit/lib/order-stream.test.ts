import { nanos, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from "nats";
import {
  deleteOrderStreams,
  DUPLICATE_WINDOW_MS,
  ensureOrderStreams,
  natsOptions,
  orderStreamNames,
} from "../../../lib/order-stream";

/** What the nats client throws for a stream JetStream does not have. */
const streamNotFound = () =>
  Object.assign(new Error("stream not found"), {
    code: "404",
    api_error: { code: 404, err_code: 10059, description: "stream not found" },
  });
const timeout = () => Object.assign(new Error("TIMEOUT"), { code: "TIMEOUT" });

/** A JetStream manager holding streams in a map, enough for the stream calls lib/order-stream makes. */
function fakeJetStream(
  existing: (string | Partial<StreamConfig>)[] = [],
  fail?: { info?: () => Error; delete?: () => Error },
) {
  const streams = new Map<string, Partial<StreamConfig>>(
    existing.map((stream) => (typeof stream === "string" ? [stream, { name: stream }] : [stream.name!, stream])),
  );
  const added: Partial<StreamConfig>[] = [];
  const updated: Partial<StreamConfig>[] = [];
  const deleted: string[] = [];
  const jsm = {
    streams: {
      async info(name: string) {
        if (fail?.info) throw fail.info();
        const config = streams.get(name);
        if (!config) throw streamNotFound();
        return { config };
      },
      async add(config: Partial<StreamConfig> & { name: string }) {
        streams.set(config.name, config);
        added.push(config);
        return { config };
      },
      async update(name: string, config: Partial<StreamConfig>) {
        const merged = { ...streams.get(name), ...config };
        streams.set(name, merged);
        updated.push({ name, ...config });
        return { config: merged };
      },
      async delete(name: string) {
        if (fail?.delete) throw fail.delete();
        if (!streams.delete(name)) throw streamNotFound();
        deleted.push(name);
        return true;
      },
    },
  };
  return { jsm: jsm as unknown as JetStreamManager, streams, added, updated, deleted };
}

describe("the order stream's names", () => {
  it("gives each namespace its own stream, dead-letter stream and subjects", () => {
    expect(orderStreamNames("dinner")).toMatchObject({
      stream: "BRIGADE_dinner_ORDERS",
      subject: "brigade.dinner.order.placed",
      locationSubjects: "brigade.dinner.order.placed.*",
      deadStream: "BRIGADE_dinner_DEAD",
      deadSubject: "brigade.dinner.dead.order.placed",
      consumer: "kitchen",
    });
    expect(orderStreamNames("lunch").stream).not.toBe(orderStreamNames("dinner").stream);
  });

  it("gives each location its own subject and durable consumer, inside the namespace's", () => {
    const names = orderStreamNames("dinner");
    expect(names.subjectOf("harbour")).toBe("brigade.dinner.order.placed.harbour");
    expect(names.consumerOf("harbour")).toBe("kitchen-harbour");
    expect(names.subjectOf("main")).not.toBe(names.subjectOf("harbour"));
    // One token: a location can neither split the subject nor match another's.
    expect(names.subjectOf("a.b>*").split(".")).toHaveLength(5);
    expect(names.consumerOf("a.b")).toBe("kitchen-a_b");
  });

  it("keeps dashes, as the bench's and the tests' namespaces have them", () => {
    expect(orderStreamNames("bench-1a2b").stream).toBe("BRIGADE_bench-1a2b_ORDERS");
  });

  it("turns dots, wildcards and spaces into underscores: they would split or widen a subject", () => {
    const names = orderStreamNames("a.b *>c");
    expect(names.stream).toBe("BRIGADE_a_b___c_ORDERS");
    expect(names.subject).toBe("brigade.a_b___c.order.placed");
    expect(names.deadSubject.split(".")).toHaveLength(5);
  });

  it("names the stream of the namespace-less cluster 'default'", () => {
    expect(orderStreamNames("")).toMatchObject({
      stream: "BRIGADE_default_ORDERS",
      subject: "brigade.default.order.placed",
    });
  });
});

describe("the NATS connection options from TRANSPORTER", () => {
  it("lists every server of a comma-separated TRANSPORTER", () => {
    expect(natsOptions("nats://a:4222, nats://b:4223", "brigade-kitchen-n1")).toMatchObject({
      servers: ["a:4222", "b:4223"],
      name: "brigade-kitchen-n1",
    });
  });

  it("sends no credentials when the URL has none", () => {
    const options = natsOptions("nats://127.0.0.1:4222", "n");
    expect(options.user).toBeUndefined();
    expect(options.pass).toBeUndefined();
  });

  it("takes the user and password from the URL, decoded", () => {
    expect(natsOptions("nats://brig%40de:p%3Ass@nats:4222", "n")).toMatchObject({
      servers: ["nats:4222"],
      user: "brig@de",
      pass: "p:ss",
    });
  });

  it("reconnects for good once connected, but fails a first connection within seconds", () => {
    const options = natsOptions("nats://nats:4222", "n");
    expect(options.maxReconnectAttempts).toBe(-1);
    expect(options.timeout).toBeLessThanOrEqual(5000);
  });
});

describe("creating the order streams", () => {
  const names = orderStreamNames("dinner");

  it("creates a work queue on disk and a dead-letter stream when neither exists", async () => {
    const js = fakeJetStream();
    await ensureOrderStreams(js.jsm, names);
    const [orders, dead] = js.added;
    expect(orders).toMatchObject({
      name: names.stream,
      subjects: [names.subject, names.locationSubjects],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
    });
    expect(orders.duplicate_window).toBe(nanos(DUPLICATE_WINDOW_MS));
    expect(dead).toMatchObject({
      name: names.deadStream,
      subjects: [names.deadSubject],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
    });
    expect(dead.max_age).toBeGreaterThan(orders.max_age!);
  });

  it("leaves streams that exist alone, so nodes racing at start-up change nothing", async () => {
    const js = fakeJetStream([names.stream, names.deadStream]);
    await ensureOrderStreams(js.jsm, names);
    expect(js.added).toEqual([]);
  });

  it("adds the location subjects to a stream an earlier version made, keeping its own", async () => {
    const js = fakeJetStream([{ name: names.stream, subjects: [names.subject] }, names.deadStream]);
    await ensureOrderStreams(js.jsm, names);
    expect(js.added).toEqual([]);
    expect(js.updated).toEqual([{ name: names.stream, subjects: [names.subject, names.locationSubjects] }]);
    await ensureOrderStreams(js.jsm, names);
    expect(js.updated).toHaveLength(1);
  });

  it("creates only the one that is missing", async () => {
    const js = fakeJetStream([names.stream]);
    await ensureOrderStreams(js.jsm, names);
    expect(js.added.map((c) => c.name)).toEqual([names.deadStream]);
  });

  it("fails, creating nothing, when JetStream does not answer (it cannot tell the stream is missing)", async () => {
    const js = fakeJetStream([], { info: timeout });
    await expect(ensureOrderStreams(js.jsm, names)).rejects.toThrow("TIMEOUT");
    expect(js.added).toEqual([]);
  });
});

describe("deleting the order streams", () => {
  const names = orderStreamNames("bench-1a2b");

  it("deletes the namespace's stream and dead-letter stream, and no other namespace's", async () => {
    const other = orderStreamNames("dinner");
    const js = fakeJetStream([names.stream, names.deadStream, other.stream, other.deadStream]);
    await deleteOrderStreams(js.jsm, names);
    expect(js.deleted).toEqual([names.stream, names.deadStream]);
    expect([...js.streams.keys()]).toEqual([other.stream, other.deadStream]);
  });

  it("is done when the streams are already gone (the kitchen never started, a second clean-up)", async () => {
    const js = fakeJetStream([names.deadStream]);
    await expect(deleteOrderStreams(js.jsm, names)).resolves.toBeUndefined();
    expect(js.deleted).toEqual([names.deadStream]);
  });

  it("reports any other failure", async () => {
    const js = fakeJetStream([names.stream, names.deadStream], { delete: timeout });
    await expect(deleteOrderStreams(js.jsm, names)).rejects.toThrow("TIMEOUT");
  });
});
