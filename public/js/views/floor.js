/**
 * Floor (waiters): take a table's order from the menu, follow the table's orders as the kitchen
 * moves them, serve what is ready, open the bill.
 */
import { h, show, field } from "../dom.js";
import { allRows, newKey } from "../api.js";
import { coalesce } from "../live.js";
import { clock, money, plural, titleCase } from "../format.js";

const TABLE_KEY = "brigade.floor.table";
const QUICK_TABLES = Array.from({ length: 12 }, (_, i) => String(i + 1));
const STATUS_TEXT = {
  placed: "Placed",
  cooking: "Cooking",
  ready: "Ready",
  served: "Served",
  paid: "Paid",
  cancelled: "Cancelled",
};
const CATEGORY_ORDER = ["starters", "mains", "sides", "desserts", "drinks"];

export default {
  id: "floor",
  title: "Floor",
  roles: ["waiter"],

  mount(root, { api, toast }) {
    let table = sessionStorage.getItem(TABLE_KEY) || "1";
    let dishes = [];
    /** dish id → { dish, qty, notes } */
    const pad = new Map();
    let placeKey = newKey();
    let busyTables = new Map();

    const tableInput = h("input", {
      name: "table",
      maxlength: 16,
      autocomplete: "off",
      value: table,
      inputmode: "text",
    });
    const picks = h("div", { class: "table-picks", role: "group", "aria-label": "Quick table choice" });
    const menuEl = h("div", { class: "menu-list" });
    const padEl = h("div", { class: "stack" });
    const padError = h("p", { class: "error", role: "alert" });
    const tableTitle = h("h2", { id: "table-orders-title" });
    const ordersEl = h("ul", { class: "orders", "aria-labelledby": "table-orders-title" });
    const billEl = h("div", { class: "stack" });
    const readyEl = h("ul", { class: "orders", "aria-labelledby": "ready-title" });

    show(
      root,
      h(
        "div",
        { class: "view-head" },
        h("h1", {}, "Floor"),
        h("div", { class: "table-bar" }, field("floor-table", "Table", tableInput), picks),
      ),
      h(
        "div",
        { class: "floor" },
        h("section", { class: "card area-pad", "aria-labelledby": "pad-title" }, padEl, padError),
        h(
          "section",
          { class: "card area-menu", "aria-labelledby": "menu-title" },
          h("h2", { id: "menu-title" }, "Menu"),
          menuEl,
        ),
        h(
          "section",
          { class: "card area-table", "aria-labelledby": "table-orders-title" },
          tableTitle,
          billEl,
          ordersEl,
        ),
        h(
          "section",
          { class: "card area-ready", "aria-labelledby": "ready-title" },
          h("h2", { id: "ready-title" }, "Ready to serve, every table"),
          readyEl,
        ),
      ),
    );

    tableInput.addEventListener("change", () => setTable(tableInput.value));

    function setTable(next) {
      const value = String(next).trim().slice(0, 16);
      if (!value) return;
      table = value;
      tableInput.value = value;
      sessionStorage.setItem(TABLE_KEY, value);
      renderPicks();
      renderPad();
      void reloadTable.now();
    }

    function renderPicks() {
      show(
        picks,
        QUICK_TABLES.map((n) =>
          h(
            "button",
            {
              type: "button",
              "aria-label": `Table ${n}`,
              "aria-pressed": String(n === table),
              class: busyTables.get(n) === "ready" ? "has-ready" : busyTables.has(n) ? "busy" : "",
              onclick: () => setTable(n),
            },
            n,
          ),
        ),
      );
    }

    /* ------------------------------------------------------------ the menu and the order pad */

    function renderMenu() {
      if (dishes.length === 0) return show(menuEl, h("p", { class: "empty" }, "The menu is empty."));
      const rank = (category) =>
        CATEGORY_ORDER.includes(category) ? CATEGORY_ORDER.indexOf(category) : CATEGORY_ORDER.length;
      const categories = [...new Set(dishes.map((d) => d.category))].sort(
        (a, b) => rank(a) - rank(b) || a.localeCompare(b),
      );
      show(
        menuEl,
        categories.map((category) => [
          h("h3", {}, titleCase(category)),
          h(
            "div",
            { class: "dishes" },
            dishes
              .filter((d) => d.category === category)
              .map((dish) =>
                h(
                  "button",
                  {
                    type: "button",
                    class: "dish",
                    disabled: !dish.available,
                    "aria-label": dish.available ? `Add ${dish.name}` : `${dish.name} (sold out)`,
                    onclick: () => addDish(dish),
                  },
                  h("span", { class: "dish-name" }, dish.name),
                  h("span", { class: "dish-price" }, money(dish.priceCents)),
                  dish.available ? null : h("span", { class: "sold-out" }, "Sold out"),
                ),
              ),
          ),
        ]),
      );
    }

    function addDish(dish) {
      const line = pad.get(dish.id) ?? { dish, qty: 0, notes: "" };
      line.qty = Math.min(50, line.qty + 1);
      pad.set(dish.id, line);
      padError.textContent = "";
      renderPad();
    }

    function changeQty(id, delta) {
      const line = pad.get(id);
      if (!line) return;
      line.qty += delta;
      if (line.qty <= 0) pad.delete(id);
      renderPad();
    }

    function renderPad() {
      const lines = [...pad.values()];
      const total = lines.reduce((sum, l) => sum + l.qty * l.dish.priceCents, 0);
      show(
        padEl,
        h(
          "div",
          { class: "panel-title" },
          h("h2", { id: "pad-title" }, `New order · table ${table}`),
          lines.length
            ? h(
                "button",
                {
                  type: "button",
                  class: "quiet small",
                  onclick: () => {
                    pad.clear();
                    renderPad();
                  },
                },
                "Clear",
              )
            : null,
        ),
        lines.length === 0
          ? h("p", { class: "empty" }, "Tap dishes on the menu to add them.")
          : h(
              "ul",
              { class: "pad-lines", "aria-label": "Order lines" },
              lines.map((line) => {
                const notes = h("input", {
                  class: "notes",
                  maxlength: 200,
                  placeholder: "Notes (no onions, well done…)",
                  "aria-label": `Notes for ${line.dish.name}`,
                  value: line.notes,
                });
                notes.addEventListener("input", () => (line.notes = notes.value));
                return h(
                  "li",
                  { class: "pad-line" },
                  h(
                    "span",
                    {},
                    h("strong", {}, line.dish.name),
                    " ",
                    h("span", { class: "muted" }, money(line.dish.priceCents)),
                  ),
                  h(
                    "span",
                    { class: "stepper" },
                    h(
                      "button",
                      {
                        type: "button",
                        "aria-label": `One less ${line.dish.name}`,
                        onclick: () => changeQty(line.dish.id, -1),
                      },
                      "−",
                    ),
                    h("output", { "aria-label": `Quantity of ${line.dish.name}` }, String(line.qty)),
                    h(
                      "button",
                      {
                        type: "button",
                        "aria-label": `One more ${line.dish.name}`,
                        onclick: () => changeQty(line.dish.id, +1),
                        disabled: line.qty >= 50,
                      },
                      "+",
                    ),
                  ),
                  notes,
                );
              }),
            ),
        h(
          "div",
          { class: "spread" },
          h("span", { class: "total" }, "Total ", h("span", { class: "num" }, money(total))),
          h(
            "button",
            { type: "button", class: "primary", disabled: lines.length === 0, onclick: place },
            `Place order for table ${table}`,
          ),
        ),
      );
    }

    async function place(event) {
      const button = event.currentTarget;
      const lines = [...pad.values()].map((l) => ({
        dish: l.dish.id,
        qty: l.qty,
        ...(l.notes.trim() ? { notes: l.notes.trim() } : {}),
      }));
      if (lines.length === 0) return;
      button.disabled = true;
      padError.textContent = "";
      try {
        // The same key until it succeeds: a retry after a lost answer never places it twice.
        const order = await api.post("/api/orders", { table, lines }, { idempotencyKey: placeKey });
        placeKey = newKey();
        pad.clear();
        renderPad();
        toast(`Order placed for table ${order.table}: ${money(order.totalCents)}`, "good");
        void reloadTable.now();
      } catch (err) {
        placeKey = err.status === 0 ? placeKey : newKey();
        padError.textContent =
          err.type === "OUT_OF_STOCK" && Array.isArray(err.data?.dishes)
            ? `Not enough stock for ${err.data.dishes.map((d) => d.name).join(", ")}: take it off the order.`
            : err.message;
        button.disabled = false;
        void reloadMenu();
      }
    }

    /* ------------------------------------------------------------ the table and the pass */

    function orderCard(order, { withTable = false } = {}) {
      const label = `Order for table ${order.table}, ${STATUS_TEXT[order.status] ?? order.status}`;
      return h(
        "li",
        { class: "order", dataset: { status: order.status, order: order.id }, "aria-label": label },
        h(
          "div",
          { class: "spread" },
          h("strong", {}, withTable ? `Table ${order.table}` : `Placed ${clock(order.createdAt)}`),
          h("span", { class: "badge", dataset: { status: order.status } }, STATUS_TEXT[order.status] ?? order.status),
        ),
        h(
          "ul",
          {},
          order.lines.map((l) =>
            h("li", {}, `${l.qty} × ${l.name}`, l.notes ? h("span", { class: "muted" }, ` (${l.notes})`) : null),
          ),
        ),
        h(
          "div",
          { class: "spread" },
          h("span", { class: "num" }, money(order.totalCents)),
          order.status === "ready"
            ? h(
                "button",
                {
                  type: "button",
                  class: "primary",
                  "aria-label": withTable ? `Serve table ${order.table}` : "Serve",
                  onclick: (e) => serve(e, order),
                },
                "Serve",
              )
            : null,
        ),
      );
    }

    async function serve(event, order) {
      event.currentTarget.disabled = true;
      try {
        await api.post(`/api/orders/${encodeURIComponent(order.id)}/serve`);
        toast(`Served table ${order.table}.`, "good");
      } catch (err) {
        toast(err.message, "bad");
      }
      void reloadTable.now();
    }

    async function openBill(event) {
      event.currentTarget.disabled = true;
      try {
        const bill = await api.post("/api/bills", { table });
        toast(`Bill for table ${bill.table}: ${money(bill.dueCents ?? bill.totalCents)} due.`, "good");
      } catch (err) {
        toast(err.message, "bad");
      }
      void reloadTable.now();
    }

    async function loadTable() {
      const [orders, bills, ready] = await Promise.all([
        api.get(`/api/orders?table=${encodeURIComponent(table)}&pageSize=50`),
        api.get(`/api/bills?table=${encodeURIComponent(table)}&status=open&pageSize=5`),
        allRows(api, "/api/orders?status=ready", 2),
      ]);
      const rows = orders.rows;
      const unbilled = rows.filter((o) => o.status === "served" && !o.bill);
      const open = bills.rows[0];
      show(tableTitle, `Table ${table}`);
      show(
        billEl,
        open
          ? h(
              "p",
              { class: "bill-note", role: "status" },
              `Bill open: ${money(open.dueCents)} due of ${money(open.totalCents)}.`,
            )
          : null,
        h(
          "div",
          { class: "row" },
          h(
            "button",
            { type: "button", disabled: unbilled.length === 0, onclick: openBill },
            open ? "Add served orders to the bill" : "Open bill",
          ),
          h(
            "span",
            { class: "hint" },
            unbilled.length
              ? `${plural(unbilled.length, "served order")} not billed yet`
              : "Nothing served to bill yet",
          ),
        ),
      );
      // What the table still waits for first; paid and cancelled orders below.
      const rank = { ready: 0, cooking: 1, placed: 2, served: 3, paid: 4, cancelled: 5 };
      const sorted = [...rows].sort(
        (a, b) => rank[a.status] - rank[b.status] || b.createdAt.localeCompare(a.createdAt),
      );
      show(
        ordersEl,
        sorted.length ? sorted.map((o) => orderCard(o)) : h("li", { class: "empty" }, "No orders for this table yet."),
      );
      show(
        readyEl,
        ready.length
          ? ready.map((o) => orderCard(o, { withTable: true }))
          : h("li", { class: "empty" }, "Nothing waiting at the pass."),
      );
      busyTables = new Map();
      for (const o of ready) busyTables.set(o.table, "ready");
      renderPicks();
    }

    async function loadMenu() {
      dishes = await allRows(api, "/api/dishes", 5);
      renderMenu();
      // A dish on the pad that just ran out stays on it; the kitchen would refuse it, so say so.
      const gone = [...pad.values()].filter((l) => !dishes.find((d) => d.id === l.dish.id)?.available);
      if (gone.length) padError.textContent = `Sold out now: ${gone.map((l) => l.dish.name).join(", ")}.`;
    }

    const reloadTable = coalesce(() => loadTable().catch((err) => toast(err.message, "bad")));
    const reloadMenu = coalesce(() => loadMenu().catch((err) => toast(err.message, "bad")), 300);

    renderPicks();
    renderPad();
    void reloadMenu.now();
    void reloadTable.now();

    return {
      refresh() {
        reloadMenu();
        reloadTable();
      },
      live({ event, payload }) {
        if (event === "order.ready") toast(`Table ${payload.table}: order ready to serve.`, "good");
        if (event.startsWith("order.") || event === "bill.paid") reloadTable();
        if (event === "changed") {
          if (payload.what === "orders" || payload.what === "billing") reloadTable();
          if (payload.what === "inventory" || payload.what === "menu") reloadMenu();
        }
      },
      unmount() {
        reloadTable.cancel();
        reloadMenu.cancel();
      },
    };
  },
};
