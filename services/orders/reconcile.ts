/**
 * The orders service's safety net, run every BRIGADE_RECONCILE_MS and once at start. Every
 * step reads state, never memory, so it works the same after a crash, on any node, and with
 * several orders nodes running it at once (each step is idempotent or conditional):
 *
 *   - accepted orders the kitchen has not acknowledged are handed over again;
 *   - placements that stalled before acceptance (a crash mid-request) are refused and released;
 *   - cancelled or refused orders whose stock did not go back yet are released again;
 *   - orders in the kitchen for a while are checked against the kitchen's tickets, in case a
 *     `ticket.started` / `ticket.done` was lost: a batch a pass, in order of id, each pass going
 *     on where the last stopped, so every order gets its turn however many are in the kitchen.
 */
import type { KitchenProgress, OrderStatus, ReleaseParams } from "../../lib/contracts";
import type { Store } from "../../lib/store";
import type { KitchenHandOff } from "./hand-off-port";
import { IN_KITCHEN } from "./lifecycle";
import { placedEvent, type OrderDoc } from "./order";
import type { Logger } from "../../lib/logger";
import { reservationOf } from "../../lib/reservation-id";
import { locationOf } from "../../lib/locations";

export interface ReconcilePorts {
  store: Store<OrderDoc>;
  handOff: KitchenHandOff;
  /** Gives a reservation back, in the location of the order it holds stock for. */
  release(params: ReleaseParams, location: string): Promise<unknown>;
  /** The kitchen's view of these orders; null when no kitchen is running to ask. */
  progress(orders: string[]): Promise<KitchenProgress[] | null>;
  advance(order: string, target: "cooking" | "ready"): Promise<unknown>;
  logger: Pick<Logger, "info" | "warn" | "debug">;
  now(): Date;
  /** An accepted order is given this long to be acknowledged, or to move, before we look. */
  graceMs: number;
  /** A placement pending this long is given up: its request is long gone. */
  abandonAfterMs: number;
  batch: number;
  /**
   * Where the kitchen check goes on from: the last order id it looked at, kept by the caller
   * from one pass to the next (in memory; a restart starts again from the first order).
   */
  kitchenCheck?: { after?: string };
}

export type KitchenVerdict = "resend" | "ready" | "cooking" | "wait" | "all-void";

/** What the kitchen's view of an order tells the orders service to do. */
export function kitchenVerdict(status: OrderStatus, progress: KitchenProgress | undefined): KitchenVerdict {
  if (!progress || progress.tickets === 0) return "resend";
  if (progress.done + progress.void === progress.tickets) return progress.done > 0 ? "ready" : "all-void";
  if (progress.started && status === "placed") return "cooking";
  return "wait";
}

export interface ReconcileReport {
  resent: number;
  abandoned: number;
  released: number;
  advanced: number;
}

const ago = (ports: ReconcilePorts, ms: number) => new Date(ports.now().getTime() - ms).toISOString();

/**
 * Lets requests waiting on this node's event loop run. On an embedded store each step's query
 * scans the orders in one go (tens of milliseconds with tens of thousands of orders in the
 * kitchen); one pass in four slices keeps a placement from waiting for all of them at once.
 */
const letRequestsIn = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function reconcileOrders(ports: ReconcilePorts): Promise<ReconcileReport> {
  const report: ReconcileReport = { resent: 0, abandoned: 0, released: 0, advanced: 0 };
  report.abandoned = await abandonStalled(ports);
  await letRequestsIn();
  report.released = await releasePending(ports);
  await letRequestsIn();
  report.resent = await resendHandOffs(ports);
  await letRequestsIn();
  report.advanced = await checkKitchen(ports);
  return report;
}

