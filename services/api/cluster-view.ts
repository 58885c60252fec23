/**
 * The manager's picture of the cluster, as this gateway's broker knows it: the nodes alive now
 * (a node that stops sending heartbeats is dropped by the registry after `heartbeatTimeout`
 * seconds, and a new one is there as soon as its INFO packet arrives), what each runs, its CPU
 * (sent with every heartbeat), the kitchen's chefs per node, and every caller's circuit
 * breakers (lib/breakers.ts asks each node for its own view).
 */
import type { ServiceBroker } from "moleculer";
import type { KitchenNodeStatus } from "../../lib/contracts";
import { readBreakers, type BreakerRow } from "../../lib/breakers";
import type { ClusterReader } from "../../lib/caller";

export interface ClusterNode {
  id: string;
  hostname: string | null;
  ips: string[];
  /** The node answering this request. */
  local: boolean;
  /** Whole-machine CPU use in percent, from the node's last heartbeat (measured here for the local node). */
  cpu: number | null;
  /** Seconds since its last heartbeat reached this node (0 for the local node). */
  heartbeatAgeSeconds: number;
  /** Brigade services it runs (Moleculer's internal `$node` left out). */
  services: string[];
  client: string;
  kitchen: Pick<KitchenNodeStatus, "chefs" | "cooking" | "draining" | "locations"> | null;
}

/** Which kitchen nodes cook a location's tickets (KITCHEN_LOCATIONS, or every location). */
export interface LocationKitchens {
  id: string;
  kitchens: string[];
}

export interface ClusterView {
  checkedAt: string;
  /** The gateway node that answered. */
  node: string;
  heartbeatIntervalSeconds: number;
  heartbeatTimeoutSeconds: number;
  nodes: ClusterNode[];
  /** Every location of the group and its kitchens; empty when the staff service cannot say. */
  locations: LocationKitchens[];
  /** What an operator should act on now, in words ("east has no kitchen: …"). */
  warnings: string[];
  breakers: {
    /** Breakers not closed (open, half-open, or towards a node that is down). */
    tripped: BreakerRow[];
    closed: number;
    /** Nodes that did not say (their breakers are unknown). */
    silent: string[];
  };
}

interface NodeInfo {
  id: string;
  local: boolean;
  hostname: string | null;
  ipList: string[] | null;
  cpu: number | null;
  lastHeartbeatTime: number;
  client: { type?: string; version?: string };
  services: { name: string }[];
}

const ASK = { timeout: 2000, retries: 0 };

async function kitchenOf(broker: ServiceBroker, node: NodeInfo): Promise<ClusterNode["kitchen"]> {
  if (!node.services.some((s) => s.name === "kitchen")) return null;
  try {
    const status = await broker.call<KitchenNodeStatus, object>("kitchen.status", {}, { ...ASK, nodeID: node.id });
    return {
      chefs: status.chefs,
      cooking: status.cooking,
      draining: status.draining,
      locations: status.locations ?? "all",
    };
  } catch {
    return null;
  }
}

async function cpuOf(broker: ServiceBroker, node: NodeInfo): Promise<number | null> {
  if (node.cpu != null) return Math.round(node.cpu);
  // Without a transporter no heartbeat ever measures the local node: measure it now (~200 ms).
  if (!node.local) return null;
  try {
    const usage = (await broker.getCpuUsage()) as { avg: number };
    return Math.round(usage.avg);
  } catch {
    return null;
  }
}

/** Each location's kitchens, and a warning for a location none serves (its orders wait). */
export function kitchensByLocation(
  locations: readonly string[],
  nodes: readonly Pick<ClusterNode, "id" | "kitchen">[],
): { locations: LocationKitchens[]; warnings: string[] } {
  const rows = locations.map((id) => ({
    id,
    kitchens: nodes
      .filter((n) => n.kitchen && (n.kitchen.locations === "all" || n.kitchen.locations.includes(id)))
      .map((n) => n.id),
  }));
  const warnings = rows
    .filter((row) => row.kitchens.length === 0)
    .map(
      (row) =>
        `Location ${row.id} has no kitchen: its orders wait, queued, until a kitchen node serving it starts ` +
        `(KITCHEN_LOCATIONS=${row.id}, or unset for every location).`,
    );
  return { locations: rows, warnings };
}

async function locationIds(broker: ServiceBroker): Promise<string[]> {
  try {
    return await broker.call<string[], object>("staff.locationIds", {}, ASK);
  } catch {
    return [];
  }
}

export async function readCluster(broker: ServiceBroker): Promise<ClusterView> {
  const infos = (
    broker.registry.getNodeList({ onlyAvailable: true, withServices: true }) as unknown as NodeInfo[]
  ).sort((a, b) => Number(b.local) - Number(a.local) || a.id.localeCompare(b.id));
  const reader: ClusterReader = {
    call: (action, params, opts) => broker.call(action, params, opts),
    registry: broker.registry,
  };
  const [nodes, breakers, locations] = await Promise.all([
    Promise.all(
      infos.map(
        async (info): Promise<ClusterNode> => ({
          id: info.id,
          hostname: info.hostname ?? null,
          ips: info.ipList ?? [],
          local: info.local,
          cpu: await cpuOf(broker, info),
          heartbeatAgeSeconds: info.local ? 0 : Math.max(0, Math.round(process.uptime() - info.lastHeartbeatTime)),
          services: [...new Set(info.services.map((s) => s.name).filter((name) => !name.startsWith("$")))].sort(),
          client: [info.client?.type, info.client?.version].filter(Boolean).join(" "),
          kitchen: await kitchenOf(broker, info),
        }),
      ),
    ),
    readBreakers(reader),
    locationIds(broker),
  ]);
  const tripped = breakers.rows.filter((row) => row.state !== "closed");
  return {
    checkedAt: new Date().toISOString(),
    node: broker.nodeID,
    heartbeatIntervalSeconds: broker.options.heartbeatInterval ?? 10,
    heartbeatTimeoutSeconds: broker.options.heartbeatTimeout ?? 30,
    nodes,
    ...kitchensByLocation(locations, nodes),
    breakers: { tripped, closed: breakers.rows.length - tripped.length, silent: breakers.silent },
  };
}
