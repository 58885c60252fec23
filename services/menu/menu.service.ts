/**
 * The menu: dishes, their prices, stations, prep times and recipes. Anyone may read it; only a
 * manager changes it. Whether a dish is available follows the stock, so answers are cached and
 * cleaned when a dish or the inventory changes (on every node: cache-cleaner.mixin).
 */
import type { Context, ServiceSchema } from "moleculer";
import { dbMixin } from "../../mixins/db.mixin";
import { cacheCleaner } from "../../mixins/cache-cleaner.mixin";
import type {
  DishSoldOut,
  EventPayloads,
  IngredientAllergens,
  ModifierGroup,
  ResolveDishesParams,
  ResolvedDish,
  RecipeLine,
  StockLevels,
  TaxRate,
} from "../../lib/contracts";
import { BrigadeError, Conflict, Invalid, NotFound, type FieldProblem } from "../../lib/errors";
import { idParam, slugId } from "../../lib/ids";
import { pageParams, paginate, type PageQuery } from "../../lib/paging";
import { ANYONE, type StaffMeta } from "../../lib/roles";
import type { LocationStores } from "../../lib/location-store";
import { requestLocation } from "../../lib/locations";
import { DEMO_DISHES, DEMO_INGREDIENTS } from "../seed/demo-restaurant";
import {
  CATEGORY,
  COURSE,
  DISH_NAME,
  MODIFIER_GROUPS,
  dishView,
  newDish,
  PREP_SECONDS,
  PRICE_CENTS,
  RECIPE,
  recipeProblems,
  resolvedDish,
  seedDishes,
  STATION,
  TAX_RATE,
  type DishDoc,
  type DishFields,
} from "./dishes";
import { patchParams } from "../../lib/patch-params";
import { answerCreated } from "../../lib/created";
import { modifierGroupProblems, storedGroups } from "./modifier-groups";

interface MenuMethods {
  changed(location?: string): Promise<void>;
  levels(ctx: Context, staleOk?: boolean): Promise<StockLevels>;
  allergens(ctx: Context, staleOk?: boolean): Promise<IngredientAllergens>;
  checkDish(ctx: Context, fields: Partial<DishFields>): Promise<void>;
  load(ctx: Context, id: string): Promise<DishDoc>;
}
interface MenuVars {
  store: LocationStores<DishDoc>;
  /** The last stock levels the inventory gave this node, per location: what a menu read falls back on. */
  lastLevels: Map<string, StockLevels>;
  lastAllergens: Map<string, IngredientAllergens>;
  servingStale?: boolean;
}

/**
 * What a dish is made of, as a manager sends it. `allergens` is not among them: they are derived
 * from the recipe, and a body that sends them is refused (422) like any unknown field.
 */
const DISH_RULES = {
  name: DISH_NAME,
  category: CATEGORY,
  priceCents: PRICE_CENTS,
  station: STATION,
  prepSeconds: PREP_SECONDS,
  recipe: RECIPE,
  modifierGroups: { ...MODIFIER_GROUPS, optional: true },
  course: { ...COURSE, optional: true },
  taxRate: { ...TAX_RATE, optional: true },
};

/** What a chef may change on a dish: only whether it is sold out. */
const CHEF_FIELDS = new Set(["soldOut"]);

type DishPatch = Partial<DishFields> & { id: string; soldOut?: boolean };

