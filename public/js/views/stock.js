/**
 * Stock (purchasers): every ingredient's level, the ones under their reorder point first in
 * the eye; purchase orders to create (one tap fills in every low item) and to receive.
 */
import { h, show, field } from "../dom.js";
import { allRows } from "../api.js";
import { coalesce } from "../live.js";
import { clock, plural } from "../format.js";

export default {
  id: "stock",
  title: "Stock",
  roles: ["purchaser"],

  mount(root, { api, toast }) {
    let ingredients = [];
    let onlyLow = false;
    /** ingredient id → qty, the purchase order being written */
    const draft = new Map();

    const summary = h("p", { class: "hint", role: "status" });
    const tableEl = h("div", { class: "table-scroll" });
    const draftEl = h("section", { class: "card", "aria-labelledby": "po-new-title" });
    const ordersEl = h("section", { class: "card", "aria-labelledby": "po-title" });
    const lowOnly = h("input", { type: "checkbox" });
    lowOnly.addEventListener("change", () => {
      onlyLow = lowOnly.checked;
      renderLevels();
    });

    show(
      root,
      h(
        "div",
        { class: "view-head" },
        h("h1", {}, "Stock"),
        h("label", { class: "row" }, lowOnly, "Show only low stock"),
      ),
      h(
        "div",
        { class: "split" },
        h(
          "section",
          { class: "stack", "aria-labelledby": "levels-title" },
          h("div", { class: "panel-title" }, h("h2", { id: "levels-title" }, "Levels"), summary),
          tableEl,
        ),
        h("div", { class: "stack" }, draftEl, ordersEl),
      ),
    );

    const isLow = (i) => i.low === true || i.available < i.reorderPoint;

    function renderLevels() {
      const low = ingredients.filter(isLow);
      show(
        summary,
        low.length
          ? `${plural(low.length, "ingredient")} below the reorder point`
          : "Everything is above its reorder point",
      );
      // Low first: what needs ordering is at the top of the list, not somewhere in the middle.
      const rows = onlyLow ? low : [...low, ...ingredients.filter((i) => !isLow(i))];
      show(
        tableEl,
        h(
          "table",
          { class: "stock-table", "aria-label": "Stock levels" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", { scope: "col" }, "Ingredient"),
              h("th", { scope: "col", class: "num" }, "Available"),
              h("th", { scope: "col", class: "num" }, "On hand"),
              h("th", { scope: "col", class: "num" }, "Reserved"),
              h("th", { scope: "col", class: "num" }, "Reorder at"),
              h("th", { scope: "col" }, ""),
            ),
          ),
          h(
            "tbody",
            {},
            rows.length === 0
              ? h("tr", {}, h("td", { colspan: 6, class: "empty" }, "Nothing to show."))
              : rows.map((i) =>
                  h(
                    "tr",
                    {
                      dataset: { low: String(isLow(i)), ingredient: i.id },
                      "aria-label": `${i.name}${isLow(i) ? ", low" : ""}`,
                    },
                    h(
                      "th",
                      { scope: "row" },
                      i.name,
                      " ",
                      isLow(i) ? h("span", { class: "badge", dataset: { status: "low" } }, "Low") : null,
                    ),
                    h("td", { class: "num" }, `${i.available} ${i.unit}`),
                    h("td", { class: "num" }, String(i.onHand)),
                    h("td", { class: "num" }, String(i.reserved)),
                    h("td", { class: "num" }, String(i.reorderPoint)),
                    h(
                      "td",
                      {},
                      h(
                        "button",
                        {
                          type: "button",
                          class: "small",
                          "aria-label": `Reorder ${i.name}`,
                          onclick: () => addToDraft(i, i.reorderQty || 1),
                        },
                        "Reorder",
                      ),
                    ),
                  ),
                ),
          ),
        ),
      );
    }

    function addToDraft(ingredient, qty) {
      draft.set(ingredient.id, (draft.get(ingredient.id) ?? 0) + qty);
      renderDraft();
    }

    function addEveryLow() {
      for (const i of ingredients.filter(isLow)) draft.set(i.id, i.reorderQty || 1);
      renderDraft();
    }

    function renderDraft() {
      const select = h(
        "select",
        {},
        ingredients.map((i) => h("option", { value: i.id }, `${i.name} (${i.unit})`)),
      );
      const qty = h("input", { type: "number", min: 1, max: 1000000, step: 1, value: "1", inputmode: "numeric" });
      const error = h("p", { class: "error", role: "alert" });
      const lines = [...draft];
      show(
        draftEl,
        h("h2", { id: "po-new-title" }, "New purchase order"),
        h("div", { class: "row" }, field("po-ingredient", "Ingredient", select), field("po-qty", "Quantity", qty)),
        h(
          "div",
          { class: "row" },
          h(
            "button",
            {
              type: "button",
              onclick: () => {
                const n = Number(qty.value);
                if (!Number.isInteger(n) || n < 1) {
                  error.textContent = "The quantity is a whole number above 0.";
                  return;
                }
                addToDraft(
                  ingredients.find((i) => i.id === select.value),
                  n,
                );
              },
            },
            "Add line",
          ),
          h(
            "button",
            { type: "button", onclick: addEveryLow, disabled: !ingredients.some(isLow) },
            "Add every low item",
          ),
        ),
        lines.length
          ? h(
              "ul",
              { class: "po-lines", "aria-label": "Purchase order lines" },
              lines.map(([id, n]) => {
                const ingredient = ingredients.find((i) => i.id === id);
                return h(
                  "li",
                  {},
                  h("span", {}, `${ingredient?.name ?? id}: ${n} ${ingredient?.unit ?? ""}`),
                  h(
                    "button",
                    {
                      type: "button",
                      class: "small quiet",
                      "aria-label": `Remove ${ingredient?.name ?? id}`,
                      onclick: () => {
                        draft.delete(id);
                        renderDraft();
                      },
                    },
                    "Remove",
                  ),
                );
              }),
            )
          : h("p", { class: "empty" }, "No lines yet."),
        error,
        h(
          "button",
          { type: "button", class: "primary", disabled: lines.length === 0, onclick: createOrder },
          "Create purchase order",
        ),
      );
    }

    async function createOrder(event) {
      event.currentTarget.disabled = true;
      try {
        const po = await api.post("/api/purchase-orders", {
          lines: [...draft].map(([ingredient, qty]) => ({ ingredient, qty })),
        });
        draft.clear();
        toast(`Purchase order ${po.id} created.`, "good");
      } catch (err) {
        toast(err.message, "bad");
      }
      renderDraft();
      void reload.now();
    }

    async function receive(event, po) {
      event.currentTarget.disabled = true;
      try {
        await api.post(`/api/purchase-orders/${encodeURIComponent(po.id)}/receive`);
        toast("Delivery received: stock added.", "good");
      } catch (err) {
        toast(err.message, "bad");
      }
      void reload.now();
    }

    function renderOrders(orders) {
      const name = (id) => ingredients.find((i) => i.id === id)?.name ?? id;
      const sorted = [...orders].sort((a, b) =>
        a.status === b.status ? b.createdAt.localeCompare(a.createdAt) : a.status === "open" ? -1 : 1,
      );
      show(
        ordersEl,
        h("h2", { id: "po-title" }, "Purchase orders"),
        sorted.length === 0
          ? h("p", { class: "empty" }, "No purchase orders yet.")
          : h(
              "div",
              { class: "stack" },
              sorted.slice(0, 20).map((po) =>
                h(
                  "article",
                  {
                    class: "po",
                    dataset: { status: po.status },
                    "aria-label": `Purchase order ${po.id}, ${po.status}`,
                  },
                  h(
                    "div",
                    { class: "spread" },
                    h("strong", {}, `Ordered ${clock(po.createdAt)}`),
                    h("span", { class: "badge", dataset: { status: po.status } }, po.status),
                  ),
                  h("p", { class: "muted" }, po.lines.map((l) => `${name(l.ingredient)} ${l.qty}`).join(" · ")),
                  po.status === "open"
                    ? h(
                        "button",
                        {
                          type: "button",
                          class: "primary",
                          "aria-label": `Receive purchase order ${po.id}`,
                          onclick: (e) => receive(e, po),
                        },
                        "Receive",
                      )
                    : h("p", { class: "hint" }, `Received ${clock(po.receivedAt)}`),
                ),
              ),
            ),
      );
    }

    async function load() {
      const [levels, orders] = await Promise.all([
        allRows(api, "/api/ingredients", 5),
        allRows(api, "/api/purchase-orders", 1),
      ]);
      const fresh = ingredients.length === 0;
      ingredients = levels;
      renderLevels();
      if (fresh || !draftEl.hasChildNodes()) renderDraft();
      renderOrders(orders);
    }

    const reload = coalesce(() => load().catch((err) => toast(err.message, "bad")), 300);
    void reload.now();

    return {
      refresh: () => reload(),
      live({ event, payload }) {
        if (event === "stock.low")
          toast(`Low stock: ${payload.name} (${payload.available} left, reorder at ${payload.reorderPoint}).`, "warn");
        if (event === "stock.low" || (event === "changed" && payload.what === "inventory")) reload();
      },
      unmount: () => reload.cancel(),
    };
  },
};
