/** The run's figures as tables: for the terminal (cli-table3) and for the README (Markdown). */
import Table from "cli-table3";
import type { TargetResult } from "./measure";
import type { BenchResults, Comparison, HistoryPoint, TargetCheck } from "./results";

const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : "–");

interface Row {
  scenario: string;
  comparison: Comparison;
  target: TargetResult;
}

function rows(results: BenchResults): Row[] {
  const out: Row[] = [];
  const add = (scenario: string, comparison?: Comparison) => {
    for (const target of comparison?.targets ?? []) out.push({ scenario, comparison: comparison!, target });
  };
  add("1. GET /api/dishes, embedded", results.embedded?.menu);
  add("2. POST /api/orders, embedded", results.embedded?.orders);
  add("3. GET /api/dishes, cluster", results.cluster?.menu);
  add("3. POST /api/orders, cluster", results.cluster?.orders);
  return out;
}

function problems(target: TargetResult): string {
  const s = target.summary;
  const parts: string[] = [];
  if (s.non2xx)
    parts.push(
      `${s.non2xx} non-2xx (${Object.entries(s.statusCodes)
        .filter(([c]) => !c.startsWith("2"))
        .map(([c, n]) => `${c}:${n}`)
        .join(" ")})`,
    );
  if (s.errors) parts.push(`${s.errors} errors`);
  if (s.timeouts) parts.push(`${s.timeouts} timeouts`);
  return parts.join(", ") || "none";
}

function ratioText(row: Row): string {
  if (row.target.key !== "brigade") return "";
  return Object.entries(row.comparison.ratios)
    .map(([ref, value]) => `${times(value)} ${ref}`)
    .join(", ");
}

function httpCells(row: Row): string[] {
  const s = row.target.summary;
  return [
    row.scenario,
    row.target.label,
    fixed(s.reqPerSec),
    fixed(s.p50Ms, 1),
    fixed(s.p99Ms, 1),
    fixed(s.cpuMsPerRequest, 2),
    problems(row.target),
    ratioText(row),
  ];
}

const HTTP_HEAD = [
  "scenario",
  "server",
  "req/s (2xx)",
  "p50 ms",
  "p99 ms",
  "CPU ms/req",
  "failed requests",
  "Brigade ÷ ref",
];
const KITCHEN_HEAD = ["kitchen nodes", "tickets/s", "ideal", "× one node", "goal", "per node", "still queued"];
const MEMORY_HEAD = ["mode", "node", "idle RSS MB", "peak RSS MB under load", "orders stored"];
const HISTORY_HEAD = [
  "meals behind",
  "written in s",
  "restart s",
  "idle RSS MB",
  "takings ms",
  "paid list ms",
  "new order ms",
  "new order CPU ms",
  "disk KB a meal",
];

function historyCells(results: BenchResults): string[][] {
  return (results.history?.points ?? []).map((p) => [
    p.meals.toLocaleString("en-US"),
    p.meals > 0 ? fixed(p.seedSeconds, 1) : "–",
    fixed(p.restartSeconds, 2),
    fixed(p.idleRssMb),
    fixed(p.takingsMs, 1),
    fixed(p.paidListMs, 1),
    fixed(p.newOrderMs, 1),
    fixed(p.newOrderCpuMs, 1),
    fixed(p.diskBytesPerMeal / 1024, 2),
  ]);
}

/**
 * The history goals (issue 15): at 8× the meals a shift costs the same; a year fits a small
 * machine. Judged only for the sizes the run measured (the smoke plan measures none of them).
 */
