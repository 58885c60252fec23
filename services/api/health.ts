/**
 * What "ready" means for a node, the same on the gateway (/health/ready) and on the health port
 * of a node without it (middlewares/health-server.middleware.ts):
 *   - the broker has started and is not stopping;
 *   - the transporter, when there is one, reaches its server now;
 *   - every store of this node's services answers (`storeReachable`, from mixins/db.mixin.ts).
 * Each probe has a deadline, so a hung dependency makes the answer 503, never a hung probe.
 */

/** How long one dependency may take to answer a readiness probe. */
export const PROBE_TIMEOUT_MS = 1500;

interface NatsLikeClient {
  flush?(): Promise<void>;
  isClosed?(): boolean;
}

export interface HealthBroker {
  started?: boolean;
  stopping?: boolean;
  nodeID: string;
  transit?: { connected: boolean; tx?: { connected?: boolean; client?: NatsLikeClient | null } } | null;
  options: { transporter?: unknown };
  services?: readonly { fullName?: string; name: string; storeReachable?: (timeoutMs: number) => Promise<boolean> }[];
}

export interface Readiness {
  ready: boolean;
  node: string;
  checks: { broker: boolean; transporter: boolean | "none"; stores: Record<string, boolean> };
}

export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Moleculer's `transit.connected` stays true while the NATS client reconnects after losing its
 * server, so it cannot tell an outage. A flush is a PING/PONG with the NATS server: it answers
 * at once when connected and waits for the reconnect otherwise.
 */
async function transporterReachable(broker: HealthBroker): Promise<boolean | "none"> {
  if (!broker.transit || !broker.options.transporter) return "none";
  const tx = broker.transit.tx;
  if (!broker.transit.connected || tx?.connected === false) return false;
  const client = tx?.client;
  if (!client?.flush) return true;
  if (client.isClosed?.()) return false;
  return withDeadline(
    client.flush().then(
      () => true,
      () => false,
    ),
    PROBE_TIMEOUT_MS,
    false,
  );
}

async function storesReachable(broker: HealthBroker): Promise<Record<string, boolean>> {
  const withStore = (broker.services ?? []).filter((svc) => typeof svc.storeReachable === "function");
  const answers = await Promise.all(
    withStore.map((svc) =>
      withDeadline(
        svc.storeReachable!(PROBE_TIMEOUT_MS).catch(() => false),
        PROBE_TIMEOUT_MS + 100,
        false,
      ),
    ),
  );
  return Object.fromEntries(withStore.map((svc, i) => [svc.fullName ?? svc.name, answers[i]]));
}

/** Alive: this process answers. Nothing else is checked, so an orchestrator never restarts a node for a dependency. */
export function liveness(broker: Pick<HealthBroker, "nodeID">): { status: "alive"; node: string } {
  return { status: "alive", node: broker.nodeID };
}

export async function readiness(broker: HealthBroker): Promise<Readiness> {
  const brokerOk = broker.started !== false && !broker.stopping;
  const [transporter, stores] = await Promise.all([transporterReachable(broker), storesReachable(broker)]);
  const ready = brokerOk && transporter !== false && Object.values(stores).every(Boolean);
  return { ready, node: broker.nodeID, checks: { broker: brokerOk, transporter, stores } };
}
