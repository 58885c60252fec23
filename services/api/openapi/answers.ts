/**
 * What each routed action answers, by its name: the types the services already return. `npm
 * run client:types` turns this interface into JSON Schema (./answers.schema.json, with
 * ts-json-schema-generator) for the document's success responses, so the answers are described
 * by the same types the code is checked against; test/integration/openapi-examples.test.ts
 * holds each real answer to its schema.
 */
import type {
  BillView,
  DishView,
  GroupTakings,
  IngredientView,
  Location,
  OrderView,
  Page,
  PurchaseOrderView,
  RefundView,
  StaffView,
  TableView,
  Takings,
  TicketView,
} from "../../../lib/contracts";
import type { PaymentAnswer } from "../../billing/take-payment";
import type { ClusterView } from "../cluster-view";
import type { LiveTicket } from "../live-ticket";

export interface LoginAnswer {
  token: string;
  /** ISO 8601. */
  expiresAt: string;
  staff: StaffView;
}

export interface RemovedDish {
  id: string;
  removed: true;
}

export interface RemovedTable {
  id: string;
  removed: true;
}

export interface RefundAnswer {
  refund: RefundView;
  bill: BillView;
}

// Page<…> spelled out: a component's name may hold no angle brackets.
export type StaffPage = Page<StaffView>;
export type DishPage = Page<DishView>;
export type IngredientPage = Page<IngredientView>;
export type PurchaseOrderPage = Page<PurchaseOrderView>;
export type OrderPage = Page<OrderView>;
export type TicketPage = Page<TicketView>;
export type TablePage = Page<TableView>;
export type BillPage = Page<BillView>;
export type LocationPage = Page<Location>;
/** One location's day, or (`?location=all`, an owner) every location's and the group's totals. */
export type TakingsAnswer = Takings | GroupTakings;

export interface Answers {
  "staff.login": LoginAnswer;
  "staff.me": StaffView;
  "staff.list": StaffPage;
  "staff.create": StaffView;
  "staff.update": StaffView;
  "staff.deactivate": StaffView;
  "staff.locations": LocationPage;
  "staff.createLocation": Location;
  "staff.updateLocation": Location;
  "menu.list": DishPage;
  "menu.get": DishView;
  "menu.create": DishView;
  "menu.update": DishView;
  "menu.remove": RemovedDish;
  "inventory.list": IngredientPage;
  "inventory.get": IngredientView;
  "inventory.create": IngredientView;
  "inventory.update": IngredientView;
  "inventory.listPurchaseOrders": PurchaseOrderPage;
  "inventory.createPurchaseOrder": PurchaseOrderView;
  "inventory.receive": PurchaseOrderView;
  "orders.place": OrderView;
  "orders.list": OrderPage;
  "orders.get": OrderView;
  "orders.serve": OrderView;
  "orders.cancel": OrderView;
  "orders.listTables": TablePage;
  "orders.getTable": TableView;
  "orders.createTable": TableView;
  "orders.updateTable": TableView;
  "orders.removeTable": RemovedTable;
  "orders.seat": TableView;
  "orders.transfer": TableView;
  "kitchen.list": TicketPage;
  "kitchen.bump": TicketView;
  "billing.open": BillView;
  "billing.list": BillPage;
  "billing.get": BillView;
  "billing.pay": PaymentAnswer;
  "billing.refund": RefundAnswer;
  "billing.takings": TakingsAnswer;
  "api.liveTicket": LiveTicket;
  "api.cluster": ClusterView;
}
