/**
 * This node's chefs. They take the oldest queued ticket, consume its ingredients, cook it for
 * its prep time and call it done; at most `chefs` at once. Everything that must not happen twice
 * is a conditional update on the ticket (queued→cooking by one node, cooking→done once), and
 * the one call that changes stock (`inventory.consume`) is idempotent per ticket, so a ticket
 * resumed after a crash is never cooked — or charged — twice.
 *
 * What lives only in memory is the finish timer of each ticket this process cooks. Lose the
 * process and the ticket stays `cooking` under a node that is gone; a live kitchen adopts it
 * and finishes it at the same moment (its `startedAt` plus prep time).
 */
import type {
  ConsumeParams,
  EventName,
  EventPayloads,
  KitchenNodeStatus,
  KitchenProgress,
  OrderPlaced,
} from "../../lib/contracts";
import { InvalidTransition, NotFound } from "../../lib/errors";
import type { Store } from "../../lib/store";
import { adoptionOrder, freeChefs, isOrphan, remainingMs } from "./scheduling";
import {
  isOrderDone,
  ofOrder,
  progressOf,
  QUEUE_ORDER,
  ticketIngredients,
  ticketsFor,
  UNFINISHED,
  type TicketDoc,
} from "./ticket";
import type { Logger } from "../../lib/logger";
import { reservationOf } from "../../lib/reservation-id";
import { locationOf, MAIN_LOCATION } from "../../lib/locations";

export interface SchedulerPorts {
  store: Store<TicketDoc>;
  /** Uses a ticket's ingredients, in the stock of the ticket's location. */
  consume(params: ConsumeParams, location: string): Promise<unknown>;
  emit<E extends EventName>(event: E, payload: EventPayloads[E]): Promise<unknown>;
  /** After a write; `location` when it was one location's (the live hint goes to its streams). */
  changed(location?: string): Promise<void>;
  nodeID: string;
  /** Whether a node that holds a cooking ticket is still in the cluster. */
  isAlive(node: string): boolean;
  /** Whether the inventory can be reached: without it nothing can start (its ingredients must be consumed). */
  canConsume(): boolean;
  logger: Logger;
  now(): Date;
  chefs: number;
  timeScale: number;
  /** KITCHEN_LOCATIONS: the locations whose tickets this node cooks; undefined = every location. */
  locations?: readonly string[];
}

/**
 * Inventory refused the consumption for good: the reservation was released (the order was
 * cancelled between the claim and the start), or cannot cover the ticket. Anything else — the
 * inventory not running (ServiceNotFoundError is a 404 too), a timeout — is worth retrying.
 */
function refused(err: unknown): boolean {
  const e = err as { type?: string; data?: { what?: string } } | undefined;
  return (
    e?.type === "RESERVATION_RELEASED" ||
    e?.type === "EXCEEDS_RESERVATION" ||
    (e?.type === "NOT_FOUND" && e.data?.what === "reservation")
  );
}

export class Scheduler {
  /** Tickets this process cooks, with the timer that finishes each. */
  private readonly cooking = new Map<string, NodeJS.Timeout>();
  /** Tickets a bump on this node is finishing right now: held here, not orphans. */
  private readonly bumping = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private ticking: Promise<void> | null = null;
  private tickAgain = false;
  private draining = false;
  private stopped = false;

  constructor(private readonly ports: SchedulerPorts) {}

  /** How busy this node's chefs are, for operators. */
  status(): KitchenNodeStatus {
    return {
      node: this.ports.nodeID,
      chefs: this.ports.chefs,
      cooking: this.cooking.size,
      draining: this.draining,
      locations: this.ports.locations ? [...this.ports.locations] : "all",
    };
  }

  /** Draining: finish what is cooking, start nothing new (before a node is taken down). */
  drain(on: boolean) {
    this.draining = on;
    if (!on) this.wake();
  }

