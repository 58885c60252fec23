/**
 * Brigade's document as the gateway serves it: the routes table, and the actions as the
 * services declare them. The services' schemas are imported, not asked of the registry, so the
 * document is whole even while a service is down, and the same on every gateway.
 */
import type { ServiceSchema } from "moleculer";
import { version } from "../../../package.json";
import StaffService from "../../staff/staff.service";
import MenuService from "../../menu/menu.service";
import InventoryService from "../../inventory/inventory.service";
import OrdersService from "../../orders/orders.service";
import KitchenService from "../../kitchen/kitchen.service";
import BillingService from "../../billing/billing.service";
import { API_ROUTES } from "../routes";
import { openApiDocument, type ActionRules, type OpenApiDocument } from "./document";
import { EXAMPLES } from "./examples";
import type { AnswersSchema } from "./answer-schemas";
import ANSWERS from "./answers.schema.json";

/** Every action of these schemas by its full name (`orders.place`), with its params and roles. */
export function actionsOf(schemas: readonly Pick<ServiceSchema, "name" | "actions">[]): Record<string, ActionRules> {
  const actions: Record<string, ActionRules> = {};
  for (const schema of schemas) {
    for (const [name, def] of Object.entries(schema.actions ?? {})) {
      if (typeof def === "object" && def !== null) actions[`${schema.name}.${name}`] = def as ActionRules;
    }
  }
  return actions;
}

export const DOMAIN_SCHEMAS: readonly ServiceSchema[] = [
  StaffService,
  MenuService,
  InventoryService,
  OrdersService,
  KitchenService,
  BillingService,
] as unknown as ServiceSchema[];

/**
 * `gateway`: the api service's own schema (its actions answer /live/tickets and /cluster);
 * `answers`: the committed answers schema, or a fresh one (`npm run client:types`).
 */
export function brigadeDocument(
  gateway: { actions?: object },
  answers: AnswersSchema = ANSWERS as unknown as AnswersSchema,
): OpenApiDocument {
  return openApiDocument({
    version,
    routes: API_ROUTES,
    actions: actionsOf([{ name: "api", actions: gateway.actions as ServiceSchema["actions"] }, ...DOMAIN_SCHEMAS]),
    examples: EXAMPLES,
    answers,
  });
}