const MenuService: ServiceSchema<Record<string, never>, MenuMethods, MenuVars> = {
  name: "menu",
  mixins: [
    dbMixin<DishDoc>("dishes", { seed: () => seedDishes(DEMO_DISHES, DEMO_INGREDIENTS), localIds: true }),
    // Dishes written on another node change every answer; a stock movement changes availability,
    // which only the list and a dish show (what `resolve` answers does not follow the stock).
    cacheCleaner({ menu: "**", inventory: ["list", "get"] }),
  ],

  actions: {
    list: {
      roles: [ANYONE],
      cache: { keys: ["page", "pageSize", "category", "station", "#location"] },
      params: {
        ...pageParams,
        category: { ...CATEGORY, optional: true },
        station: { ...STATION, optional: true },
        $$strict: true,
      },
      async handler(ctx: Context<PageQuery & { category?: string; station?: string }>) {
        const query: Record<string, string> = {};
        if (ctx.params.category) query.category = ctx.params.category;
        if (ctx.params.station) query.station = ctx.params.station;
        const [levels, allergens] = await Promise.all([this.levels(ctx, true), this.allergens(ctx, true)]);
        return paginate(this.store.for(ctx), query, ["category", "name"], ctx.params, (doc) =>
          dishView(doc, levels, allergens),
        );
      },
    },

    get: {
      roles: [ANYONE],
      cache: { keys: ["id", "#location"] },
      params: { id: idParam, $$strict: true },
      async handler(ctx: Context<{ id: string }>) {
        const doc = await this.load(ctx, ctx.params.id);
        const [levels, allergens] = await Promise.all([this.levels(ctx, true), this.allergens(ctx, true)]);
        return dishView(doc, levels, allergens);
      },
    },

    create: {
      roles: ["manager"],
      params: { ...DISH_RULES, $$strict: true },
      async handler(ctx: Context<DishFields, StaffMeta>) {
        const doc = newDish(ctx.params, new Date().toISOString());
        if (!doc._id)
          throw Invalid([
            { field: "name", type: "name", message: "A dish's name needs at least one letter or digit." },
          ]);
        await this.checkDish(ctx, ctx.params);
        if (!(await this.store.for(ctx).insertOnce(doc))) {
          throw Conflict(
            "DISH_EXISTS",
            `The menu already has "${doc._id}": change it (PATCH /api/dishes/${doc._id}) or pick another name.`,
            { id: doc._id },
          );
        }
        await this.changed(requestLocation(ctx.meta));
        this.logger.info({ dish: doc._id, station: doc.station }, "Dish added to the menu.");
        answerCreated(ctx.meta, `/api/dishes/${doc._id}`);
        return dishView(doc, await this.levels(ctx), await this.allergens(ctx));
      },
    },

    /**
     * Changes a dish; its id stays what its first name made it, so orders and links keep working.
     * `soldOut: true` takes it off ("86") whatever the stock says: a chef may do that, and only that.
     */
    update: {
      roles: ["manager", "chef"],
      params: {
        id: idParam,
        ...patchParams(DISH_RULES),
        soldOut: { type: "boolean", optional: true },
        $$strict: true,
      },
      async handler(ctx: Context<DishPatch, StaffMeta>) {
        const { id, ...patch } = ctx.params;
        const staff = ctx.meta.staff;
        const beyond = Object.keys(patch).filter((field) => !CHEF_FIELDS.has(field));
        if (staff?.role === "chef" && beyond.length > 0)
          throw new BrigadeError(
            "ForbiddenError",
            `A chef may only take a dish off or put it back ({"soldOut": true|false}); ${beyond.join(", ")} is a manager's to change.`,
            403,
            "FORBIDDEN",
            { role: staff.role, allowed: ["manager", "owner"], fields: beyond },
          );
        const before = await this.load(ctx, id);
        if (patch.name !== undefined) {
          const problems: FieldProblem[] = [];
          const slug = slugId(patch.name);
          if (!slug)
            problems.push({
              field: "name",
              type: "name",
              message: "A dish's name needs at least one letter or digit.",
            });
          else if (slug !== before._id && (await this.store.for(ctx).get(slug)))
            problems.push({
              field: "name",
              type: "nameTaken",
              message: `Another dish is already called that ("${slug}").`,
            });
          if (problems.length > 0) throw Invalid(problems);
        }
        await this.checkDish(ctx, patch);
        const set: Record<string, unknown> = { ...patch, updatedAt: new Date().toISOString() };
        if (patch.modifierGroups) set.modifierGroups = storedGroups(patch.modifierGroups);
        const after = await this.store.for(ctx).updateIf(before._id, {}, { $set: set });
        if (!after) throw NotFound("dish", id);
        await this.changed(requestLocation(ctx.meta));
        this.logger.info({ dish: id, fields: Object.keys(patch) }, "Dish changed.");
        if (patch.soldOut !== undefined && patch.soldOut !== (before.soldOut === true)) {
          const event = patch.soldOut ? "dish.soldOut" : "dish.backOn";
          const payload: DishSoldOut = {
            location: requestLocation(ctx.meta),
            dish: after._id,
            name: after.name,
            soldOut: patch.soldOut,
            by: staff?.id ?? "system",
            at: String(set.updatedAt),
          };
          this.logger.info(
            { dish: id, soldOut: patch.soldOut, by: payload.by },
            patch.soldOut ? "Dish 86ed." : "Dish back on.",
          );
          await this.broker.emit(event, payload satisfies EventPayloads[typeof event]);
        }
        return dishView(after, await this.levels(ctx), await this.allergens(ctx));
      },
    },

    remove: {
      roles: ["manager"],
      params: { id: idParam, $$strict: true },
      async handler(ctx: Context<{ id: string }>) {
        // Orders keep their own copy of name and price, so a removed dish leaves them intact.
        if ((await this.store.for(ctx).remove({ _id: ctx.params.id })) === 0) throw NotFound("dish", ctx.params.id);
        await this.changed(requestLocation(ctx.meta));
        this.logger.info({ dish: ctx.params.id }, "Dish removed from the menu.");
        return { id: ctx.params.id, removed: true };
      },
    },

    /** Internal, for the orders service: the dishes an order names, in the order asked. */
    resolve: {
      visibility: "public",
      cache: { keys: ["dishes", "#location"] },
      params: { dishes: { type: "array", min: 1, max: 100, items: idParam }, $$strict: true },
      async handler(ctx: Context<ResolveDishesParams>): Promise<ResolvedDish[]> {
        const docs = await this.store.for(ctx).getMany([...new Set(ctx.params.dishes)]);
        const byId = new Map(docs.map((doc) => [doc._id, doc]));
        const problems = ctx.params.dishes.flatMap((id, index): FieldProblem[] =>
          byId.has(id)
            ? []
            : [{ field: `dishes[${index}]`, type: "unknownDish", message: `There is no dish "${id}" on the menu.` }],
        );
        if (problems.length > 0) throw Invalid(problems);
        // Strict: an order's allergy check never runs on allergens from before a change.
        const allergens = await this.allergens(ctx);
        return ctx.params.dishes.map((id) => resolvedDish(byId.get(id)!, allergens));
      },
    },
  },

  events: {
    /** The dishes made of it show other allergens now: every node's cached answers go. */
    "ingredient.allergensChanged": {
      async handler() {
        await this.changed();
      },
    },
  },

  created() {
    this.lastLevels = new Map();
    this.lastAllergens = new Map();
  },

  methods: {
    /**
     * `staleOk` (reading the menu): a stale answer beats none. When the inventory cannot answer
     * (no node, timeouts, an open breaker — after the retries), the menu is shown with the
     * availability the inventory last gave this node, instead of failing. Writes stay strict.
     */
    async levels(ctx: Context, staleOk = false) {
      if (!staleOk) return ctx.call<StockLevels>("inventory.levels");
      // Not Moleculer's fallbackResponse: it never runs when no node offers the action at all.
      try {
        const levels = await ctx.call<StockLevels>("inventory.levels");
        if (this.servingStale) this.logger.info("The inventory answers again: the menu shows live availability.");
        this.servingStale = false;
        this.lastLevels.set(requestLocation(ctx.meta), levels);
        return levels;
      } catch (err) {
        const last = this.lastLevels.get(requestLocation(ctx.meta));
        if (!last) throw err;
        if (!this.servingStale)
          this.logger.warn(
            { err: (err as Error).message },
            "The inventory does not answer: showing the menu with the last availability it gave.",
          );
        this.servingStale = true;
        return last;
      }
    },

    /**
     * Like the levels: a menu read shows the allergens the inventory last gave this node rather
     * than fail; `menu.resolve` (an order's allergy check) and the writes ask for them afresh.
     */
    async allergens(ctx: Context, staleOk = false) {
      const location = requestLocation(ctx.meta);
      try {
        const allergens = await ctx.call<IngredientAllergens>("inventory.allergens");
        this.lastAllergens.set(location, allergens);
        return allergens;
      } catch (err) {
        const last = this.lastAllergens.get(location);
        if (!staleOk || !last) throw err;
        return last;
      }
    },

    /** The recipes (the dish's and its options') name known ingredients; groups hold together; the tax rate exists. */
    async checkDish(ctx: Context, fields: Partial<DishFields>) {
      const problems: FieldProblem[] = [];
      if (fields.recipe || fields.modifierGroups) {
        const known = new Set(Object.keys(await this.levels(ctx)));
        const check = (recipe: readonly RecipeLine[], at: string) => recipeProblems(recipe, known, at);
        if (fields.recipe) problems.push(...check(fields.recipe, "recipe"));
        if (fields.modifierGroups)
          problems.push(...modifierGroupProblems(fields.modifierGroups as ModifierGroup[], check));
      }
      if (fields.taxRate !== undefined) {
        const rates = await ctx.call<TaxRate[]>("staff.taxRates");
        if (!rates.some((rate) => rate.id === fields.taxRate))
          problems.push({
            field: "taxRate",
            type: "unknownTaxRate",
            message: rates.length
              ? `There is no tax rate "${fields.taxRate}" in this location: use one of ${rates.map((rate) => rate.id).join(", ")}.`
              : `This location has no tax rates yet: add them first (PATCH /api/locations/:id {taxRates}).`,
          });
      }
      if (problems.length > 0) throw Invalid(problems);
    },

    async load(ctx: Context, id: string) {
      const doc = await this.store.for(ctx).get(id);
      if (!doc) throw NotFound("dish", id);
      return doc;
    },
  },
};

export default MenuService;
