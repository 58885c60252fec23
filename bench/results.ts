/** The shape of bench/results/<date>.json. */
import type { TargetResult } from "./measure";
import type { BenchPlan } from "./plan";

export interface Comparison {
  /** "menu" (GET /api/dishes) or "orders" (POST /api/orders). */
  endpoint: "menu" | "orders";
  targets: TargetResult[];
  /** Brigade ÷ reference, the median of per-round ratios, by reference key. */
  ratios: Record<string, number>;
  /**
   * For orders: accepted orders the store gained, against the 201s the load generator got. The
   * store may hold more: requests still in flight when a run's time is up are placed, but their
   * answers are not counted — at most `inFlightAtEnd` (connections × runs).
   */
  stored?: { answered201: number; storedOrders: number; inFlightAtEnd: number };
}

export interface NodeMemory {
  node: string;
  idleRssMb: number;
  peakUnderLoadMb: number;
  /**
   * Orders in the node's store when the load ended (a faster run stores more in the same time).
   */
  ordersHeld?: number;
}

export interface KitchenPhase {
  nodes: number;
  ticketsPerSecond: number;
  /** ticketsPerSecond ÷ the one-node baseline. */
  scaling: number;
  /** The ideal: nodes × chefs ÷ prep time. */
  idealTicketsPerSecond: number;
  perNode: Record<string, number>;
  /** Tickets still queued when the phase ended: 0 means the backlog ran out and the figure is low. */
  queuedAfter: number;
  windowSeconds: number;
}

export interface KitchenResult {
  chefsPerNode: number;
  prepSeconds: number;
  backlogTickets: number;
  phases: KitchenPhase[];
  /** One node measured again after the others drained (see scenarios/cluster.ts). */
  oneNodeAgain?: KitchenPhase;
  /** The one-node figure every `scaling` divides by: the mean of both one-node phases. */
  oneNodeBaseline: number;
  /** Tickets the probe heard done, against the store's count of done tickets. */
  doneHeard: number;
  doneStored: number;
  error?: string;
}

/** One size of the history scenario (scenarios/history.ts): Brigade restarted on `meals` meals. */
export interface HistoryPoint {
  meals: number;
  /** How long `npm run seed:history` took to write them. */
  seedSeconds: number;
  /** From spawning the process to /health/ready answering. */
  restartSeconds: number;
  idleRssMb: number;
  /** Medians of sequential requests. */
  takingsMs: number;
  paidListMs: number;
  newOrderMs: number;
  /** The node's CPU time per new order (its kitchen starting to cook it included). */
  newOrderCpuMs: number;
  diskBytes: number;
  diskBytesPerMeal: number;
}

export interface HistoryResult {
  points: HistoryPoint[];
}

export interface ScenarioError {
  scenario: string;
  message: string;
}

export interface BenchResults {
  version: 1;
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  plan: BenchPlan;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; loadAverageAtStart: number[] };
  embedded?: { menu?: Comparison; orders?: Comparison; memory: NodeMemory[] };
  cluster?: { menu?: Comparison; orders?: Comparison; kitchen?: KitchenResult; memory: NodeMemory[] };
  history?: HistoryResult;
  errors: ScenarioError[];
  targets: TargetCheck[];
}

export interface TargetCheck {
  name: string;
  measured: string;
  goal: string;
  met: boolean | null;
}