function historyChecks(results: BenchResults): TargetCheck[] {
  const points = results.history?.points ?? [];
  const at = (meals: number) => points.find((p) => p.meals === meals);
  const checks: TargetCheck[] = [];
  const [base, eight, year, empty] = [at(1_000), at(8_000), at(100_000), at(0)];
  const growth: [string, keyof HistoryPoint, number][] = [
    ["restart", "restartSeconds", 1.5],
    ["idle RSS", "idleRssMb", 1.25],
    ["today's takings", "takingsMs", 1.5],
    ["a new order", "newOrderMs", 1.5],
    ["the paid-orders list", "paidListMs", 1.5],
  ];
  if (base && eight) {
    for (const [name, field, goal] of growth) {
      const growthRatio = (eight[field] as number) / (base[field] as number);
      checks.push({
        name: `${name}, 8,000 meals against 1,000`,
        measured: times(growthRatio),
        goal: `≤ ${goal}×`,
        met: growthRatio <= goal,
      });
    }
  }
  if (year) {
    checks.push(
      {
        name: "restart with 100,000 meals",
        measured: `${fixed(year.restartSeconds, 2)} s`,
        goal: "< 5 s",
        met: year.restartSeconds < 5,
      },
      {
        name: "idle RSS with 100,000 meals",
        measured: `${fixed(year.idleRssMb)} MB`,
        goal: "< 250 MB",
        met: year.idleRssMb < 250,
      },
      {
        name: "disk a meal, 100,000 meals",
        measured: `${fixed(year.diskBytesPerMeal / 1024, 2)} KB`,
        goal: "≤ 4 KB",
        met: year.diskBytesPerMeal <= 4096,
      },
    );
    if (empty)
      checks.push({
        name: "a new order, 100,000 meals against none",
        measured: times(year.newOrderMs / empty.newOrderMs),
        goal: "≤ 1.2×",
        met: year.newOrderMs / empty.newOrderMs <= 1.2,
      });
  }
  return checks;
}

const TARGET_HEAD = ["target", "measured", "goal", "met"];

function kitchenCells(results: BenchResults): string[][] {
  const kitchen = results.cluster?.kitchen;
  const phases = [
    ...(kitchen?.phases ?? []).map((p) => ({ p, label: String(p.nodes) })),
    ...(kitchen?.oneNodeAgain ? [{ p: kitchen.oneNodeAgain, label: "1 (again, at the end)" }] : []),
  ];
  return phases.map(({ p, label }) => [
    label,
    fixed(p.ticketsPerSecond, 1),
    fixed(p.idealTicketsPerSecond, 1),
    times(p.scaling),
    `≥ ${(0.9 * p.nodes).toFixed(1)}×`,
    Object.values(p.perNode)
      .map((n) => fixed(n / p.windowSeconds, 1))
      .join(" / "),
    String(p.queuedAfter),
  ]);
}

function memoryCells(results: BenchResults): string[][] {
  return [
    ...(results.embedded?.memory ?? []).map((m) => [
      "embedded",
      m.node,
      fixed(m.idleRssMb),
      fixed(m.peakUnderLoadMb),
      m.ordersHeld === undefined ? "–" : String(m.ordersHeld),
    ]),
    // Clustered, the orders live in MongoDB, not in any node.
    ...(results.cluster?.memory ?? []).map((m) => [
      "cluster",
      m.node,
      fixed(m.idleRssMb),
      fixed(m.peakUnderLoadMb),
      "–",
    ]),
  ];
}

const metText = (check: TargetCheck) => (check.met === null ? "not measured" : check.met ? "yes" : "NO");

