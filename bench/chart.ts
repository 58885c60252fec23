/**
 * The run as one SVG, written by hand (no charting dependency): throughput beside the
 * references on a log scale, kitchen scaling against the ideal, and memory per node.
 */
import type { BenchResults, Comparison, HistoryPoint } from "./results";

const WIDTH = 960;
const COLORS: Record<string, string> = { A: "#9aa5b1", C: "#6b7c93", E: "#6b7c93", brigade: "#d9480f" };
const FONT = `font-family="Helvetica, Arial, sans-serif"`;

const esc = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const text = (x: number, y: number, content: string, attrs = "") =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${FONT} ${attrs.includes("font-size") ? "" : `font-size="12" `}${attrs}>${esc(content)}</text>`;
const rect = (x: number, y: number, w: number, h: number, fill: string) =>
  `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(0, w).toFixed(1)}" height="${Math.max(0, h).toFixed(1)}" fill="${fill}"/>`;
const line = (x1: number, y1: number, x2: number, y2: number, attrs = `stroke="#ccc"`) =>
  `<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" ${attrs}/>`;

interface Group {
  title: string;
  bars: { key: string; label: string; value: number }[];
}

function groups(results: BenchResults): Group[] {
  const group = (title: string, comparison?: Comparison): Group[] =>
    comparison
      ? [
          {
            title,
            bars: comparison.targets.map((t) => ({
              key: t.key,
              label: t.key === "brigade" ? "Brigade" : t.key,
              value: t.summary.reqPerSec,
            })),
          },
        ]
      : [];
  return [
    ...group("menu, embedded", results.embedded?.menu),
    ...group("orders, embedded", results.embedded?.orders),
    ...group("menu, cluster", results.cluster?.menu),
    ...group("orders, cluster", results.cluster?.orders),
  ];
}

function throughputPanel(results: BenchResults, top: number): { svg: string; height: number } {
  const height = 260;
  const left = 70;
  const plotTop = top + 40;
  const plotHeight = 170;
  const plotWidth = WIDTH - left - 30;
  const all = groups(results);
  const values = all.flatMap((g) => g.bars.map((b) => b.value)).filter((v) => v > 0);
  const maxExp = Math.ceil(Math.log10(Math.max(10, ...values)));
  const minExp = Math.min(1, Math.floor(Math.log10(Math.min(...values, 10))));
  const y = (v: number) =>
    plotTop + plotHeight - ((Math.log10(Math.max(v, 10 ** minExp)) - minExp) / (maxExp - minExp)) * plotHeight;
  const parts = [
    text(
      left - 50,
      top + 18,
      "Answers per second (2xx, log scale), 50 connections — each beside its references",
      `font-size="14" font-weight="bold"`,
    ),
  ];
  for (let e = minExp; e <= maxExp; e++) {
    parts.push(
      line(left, y(10 ** e), left + plotWidth, y(10 ** e)),
      text(left - 8, y(10 ** e) + 4, (10 ** e).toLocaleString("en-US"), `text-anchor="end" fill="#666"`),
    );
  }
  const groupWidth = plotWidth / Math.max(1, all.length);
  all.forEach((g, i) => {
    const barWidth = Math.min(46, (groupWidth - 30) / g.bars.length);
    const start = left + i * groupWidth + (groupWidth - barWidth * g.bars.length) / 2;
    g.bars.forEach((b, j) => {
      const x = start + j * barWidth;
      parts.push(rect(x + 2, y(b.value), barWidth - 4, plotTop + plotHeight - y(b.value), COLORS[b.key] ?? "#888"));
      parts.push(
        text(
          x + barWidth / 2,
          y(b.value) - 4,
          Math.round(b.value).toLocaleString("en-US"),
          `text-anchor="middle" font-size="10"`,
        ),
      );
      parts.push(text(x + barWidth / 2, plotTop + plotHeight + 14, b.label, `text-anchor="middle" font-size="11"`));
    });
    parts.push(
      text(
        left + i * groupWidth + groupWidth / 2,
        plotTop + plotHeight + 30,
        g.title,
        `text-anchor="middle" font-weight="bold"`,
      ),
    );
  });
  return { svg: parts.join("\n"), height };
}

