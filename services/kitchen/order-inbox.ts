/**
 * The kitchen's side of the durable hand-off in a cluster: a kitchen node pulls placed orders
 * from the durable JetStream consumer of each location it serves (lib/order-stream.ts; every
 * location of the group when KITCHEN_LOCATIONS is unset), and from the consumer of the subject
 * a version from before locations published on. Kitchens serving a location share its consumer,
 * so each order goes to one node at a time, and is acknowledged only once its tickets are stored.
 * A location no running kitchen serves keeps its orders in the stream until one does.
 *
 *   - handled      → ack: the message leaves the stream (work-queue retention);
 *   - failed       → nak with a growing delay, and JetStream delivers it again (to any node);
 *   - no answer    → a node that died or hung holding it: redelivered after ACK_WAIT_MS;
 *   - failed MAX_DELIVER times, or not an order at all → copied to the dead-letter stream and
 *     terminated, with an error in the log. The orders service still has the order as not handed
 *     off, so its reconcile loop publishes it again once JetStream's duplicate window has passed.
 *
 * Delivery is at least once; what makes it safe is that taking an order twice creates nothing
 * new (tickets are keyed `<order>-<line>`, inserted once).
 */
import {
  AckPolicy,
  DeliverPolicy,
  headers,
  nanos,
  type Consumer,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
} from "nats";
import type { OrderPlaced } from "../../lib/contracts";
import { connectNats, ensureOrderStreams, orderStreamNames, type OrderStreamNames } from "../../lib/order-stream";
import type { Logger } from "../../lib/logger";

/** `accept` must answer within this, or the delivery counts as failed. */
export const HANDLER_DEADLINE_MS = 10_000;
/** Longer than any handler may take (HANDLER_DEADLINE_MS), so a slow handler is never raced by a redelivery. */
export const ACK_WAIT_MS = 15_000;
export const MAX_DELIVER = 10;
/** Messages the whole kitchen may hold unacknowledged at once (JetStream counts it per consumer, not per node). */
const MAX_ACK_PENDING = 1_000;
/** A pull waits this long for messages before asking again. */
const FETCH_EXPIRES_MS = 5_000;

/** The wait before delivery `delivery + 1` of a message that failed: 1 s, 2 s, 4 s … at most 30 s. */
export function retryDelayMs(delivery: number): number {
  return Math.min(30_000, 1_000 * 2 ** Math.max(0, delivery - 1));
}

/** Enough of an `order.placed` payload to make tickets from; anything else is dead-lettered. */
export function isOrderPlaced(value: unknown): value is OrderPlaced {
  const v = value as Partial<OrderPlaced> | null;
  return (
    !!v &&
    typeof v.order === "string" &&
    typeof v.table === "string" &&
    typeof v.placedAt === "string" &&
    Array.isArray(v.lines) &&
    v.lines.length > 0 &&
    v.lines.every(
      (l) => !!l && typeof l.index === "number" && typeof l.dish === "string" && Array.isArray(l.ingredients),
    )
  );
}

