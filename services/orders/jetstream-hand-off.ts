/**
 * The hand-off to the kitchen in a cluster: every accepted order is published to the kitchen's
 * JetStream stream (lib/order-stream.ts), where it stays until a kitchen node has made its
 * tickets and acknowledged it — through a kitchen restart, a kitchen that is not running yet, or
 * a NATS restart (the stream is on disk).
 *
 * The message ID is the order's ID, so JetStream itself drops a second publish of one order
 * within its duplicate window (two finishers of one placement, a reconcile re-send while the
 * first copy still waits in the stream). After the window a re-send goes through, which is what
 * an order the kitchen gave up on needs; the kitchen is idempotent either way.
 *
 * When the publish fails (NATS away, the stream lost) `send` throws: the placement still answers
 * 201, the order stays `handedOff: false`, and the orders' reconcile loop publishes it again.
 * `order.placed` also still goes out as a broker event after a publish, as a notice for whoever
 * watches (the dashboard, metrics); the kitchen takes its work from the stream only.
 */
import { Events, JSONCodec, type JetStreamClient, type JetStreamManager, type NatsConnection } from "nats";
import type { OrderPlaced } from "../../lib/contracts";
import { locationOf } from "../../lib/locations";
import { connectNats, ensureOrderStreams, orderStreamNames, type OrderStreamNames } from "../../lib/order-stream";
import type { EventEmitter, KitchenHandOff } from "./hand-off-port";
import type { Logger } from "../../lib/logger";

/** A publish waits this long for JetStream's acknowledgement before the reconcile loop takes over. */
const PUBLISH_TIMEOUT_MS = 3_000;
/** While never connected, a send tries to connect again at most this often. */
const RECONNECT_EVERY_MS = 1_000;

export interface JetStreamHandOffOptions {
  transporter: string;
  namespace: string;
  nodeID: string;
  broker: EventEmitter;
  logger: Pick<Logger, "info" | "warn" | "debug">;
}

const codec = JSONCodec<OrderPlaced>();

export class JetStreamHandOff implements KitchenHandOff {
  private readonly names: OrderStreamNames;
  private connecting?: Promise<void>;
  private lastAttempt = 0;
  private nc?: NatsConnection;
  private jsm?: JetStreamManager;
  private js?: JetStreamClient;
  private connected = false;
  private streamsReady = false;
  private stopped = false;

  constructor(private readonly options: JetStreamHandOffOptions) {
    this.names = orderStreamNames(options.namespace);
  }

  async start(): Promise<void> {
    await this.connect();
    // The stream exists before the first order is published (or the publish would fail).
    if (this.nc)
      await this.prepare().catch((err) =>
        this.options.logger.warn(
          { err: (err as Error).message },
          "Cannot create the kitchen's stream yet; will try again with the first order.",
        ),
      );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.connecting;
    const nc = this.nc;
    this.nc = undefined;
    this.connected = false;
    // Drain: publishes still waiting for their acknowledgement get it before the connection closes.
    if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }

  async send(order: OrderPlaced): Promise<void> {
    const js = await this.ready();
    let ack: Awaited<ReturnType<typeof js.publish>>;
    try {
      ack = await js.publish(this.names.subjectOf(locationOf(order)), codec.encode(order), {
        msgID: order.order,
        expect: { streamName: this.names.stream },
        timeout: PUBLISH_TIMEOUT_MS,
      });
    } catch (err) {
      // 503: no stream captures the subject (a NATS server that came back without its store).
      if ((err as { code?: string }).code === "503") this.streamsReady = false;
      throw err;
    }
    if (ack.duplicate)
      this.options.logger.debug({ order: order.order }, "The kitchen's stream already holds this order.");
    try {
      await this.options.broker.emit("order.placed", order);
    } catch (err) {
      this.options.logger.debug(
        { order: order.order, err: (err as Error).message },
        "The order.placed notice did not go out; the kitchen has the order anyway.",
      );
    }
  }

  /** One connection attempt at a time; once connected, the client reconnects by itself for good. */
  private connect(): Promise<void> {
    if (this.nc || this.stopped) return Promise.resolve();
    this.lastAttempt = Date.now();
    this.connecting ??= connectNats(this.options.transporter, `brigade-orders-${this.options.nodeID}`)
      .then(
        (nc) => {
          if (this.stopped) return void nc.close();
          this.watch(nc);
        },
        (err) =>
          this.options.logger.warn(
            { err: (err as Error).message },
            "Cannot connect to NATS for the kitchen hand-off; placed orders wait in the store until it can.",
          ),
      )
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  private watch(nc: NatsConnection) {
    this.nc = nc;
    this.connected = true;
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === Events.Disconnect) {
          this.connected = false;
          this.options.logger.warn("Lost NATS: orders placed now reach the kitchen when it is back (reconcile loop).");
        } else if (status.type === Events.Reconnect) {
          this.connected = true;
          this.options.logger.info("NATS is back: orders go to the kitchen's stream again.");
        }
      }
    })();
  }

  private async prepare(): Promise<JetStreamClient> {
    const nc = this.nc!;
    this.jsm ??= await nc.jetstreamManager({ timeout: PUBLISH_TIMEOUT_MS });
    this.js ??= nc.jetstream({ timeout: PUBLISH_TIMEOUT_MS });
    if (!this.streamsReady) {
      await ensureOrderStreams(this.jsm, this.names);
      this.streamsReady = true;
    }
    return this.js;
  }

  /** The JetStream client, or an error at once when NATS is away: a placement never waits for it. */
  private async ready(): Promise<JetStreamClient> {
    if (!this.nc) {
      if (Date.now() - this.lastAttempt > RECONNECT_EVERY_MS) void this.connect();
      throw new Error("Not connected to NATS; the reconcile loop hands this order to the kitchen later.");
    }
    if (!this.connected)
      throw new Error("NATS is unreachable right now; the reconcile loop hands this order to the kitchen later.");
    return this.prepare();
  }
}
