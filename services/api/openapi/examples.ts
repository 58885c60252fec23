/**
 * One valid request per action, shown in the document: path and query parameters, and the
 * body. Written against the demo restaurant (services/seed/demo-restaurant.ts), so a reader
 * can paste them into a fresh `npm start`; test/integration/openapi-examples.test.ts sends each.
 * Ids the server makes (orders, bills, tickets, purchase orders) are only illustrations there.
 */
export interface RequestExample {
  path?: Record<string, string>;
  query?: Record<string, string | number | boolean>;
  body?: Record<string, unknown>;
}

export const EXAMPLES: Record<string, RequestExample> = {
  "staff.login": { body: { username: "admin", password: "the admin password" } },
  "staff.list": { query: { page: 1, pageSize: 20 } },
  "staff.create": {
    body: { username: "sam.waiter", name: "Sam Porter", role: "waiter", password: "correct-horse-42" },
  },
  "staff.update": { path: { id: "sam.waiter" }, body: { name: "Sam Porter-Wells", role: "cashier" } },
  "staff.deactivate": { path: { id: "sam.waiter" } },

  "staff.locations": { query: { pageSize: 20 } },
  "staff.createLocation": {
    body: {
      id: "riverside",
      name: "Brigade Riverside",
      timezone: "Europe/Paris",
      currency: "EUR",
      taxMode: "inclusive",
      taxRates: [{ id: "standard", name: "Standard", bps: 1000 }],
      serviceChargeBps: 1250,
      serviceChargeMinCovers: 6,
    },
  },
  "staff.updateLocation": { path: { id: "main" }, body: { serviceChargeBps: 1000, serviceChargeMinCovers: 8 } },

  "menu.list": { query: { station: "grill", pageSize: 50 } },
  "menu.get": { path: { id: "classic-cheeseburger" } },
  "menu.create": {
    body: {
      name: "Steak Sandwich",
      category: "mains",
      priceCents: 1690,
      station: "grill",
      prepSeconds: 480,
      recipe: [
        { ingredient: "ribeye-steaks", qty: 1 },
        { ingredient: "onions", qty: 30 },
        { ingredient: "brioche-burger-buns", qty: 1 },
      ],
      course: 2,
      modifierGroups: [
        {
          id: "doneness",
          name: "Doneness",
          min: 1,
          max: 1,
          options: [
            { id: "rare", name: "Rare", priceCents: 0 },
            { id: "medium", name: "Medium", priceCents: 0 },
            { id: "well-done", name: "Well done", priceCents: 0 },
          ],
        },
        {
          id: "extras",
          name: "Extras",
          min: 0,
          max: 2,
          options: [
            { id: "extra-cheese", name: "Extra cheese", priceCents: 150, recipe: [{ ingredient: "cheddar", qty: 30 }] },
            { id: "fried-egg", name: "Fried egg", priceCents: 150, recipe: [{ ingredient: "eggs", qty: 1 }] },
          ],
        },
      ],
    },
  },
  "menu.update": { path: { id: "steak-sandwich" }, body: { priceCents: 1750, soldOut: true } },
  "menu.remove": { path: { id: "steak-sandwich" } },

  "inventory.list": { query: { low: true } },
  "inventory.get": { path: { id: "potatoes" } },
  "inventory.create": {
    body: { name: "Sourdough loaves", unit: "pcs", onHand: 10, reorderPoint: 4, reorderQty: 12, allergens: ["gluten"] },
  },
  "inventory.update": { path: { id: "sourdough-loaves" }, body: { onHand: 14, allergens: ["gluten", "sesame"] } },
  "inventory.listPurchaseOrders": { query: { status: "open" } },
  "inventory.createPurchaseOrder": {
    body: {
      lines: [
        { ingredient: "potatoes", qty: 20000 },
        { ingredient: "frying-oil", qty: 10000 },
      ],
    },
  },
  "inventory.receive": { path: { id: "po-1" } },

  "orders.place": {
    body: {
      table: "12",
      lines: [
        { dish: "ribeye-steak-frites", qty: 1, seat: 1, modifiers: ["rare", "extra-cheese"] },
        { dish: "classic-cheeseburger", qty: 2, notes: "one without onions", seat: 2 },
        { dish: "hand-cut-fries", qty: 1, seat: 3 },
      ],
      // The buns hold sesame: the waiter checked with the guests, and the grill is alerted.
      allergies: ["sesame"],
      allergyConfirmed: true,
    },
  },
  "orders.list": { query: { status: "ready", table: "12" } },
  "orders.get": { path: { id: "ord-1" } },
  "orders.serve": { path: { id: "ord-1" } },
  "orders.cancel": { path: { id: "ord-2" }, body: { reason: "The guests had to leave." } },

  "orders.listTables": { query: { status: "free", area: "Terrace" } },
  "orders.getTable": { path: { id: "4" } },
  "orders.createTable": { body: { name: "13", area: "Terrace", seats: 4 } },
  "orders.updateTable": { path: { id: "13" }, body: { seats: 6 } },
  "orders.removeTable": { path: { id: "13" } },
  "orders.seat": { path: { id: "4" }, body: { covers: 4 } },
  "orders.transfer": { path: { id: "4" }, body: { to: "11" } },

  "kitchen.list": { query: { station: "grill", status: "cooking" } },
  "kitchen.bump": { path: { id: "tkt-1" } },

  "billing.open": { body: { table: "12" } },
  "billing.list": { query: { status: "open" } },
  "billing.get": { path: { id: "bill-1" } },
  "billing.pay": { path: { id: "bill-1" }, body: { method: "card", amountCents: 3350, tipCents: 300 } },
  "billing.refund": { path: { id: "bill-1" }, body: { amountCents: 450, reason: "The fries were cold." } },
  "billing.takings": { query: { date: "2026-12-03" } },
};
