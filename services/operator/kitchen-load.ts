/**
 * The kitchen: per kitchen node, the tickets it cooks now (by station) against its chefs, and
 * whether it is draining; plus the queue every node takes from.
 *
 * What is cooking where comes from the tickets themselves (each records its node), so a node
 * that died mid-ticket still shows, marked gone. Chefs and draining come from each node's
 * `kitchen.status`, asked of that node.
 */
import type { ServiceBroker } from "moleculer";
import type { KitchenNodeStatus, TicketView } from "../../lib/contracts";
import { collectPages, countOf } from "../../lib/collect";
import type { ClusterReader } from "../../lib/caller";
import { textTable } from "./text-table";

export interface KitchenNodeRow {
  node: string;
  /** The node is in the registry and runs the kitchen. */
  alive: boolean;
  chefs: number | null;
  cooking: number;
  draining: boolean | null;
  /** KITCHEN_LOCATIONS of the node: "all", its list, or null when it did not say. */
  locations: string[] | "all" | null;
  stations: Record<string, number>;
}

export interface KitchenView {
  nodes: KitchenNodeRow[];
  queued: number;
  cooking: number;
  truncated: boolean;
}

/** Nodes that run the kitchen service now. */
export function kitchenNodes(broker: Pick<ServiceBroker, "registry">): string[] {
  const list = broker.registry.getServiceList({ onlyAvailable: true, skipInternal: true }) as {
    name: string;
    nodeID: string;
  }[];
  return [...new Set(list.filter((s) => s.name === "kitchen").map((s) => s.nodeID))].sort();
}

async function statusOf(broker: ClusterReader, node: string): Promise<KitchenNodeStatus | null> {
  try {
    return (await broker.call("kitchen.status", {}, { nodeID: node, timeout: 2000, retries: 0 })) as KitchenNodeStatus;
  } catch {
    // An older kitchen without `kitchen.status`, or a node that stopped answering.
    return null;
  }
}

export async function readKitchen(broker: ClusterReader, { maxRows = 5000 } = {}): Promise<KitchenView> {
  const alive = kitchenNodes(broker);
  const [cooking, queued, statuses] = await Promise.all([
    collectPages<TicketView>(broker, "kitchen.list", { status: "cooking" }, { maxRows }),
    countOf(broker, "kitchen.list", { status: "queued" }),
    Promise.all(alive.map((node) => statusOf(broker, node))),
  ]);
  const rows = new Map<string, KitchenNodeRow>();
  alive.forEach((node, i) => {
    const status = statuses[i];
    rows.set(node, {
      node,
      alive: true,
      chefs: status?.chefs ?? null,
      cooking: 0,
      draining: status?.draining ?? null,
      locations: status?.locations ?? null,
      stations: {},
    });
  });
  for (const ticket of cooking.rows) {
    const node = ticket.node ?? "(none)";
    let row = rows.get(node);
    if (!row) {
      row = { node, alive: false, chefs: null, cooking: 0, draining: null, locations: null, stations: {} };
      rows.set(node, row);
    }
    row.cooking++;
    row.stations[ticket.station] = (row.stations[ticket.station] ?? 0) + 1;
  }
  const nodes = [...rows.values()].sort((a, b) => Number(b.alive) - Number(a.alive) || a.node.localeCompare(b.node));
  return { nodes, queued, cooking: cooking.total, truncated: cooking.truncated };
}

function load(row: KitchenNodeRow): string {
  if (!row.chefs) return "?";
  return `${Math.round((row.cooking / row.chefs) * 100)}%`;
}

export function renderKitchen(view: KitchenView): string {
  const table = textTable(
    ["node", "state", "locations", "cooking", "chefs", "load", "by station"],
    view.nodes.map((row) => [
      row.node,
      !row.alive ? "gone" : row.draining ? "draining" : row.draining === null ? "?" : "taking tickets",
      row.locations === null ? "?" : row.locations === "all" ? "every" : row.locations.join(","),
      row.cooking,
      row.chefs ?? "?",
      load(row),
      Object.entries(row.stations)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([station, n]) => `${station} ${n}`)
        .join(", ") || "-",
    ]),
    ["left", "left", "left", "right", "right", "right", "left"],
  );
  const note = view.truncated ? " (more cooking than shown)" : "";
  return `Kitchen: ${view.cooking} cooking, ${view.queued} queued${note}\n${table}`;
}
