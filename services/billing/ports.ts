/**
 * What billing's flows (open-bill, take-payment, give-refund, paid-bill, reconcile) need from
 * the outside world, handed in by the service: its two stores, the orders service's internal
 * actions, event emission, a logger and the clock. The flows hold no broker of their own.
 */
import type {
  ClaimForBillParams,
  EventName,
  EventPayloads,
  OrderView,
  ReleaseFromBillParams,
  SettleParams,
} from "../../lib/contracts";
import type { Store } from "../../lib/store";
import type { BillDoc } from "./bill";
import type { LedgerDoc } from "./ledger";
import type { Logger } from "../../lib/logger";

export interface OrdersPort {
  claimForBill(params: ClaimForBillParams): Promise<OrderView[]>;
  settle(params: SettleParams): Promise<unknown>;
  releaseFromBill(params: ReleaseFromBillParams): Promise<unknown>;
}

export interface BillingPorts {
  bills: Store<BillDoc>;
  ledger: Store<LedgerDoc>;
  orders: OrdersPort;
  emit<E extends EventName>(event: E, payload: EventPayloads[E]): Promise<void>;
  logger: Pick<Logger, "info" | "warn" | "error">;
  now(): Date;
}
