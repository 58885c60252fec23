/**
 * Draining a kitchen node before it is shut down: it finishes what it cooks and starts nothing
 * new; the other kitchen nodes take the queue. The call goes to that node only (`nodeID`), so
 * the balancer cannot answer it from another kitchen.
 */
import type { ClusterReader } from "../../lib/caller";
import type { KitchenDrainParams, KitchenNodeStatus } from "../../lib/contracts";
import { kitchenNodes } from "./kitchen-load";
import { textTable } from "./text-table";

export class DrainRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DrainRefused";
  }
}

export async function drainKitchen(
  broker: ClusterReader,
  node: string,
  { draining = true }: { draining?: boolean } = {},
): Promise<KitchenNodeStatus> {
  const kitchens = kitchenNodes(broker);
  if (!kitchens.includes(node)) {
    throw new DrainRefused(`No kitchen runs on node "${node}". Kitchen nodes now: ${kitchens.join(", ") || "none"}.`);
  }
  const params: KitchenDrainParams = { draining };
  return (await broker.call("kitchen.drain", params, { nodeID: node, retries: 0 })) as KitchenNodeStatus;
}

export function renderDrain(status: KitchenNodeStatus): string {
  const table = textTable(
    ["node", "state", "cooking", "chefs"],
    [[status.node, status.draining ? "draining" : "taking tickets", status.cooking, status.chefs]],
  );
  const next = status.draining
    ? status.cooking > 0
      ? `It finishes its ${status.cooking} ticket(s) and starts no new one; stop it when \`kitchen\` shows 0 cooking there.`
      : "It cooks nothing: it can be stopped now."
    : "It takes tickets again.";
  return `${table}\n${next}`;
}