export function evaluateTargets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const brigade = (c?: Comparison) => c?.targets.find((t) => t.key === "brigade");
  const menu = results.embedded?.menu;
  checks.push({
    name: "cached menu read, embedded",
    measured: `${times(menu?.ratios.C ?? NaN)} C`,
    goal: "≥ 0.75× C",
    met: menu ? menu.ratios.C >= 0.75 : null,
  });
  const orders = results.embedded?.orders;
  checks.push({
    name: "order placement, embedded",
    measured: `${times(orders?.ratios.C ?? NaN)} C`,
    goal: "≥ 0.10× C",
    met: orders ? orders.ratios.C >= 0.1 : null,
  });
  const p99 = brigade(orders)?.summary.p99Ms ?? NaN;
  checks.push({
    name: "order placement p99 at 50 connections",
    measured: `${fixed(p99, 1)} ms`,
    goal: "< 50 ms",
    met: orders ? p99 < 50 : null,
  });
  const cmenu = results.cluster?.menu;
  checks.push({
    name: "cached menu read, cluster",
    measured: `${times(cmenu?.ratios.E ?? NaN)} E`,
    goal: "≥ 0.8× E",
    met: cmenu ? cmenu.ratios.E >= 0.8 : null,
  });
  for (const phase of results.cluster?.kitchen?.phases.filter((p) => p.nodes > 1) ?? []) {
    checks.push({
      name: `kitchen throughput, ${phase.nodes} nodes`,
      measured: `${times(phase.scaling)} one node${phase.queuedAfter > 0 ? "" : " (the backlog ran out)"}`,
      goal: `≥ ${(0.9 * phase.nodes).toFixed(1)}×`,
      met: phase.queuedAfter > 0 ? phase.scaling >= 0.9 * phase.nodes : null,
    });
  }
  // The embedded node with the highest peak, and the orders it held then.
  const embeddedMemory = results.embedded?.memory ?? [];
  const peak = embeddedMemory.length
    ? embeddedMemory.reduce((a, b) => (b.peakUnderLoadMb > a.peakUnderLoadMb ? b : a))
    : undefined;
  const rss = peak?.peakUnderLoadMb ?? -Infinity;
  const holding = peak?.ordersHeld === undefined ? "" : ` holding ${peak.ordersHeld} orders`;
  checks.push({
    name: "embedded process RSS under load",
    measured: `${fixed(rss)} MB${holding}`,
    goal: "< 200 MB",
    met: results.embedded ? rss < 200 : null,
  });
  if (results.history) checks.push(...historyChecks(results));
  const failing = rows(results).filter((r) => problems(r.target) !== "none");
  checks.push({
    name: "no failed requests",
    measured: failing.length
      ? failing.map((r) => `${r.scenario} ${r.target.label}: ${problems(r.target)}`).join("; ")
      : "none failed",
    goal: "0 non-2xx, errors, timeouts",
    met: failing.length === 0,
  });
  for (const [where, c] of [
    ["embedded", orders],
    ["cluster", results.cluster?.orders],
  ] as const) {
    if (!c?.stored) continue;
    const { answered201, storedOrders, inFlightAtEnd } = c.stored;
    checks.push({
      name: `every 201 is a stored order (${where})`,
      measured: `${answered201} answered 201, ${storedOrders} stored`,
      goal: `stored − answered in 0…${inFlightAtEnd} (in flight at the end)`,
      met: storedOrders >= answered201 && storedOrders - answered201 <= inFlightAtEnd,
    });
  }
  return checks;
}

const STYLE = process.stdout.isTTY ? {} : { head: [], border: [] };

export function printTables(results: BenchResults): string {
  const http = new Table({ head: HTTP_HEAD, style: STYLE });
  for (const row of rows(results)) http.push(httpCells(row));
  const kitchen = new Table({ head: KITCHEN_HEAD, style: STYLE });
  for (const cells of kitchenCells(results)) kitchen.push(cells);
  const mem = new Table({ head: MEMORY_HEAD, style: STYLE });
  for (const cells of memoryCells(results)) mem.push(cells);
  const history = new Table({ head: HISTORY_HEAD, style: STYLE });
  for (const cells of historyCells(results)) history.push(cells);
  const targets = new Table({ head: TARGET_HEAD, colWidths: [40, 40, 30, 14], wordWrap: true, style: STYLE });
  for (const check of results.targets) targets.push([check.name, check.measured, check.goal, metText(check)]);
  const errors = results.errors.map((e) => `ERROR in ${e.scenario}: ${e.message}`).join("\n");
  return [
    http.toString(),
    kitchen.toString(),
    mem.toString(),
    results.history ? history.toString() : "",
    targets.toString(),
    errors,
  ]
    .filter(Boolean)
    .join("\n");
}

function markdownTable(head: string[], body: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...body.map(line)].join("\n");
}

export function markdown(results: BenchResults): string {
  const k = results.cluster?.kitchen;
  const parts = [
    markdownTable(HTTP_HEAD, rows(results).map(httpCells)),
    k
      ? `Kitchen scaling: ${k.chefsPerNode} chefs a node, ${k.prepSeconds} s a ticket, a backlog of ${k.backlogTickets} tickets; "× one node" divides by the mean of both one-node runs (${fixed(k.oneNodeBaseline, 2)} tickets/s).\n\n${markdownTable(KITCHEN_HEAD, kitchenCells(results))}`
      : "",
    markdownTable(MEMORY_HEAD, memoryCells(results)),
    results.history ? markdownTable(HISTORY_HEAD, historyCells(results)) : "",
    markdownTable(
      TARGET_HEAD,
      results.targets.map((c) => [c.name, c.measured, c.goal, metText(c)]),
    ),
    results.errors.length
      ? results.errors.map((e) => `- **error in ${e.scenario}**: ${e.message.split("\n")[0]}`).join("\n")
      : "",
  ];
  return parts.filter(Boolean).join("\n\n");
}