export interface OrderInboxOptions {
  transporter: string;
  namespace: string;
  nodeID: string;
  /**
   * The locations whose orders this node takes, read again every `locationsRefreshMs` (the
   * group's locations for a kitchen serving them all: a new location is picked up then).
   */
  locations(): Promise<readonly string[]>;
  locationsRefreshMs?: number;
  /** Makes the order's tickets; idempotent. */
  accept(order: OrderPlaced): Promise<unknown>;
  logger: Logger;
  /** Messages this node handles at once. */
  concurrency?: number;
  /** Tests shorten these. */
  maxDeliver?: number;
  retryDelayMs?(delivery: number): number;
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Taking the order did not finish within ${ms} ms.`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** One durable consumer this node pulls from, and its own pull loop. */
interface Pull {
  consumer: string;
  filter: string;
  /** The location's, or undefined for the subject from before locations. */
  location?: string;
  ready?: Consumer;
  batch?: ConsumerMessages;
  loop?: Promise<void>;
}

export class OrderInbox {
  private readonly names: OrderStreamNames;
  private readonly concurrency: number;
  private readonly maxDeliver: number;
  private nc?: NatsConnection;
  private connecting?: Promise<NatsConnection>;
  private js?: JetStreamClient;
  private streamsReady = false;
  private readonly pulls = new Map<string, Pull>();
  private refresh?: NodeJS.Timeout;
  private stopping = false;
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly options: OrderInboxOptions) {
    this.names = orderStreamNames(options.namespace);
    this.concurrency = options.concurrency ?? 8;
    this.maxDeliver = options.maxDeliver ?? MAX_DELIVER;
  }

  /** Starts pulling in the background; it keeps trying through NATS outages until `stop`. */
  start(): void {
    if (this.pulls.size || this.stopping) return;
    this.add({ consumer: this.names.consumer, filter: this.names.subject });
    void this.followLocations();
    this.refresh = setInterval(() => void this.followLocations(), this.options.locationsRefreshMs ?? 30_000);
    this.refresh.unref();
  }

  /** The locations pulled now, for logs and tests. */
  get locations(): string[] {
    return [...this.pulls.values()].flatMap((pull) => (pull.location ? [pull.location] : [])).sort();
  }

  /** Takes no new message, hands back those fetched but not started (nak: redelivered at once), lets the started ones finish. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.refresh);
    for (const pull of this.pulls.values()) pull.batch?.stop();
    for (const wake of this.sleepers) wake();
    await Promise.all([...this.pulls.values()].map((pull) => pull.loop));
    const nc = this.nc ?? (await this.connecting?.catch(() => undefined));
    this.nc = undefined;
    if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }

  /** Pulls a location's orders from now on, if not already (a location just created, say). */
  serve(location: string): void {
    const consumer = this.names.consumerOf(location);
    if (!this.pulls.has(consumer) && !this.stopping && this.pulls.size)
      this.add({ consumer, filter: this.names.subjectOf(location), location });
  }

  /** A pull for each location served that has none yet (a location is never dropped while running). */
  private async followLocations(): Promise<void> {
    let locations: readonly string[];
    try {
      locations = await this.options.locations();
    } catch (err) {
      this.options.logger.warn(
        { err: (err as Error).message },
        "Cannot read which locations this kitchen serves; keeps pulling the ones it has and asks again.",
      );
      return;
    }
    for (const location of locations) this.serve(location);
  }

  private add(pull: Pull): void {
    this.pulls.set(pull.consumer, pull);
    pull.loop = this.run(pull);
  }

  private async run(pull: Pull): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        const consumer = await this.ready(pull);
        const batch = await consumer.fetch({ max_messages: this.concurrency, expires: FETCH_EXPIRES_MS });
        pull.batch = batch;
        if (this.stopping) batch.stop();
        const handling: Promise<void>[] = [];
        for await (const msg of batch) {
          if (this.stopping) msg.nak();
          else handling.push(this.handle(msg));
        }
        await Promise.all(handling);
        failures = 0;
      } catch (err) {
        if (this.stopping) break;
        failures++;
        // The consumer or stream may be gone (a NATS server that lost its store): make them again.
        pull.ready = undefined;
        this.streamsReady = false;
        if (failures === 1 || failures % 30 === 0) {
          this.options.logger.warn(
            { err: (err as Error).message, attempts: failures, consumer: pull.consumer },
            "The kitchen cannot pull orders from NATS; retrying. Placed orders wait in the stream.",
          );
        }
        await this.sleep(Math.min(5_000, 250 * failures));
      }
    }
  }

  private async ready(pull: Pull): Promise<Consumer> {
    if (pull.ready) return pull.ready;
    // One connection for every pull: they start together, so the attempt itself is shared.
    this.connecting ??= connectNats(this.options.transporter, `brigade-kitchen-${this.options.nodeID}`).catch(
      (err: unknown) => {
        this.connecting = undefined;
        throw err;
      },
    );
    this.nc ??= await this.connecting;
    if (this.stopping) throw new Error("The kitchen's inbox is stopping.");
    const jsm = await this.nc.jetstreamManager();
    this.js = this.nc.jetstream();
    if (!this.streamsReady) {
      await ensureOrderStreams(jsm, this.names);
      this.streamsReady = true;
    }
    await this.ensureConsumer(jsm, pull);
    pull.ready = await this.js.consumers.get(this.names.stream, pull.consumer);
    this.options.logger.info(
      { stream: this.names.stream, consumer: pull.consumer, subject: pull.filter, location: pull.location },
      "Taking placed orders from the kitchen's stream.",
    );
    return pull.ready;
  }

  private async ensureConsumer(jsm: JetStreamManager, pull: Pull) {
    const config = {
      ack_wait: nanos(ACK_WAIT_MS),
      max_deliver: this.maxDeliver,
      max_ack_pending: MAX_ACK_PENDING,
    };
    try {
      // Identical configs from several kitchen nodes at once are all accepted.
      await jsm.consumers.add(this.names.stream, {
        durable_name: pull.consumer,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: pull.filter,
        ...config,
      });
    } catch {
      // It exists with other settings (an older version): bring the ones we rely on up to date.
      await jsm.consumers.update(this.names.stream, pull.consumer, config);
    }
  }

  private async handle(msg: JsMsg): Promise<void> {
    const delivery = msg.info.deliveryCount;
    let order: unknown;
    try {
      order = JSON.parse(msg.string());
    } catch {
      return this.deadLetter(msg, "The message is not JSON.");
    }
    if (!isOrderPlaced(order)) return this.deadLetter(msg, "The message is not an order.placed payload.");
    try {
      await withDeadline(this.options.accept(order), HANDLER_DEADLINE_MS);
      msg.ack();
    } catch (err) {
      const reason = (err as Error).message;
      if (delivery >= this.maxDeliver) return this.deadLetter(msg, reason, order.order);
      const delay = (this.options.retryDelayMs ?? retryDelayMs)(delivery);
      this.options.logger.warn(
        { order: order.order, delivery, retryInMs: delay, err: reason },
        "Could not take an order into the kitchen; it will be delivered again.",
      );
      msg.nak(delay);
    }
  }

  private async deadLetter(msg: JsMsg, reason: string, order?: string): Promise<void> {
    const h = headers();
    h.set("Brigade-Reason", reason.slice(0, 500));
    h.set("Brigade-Deliveries", String(msg.info.deliveryCount));
    h.set("Brigade-Stream-Seq", String(msg.seq));
    try {
      await this.js!.publish(this.names.deadSubject, msg.data, {
        headers: h,
        msgID: `${this.names.stream}-${msg.seq}`,
      });
      this.options.logger.error(
        { order, deliveries: msg.info.deliveryCount, reason, deadLetters: this.names.deadStream },
        "Gave up on a placed order: moved to the dead-letter stream. A person should look at it.",
      );
    } catch (err) {
      // The log line is the dead letter then; the orders service re-sends the order later anyway.
      this.options.logger.error(
        { order, reason, payload: msg.string(), err: (err as Error).message },
        "Gave up on a placed order and could not store it as a dead letter.",
      );
    }
    msg.term();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}
