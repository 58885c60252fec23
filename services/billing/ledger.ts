/**
 * The ledger: every payment and refund as its own record, in a collection of its own, keyed by
 * the entry's id (so copying an entry twice stores it once). The takings are computed from it.
 *
 * An entry is first written into its bill's journal, atomically with the bill's sums
 * (bill.ts), then copied here. `recordJournal` does the copy for every entry of a bill and
 * clears the bill's `ledgerDirty` flag only if no newer entry arrived meanwhile; it is what the
 * payment and refund handlers call right after their write, and what the reconcile loop calls
 * for a bill whose copy a crash interrupted.
 */
import type { Store } from "../../lib/store";
import type { BillDoc, PaymentEntry, RefundEntry } from "./bill";

export type LedgerDoc = (Omit<PaymentEntry, "id"> | Omit<RefundEntry, "id">) & {
  _id: string;
  bill: string;
  table: string;
};

export const LEDGER_COLLECTION = "billing-ledger";

export function ledgerDoc(bill: Pick<BillDoc, "_id" | "table">, entry: PaymentEntry | RefundEntry): LedgerDoc {
  const { id, ...rest } = entry;
  return { ...rest, _id: id, bill: bill._id, table: bill.table };
}

export async function recordJournal(bills: Store<BillDoc>, ledger: Store<LedgerDoc>, bill: BillDoc): Promise<void> {
  const entries = [...bill.payments, ...bill.refunds];
  const stored = new Set((await ledger.getMany(entries.map((e) => e.id))).map((doc) => doc._id));
  for (const entry of entries) if (!stored.has(entry.id)) await ledger.insertOnce(ledgerDoc(bill, entry));
  // Conditional on the version we copied from: a journal entry added since keeps the flag up.
  await bills.update({ _id: bill._id, version: bill.version, ledgerDirty: true }, { $set: { ledgerDirty: false } });
}
