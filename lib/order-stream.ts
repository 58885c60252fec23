/**
 * The kitchen's durable inbox in a cluster: a NATS JetStream stream of placed orders, shared by
 * the orders service (which publishes) and the kitchen (which consumes). Both sides create it
 * before they use it — JetStream answers a publish to a subject no stream captures with 503
 * (or, for a plain publish, drops it without a word) — and creating it is idempotent, so any
 * number of nodes may race to do so.
 *
 * One stream and one dead-letter stream per NAMESPACE, so clusters sharing a NATS server never
 * see each other's orders, and in the order stream one subject and one durable consumer per
 * location, so a kitchen pulls only the orders of the locations it serves (KITCHEN_LOCATIONS):
 *
 *   BRIGADE_<ns>_ORDERS   subjects brigade.<ns>.order.placed.<location>   work queue: a message is
 *                         (consumer kitchen-<location>)                    gone once a kitchen acks it
 *                         and brigade.<ns>.order.placed (consumer kitchen): what a version from
 *                         before locations published, drained by every kitchen
 *   BRIGADE_<ns>_DEAD     subject brigade.<ns>.dead.order.placed           orders the kitchen gave up
 *                                                                          on, kept 14 days for a person
 *
 * A location's orders wait in the stream while no kitchen for it runs, and are cooked when one
 * comes back.
 */
import {
  connect,
  DiscardPolicy,
  nanos,
  RetentionPolicy,
  StorageType,
  type ConnectionOptions,
  type JetStreamManager,
  type NatsConnection,
  type StreamConfig,
} from "nats";

export interface OrderStreamNames {
  stream: string;
  /** The subject of a version from before locations (one for every location); still drained. */
  subject: string;
  /** Every location's subject, as the stream captures them. */
  locationSubjects: string;
  deadStream: string;
  deadSubject: string;
  /** The durable consumer of `subject`, pulled by every kitchen node. */
  consumer: string;
  /** The subject a location's orders are published on. */
  subjectOf(location: string): string;
  /** The durable consumer of one location's subject, pulled by the kitchens serving it. */
  consumerOf(location: string): string;
}

/** Within this window a second publish of the same order is dropped by JetStream itself. */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;
const WEEK_MS = 7 * 24 * 3600_000;

/** Subject tokens and stream names allow neither dots, wildcards nor spaces. */
function token(namespace: string): string {
  const cleaned = namespace.replace(/[^A-Za-z0-9_-]/g, "_");
  return cleaned || "default";
}

export function orderStreamNames(namespace: string): OrderStreamNames {
  const ns = token(namespace);
  return {
    stream: `BRIGADE_${ns}_ORDERS`,
    subject: `brigade.${ns}.order.placed`,
    locationSubjects: `brigade.${ns}.order.placed.*`,
    deadStream: `BRIGADE_${ns}_DEAD`,
    deadSubject: `brigade.${ns}.dead.order.placed`,
    consumer: "kitchen",
    subjectOf: (location) => `brigade.${ns}.order.placed.${token(location)}`,
    consumerOf: (location) => `kitchen-${token(location)}`,
  };
}

/** Options for a NATS connection to the server(s) of a TRANSPORTER URL (`nats://user:pass@a:4222,nats://b:4222`). */
export function natsOptions(transporter: string, name: string): ConnectionOptions {
  const urls = transporter.split(",").map((u) => new URL(u.trim()));
  const options: ConnectionOptions = {
    servers: urls.map((u) => u.host),
    name,
    // Once connected, never give up on the server (like the broker's own connection). A first
    // connection fails fast instead: callers retry on their own schedule and can stop meanwhile.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
    timeout: 3000,
  };
  const withUser = urls.find((u) => u.username);
  if (withUser) {
    options.user = decodeURIComponent(withUser.username);
    options.pass = decodeURIComponent(withUser.password);
  }
  return options;
}

export function connectNats(transporter: string, name: string): Promise<NatsConnection> {
  return connect(natsOptions(transporter, name));
}

function isNotFound(err: unknown): boolean {
  const e = err as { code?: string; api_error?: { err_code?: number } };
  return e?.api_error?.err_code === 10059 || e?.code === "404";
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    const { config: existing } = await jsm.streams.info(config.name);
    // A stream made by an earlier version lacks the location subjects: add them, keeping its own.
    const subjects = existing.subjects ?? [];
    const missing = (config.subjects ?? []).filter((subject) => !subjects.includes(subject));
    if (subjects.length && missing.length)
      await jsm.streams.update(config.name, { subjects: [...subjects, ...missing] });
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  // Two nodes adding the same stream at once both succeed: JetStream accepts an identical config.
  await jsm.streams.add(config);
}

/** Creates the order stream and its dead-letter stream when they do not exist yet. */
export async function ensureOrderStreams(jsm: JetStreamManager, names: OrderStreamNames): Promise<void> {
  await ensureStream(jsm, {
    name: names.stream,
    subjects: [names.subject, names.locationSubjects],
    retention: RetentionPolicy.Workqueue,
    // On disk: a restarted NATS server still has every order the kitchen has not acknowledged.
    storage: StorageType.File,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    // An order nobody took for a week is stale; the orders service re-sends what it still expects.
    max_age: nanos(WEEK_MS),
    discard: DiscardPolicy.Old,
    num_replicas: 1,
  });
  await ensureStream(jsm, {
    name: names.deadStream,
    subjects: [names.deadSubject],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(2 * WEEK_MS),
    num_replicas: 1,
  });
}

/** Test and operator clean-up: removes a namespace's streams (and their consumers). */
export async function deleteOrderStreams(jsm: JetStreamManager, names: OrderStreamNames): Promise<void> {
  for (const stream of [names.stream, names.deadStream]) {
    await jsm.streams.delete(stream).catch((err) => {
      if (!isNotFound(err)) throw err;
    });
  }
}
