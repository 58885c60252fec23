/**
 * Group (owners): every location side by side: today's takings in its currency, its open
 * orders, and the kitchen nodes that cook for it (a location without one is flagged). The
 * group's totals are summed per currency, as the API gives them.
 */
import { h, show } from "../dom.js";
import { coalesce } from "../live.js";
import { clockSeconds, moneyIn, plural } from "../format.js";

const OPEN = ["placed", "cooking", "ready", "served"];
const REFRESH_MS = 15_000;

export default {
  id: "group",
  title: "Group",
  roles: ["owner"],

  mount(root, { api, toast }) {
    const summary = h("p", { class: "hint", role: "status" });
    const cardsEl = h("div", { class: "nodes", role: "list", "aria-label": "Locations" });
    const totalsEl = h("section", { class: "card", "aria-labelledby": "group-totals-title" });
    show(
      root,
      h("div", { class: "view-head" }, h("h1", {}, "Group"), summary),
      h("div", { class: "stack" }, cardsEl, totalsEl),
    );

    /** Orders not yet paid nor cancelled, in one location. */
    async function openOrders(location) {
      const counts = await Promise.all(
        OPEN.map((status) => api.get(`/api/orders?status=${status}&pageSize=1`, { location }).then((p) => p.total)),
      );
      return counts.reduce((a, b) => a + b, 0);
    }

    function card(day, open, kitchens) {
      return h(
        "article",
        {
          class: "card node",
          role: "listitem",
          "aria-label": `Location ${day.location}`,
          dataset: { location: day.location },
        },
        h("h2", {}, day.location),
        h("p", { class: "big" }, moneyIn(day.revenueCents, day.currency)),
        h(
          "p",
          {},
          `${plural(day.orders, "order")} paid today · ${plural(open, "order")} open · tips ${moneyIn(day.tipsCents, day.currency)}`,
        ),
        kitchens.length
          ? h("p", { class: "muted" }, `Kitchens: ${kitchens.join(", ")}`)
          : h("p", { class: "card warning" }, "No kitchen: its orders wait until a kitchen for it starts."),
      );
    }

    async function load() {
      const [takings, cluster] = await Promise.all([
        api.get("/api/takings?location=all", { location: "" }),
        api.get("/api/cluster", { location: "" }).catch(() => null),
      ]);
      const open = await Promise.all(takings.locations.map((day) => openOrders(day.location)));
      const kitchensOf = new Map((cluster?.locations ?? []).map((l) => [l.id, l.kitchens]));
      show(
        cardsEl,
        takings.locations.map((day, i) => card(day, open[i], kitchensOf.get(day.location) ?? [])),
      );
      show(
        totalsEl,
        h("h2", { id: "group-totals-title" }, "The group today"),
        h(
          "ul",
          { class: "plain" },
          takings.totals.map((t) =>
            h(
              "li",
              { dataset: { currency: t.currency } },
              `${moneyIn(t.revenueCents, t.currency)} from ${plural(t.locations, "location")}, ${plural(t.orders, "order")}`,
            ),
          ),
        ),
      );
      show(
        summary,
        `${plural(takings.locations.length, "location")} · ${takings.date} · as of ${clockSeconds(new Date().toISOString())}`,
      );
    }

    const reload = coalesce(() => load().catch((err) => toast(err.message, "bad")));
    void reload.now();
    const timer = setInterval(() => reload(), REFRESH_MS);

    return {
      refresh: () => reload(),
      live: () => reload(),
      unmount() {
        clearInterval(timer);
        reload.cancel();
      },
    };
  },
};