  /** Look for work soon, without making the caller wait for it. */
  wake() {
    if (!this.stopped) void this.track(this.poll());
  }

  async stop() {
    this.stopped = true;
    for (const timer of this.cooking.values()) clearTimeout(timer);
    this.cooking.clear();
    // Let a claim or a finish in progress reach the store before the store closes.
    await Promise.allSettled([...this.inFlight]);
    await this.handBack();
  }

  /**
   * A stopping node gives its cooking tickets back: without a node they are orphans at once, so a
   * live kitchen adopts them on its next poll and finishes them on their original schedule,
   * instead of waiting for the cluster to notice this node is gone.
   */
  private async handBack() {
    try {
      const count = await this.ports.store.update(
        { status: "cooking", node: this.ports.nodeID },
        { $set: { node: null } },
      );
      if (count === 0) return;
      this.ports.logger.info(
        { tickets: count },
        "Handed cooking tickets back on the way out: another kitchen finishes them on their schedule.",
      );
      await this.ports.changed();
    } catch (err) {
      // They stay under this node's name: adopted once the cluster sees the node gone.
      this.ports.logger.warn(
        { err: (err as Error).message },
        "Could not hand cooking tickets back; they are adopted once this node is seen gone.",
      );
    }
  }

  /** `order.placed`: one ticket per line. Redelivered, it creates nothing new. */
  async accept(placed: OrderPlaced): Promise<number> {
    const created = await this.ports.store.insertAllOnce(ticketsFor(placed));
    if (created) {
      await this.ports.changed(locationOf(placed));
      this.ports.logger.info({ order: placed.order, tickets: created }, "Tickets queued.");
    }
    await this.ports.emit("order.accepted", {
      location: placed.location ?? MAIN_LOCATION,
      order: placed.order,
      tickets: placed.lines.length,
    });
    // With every chef busy the new tickets wait for one to finish (which looks for work) or for
    // the next poll: looking now would find no free hands.
    if (freeChefs(this.ports.chefs, this.cooking.size, this.draining) > 0) this.wake();
    return created;
  }

  /** `order.cancelled`: whatever is not done yet is void. What was consumed stays consumed. */
  async voidOrder(order: string): Promise<number> {
    const voided = await this.ports.store.update(
      { ...ofOrder(order), status: { $in: UNFINISHED } },
      { $set: { status: "void", voidedAt: this.ports.now().toISOString() } },
    );
    for (const [id, timer] of this.cooking) {
      if (id.startsWith(`${order}-`)) {
        clearTimeout(timer);
        this.cooking.delete(id);
      }
    }
    if (voided) {
      await this.ports.changed();
      this.ports.logger.info({ order, tickets: voided }, "Tickets voided: the order was cancelled.");
    }
    this.wake();
    return voided;
  }

  async progress(orders: string[]): Promise<KitchenProgress[]> {
    // One lookup by id range per order, all sent at once: MongoDB answers them side by side.
    return Promise.all(orders.map(async (order) => progressOf(order, await this.ports.store.find(ofOrder(order)))));
  }

  /** A chef calls a ticket done now. A queued one is started first, so its ingredients are consumed. */
  async bump(id: string): Promise<TicketDoc> {
    this.bumping.add(id);
    try {
      return await this.finishNow(id);
    } finally {
      this.bumping.delete(id);
    }
  }