async function resendHandOffs(ports: ReconcilePorts): Promise<number> {
  const due = await ports.store.find(
    { accepted: true, handedOff: false, status: { $in: IN_KITCHEN }, acceptedAt: { $lt: ago(ports, ports.graceMs) } },
    { sort: ["acceptedAt"], limit: ports.batch },
  );
  for (const doc of due) {
    ports.logger.info({ order: doc._id }, "Handing an order to the kitchen again: it was never acknowledged.");
    await ports.handOff.send(placedEvent(doc, true));
  }
  return due.length;
}

async function abandonStalled(ports: ReconcilePorts): Promise<number> {
  const stalled = await ports.store.find(
    { accepted: false, status: "placed", createdAt: { $lt: ago(ports, ports.abandonAfterMs) } },
    { limit: ports.batch },
  );
  let count = 0;
  for (const doc of stalled) {
    const at = ports.now().toISOString();
    // Conditional: a retry finishing the placement right now wins or loses cleanly against us.
    const changed = await ports.store.update(
      { _id: doc._id, status: "placed", accepted: false },
      { $set: { status: "rejected", rejection: { reason: "abandoned" }, stockReleased: false, updatedAt: at } },
    );
    if (changed) {
      count++;
      ports.logger.warn({ order: doc._id }, "Gave up an order whose placement never finished; its stock goes back.");
    }
  }
  return count;
}

async function releasePending(ports: ReconcilePorts): Promise<number> {
  const pending = await ports.store.find(
    { status: { $in: ["cancelled", "rejected"] }, stockReleased: false },
    { limit: ports.batch },
  );
  let count = 0;
  for (const doc of pending) {
    try {
      await ports.release({ reservation: reservationOf(doc._id) }, locationOf(doc));
      await ports.store.update({ _id: doc._id, stockReleased: false }, { $set: { stockReleased: true } });
      count++;
    } catch (err) {
      ports.logger.warn({ order: doc._id, err }, "Could not release an order's stock yet; will try again.");
    }
  }
  return count;
}

async function checkKitchen(ports: ReconcilePorts): Promise<number> {
  const cursor = ports.kitchenCheck ?? {};
  // By id, from where the last pass stopped. The `_id` index gives the range in id order (on
  // MongoDB the sort too; NeDB sorts what the range gives, already in order).
  const waiting = await ports.store.find(
    {
      accepted: true,
      handedOff: true,
      status: { $in: IN_KITCHEN },
      updatedAt: { $lt: ago(ports, ports.graceMs) },
      ...(cursor.after === undefined ? {} : { _id: { $gt: cursor.after } }),
    },
    { sort: ["_id"], limit: ports.batch },
  );
  // A short batch reached the end: the next pass starts over from the first order.
  cursor.after = waiting.length < ports.batch ? undefined : waiting[waiting.length - 1]._id;
  if (waiting.length === 0) return 0;
  const answer = await ports.progress(waiting.map((d) => d._id));
  if (!answer) return 0;
  const progress = new Map(answer.map((p) => [p.order, p]));
  let advanced = 0;
  for (const doc of waiting) {
    const verdict = kitchenVerdict(doc.status as OrderStatus, progress.get(doc._id));
    switch (verdict) {
      case "resend":
        // The kitchen has no tickets for it (lost, or its store was reset): hand it over again.
        ports.logger.warn(
          { order: doc._id },
          "The kitchen has no tickets for an order it acknowledged; handing it over again.",
        );
        await ports.store.update({ _id: doc._id, handedOff: true }, { $set: { handedOff: false } });
        await ports.handOff.send(placedEvent(doc, true));
        break;
      case "ready":
      case "cooking":
        ports.logger.info({ order: doc._id, to: verdict }, "Caught up with the kitchen: a ticket event was missed.");
        await ports.advance(doc._id, verdict);
        advanced++;
        break;
      case "all-void":
        ports.logger.warn(
          { order: doc._id },
          "Every ticket of this order was voided, yet it is not cancelled; a person should look at it.",
        );
        break;
      case "wait":
        break;
    }
  }
  return advanced;
}