function kitchenPanel(results: BenchResults, top: number, left: number, width: number): string {
  const phases = results.cluster?.kitchen?.phases ?? [];
  const plotTop = top + 40;
  const plotHeight = 150;
  const parts = [text(left, top + 18, "Kitchen: tickets finished per second", `font-size="14" font-weight="bold"`)];
  if (phases.length === 0) return [...parts, text(left, plotTop + 20, "not measured")].join("\n");
  const max = Math.max(...phases.map((p) => Math.max(p.ticketsPerSecond, p.idealTicketsPerSecond))) * 1.15;
  const y = (v: number) => plotTop + plotHeight - (v / max) * plotHeight;
  const slot = (width - 40) / phases.length;
  parts.push(line(left + 30, plotTop + plotHeight, left + width, plotTop + plotHeight, `stroke="#999"`));
  phases.forEach((p, i) => {
    const x = left + 30 + i * slot;
    parts.push(
      rect(
        x + slot * 0.2,
        y(p.ticketsPerSecond),
        slot * 0.6,
        plotTop + plotHeight - y(p.ticketsPerSecond),
        COLORS.brigade,
      ),
    );
    parts.push(
      line(
        x + slot * 0.1,
        y(p.idealTicketsPerSecond),
        x + slot * 0.9,
        y(p.idealTicketsPerSecond),
        `stroke="#222" stroke-dasharray="4 3" stroke-width="1.5"`,
      ),
    );
    const labelY = y(Math.max(p.ticketsPerSecond, p.idealTicketsPerSecond)) - 6;
    parts.push(
      text(
        x + slot / 2,
        labelY,
        `${p.ticketsPerSecond.toFixed(1)} (${p.scaling.toFixed(2)}×)`,
        `text-anchor="middle" font-size="10"`,
      ),
    );
    parts.push(
      text(x + slot / 2, plotTop + plotHeight + 14, `${p.nodes} node${p.nodes > 1 ? "s" : ""}`, `text-anchor="middle"`),
    );
  });
  parts.push(
    text(
      left + 30,
      plotTop + plotHeight + 32,
      "dashed: ideal (nodes × chefs ÷ prep time)",
      `fill="#555" font-size="11"`,
    ),
  );
  return parts.join("\n");
}

function memoryPanel(results: BenchResults, top: number, left: number, width: number): string {
  const nodes = [
    ...(results.embedded?.memory ?? []).map((m) => ({ ...m, label: "embedded" })),
    ...(results.cluster?.memory ?? []).map((m) => ({ ...m, label: m.node.replace(/^node-/, "") })),
  ];
  const plotTop = top + 40;
  const plotHeight = 150;
  const parts = [
    text(left, top + 18, "Peak RSS per node under load, MB (light: idle)", `font-size="14" font-weight="bold"`),
  ];
  if (nodes.length === 0) return [...parts, text(left, plotTop + 20, "not measured")].join("\n");
  const max = Math.max(220, ...nodes.map((n) => n.peakUnderLoadMb || 0)) * 1.1;
  const y = (v: number) => plotTop + plotHeight - (v / max) * plotHeight;
  const slot = (width - 20) / nodes.length;
  parts.push(
    line(left, y(200), left + width, y(200), `stroke="#c92a2a" stroke-dasharray="5 3"`),
    text(left + width - 4, y(200) - 4, "200 MB", `text-anchor="end" fill="#c92a2a" font-size="10"`),
  );
  nodes.forEach((n, i) => {
    const x = left + i * slot;
    const peak = Number.isFinite(n.peakUnderLoadMb) ? n.peakUnderLoadMb : 0;
    const idle = Number.isFinite(n.idleRssMb) ? n.idleRssMb : 0;
    parts.push(
      rect(
        x + slot * 0.15,
        y(peak),
        slot * 0.7,
        plotTop + plotHeight - y(peak),
        n.label === "embedded" ? COLORS.brigade : "#e8590c99",
      ),
    );
    parts.push(rect(x + slot * 0.15, y(idle), slot * 0.7, plotTop + plotHeight - y(idle), "#ffffff66"));
    parts.push(text(x + slot / 2, y(peak) - 3, peak.toFixed(0), `text-anchor="middle" font-size="9"`));
    parts.push(
      text(
        x + slot / 2,
        plotTop + plotHeight + 12,
        n.label,
        `text-anchor="end" font-size="9" transform="rotate(-35 ${(x + slot / 2).toFixed(1)} ${(plotTop + plotHeight + 12).toFixed(1)})"`,
      ),
    );
  });
  return parts.join("\n");
}

