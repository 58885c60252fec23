/**
 * What "ready" means for a node, the same on the gateway (/health/ready) and on the health port
 * of a node without it (middlewares/health-server.middleware.ts):
 *   - the broker has started and is not stopping;
 *   - the transporter, when there is one, reaches its server now;
 *   - every store of this node's services answers (`storeReachable`, from mixins/db.mixin.ts).
 * Each probe has a deadline, so a hung dependency makes the answer 503, never a hung probe.
 * Dependencies are checked at most once a second, however many probes come (a flood of them
 * costs one check): probes arriving meanwhile share the answer. Whether the broker is stopping
 * is read on every probe, so a stopping node says so at once.
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

/** How long the dependencies' answer is shared by the probes that follow it. */
export const READY_CACHE_MS = 1000;

type DependencyChecks = Pick<Readiness["checks"], "transporter" | "stores">;
interface LastChecks {
  services: string;
  checks: Promise<DependencyChecks>;
  /** Unset while the checks run: probes arriving then join them. */
  settledAt?: number;
}
const lastChecks = new WeakMap<HealthBroker, LastChecks>();

function dependencyChecks(broker: HealthBroker, now: number): Promise<DependencyChecks> {
  // A service that comes or goes (its store with it) is checked at once, not a second later.
  const services = (broker.services ?? []).map((svc) => svc.fullName ?? svc.name).join(",");
  const last = lastChecks.get(broker);
  if (last?.services === services && (last.settledAt === undefined || now - last.settledAt < READY_CACHE_MS))
    return last.checks;
  const entry: LastChecks = {
    services,
    checks: Promise.all([transporterReachable(broker), storesReachable(broker)]).then(([transporter, stores]) => {
      entry.settledAt = Date.now();
      return { transporter, stores };
    }),
  };
  lastChecks.set(broker, entry);
  return entry.checks;
}

export async function readiness(broker: HealthBroker, now = Date.now()): Promise<Readiness> {
  const brokerOk = broker.started !== false && !broker.stopping;
  const { transporter, stores } = await dependencyChecks(broker, now);
  const ready = brokerOk && transporter !== false && Object.values(stores).every(Boolean);
  return { ready, node: broker.nodeID, checks: { broker: brokerOk, transporter, stores } };
}
