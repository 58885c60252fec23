/** The circuit breakers as the operator's REPL prints them (lib/breakers.ts reads them). */
import type { BreakersView } from "../../lib/breakers";
import { textTable } from "./text-table";

export function renderBreakers(view: BreakersView, { all = false }: { all?: boolean } = {}): string {
  const tripped = view.rows.filter((r) => r.state !== "closed");
  const shown = all ? view.rows : tripped;
  const closed = view.rows.length - tripped.length;
  const head = `Circuit breakers on ${view.nodes} node(s): ${tripped.length} not closed, ${closed} closed${all ? "" : " (breakers --all lists them)"}`;
  const silent = view.silent.length ? `\nNo answer from: ${view.silent.join(", ")}` : "";
  if (shown.length === 0) return `${head}\nEvery breaker is closed: calls go everywhere.${silent}`;
  const table = textTable(
    ["caller node", "action", "target node", "state"],
    shown.map((r) => [r.node, r.action, r.target, r.state]),
  );
  return `${head}\n${table}${silent}`;
}