/** One small bar chart per figure of the history scenario, a bar per size of history. */
function historyPanel(results: BenchResults, top: number): { svg: string; height: number } {
  const points = results.history?.points ?? [];
  if (points.length === 0) return { svg: "", height: 0 };
  const figures: { title: string; value: (p: HistoryPoint) => number; limit?: number; unit: string }[] = [
    { title: "restart until ready, s", value: (p) => p.restartSeconds, limit: 5, unit: "s" },
    { title: "idle RSS, MB", value: (p) => p.idleRssMb, limit: 250, unit: "MB" },
    { title: "today's takings, ms", value: (p) => p.takingsMs, unit: "ms" },
    { title: "paid-orders list, ms", value: (p) => p.paidListMs, unit: "ms" },
    { title: "a new order, ms", value: (p) => p.newOrderMs, unit: "ms" },
    { title: "disk a meal, KB", value: (p) => p.diskBytesPerMeal / 1024, limit: 4, unit: "KB" },
  ];
  const height = 200;
  const width = (WIDTH - 40) / figures.length;
  const plotTop = top + 56;
  const plotHeight = 100;
  const parts = [
    text(
      20,
      top + 18,
      "History: Brigade restarted on N meals (scripts/seed-history.ts)",
      `font-size="14" font-weight="bold"`,
    ),
  ];
  figures.forEach((figure, f) => {
    const left = 20 + f * width;
    const values = points.map((p) => (Number.isFinite(figure.value(p)) ? figure.value(p) : 0));
    const max = Math.max(figure.limit ?? 0, ...values) * 1.15 || 1;
    const y = (v: number) => plotTop + plotHeight - (v / max) * plotHeight;
    parts.push(text(left, top + 40, figure.title, `font-size="11"`));
    if (figure.limit !== undefined)
      parts.push(
        line(left, y(figure.limit), left + width - 12, y(figure.limit), `stroke="#c92a2a" stroke-dasharray="4 3"`),
      );
    const slot = (width - 12) / points.length;
    points.forEach((p, i) => {
      const x = left + i * slot;
      const v = values[i];
      parts.push(rect(x + slot * 0.15, y(v), slot * 0.7, plotTop + plotHeight - y(v), COLORS.brigade));
      parts.push(
        text(x + slot / 2, y(v) - 3, v >= 10 ? v.toFixed(0) : v.toFixed(1), `text-anchor="middle" font-size="9"`),
      );
      const label = p.meals >= 1000 ? `${p.meals / 1000}k` : String(p.meals);
      parts.push(text(x + slot / 2, plotTop + plotHeight + 12, label, `text-anchor="middle" font-size="9"`));
    });
  });
  return { svg: parts.join("\n"), height };
}

export function chart(results: BenchResults): string {
  const throughput = throughputPanel(results, 10);
  const lowerTop = 10 + throughput.height + 10;
  const half = (WIDTH - 60) / 2;
  const history = historyPanel(results, lowerTop + 240);
  const height = lowerTop + 250 + history.height;
  const caption = `Brigade benchmark, ${results.startedAt.slice(0, 16).replace("T", " ")} UTC, ${results.machine.cpus} CPUs (${results.plan.mode} plan). A: raw node:http, same bytes; C: bare moleculer-web, one process; E: the same over NATS.`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    throughput.svg,
    kitchenPanel(results, lowerTop, 20, half),
    memoryPanel(results, lowerTop, 40 + half, half),
    history.svg,
    text(20, height - 8, caption, `font-size="10" fill="#555"`),
    `</svg>`,
  ].join("\n");
}
