/**
 * Stock as the operator reads it: low items first (below their reorder point, the emptiest
 * first), then the rest by name.
 */
import type { IngredientView } from "../../lib/contracts";
import { collectPages } from "../../lib/collect";
import type { Caller } from "../../lib/caller";
import { textTable } from "./text-table";

export interface StockRow {
  id: string;
  name: string;
  unit: string;
  available: number;
  reserved: number;
  onHand: number;
  reorderPoint: number;
  low: boolean;
}

export interface StockReport {
  rows: StockRow[];
  low: number;
  total: number;
  truncated: boolean;
}

/** The inventory's own rule (services/inventory/stock.ts): below the reorder point. */
export function isLow(item: Pick<IngredientView, "available" | "reorderPoint">): boolean {
  return item.available < item.reorderPoint;
}

/** How full an item is against its reorder point: 0 is empty, 1 is at the point. */
function fill(row: StockRow): number {
  return row.reorderPoint > 0 ? row.available / row.reorderPoint : row.available;
}

export function orderStock(rows: StockRow[]): StockRow[] {
  return [...rows].sort((a, b) => {
    if (a.low !== b.low) return a.low ? -1 : 1;
    if (a.low) return fill(a) - fill(b) || a.name.localeCompare(b.name);
    return a.name.localeCompare(b.name);
  });
}

export async function readStock(broker: Caller, { maxRows = 5000 } = {}): Promise<StockReport> {
  const { rows, total, truncated } = await collectPages<IngredientView>(broker, "inventory.list", {}, { maxRows });
  const ordered = orderStock(
    rows.map((item) => ({
      id: item.id,
      name: item.name,
      unit: item.unit,
      available: item.available,
      reserved: item.reserved,
      onHand: item.onHand,
      reorderPoint: item.reorderPoint,
      low: isLow(item),
    })),
  );
  return { rows: ordered, low: ordered.filter((r) => r.low).length, total, truncated };
}

export function renderStock(report: StockReport, { limit }: { limit?: number } = {}): string {
  const shown = limit ? report.rows.slice(0, limit) : report.rows;
  const table = textTable(
    ["", "ingredient", "available", "reserved", "on hand", "reorder at", "unit"],
    shown.map((r) => [r.low ? "LOW" : "", r.id, r.available, r.reserved, r.onHand, r.reorderPoint, r.unit]),
    ["left", "left", "right", "right", "right", "right", "left"],
  );
  const more =
    report.rows.length > shown.length || report.truncated ? `\n(${report.total - shown.length} more not shown)` : "";
  return `Stock: ${report.low} low of ${report.total}\n${table}${more}`;
}
