/**
 * The menu: dishes, their prices, stations, prep times and recipes. Anyone may read it; only a
 * manager changes it. Whether a dish is available follows the stock, so answers are cached and
 * cleaned when a dish or the inventory changes (on every node: cache-cleaner.mixin).
 */
import type { Context, ServiceSchema } from "moleculer";
import { dbMixin } from "../../mixins/db.mixin";
import { cacheCleaner } from "../../mixins/cache-cleaner.mixin";
import type { ResolveDishesParams, ResolvedDish, RecipeLine, StockLevels } from "../../lib/contracts";
import { Conflict, Invalid, NotFound, type FieldProblem } from "../../lib/errors";
import { idParam, slugId } from "../../lib/ids";
import { pageParams, paginate, type PageQuery } from "../../lib/paging";
import { ANYONE, type StaffMeta } from "../../lib/roles";
import type { LocationStores } from "../../lib/location-store";
import { requestLocation } from "../../lib/locations";
import { DEMO_DISHES, DEMO_INGREDIENTS } from "../seed/demo-restaurant";
import {
  CATEGORY,
  DISH_NAME,
  dishView,
  newDish,
  PREP_SECONDS,
  PRICE_CENTS,
  RECIPE,
  recipeProblems,
  resolvedDish,
  seedDishes,
  STATION,
  type DishDoc,
  type DishFields,
} from "./dishes";
import { patchParams } from "../../lib/patch-params";
import { answerCreated } from "../../lib/created";

interface MenuMethods {
  changed(location?: string): Promise<void>;
  levels(ctx: Context, staleOk?: boolean): Promise<StockLevels>;
  checkRecipe(ctx: Context, recipe: RecipeLine[]): Promise<void>;
  load(ctx: Context, id: string): Promise<DishDoc>;
}
interface MenuVars {
  store: LocationStores<DishDoc>;
  /** The last stock levels the inventory gave this node, per location: what a menu read falls back on. */
  lastLevels: Map<string, StockLevels>;
  servingStale?: boolean;
}

/** What a dish is made of, as a manager sends it. */
const DISH_RULES = {
  name: DISH_NAME,
  category: CATEGORY,
  priceCents: PRICE_CENTS,
  station: STATION,
  prepSeconds: PREP_SECONDS,
  recipe: RECIPE,
};

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
        const levels = await this.levels(ctx, true);
        return paginate(this.store.for(ctx), query, ["category", "name"], ctx.params, (doc) => dishView(doc, levels));
      },
    },

    get: {
      roles: [ANYONE],
      cache: { keys: ["id", "#location"] },
      params: { id: idParam, $$strict: true },
      async handler(ctx: Context<{ id: string }>) {
        const doc = await this.load(ctx, ctx.params.id);
        return dishView(doc, await this.levels(ctx, true));
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
        await this.checkRecipe(ctx, doc.recipe);
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
        return dishView(doc, await this.levels(ctx));
      },
    },

    /** Changes a dish; its id stays what its first name made it, so orders and links keep working. */
    update: {
      roles: ["manager"],
      params: {
        id: idParam,
        ...patchParams(DISH_RULES),
        $$strict: true,
      },
      async handler(ctx: Context<Partial<DishFields> & { id: string }>) {
        const { id, ...patch } = ctx.params;
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
        if (patch.recipe) await this.checkRecipe(ctx, patch.recipe);
        const after = await this.store
          .for(ctx)
          .updateIf(before._id, {}, { $set: { ...patch, updatedAt: new Date().toISOString() } });
        if (!after) throw NotFound("dish", id);
        await this.changed(requestLocation(ctx.meta));
        this.logger.info({ dish: id, fields: Object.keys(patch) }, "Dish changed.");
        return dishView(after, await this.levels(ctx));
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
        return ctx.params.dishes.map((id) => resolvedDish(byId.get(id)!));
      },
    },
  },

  created() {
    this.lastLevels = new Map();
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

    async checkRecipe(ctx: Context, recipe: RecipeLine[]) {
      const known = new Set(Object.keys(await this.levels(ctx)));
      const problems = recipeProblems(recipe, known);
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
