/**
 * A small restaurant for the orders and kitchen tests, set up through the API as a manager
 * would, and the "eventually" helper: poll until a condition holds, or fail with the last
 * thing seen once a deadline passes (never a fixed sleep standing in for an assertion).
 */
import type { Brigade, ServiceName } from "./brigade";
import type { IngredientView, OrderView, Station, TicketView } from "../../lib/contracts";

export interface FixtureIngredient {
  name: string;
  unit: "g" | "ml" | "pcs";
  onHand: number;
}

export interface FixtureDish {
  name: string;
  priceCents: number;
  station: Station;
  prepSeconds: number;
  /** Ingredient ids (slugs of their names) and quantities. */
  recipe: { ingredient: string; qty: number }[];
  category?: string;
}

/** Polls `probe` until it answers something truthy; fails with what it last saw after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | null | undefined | false>,
  what: string,
  timeoutMs = 20_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `Timed out waiting for ${what}; last seen: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export async function createIngredients(b: Brigade, ingredients: FixtureIngredient[]): Promise<void> {
  for (const ingredient of ingredients) {
    const res = await b.request("POST", "/api/ingredients", { token: b.adminToken, body: ingredient });
    if (res.status !== 201)
      throw new Error(`creating ingredient ${ingredient.name} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

export async function createDishes(b: Brigade, dishes: FixtureDish[]): Promise<void> {
  for (const dish of dishes) {
    const res = await b.request("POST", "/api/dishes", { token: b.adminToken, body: { category: "mains", ...dish } });
    if (res.status !== 201)
      throw new Error(`creating dish ${dish.name} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/**
 * The cluster tests' one-dish restaurant: rice in the store and a sauté risotto of 80 g,
 * cooked in `prepSeconds` (long enough to be on the stove when a test needs it there).
 */
export async function riceAndRisotto(b: Brigade, rice: { onHand: number; prepSeconds: number }): Promise<void> {
  await createIngredients(b, [{ name: "Rice", unit: "g", onHand: rice.onHand }]);
  await createDishes(b, [
    {
      name: "Risotto",
      priceCents: 1400,
      station: "saute",
      prepSeconds: rice.prepSeconds,
      recipe: [{ ingredient: "rice", qty: 80 }],
    },
  ]);
}

export async function ingredient(b: Brigade, id: string): Promise<IngredientView> {
  const res = await b.request("GET", `/api/ingredients/${id}`, { token: b.adminToken });
  if (res.status !== 200) throw new Error(`reading ingredient ${id} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function order(b: Brigade, id: string): Promise<OrderView> {
  const res = await b.request("GET", `/api/orders/${id}`, { token: b.adminToken });
  if (res.status !== 200) throw new Error(`reading order ${id} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Every ticket of one order (the kitchen's list, all pages), oldest first. */
export async function ticketsOf(b: Brigade, orderId: string): Promise<TicketView[]> {
  return (await allTickets(b)).filter((t) => t.order === orderId);
}

export async function allTickets(b: Brigade, query = ""): Promise<TicketView[]> {
  const rows: TicketView[] = [];
  for (let page = 1; ; page++) {
    const res = await b.request("GET", `/api/tickets?pageSize=100&page=${page}${query ? `&${query}` : ""}`, {
      token: b.adminToken,
    });
    if (res.status !== 200) throw new Error(`listing tickets failed: ${res.status} ${JSON.stringify(res.body)}`);
    rows.push(...res.body.rows);
    if (page >= res.body.totalPages) return rows;
  }
}

/** Waits until the order reaches `status`; fails at once if it lands somewhere else for good. */
export async function orderReaches(
  b: Brigade,
  id: string,
  status: OrderView["status"],
  timeoutMs?: number,
): Promise<OrderView> {
  return eventually(
    async () => {
      const now = await order(b, id);
      if (now.status !== status && ["cancelled", "paid"].includes(now.status))
        throw new Error(`order ${id} is ${now.status}`);
      return now.status === status ? now : null;
    },
    `order ${id} to be ${status}`,
    timeoutMs,
  );
}

/** The services a meal needs up to the kitchen (no billing), and a kitchen fast enough for tests. */
export const KITCHEN_SERVICES: ServiceName[] = ["api", "staff", "menu", "inventory", "orders", "kitchen"];
export function fastKitchen(chefs: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    KITCHEN_TIME_SCALE: "0.01",
    KITCHEN_CHEFS: String(chefs),
    KITCHEN_POLL_MS: "20",
    BRIGADE_RECONCILE_MS: "100",
    ...extra,
  };
}
