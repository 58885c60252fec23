/**
 * The inventory: ingredients and their stock, reservations for orders, purchase orders.
 * Every stock movement is in ./stock-ledger.ts (conditional atomic updates); this schema says
 * who may call what, with which params, and what is announced afterwards.
 */
import type { Context, ServiceSchema } from "moleculer";
import { dbMixin } from "../../mixins/db.mixin";
import { cacheCleaner } from "../../mixins/cache-cleaner.mixin";
import type {
  ConsumeParams,
  IngredientAllergens,
  IngredientAllergensChanged,
  ReleaseParams,
  ReserveParams,
  StockLevels,
  StockLine,
  StockLow,
} from "../../lib/contracts";
import { Conflict, Invalid, NotFound } from "../../lib/errors";
import { idParam } from "../../lib/ids";
import { pageParams, paginate, type PageQuery } from "../../lib/paging";
import type { StaffMeta } from "../../lib/roles";
import type { Doc } from "../../lib/store";
import { DEMO_INGREDIENTS } from "../seed/demo-restaurant";
import {
  INGREDIENT_NAME,
  ingredientView,
  newIngredient,
  seedIngredients,
  STOCK_AMOUNT,
  stockLinesParam,
  UNIT,
  type IngredientDoc,
  type NewIngredient,
} from "./ingredients";
import { PURCHASE_ORDER_STATUSES, purchaseOrderView, type PurchaseOrderDoc } from "./purchase-orders";
import type { ReservationDoc } from "./reservations";
import { StockLedger, type IngredientPatch } from "./stock-ledger";
import { stockFault } from "./stock-fault";
import { loadSettings } from "../../lib/settings";
import { patchParams } from "../../lib/patch-params";
import { answerCreated } from "../../lib/created";
import type { LocationStores } from "../../lib/location-store";
import { locationOf, requestLocation } from "../../lib/locations";
import { ALLERGENS_RULE, allergenUnion } from "../../lib/allergens";

const RESERVATIONS = "stock_reservations";
const PURCHASE_ORDERS = "purchase_orders";

interface InventoryMethods {
  changed(location?: string): Promise<void>;
  afterMovement(ctx: Context, changed: string[]): Promise<void>;
  /** The request's location's stock: its ingredients, reservations and purchase orders. */
  ledgerFor(ctx: Context): StockLedger;
  ledgerAt(location: string): StockLedger;
}
interface InventoryVars {
  store: LocationStores<IngredientDoc>;
  stores: Record<string, LocationStores<Doc>>;
  purchaseOrders: LocationStores<PurchaseOrderDoc>;
  ledgers: Map<string, StockLedger>;
  fault: ReturnType<typeof stockFault>;
}

/** Which of the 14 EU allergens the ingredient contains; left out on a creation, none. */
const ALLERGENS = { ...ALLERGENS_RULE, optional: true } as const;

/** Stock figures a purchaser may set; left out on a creation, they start at 0. */
const STOCK_LEVELS = { onHand: STOCK_AMOUNT, reorderPoint: STOCK_AMOUNT, reorderQty: STOCK_AMOUNT };

/** In a cluster, a movement this old is no live node's: a movement takes milliseconds. */
const RECOVER_AFTER_MS = 60_000;

