/**
 * How long and how hard each part of a run goes. The full plan fits the whole benchmark in well
 * under 10 minutes on a 2-core machine; the smoke plan runs every scenario for a few seconds
 * so `npm test` keeps the benchmark working.
 */
import type { MeasurePlan } from "./measure";

export interface KitchenPlan {
  /** Kitchen node counts, measured in this order on one growing cluster. */
  nodes: number[];
  /** KITCHEN_CHEFS of every kitchen node (the product's default). */
  chefs: number;
  /** The bench dish's prepSeconds; times KITCHEN_TIME_SCALE gives the real prep time. */
  prepSeconds: number;
  timeScale: number;
  /** After a node joins, before counting. */
  warmupSeconds: number;
  measureSeconds: number;
  backlogOrders: number;
  linesPerOrder: number;
}

export interface BenchPlan {
  mode: "full" | "smoke";
  http: MeasurePlan;
  kitchen: KitchenPlan;
}

const KITCHEN = { chefs: 4, prepSeconds: 10, timeScale: 0.05, linesPerOrder: 4 } as const;

export function benchPlan(mode: "full" | "smoke"): BenchPlan {
  if (mode === "smoke") {
    return {
      mode,
      http: { rounds: 1, seconds: 2, warmupSeconds: 1, connections: 50 },
      kitchen: { ...KITCHEN, nodes: [1, 2], warmupSeconds: 1, measureSeconds: 3, backlogOrders: 100 },
    };
  }
  return {
    mode,
    http: { rounds: 3, seconds: 5, warmupSeconds: 2, connections: 50 },
    // One node, at 4 chefs and 0.5 s a ticket, cooks 8 tickets a second; four cook 32. The
    // backlog (2400 tickets) outlasts all four phases and the start-ups between them.
    kitchen: { ...KITCHEN, nodes: [1, 2, 3, 4], warmupSeconds: 3, measureSeconds: 12, backlogOrders: 600 },
  };
}
