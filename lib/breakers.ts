/**
 * Circuit breakers, as each node sees them. A breaker belongs to the caller: node A may have
 * stopped sending `orders.place` to node C while node B still does. So every node is asked
 * for its own view (`$node.actions` with endpoints: an endpoint whose breaker is open is
 * unavailable to that caller), and, where the node has metrics on, Moleculer's breaker gauges
 * tell an open breaker from one half-open and probing. Read by the operator's REPL and by the
 * gateway's cluster view (services/api/cluster-view.ts).
 */
import type { ClusterReader } from "./caller";

export type BreakerState = "closed" | "open" | "half-open" | "node down";

export interface BreakerRow {
  /** The node whose breaker this is (the caller). */
  node: string;
  action: string;
  /** The node the calls go to. */
  target: string;
  state: BreakerState;
}

export interface BreakersView {
  rows: BreakerRow[];
  /** Nodes that did not answer (their breakers are unknown). */
  silent: string[];
  nodes: number;
}

interface ActionItem {
  name: string;
  endpoints?: { nodeID: string; state: boolean; available: boolean }[];
}
interface MetricItem {
  name: string;
  values: { labels: { affectedNodeID?: string; action?: string }; value: number }[];
}

async function halfOpen(broker: ClusterReader, node: string): Promise<Set<string>> {
  try {
    const metrics = (await broker.call(
      "$node.metrics",
      { includes: "moleculer.circuit-breaker.half-opened.active" },
      { nodeID: node, timeout: 2000, retries: 0 },
    )) as MetricItem[];
    const keys = new Set<string>();
    for (const metric of metrics)
      for (const v of metric.values) if (v.value > 0) keys.add(`${v.labels.action}@${v.labels.affectedNodeID}`);
    return keys;
  } catch {
    // Metrics off on that node: an endpoint is then open or closed, nothing finer.
    return new Set();
  }
}

async function viewOf(broker: ClusterReader, node: string): Promise<BreakerRow[] | null> {
  let actions: ActionItem[];
  try {
    actions = (await broker.call(
      "$node.actions",
      { withEndpoints: true, skipInternal: true },
      { nodeID: node, timeout: 2000, retries: 0 },
    )) as ActionItem[];
  } catch {
    return null;
  }
  const probing = await halfOpen(broker, node);
  const rows: BreakerRow[] = [];
  for (const action of actions) {
    for (const ep of action.endpoints ?? []) {
      const state: BreakerState = !ep.available
        ? "node down"
        : probing.has(`${action.name}@${ep.nodeID}`)
          ? "half-open"
          : ep.state
            ? "closed"
            : "open";
      rows.push({ node, action: action.name, target: ep.nodeID, state });
    }
  }
  return rows;
}

export async function readBreakers(broker: ClusterReader): Promise<BreakersView> {
  const nodes = (broker.registry.getNodeList({ onlyAvailable: true }) as { id: string }[]).map((n) => n.id).sort();
  const views = await Promise.all(nodes.map((node) => viewOf(broker, node)));
  const rows = views.flatMap((v) => v ?? []);
  const silent = nodes.filter((_, i) => views[i] === null);
  const order: Record<BreakerState, number> = { open: 0, "half-open": 1, "node down": 2, closed: 3 };
  rows.sort(
    (a, b) =>
      order[a.state] - order[b.state] ||
      a.node.localeCompare(b.node) ||
      a.action.localeCompare(b.action) ||
      a.target.localeCompare(b.target),
  );
  return { rows, silent, nodes: nodes.length };
}
