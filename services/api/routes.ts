/**
 * Every HTTP route Brigade exposes, and the action behind it: the gateway aliases exactly
 * these and nothing else (no auto-aliasing). Who may call each one is declared on the action
 * (`roles`), so a route and its permission cannot drift apart across services.
 */
export interface RouteDef {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  action: string;
}

export const API_ROUTES: readonly RouteDef[] = [
  { method: "POST", path: "/auth/login", action: "staff.login" },
  { method: "GET", path: "/auth/me", action: "staff.me" },

  { method: "GET", path: "/staff", action: "staff.list" },
  { method: "POST", path: "/staff", action: "staff.create" },
  { method: "PATCH", path: "/staff/:id", action: "staff.update" },
  { method: "DELETE", path: "/staff/:id", action: "staff.deactivate" },

  { method: "GET", path: "/locations", action: "staff.locations" },
  { method: "POST", path: "/locations", action: "staff.createLocation" },
  { method: "PATCH", path: "/locations/:id", action: "staff.updateLocation" },

  { method: "GET", path: "/dishes", action: "menu.list" },
  { method: "GET", path: "/dishes/:id", action: "menu.get" },
  { method: "POST", path: "/dishes", action: "menu.create" },
  { method: "PATCH", path: "/dishes/:id", action: "menu.update" },
  { method: "DELETE", path: "/dishes/:id", action: "menu.remove" },

  { method: "GET", path: "/ingredients", action: "inventory.list" },
  { method: "GET", path: "/ingredients/:id", action: "inventory.get" },
  { method: "POST", path: "/ingredients", action: "inventory.create" },
  { method: "PATCH", path: "/ingredients/:id", action: "inventory.update" },

  { method: "GET", path: "/purchase-orders", action: "inventory.listPurchaseOrders" },
  { method: "POST", path: "/purchase-orders", action: "inventory.createPurchaseOrder" },
  { method: "POST", path: "/purchase-orders/:id/receive", action: "inventory.receive" },

  { method: "POST", path: "/orders", action: "orders.place" },
  { method: "GET", path: "/orders", action: "orders.list" },
  { method: "GET", path: "/orders/:id", action: "orders.get" },
  { method: "POST", path: "/orders/:id/serve", action: "orders.serve" },
  { method: "POST", path: "/orders/:id/cancel", action: "orders.cancel" },

  { method: "GET", path: "/tickets", action: "kitchen.list" },
  { method: "POST", path: "/tickets/:id/bump", action: "kitchen.bump" },

  { method: "POST", path: "/bills", action: "billing.open" },
  { method: "GET", path: "/bills", action: "billing.list" },
  { method: "GET", path: "/bills/:id", action: "billing.get" },
  { method: "POST", path: "/bills/:id/payments", action: "billing.pay" },
  { method: "POST", path: "/bills/:id/refunds", action: "billing.refund" },
  { method: "GET", path: "/takings", action: "billing.takings" },

  // The dashboard (services/api/live.ts): a ticket for the live stream, and the cluster view.
  { method: "POST", path: "/live/tickets", action: "api.liveTicket" },
  { method: "GET", path: "/cluster", action: "api.cluster" },
];

export function aliases(routes: readonly RouteDef[] = API_ROUTES): Record<string, string> {
  return Object.fromEntries(routes.map((r) => [`${r.method} ${r.path}`, r.action]));
}
