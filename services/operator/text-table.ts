/**
 * The operator's tables: plain text (no colours), so they read the same in a terminal, a log
 * and a test. Numbers are right-aligned.
 */
import Table from "cli-table3";

export type Cell = string | number;

export function textTable(head: string[], rows: Cell[][], align?: ("left" | "right")[]): string {
  const colAligns =
    align ?? head.map((_, i) => (rows.length > 0 && rows.every((r) => typeof r[i] === "number") ? "right" : "left"));
  const table = new Table({ head, colAligns, style: { head: [], border: [], compact: true } });
  for (const row of rows) table.push(row.map((cell) => String(cell)));
  return table.toString();
}

/** "1h 02m", "3m 07s", "12s": how long an order has waited. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, "0")}s`;
  return `${sec}s`;
}