  private async finishNow(id: string): Promise<TicketDoc> {
    let doc = await this.ports.store.get(id);
    if (!doc) throw NotFound("ticket", id);
    if (doc.status === "queued") {
      const claimed = await this.claim(doc);
      if (claimed) {
        await this.startCooking(claimed, { timer: false, fresh: true });
      }
      doc = (await this.ports.store.get(id))!;
    }
    if (doc.status !== "cooking") throw InvalidTransition("ticket", id, doc.status, "bump");
    // Idempotent; makes sure a ticket adopted mid-start has its ingredients consumed before it is done.
    await this.ports.consume(
      { reservation: reservationOf(doc.order), key: doc._id, lines: ticketIngredients(doc) },
      locationOf(doc),
    );
    const done = await this.complete(doc._id, { status: "cooking" });
    if (!done) {
      const now = (await this.ports.store.get(id))!;
      if (now.status === "done") return now; // finished by its timer the same instant
      throw InvalidTransition("ticket", id, now.status, "bump");
    }
    const timer = this.cooking.get(id);
    if (timer) {
      clearTimeout(timer);
      this.cooking.delete(id);
      this.wake(); // a chef is free
    }
    this.ports.logger.info({ ticket: id, order: done.order }, "Ticket bumped.");
    return done;
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise)).catch(() => undefined);
    return promise;
  }

  /** Looks for work: one pass at a time; a wake during a pass makes one more pass after it. */
  poll(): Promise<void> {
    if (this.ticking) {
      this.tickAgain = true;
      return this.ticking;
    }
    this.ticking = (async () => {
      do {
        this.tickAgain = false;
        try {
          await this.pass();
        } catch (err) {
          this.ports.logger.warn(
            { err: (err as Error).message },
            "The kitchen could not look for work this time; it tries again on the next poll.",
          );
          break;
        }
      } while (this.tickAgain && !this.stopped);
    })().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private async pass() {
    await this.dropLost();
    if (!this.ports.canConsume()) return;
    if (freeChefs(this.ports.chefs, this.cooking.size, this.draining) === 0) return;
    await this.adoptOrphans();
    for (let round = 0; round < 10 && !this.stopped; round++) {
      const free = freeChefs(this.ports.chefs, this.cooking.size, this.draining);
      if (free === 0) return;
      const queued = await this.ports.store.find(
        { status: "queued", ...this.servedOnly() },
        { sort: QUEUE_ORDER, limit: free + 4 },
      );
      if (queued.length === 0) return;
      for (const ticket of queued) {
        if (this.stopped || freeChefs(this.ports.chefs, this.cooking.size, this.draining) === 0) return;
        const claimed = await this.claim(ticket);
        if (claimed) await this.startCooking(claimed, { timer: true, fresh: true });
      }
    }
  }

  /** Tickets this process thought it was cooking but that were bumped, voided or adopted elsewhere. */
  private async dropLost() {
    if (this.cooking.size === 0) return;
    const ids = [...this.cooking.keys()];
    const mine = new Set(
      (await this.ports.store.find({ _id: { $in: ids }, status: "cooking", node: this.ports.nodeID })).map(
        (t) => t._id,
      ),
    );
    for (const id of ids) {
      if (mine.has(id)) continue;
      clearTimeout(this.cooking.get(id));
      this.cooking.delete(id);
    }
  }

  private async adoptOrphans() {
    const cooking = await this.ports.store.find(
      { status: "cooking", ...this.servedOnly() },
      { sort: ["startedAt"], limit: 500 },
    );
    const here = new Set([...this.cooking.keys(), ...this.bumping]);
    const orphans = adoptionOrder(
      cooking.filter((t) => isOrphan(t, this.ports.nodeID, (n) => this.ports.isAlive(n), here)),
    );
    for (const orphan of orphans) {
      if (this.stopped || freeChefs(this.ports.chefs, this.cooking.size, this.draining) === 0) return;
      const adoptedAt = this.ports.now().toISOString();
      // Conditional on the old node: of two kitchens adopting at once, one wins. startedAt is kept.
      const adopted = await this.ports.store.updateIf(
        orphan._id,
        { status: "cooking", node: orphan.node },
        { $set: { node: this.ports.nodeID, adoptedFrom: orphan.node, adoptedAt } },
      );
      if (!adopted) continue;
      this.ports.logger.info(
        { ticket: adopted._id, from: orphan.node },
        "Adopted a ticket whose cook is gone; it finishes on its original schedule.",
      );
      await this.startCooking(adopted, { timer: true, fresh: false });
    }
  }

  /** The part of a query that keeps a pinned node (KITCHEN_LOCATIONS) to its locations' tickets. */
  private servedOnly(): { location?: { $in: string[] } } {
    return this.ports.locations ? { location: { $in: [...this.ports.locations] } } : {};
  }

  private async claim(ticket: TicketDoc): Promise<TicketDoc | null> {
    return this.ports.store.updateIf(
      ticket._id,
      { status: "queued" },
      { $set: { status: "cooking", node: this.ports.nodeID, startedAt: this.ports.now().toISOString() } },
    );
  }

  /** A ticket this node now holds as cooking: consume its ingredients, announce it, set its finish. */
  private async startCooking(ticket: TicketDoc, options: { timer: boolean; fresh: boolean }) {
    try {
      await this.ports.consume(
        { reservation: reservationOf(ticket.order), key: ticket._id, lines: ticketIngredients(ticket) },
        locationOf(ticket),
      );
    } catch (err) {
      if (refused(err)) {
        await this.ports.store.update(
          { _id: ticket._id, status: "cooking", node: this.ports.nodeID },
          { $set: { status: "void", voidedAt: this.ports.now().toISOString() } },
        );
        const cancelled = (err as { type?: string }).type === "RESERVATION_RELEASED";
        const log = cancelled ? this.ports.logger.info : this.ports.logger.error;
        log.call(
          this.ports.logger,
          { ticket: ticket._id, order: ticket.order, err: (err as Error).message },
          "Voided a ticket whose ingredients cannot be used.",
        );
        return;
      }
      // Inventory is unreachable. A ticket just claimed goes back to the queue as it was (if the
      // consume did land, consuming again under the same key changes nothing). One adopted
      // keeps its start: it stays cooking under this node, not in memory, so the next pass
      // adopts it again and retries.
      if (options.fresh) {
        await this.ports.store.update(
          { _id: ticket._id, status: "cooking", node: this.ports.nodeID, startedAt: ticket.startedAt },
          { $set: { status: "queued", node: null, startedAt: null } },
        );
      }
      throw err;
    }
    await this.ports.changed(locationOf(ticket));
    await this.ports.emit("ticket.started", {
      location: locationOf(ticket),
      ticket: ticket._id,
      order: ticket.order,
      station: ticket.station,
      node: this.ports.nodeID,
      startedAt: ticket.startedAt!,
    });
    if (!options.timer || this.stopped) return;
    const wait = remainingMs(ticket.startedAt!, ticket.prepSeconds, this.ports.timeScale, this.ports.now().getTime());
    this.cooking.set(
      ticket._id,
      setTimeout(() => void this.track(this.finish(ticket._id)), wait),
    );
  }

  private async finish(id: string) {
    if (!this.cooking.delete(id) || this.stopped) return;
    try {
      await this.complete(id, { status: "cooking", node: this.ports.nodeID });
    } catch (err) {
      // Left cooking under this node and not in memory: the next pass adopts it and retries.
      this.ports.logger.warn(
        { ticket: id, err: (err as Error).message },
        "Could not finish a ticket; retrying on the next poll.",
      );
    }
    this.wake();
  }

  /** cooking → done, once; announces it, and whether the whole order is now done. */
  private async complete(id: string, condition: object): Promise<TicketDoc | null> {
    const done = await this.ports.store.updateIf(id, condition, {
      $set: { status: "done", doneAt: this.ports.now().toISOString() },
    });
    if (!done) return null;
    await this.ports.changed(locationOf(done));
    const siblings = await this.ports.store.find(ofOrder(done.order));
    await this.ports.emit("ticket.done", {
      location: locationOf(done),
      ticket: done._id,
      order: done.order,
      station: done.station,
      node: done.node ?? this.ports.nodeID,
      startedAt: done.startedAt!,
      doneAt: done.doneAt!,
      orderDone: isOrderDone(siblings),
    });
    return done;
  }
}
