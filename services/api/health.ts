/** What "ready" means for a node: the broker runs, and it is connected to the cluster if it has one. */
export interface HealthBroker {
  started?: boolean;
  nodeID: string;
  transit?: { connected: boolean } | null;
  options: { transporter?: unknown };
}

export interface Readiness {
  ready: boolean;
  node: string;
  checks: { broker: boolean; transporter: boolean | "none" };
}

export async function readiness(broker: HealthBroker): Promise<Readiness> {
  const brokerOk = broker.started !== false;
  const transporter = broker.transit && broker.options.transporter ? broker.transit.connected : ("none" as const);
  return { ready: brokerOk && transporter !== false, node: broker.nodeID, checks: { broker: brokerOk, transporter } };
}
