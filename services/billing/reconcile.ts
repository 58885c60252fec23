/**
 * One pass of billing's repair loop. Every step is idempotent and conditional, so passes on
 * several nodes at once, or a pass racing a request, do no harm:
 *   - bills whose journal may not have reached the ledger get it copied;
 *   - paid bills whose orders are not yet settled (or whose `bill.paid` did not go out, or that
 *     hold orders to give back) are finished (paid-bill.ts);
 *   - bills stuck in `opening` for longer than any request may take are given up, and bills
 *     given up earlier whose orders could not be released are tried again.
 */
import { abandonOpening } from "./open-bill";
import { recordJournal } from "./ledger";
import { finishPaidBill } from "./paid-bill";
import type { BillingPorts } from "./ports";
import { locationOf } from "../../lib/locations";

export interface ReconcileReport {
  ledgerCopied: number;
  paidFinished: number;
  openingsAbandoned: number;
}

/** Bills looked at per step and pass; the next pass takes the rest. */
const BATCH = 100;

/**
 * `across` finds the bills to repair in every location; each is repaired through `portsAt` its
 * own location, so what it writes (ledger records) and asks (its orders) stays in that location.
 */
export async function reconcileBills(
  across: BillingPorts,
  portsAt: (location: string) => BillingPorts,
  staleOpeningMs: number,
): Promise<ReconcileReport> {
  const report: ReconcileReport = { ledgerCopied: 0, paidFinished: 0, openingsAbandoned: 0 };
  const ports = across;

  for (const bill of await ports.bills.find({ ledgerDirty: true }, { limit: BATCH })) {
    const own = portsAt(locationOf(bill));
    await recordJournal(own.bills, own.ledger, bill);
    report.ledgerCopied++;
  }

  // Each branch on its own index, so a year of settled bills is never read (lib/indexes.ts).
  const unfinished = {
    $or: [
      { settled: false, status: "paid" },
      { announced: false, status: "paid" },
      { releaseAfterSettle: true, status: "paid" },
    ],
  };
  for (const bill of await ports.bills.find(unfinished, { limit: BATCH })) {
    await finishPaidBill(portsAt(locationOf(bill)), bill._id);
    report.paidFinished++;
  }

  const cutoff = new Date(ports.now().getTime() - staleOpeningMs).toISOString();
  const stuck = { $or: [{ status: "opening", createdAt: { $lt: cutoff } }, { status: "abandoned" }] };
  for (const bill of await ports.bills.find(stuck, { limit: BATCH })) {
    try {
      await abandonOpening(portsAt(locationOf(bill)), bill._id);
      report.openingsAbandoned++;
    } catch (err) {
      ports.logger.warn(
        { bill: bill._id, err: (err as Error).message },
        "Could not release the orders of an unfinished bill yet; will retry.",
      );
    }
  }
  return report;
}
