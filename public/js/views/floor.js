/**
 * Floor (waiters): the table plan (each table's status, covers and time seated), seat a party,
 * move it to another table, take a table's order from the menu, follow the table's orders as
 * the kitchen moves them, serve what is ready, open the bill. A location that has drawn no plan
 * yet names its tables by hand, as before.
 */
import { h, show, field } from "../dom.js";
import { allRows, newKey } from "../api.js";
import { coalesce } from "../live.js";
import { clock, money, plural, secondsSince, titleCase } from "../format.js";

const TABLE_KEY = "brigade.floor.table";
const TABLE_STATUS_TEXT = { free: "Free", seated: "Seated", ordering: "Ordering", billed: "Billed" };
/** Mirrors services/orders/tables.ts: a party may squeeze in at twice the seats. */
const COVERS_PER_SEAT = 2;
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
    /** The floor plan, in plan order (by area); empty while the location has drawn none. */
    let plan = [];

    const tableInput = h("input", {
      name: "table",
      maxlength: 16,
      autocomplete: "off",
      value: table,
      inputmode: "text",
    });
    const tableField = field("floor-table", "Table", tableInput);
    const picks = h("div", { class: "floor-plan", role: "group", "aria-label": "Table plan" });
    const seatingEl = h("div", { class: "stack seating" });
    const menuEl = h("div", { class: "menu-list" });
    const padEl = h("div", { class: "stack" });
    const padError = h("p", { class: "error", role: "alert" });
    const tableTitle = h("h2", { id: "table-orders-title" });
    const ordersEl = h("ul", { class: "orders", "aria-labelledby": "table-orders-title" });
    const billEl = h("div", { class: "stack" });
    const readyEl = h("ul", { class: "orders", "aria-labelledby": "ready-title" });

    show(
      root,
      h("div", { class: "view-head" }, h("h1", {}, "Floor"), h("div", { class: "table-bar" }, tableField, picks)),
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
          seatingEl,
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

    const nameOf = (id) => plan.find((t) => t.id === id)?.name ?? id;
    const minutesSince = (iso) => `${Math.max(0, Math.floor(secondsSince(iso) / 60))} min`;

    function renderPicks() {
      // With a plan, tables are picked from it; without one, typed by hand.
      tableField.hidden = plan.length > 0;
      const areas = [...new Set(plan.map((t) => t.area))];
      show(
        picks,
        areas.map((area) =>
          h(
            "div",
            { class: "plan-area", role: "group", "aria-label": area },
            h("h3", {}, area),
            h(
              "div",
              { class: "plan-tables" },
              plan
                .filter((t) => t.area === area)
                .map((t) =>
                  h(
                    "button",
                    {
                      type: "button",
                      class: `plan-table${busyTables.get(t.id) === "ready" ? " has-ready" : ""}`,
                      "aria-label": `Table ${t.name}`,
                      "aria-pressed": String(t.id === table),
                      title: `${TABLE_STATUS_TEXT[t.status]}, ${plural(t.seats, "seat")}`,
                      dataset: { status: t.status, table: t.id },
                      onclick: () => setTable(t.id),
                    },
                    h("span", { class: "plan-name" }, t.name),
                    h("span", { class: "plan-status" }, TABLE_STATUS_TEXT[t.status] ?? t.status),
                    t.status === "free"
                      ? h("span", { class: "muted" }, plural(t.seats, "seat"))
                      : h(
                          "span",
                          { class: "muted" },
                          t.covers ? `${plural(t.covers, "cover")} · ` : "",
                          t.since ? minutesSince(t.since) : "",
                        ),
                  ),
                ),
            ),
          ),
        ),
      );
    }

    /** Seat a party at the chosen free table, or move the party there to a free one. */
    function renderSeating() {
      const here = plan.find((t) => t.id === table);
      if (!here) return show(seatingEl);
      const status = h(
        "p",
        { class: "table-status", "data-testid": "table-status", dataset: { status: here.status } },
        here.status === "free"
          ? `Free · ${plural(here.seats, "seat")}`
          : [
              TABLE_STATUS_TEXT[here.status],
              here.covers ? ` · ${plural(here.covers, "cover")}` : "",
              here.since ? ` · since ${clock(here.since)} (${minutesSince(here.since)})` : "",
            ].join(""),
      );
      if (here.status === "free") {
        const covers = h("input", {
          type: "number",
          min: 1,
          max: here.seats * COVERS_PER_SEAT,
          value: String(here.seats),
          inputmode: "numeric",
        });
        return show(
          seatingEl,
          status,
          h(
            "form",
            { class: "row", onsubmit: (e) => seat(e, here, covers) },
            field("floor-covers", "Covers", covers),
            h("button", { type: "submit", class: "primary", "aria-label": `Seat table ${here.name}` }, "Seat"),
          ),
        );
      }
      const free = plan.filter((t) => t.status === "free");
      const target = h(
        "select",
        {},
        free.map((t) => h("option", { value: t.id }, `${t.name} (${t.area}, ${plural(t.seats, "seat")})`)),
      );
      return show(
        seatingEl,
        status,
        free.length
          ? h(
              "form",
              { class: "row", onsubmit: (e) => transfer(e, here, target) },
              field("floor-transfer-to", "Move to table", target),
              h("button", { type: "submit", "aria-label": `Transfer table ${here.name}` }, "Transfer"),
            )
          : h("p", { class: "hint" }, "No free table to move to."),
      );
    }

    async function seat(event, here, input) {
      event.preventDefault();
      const covers = Number(input.value);
      const button = event.currentTarget.querySelector("button");
      button.disabled = true;
      try {
        await api.post(`/api/tables/${encodeURIComponent(here.id)}/seat`, { covers });
        toast(`Table ${here.name}: ${plural(covers, "cover")} seated.`, "good");
      } catch (err) {
        toast(err.message, "bad");
        button.disabled = false;
      }
      void reloadTable.now();
    }

    async function transfer(event, here, select) {
      event.preventDefault();
      const to = select.value;
      const button = event.currentTarget.querySelector("button");
      button.disabled = true;
      try {
        const moved = await api.post(`/api/tables/${encodeURIComponent(here.id)}/transfer`, { to });
        toast(`Table ${here.name} moved to table ${moved.name}.`, "good");
        setTable(moved.id);
      } catch (err) {
        toast(err.message, "bad");
        button.disabled = false;
        void reloadTable.now();
      }
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
          h("h2", { id: "pad-title" }, `New order · table ${nameOf(table)}`),
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
            `Place order for table ${nameOf(table)}`,
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
        toast(`Order placed for table ${nameOf(order.table)}: ${money(order.totalCents)}`, "good");
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
      const [orders, bills, ready, tables] = await Promise.all([
        api.get(`/api/orders?table=${encodeURIComponent(table)}&pageSize=50`),
        api.get(`/api/bills?table=${encodeURIComponent(table)}&status=open&pageSize=5`),
        allRows(api, "/api/orders?status=ready", 2),
        allRows(api, "/api/tables", 5),
      ]);
      plan = tables;
      // The first visit to a location with a plan: start at its first table, not a typed one.
      if (plan.length && !plan.some((t) => t.id === table)) {
        table = plan[0].id;
        tableInput.value = table;
        renderPad();
        return loadTable();
      }
      const rows = orders.rows;
      const unbilled = rows.filter((o) => o.status === "served" && !o.bill);
      const open = bills.rows[0];
      show(tableTitle, `Table ${nameOf(table)}`);
      renderSeating();
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

    // Time seated counts on between events.
    const ticking = setInterval(() => {
      renderPicks();
      renderSeating();
    }, 30_000);

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
        if (event.startsWith("order.") || event.startsWith("table.") || event === "bill.paid") reloadTable();
        if (event === "changed") {
          if (payload.what === "orders" || payload.what === "billing") reloadTable();
          if (payload.what === "inventory" || payload.what === "menu") reloadMenu();
        }
      },
      unmount() {
        clearInterval(ticking);
        reloadTable.cancel();
        reloadMenu.cancel();
      },
    };
  },
};
