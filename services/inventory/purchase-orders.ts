/** Purchase orders: stock ordered from a supplier, added to the inventory once when received. */
import type { PendingMoves } from "./movements";
import type { PurchaseOrderView, StockLine } from "../../lib/contracts";

export interface PurchaseOrderDoc extends PendingMoves {
  _id: string;
  status: "open" | "received";
  lines: StockLine[];
  createdAt: string;
  createdBy?: string;
  receivedAt?: string;
  receivedBy?: string;
}

export const PURCHASE_ORDER_STATUSES = ["open", "received"] as const;

export function purchaseOrderView(doc: PurchaseOrderDoc): PurchaseOrderView {
  const view: PurchaseOrderView = { id: doc._id, status: doc.status, lines: doc.lines, createdAt: doc.createdAt };
  if (doc.createdBy !== undefined) view.createdBy = doc.createdBy;
  if (doc.receivedAt !== undefined) view.receivedAt = doc.receivedAt;
  return view;
}
