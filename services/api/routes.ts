/**
 * Every HTTP route Brigade exposes, and the action behind it: the gateway aliases exactly
 * these and nothing else (no auto-aliasing). Who may call each one is declared on the action
 * (`roles`), so a route and its permission cannot drift apart across services. What only the
 * gateway knows (the answer's status, the Idempotency-Key, the conflicts a client can meet)
 * is said here, for the OpenAPI document (./openapi/document.ts).
 */
export interface RouteDef {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  action: string;
  /** One line for the API's reader. */
  summary: string;
  /** The status of a success: 200 unless the route creates something (lib/created.ts). */
  status?: 200 | 201;
  /** The action reads `ctx.meta.idempotencyKey`: the same key gives the same answer. */
  idempotencyKey?: true;
  /** When the route answers 409, and with which `type`s. */
  conflict?: string;
}

export const API_ROUTES: readonly RouteDef[] = [
  {
    method: "POST",
    path: "/auth/login",
    action: "staff.login",
    summary: "Log in: trade a username and password for a token.",
  },
  { method: "GET", path: "/auth/me", action: "staff.me", summary: "The staff member the token belongs to." },

  { method: "GET", path: "/staff", action: "staff.list", summary: "List staff members." },
  {
    method: "POST",
    path: "/staff",
    action: "staff.create",
    summary: "Add a staff member.",
    status: 201,
    conflict: "USERNAME_TAKEN: the username is in use.",
  },
  {
    method: "PATCH",
    path: "/staff/:id",
    action: "staff.update",
    summary: "Change a staff member's name, role, password or active flag.",
    conflict: "CANNOT_DEACTIVATE_SELF, CANNOT_CHANGE_OWN_ROLE: a manager cannot lock themselves out.",
  },
  {
    method: "DELETE",
    path: "/staff/:id",
    action: "staff.deactivate",
    summary: "Deactivate a staff member (their tokens stop working at once).",
    conflict: "CANNOT_DEACTIVATE_SELF.",
  },

  {
    method: "GET",
    path: "/locations",
    action: "staff.locations",
    summary: "The group's locations (an owner), or one's own.",
  },
  {
    method: "POST",
    path: "/locations",
    action: "staff.createLocation",
    summary: "Open a location of the group.",
    status: 201,
    conflict: "LOCATION_EXISTS: a location of that id exists.",
  },
  { method: "PATCH", path: "/locations/:id", action: "staff.updateLocation", summary: "Change a location's record." },

  { method: "GET", path: "/dishes", action: "menu.list", summary: "The menu." },
  { method: "GET", path: "/dishes/:id", action: "menu.get", summary: "One dish." },
  {
    method: "POST",
    path: "/dishes",
    action: "menu.create",
    summary: "Add a dish.",
    status: 201,
    conflict: "DISH_EXISTS: a dish of that name exists.",
  },
  {
    method: "PATCH",
    path: "/dishes/:id",
    action: "menu.update",
    summary:
      'Change a dish; `{soldOut: true}` takes it off ("86") whatever the stock says, and a chef may change only that.',
  },
  { method: "DELETE", path: "/dishes/:id", action: "menu.remove", summary: "Take a dish off the menu for good." },

  {
    method: "GET",
    path: "/ingredients",
    action: "inventory.list",
    summary: "Stock levels (`?low=true`: at or under the reorder point).",
  },
  { method: "GET", path: "/ingredients/:id", action: "inventory.get", summary: "One ingredient's stock." },
  {
    method: "POST",
    path: "/ingredients",
    action: "inventory.create",
    summary: "Add an ingredient.",
    status: 201,
    conflict: "INGREDIENT_EXISTS: an ingredient of that name exists.",
  },
  {
    method: "PATCH",
    path: "/ingredients/:id",
    action: "inventory.update",
    summary: "Change an ingredient (a stock count included).",
    conflict: "BELOW_RESERVED: the new count is under what orders have reserved.",
  },

  { method: "GET", path: "/purchase-orders", action: "inventory.listPurchaseOrders", summary: "List purchase orders." },
  {
    method: "POST",
    path: "/purchase-orders",
    action: "inventory.createPurchaseOrder",
    summary: "Order stock from a supplier.",
    status: 201,
  },
  {
    method: "POST",
    path: "/purchase-orders/:id/receive",
    action: "inventory.receive",
    summary: "Receive a purchase order: its stock is added once.",
    conflict: "ALREADY_RECEIVED: the order was received before.",
  },

  {
    method: "POST",
    path: "/orders",
    action: "orders.place",
    summary: "Place an order: its stock is reserved and the kitchen starts its tickets.",
    status: 201,
    idempotencyKey: true,
    conflict:
      "OUT_OF_STOCK (the dishes short in `data`), SOLD_OUT (dishes taken off by hand, in `data`), ALLERGEN_CONFLICT (lines that meet the guests' `allergies`, with the allergens, in `data`: send again with `allergyConfirmed: true`), ORDER_BUSY (the same key is being placed), ORDER_ABANDONED, IDEMPOTENCY_KEY_REUSED (the key came with another body).",
  },
  { method: "GET", path: "/orders", action: "orders.list", summary: "List orders, newest first." },
  { method: "GET", path: "/orders/:id", action: "orders.get", summary: "One order." },
  {
    method: "POST",
    path: "/orders/:id/serve",
    action: "orders.serve",
    summary: "Serve a ready order.",
    conflict: "INVALID_TRANSITION: the order is not ready.",
  },
  {
    method: "POST",
    path: "/orders/:id/cancel",
    action: "orders.cancel",
    summary: "Cancel an order before it is ready; unused stock goes back.",
    conflict: "INVALID_TRANSITION: the order is ready or past it.",
  },

  {
    method: "GET",
    path: "/tables",
    action: "orders.listTables",
    summary: "The floor plan: every table with its status, covers, waiter and time seated.",
  },
  { method: "GET", path: "/tables/:id", action: "orders.getTable", summary: "One table and its status." },
  {
    method: "POST",
    path: "/tables",
    action: "orders.createTable",
    summary: "Add a table to the floor plan (its id comes from its name).",
    status: 201,
    conflict: "TABLE_EXISTS: a table of that id is on the plan.",
  },
  {
    method: "PATCH",
    path: "/tables/:id",
    action: "orders.updateTable",
    summary: "Change a table's name, area or seats.",
  },
  {
    method: "DELETE",
    path: "/tables/:id",
    action: "orders.removeTable",
    summary: "Take a free table off the floor plan.",
    conflict: "TABLE_IN_USE: the table is not free.",
  },
  {
    method: "POST",
    path: "/tables/:id/seat",
    action: "orders.seat",
    summary: "Seat a party of `covers` at a free table.",
    conflict: "TABLE_OCCUPIED: the table is not free; TABLE_BUSY.",
  },
  {
    method: "POST",
    path: "/tables/:id/transfer",
    action: "orders.transfer",
    summary: "Move the party, its open orders and its open bill to a free table.",
    conflict: "TABLE_FREE: nobody sits at the table; TABLE_OCCUPIED: the other table is not free.",
  },

  { method: "GET", path: "/tickets", action: "kitchen.list", summary: "The kitchen's tickets." },
  {
    method: "POST",
    path: "/tickets/:id/bump",
    action: "kitchen.bump",
    summary: "Finish a cooking ticket now.",
    conflict: "INVALID_TRANSITION: the ticket is not cooking.",
  },

  {
    method: "POST",
    path: "/bills",
    action: "billing.open",
    summary: "Open the table's bill (201), or add newly served orders to its open one (200).",
    status: 201,
    conflict: "NOTHING_TO_BILL: the table has no served, unpaid order; BILL_NOT_OPENED.",
  },
  { method: "GET", path: "/bills", action: "billing.list", summary: "List bills." },
  { method: "GET", path: "/bills/:id", action: "billing.get", summary: "One bill." },
  {
    method: "POST",
    path: "/bills/:id/payments",
    action: "billing.pay",
    summary: "Take a payment; paid in full, the bill and its orders are paid.",
    status: 201,
    idempotencyKey: true,
    conflict: "NOTHING_DUE, OVERPAYMENT, BILL_ALREADY_PAID, BILL_BUSY, IDEMPOTENCY_KEY_REUSED.",
  },
  {
    method: "POST",
    path: "/bills/:id/refunds",
    action: "billing.refund",
    summary: "Refund part of a paid bill.",
    status: 201,
    idempotencyKey: true,
    conflict: "OVER_REFUND: more than was paid and not yet refunded; IDEMPOTENCY_KEY_REUSED.",
  },
  { method: "GET", path: "/takings", action: "billing.takings", summary: "A day's takings." },

  // The dashboard (services/api/live.ts): a ticket for the live stream, and the cluster view.
  {
    method: "POST",
    path: "/live/tickets",
    action: "api.liveTicket",
    summary: "A 30-second ticket to open the live stream (`GET /api/live?ticket=`).",
  },
  { method: "GET", path: "/cluster", action: "api.cluster", summary: "The cluster: nodes, services, breakers." },
];

export function aliases(routes: readonly RouteDef[] = API_ROUTES): Record<string, string> {
  return Object.fromEntries(routes.map((r) => [`${r.method} ${r.path}`, r.action]));
}