const InventoryService: ServiceSchema<Record<string, never>, InventoryMethods, InventoryVars> = {
  name: "inventory",
  mixins: [
    dbMixin<IngredientDoc>("ingredients", {
      seed: () => seedIngredients(DEMO_INGREDIENTS),
      collections: [RESERVATIONS, PURCHASE_ORDERS],
      localIds: true,
    }),
    // Other nodes' writes clean this node's cached answers too.
    cacheCleaner({ inventory: "**" }),
  ],

  actions: {
    list: {
      roles: ["purchaser", "chef"],
      cache: { keys: ["page", "pageSize", "low", "#location"] },
      params: { ...pageParams, low: { type: "boolean", convert: true, optional: true }, $$strict: true },
      async handler(ctx: Context<PageQuery & { low?: boolean }>) {
        const query = ctx.params.low === undefined ? {} : { low: ctx.params.low };
        return paginate(this.store.for(ctx), query, ["name"], ctx.params, ingredientView);
      },
    },

    get: {
      roles: ["purchaser", "chef"],
      cache: { keys: ["id", "#location"] },
      params: { id: idParam, $$strict: true },
      async handler(ctx: Context<{ id: string }>) {
        const doc = await this.store.for(ctx).get(ctx.params.id);
        if (!doc) throw NotFound("ingredient", ctx.params.id);
        return ingredientView(doc);
      },
    },

    create: {
      roles: ["purchaser"],
      params: {
        name: INGREDIENT_NAME,
        unit: UNIT,
        ...patchParams(STOCK_LEVELS),
        allergens: ALLERGENS,
        $$strict: true,
      },
      async handler(ctx: Context<NewIngredient, StaffMeta>) {
        const doc = newIngredient(ctx.params, new Date().toISOString());
        if (!doc._id)
          throw Invalid([
            { field: "name", type: "name", message: "An ingredient's name needs at least one letter or digit." },
          ]);
        if (!(await this.store.for(ctx).insertOnce(doc))) {
          throw Conflict(
            "INGREDIENT_EXISTS",
            `An ingredient "${doc._id}" already exists: update it (PATCH /api/ingredients/${doc._id}) instead.`,
            { id: doc._id },
          );
        }
        await this.changed(requestLocation(ctx.meta));
        this.logger.info({ ingredient: doc._id, onHand: doc.onHand }, "Ingredient created.");
        answerCreated(ctx.meta, `/api/ingredients/${doc._id}`);
        return ingredientView(doc);
      },
    },

    /** Edits an ingredient; `onHand` is a stock count and cannot go below what orders hold. */
    update: {
      roles: ["purchaser"],
      params: {
        id: idParam,
        ...patchParams({ name: INGREDIENT_NAME, unit: UNIT, ...STOCK_LEVELS }),
        allergens: ALLERGENS,
        $$strict: true,
      },
      async handler(ctx: Context<IngredientPatch & { id: string }>) {
        const { id, ...patch } = ctx.params;
        if (patch.allergens) patch.allergens = allergenUnion(patch.allergens);
        const before = patch.allergens ? await this.store.for(ctx).get(id) : null;
        const { result, changed } = await this.ledgerFor(ctx).adjust(id, patch);
        await this.afterMovement(ctx, changed);
        if (patch.onHand !== undefined) this.logger.info({ ingredient: id, onHand: result.onHand }, "Stock counted.");
        const previous = before?.allergens ?? [];
        if (patch.allergens && patch.allergens.join() !== previous.join()) {
          // The dishes made of it show other allergens now: the menu cleans its answers on this.
          const payload: IngredientAllergensChanged = {
            location: requestLocation(ctx.meta),
            ingredient: id,
            name: result.name,
            allergens: patch.allergens,
            previous,
          };
          this.logger.info({ ingredient: id, allergens: patch.allergens, previous }, "Ingredient's allergens changed.");
          await this.broker.emit("ingredient.allergensChanged", payload);
        }
        return ingredientView((await this.store.for(ctx).get(id)) ?? result);
      },
    },

    listPurchaseOrders: {
      idempotent: true,
      roles: ["purchaser"],
      params: {
        ...pageParams,
        status: { type: "enum", values: [...PURCHASE_ORDER_STATUSES], optional: true },
        $$strict: true,
      },
      async handler(ctx: Context<PageQuery & { status?: PurchaseOrderDoc["status"] }>) {
        const query = ctx.params.status ? { status: ctx.params.status } : {};
        return paginate(this.purchaseOrders.for(ctx), query, ["-createdAt"], ctx.params, purchaseOrderView);
      },
    },

    createPurchaseOrder: {
      roles: ["purchaser"],
      params: { lines: stockLinesParam, $$strict: true },
      async handler(ctx: Context<{ lines: StockLine[] }, StaffMeta>) {
        const order = await this.ledgerFor(ctx).openPurchaseOrder(ctx.params.lines, ctx.meta.staff?.id);
        this.logger.info({ purchaseOrder: order._id, lines: order.lines.length }, "Purchase order opened.");
        answerCreated(ctx.meta, `/api/purchase-orders/${order._id}`);
        return purchaseOrderView(order);
      },
    },

    /** Adds the order's stock exactly once; a second receive is a 409 ALREADY_RECEIVED. */
    receive: {
      roles: ["purchaser"],
      params: { id: idParam, $$strict: true },
      async handler(ctx: Context<{ id: string }, StaffMeta>) {
        const { result, changed } = await this.ledgerFor(ctx).receive(ctx.params.id, ctx.meta.staff?.id);
        await this.afterMovement(ctx, changed);
        this.logger.info({ purchaseOrder: result._id }, "Purchase order received; stock added.");
        return purchaseOrderView(result);
      },
    },

    /** Internal: all or nothing, idempotent per `reservation`; OUT_OF_STOCK names the short ingredients. */
    reserve: {
      idempotent: true,
      visibility: "public",
      params: { reservation: idParam, lines: stockLinesParam, $$strict: true },
      async handler(ctx: Context<ReserveParams>) {
        const { result, changed } = await this.ledgerFor(ctx).reserve(ctx.params.reservation, ctx.params.lines);
        await this.afterMovement(ctx, changed);
        return result;
      },
    },

    /** Internal: gives back what the reservation holds and was not consumed; idempotent. */
    release: {
      idempotent: true,
      visibility: "public",
      params: { reservation: idParam, $$strict: true },
      async handler(ctx: Context<ReleaseParams>) {
        const { result, changed } = await this.ledgerFor(ctx).release(ctx.params.reservation);
        await this.afterMovement(ctx, changed);
        if (changed.length > 0)
          this.logger.info({ reservation: ctx.params.reservation }, "Reservation released; stock given back.");
        return result;
      },
    },

    /** Internal: uses part of a held reservation, once per `key` (a ticket id). */
    consume: {
      idempotent: true,
      visibility: "public",
      params: { reservation: idParam, key: idParam, lines: stockLinesParam, $$strict: true },
      async handler(ctx: Context<ConsumeParams>) {
        const { result, changed } = await this.ledgerFor(ctx).consume(
          ctx.params.reservation,
          ctx.params.key,
          ctx.params.lines,
        );
        await this.afterMovement(ctx, changed);
        return result;
      },
    },

    /** Internal: ingredient id → allergens, in one call (the menu derives its dishes' from it). */
    allergens: {
      visibility: "public",
      cache: { keys: ["#location"] },
      params: { $$strict: true },
      async handler(ctx: Context): Promise<IngredientAllergens> {
        return this.ledgerFor(ctx).allergens();
      },
    },

    /** Internal: available stock of every ingredient, in one call (the menu's availability). */
    levels: {
      visibility: "public",
      cache: { keys: ["#location"] },
      params: { $$strict: true },
      async handler(ctx: Context): Promise<StockLevels> {
        return this.ledgerFor(ctx).levels();
      },
    },
  },

  methods: {
    ledgerFor(ctx: Context) {
      return this.ledgerAt(requestLocation(ctx.meta));
    },

    ledgerAt(location: string) {
      let ledger = this.ledgers.get(location);
      if (!ledger) {
        const reservations = this.stores[RESERVATIONS] as unknown as LocationStores<ReservationDoc>;
        ledger = new StockLedger(
          this.store.at(location),
          reservations.at(location),
          this.purchaseOrders.at(location),
          this.fault,
        );
        this.ledgers.set(location, ledger);
      }
      return ledger;
    },

    /** After a movement: announce ingredients that just fell below their reorder point, clean caches. */
    async afterMovement(ctx: Context, changed: string[]) {
      if (changed.length === 0) return;
      const fell = await this.ledgerFor(ctx).watchLow(changed);
      await this.changed(requestLocation(ctx.meta));
      for (const doc of fell) {
        const payload: StockLow = {
          location: requestLocation(ctx.meta),
          ingredient: doc._id,
          name: doc.name,
          available: doc.available,
          reorderPoint: doc.reorderPoint,
          reorderQty: doc.reorderQty,
        };
        this.logger.info(
          { location: payload.location, ingredient: doc._id, available: doc.available, reorderPoint: doc.reorderPoint },
          "Stock is low: time to reorder.",
        );
        await this.broker.emit("stock.low", payload);
      }
    },
  },

  created() {
    this.purchaseOrders = this.stores[PURCHASE_ORDERS] as unknown as LocationStores<PurchaseOrderDoc>;
    this.ledgers = new Map();
    this.fault = stockFault(loadSettings().fault);
  },

  async started() {
    // Runs after the db mixin connected the collections. Embedded, no other process writes this
    // store, so every half-done movement is a dead one; in a cluster, only those a minute old are.
    const before = new Date(Date.now() - (loadSettings().transporter ? RECOVER_AFTER_MS : 0)).toISOString();
    // Each location's movements are finished or undone in that location's stock.
    const locations = new Set((await this.store.acrossLocations.find({})).map((doc) => locationOf(doc)));
    for (const location of [...locations].sort()) {
      const report = await this.ledgerAt(location).recover(before);
      if (report.finished + report.undone > 0) {
        this.logger.warn({ ...report, location }, "Finished or undid stock movements a stopped node left half done.");
        await this.changed(location);
      }
    }
  },
};

export default InventoryService;
