/**
 * Cashier: the open bills, a payment on one of them (cash with change, or card, with a tip),
 * tables whose served orders wait for a bill, and the day's takings.
 */
import { h, show, field } from "../dom.js";
import { allRows, newKey } from "../api.js";
import { coalesce } from "../live.js";
import { clock, money, parseMoney, plural } from "../format.js";

export default {
  id: "cashier",
  title: "Cashier",
  roles: ["cashier"],

  mount(root, { api, toast }) {
    let bills = [];
    let selected = null; // bill id
    let lastChange = null; // { table, changeCents, method }

    const billsEl = h("ul", { class: "bills", "aria-labelledby": "bills-title" });
    const waitingEl = h("div");
    const payEl = h("section", { class: "card", "aria-labelledby": "pay-title" });
    const takingsEl = h("section", { class: "card", "aria-labelledby": "takings-title" });

    show(
      root,
      h("div", { class: "view-head" }, h("h1", {}, "Cashier")),
      h(
        "div",
        { class: "split" },
        h(
          "div",
          { class: "stack" },
          h(
            "section",
            { class: "card", "aria-labelledby": "bills-title" },
            h("h2", { id: "bills-title" }, "Open bills"),
            billsEl,
            waitingEl,
          ),
          takingsEl,
        ),
        h("div", { class: "stack" }, payEl),
      ),
    );

    function renderBills() {
      show(
        billsEl,
        bills.length === 0
          ? h("li", { class: "empty" }, "No open bills.")
          : bills.map((bill) =>
              h(
                "li",
                {
                  class: "bill-item",
                  "aria-current": String(bill.id === selected),
                  "aria-label": `Bill for table ${bill.table}`,
                },
                h(
                  "span",
                  {},
                  h("strong", {}, `Table ${bill.table}`),
                  " ",
                  h(
                    "span",
                    { class: "muted" },
                    `opened ${clock(bill.createdAt)} · ${plural(bill.orders.length, "order")}`,
                  ),
                ),
                h(
                  "button",
                  {
                    type: "button",
                    class: bill.id === selected ? "primary" : "",
                    "aria-label": `Take payment for table ${bill.table}`,
                    onclick: () => select(bill.id),
                  },
                  `${money(bill.dueCents)} due`,
                ),
              ),
            ),
      );
    }

    function select(id) {
      selected = id;
      lastChange = null;
      renderBills();
      renderPayment();
    }

    const formKey = (bill) => (bill ? `${bill.id}:${bill.dueCents}` : "");

    function renderPayment() {
      const bill = bills.find((b) => b.id === selected);
      payEl.dataset.bill = formKey(bill);
      if (!bill) {
        return show(
          payEl,
          h("h2", { id: "pay-title" }, "Payment"),
          lastChange ? changeNote() : null,
          h("p", { class: "empty" }, "Choose an open bill to take a payment."),
        );
      }
      const method = { value: "cash" };
      const amount = h("input", { inputmode: "decimal", autocomplete: "off", value: (bill.dueCents / 100).toFixed(2) });
      const tip = h("input", { inputmode: "decimal", autocomplete: "off", value: "0.00" });
      const preview = h("p", { class: "preview", role: "status" });
      const error = h("p", { class: "error", role: "alert" });
      const amountLabel = h("label", { for: "pay-amount" }, "Cash received");
      amount.id = "pay-amount";

      const update = () => {
        const given = parseMoney(amount.value);
        const tipCents = parseMoney(tip.value) ?? 0;
        amountLabel.textContent = method.value === "cash" ? "Cash received" : "Card amount";
        if (given === null) return show(preview, "Enter an amount such as 20.00.");
        const towardsBill = given - tipCents;
        if (method.value === "cash") {
          show(
            preview,
            towardsBill >= bill.dueCents
              ? `Change to give: ${money(towardsBill - bill.dueCents)}`
              : `Part payment: ${money(bill.dueCents - towardsBill)} will remain due.`,
          );
        } else {
          show(
            preview,
            towardsBill > bill.dueCents
              ? `A card payment cannot exceed ${money(bill.dueCents + tipCents)} with this tip.`
              : `Charge ${money(given)} to the card.`,
          );
        }
      };
      amount.addEventListener("input", update);
      tip.addEventListener("input", update);

      const methods = h(
        "fieldset",
        { class: "methods" },
        h("legend", {}, "Method"),
        ["cash", "card"].map((value) => {
          const input = h("input", { type: "radio", name: "pay-method", value, checked: value === "cash" });
          input.addEventListener("change", () => {
            method.value = value;
            if (value === "card") amount.value = ((bill.dueCents + (parseMoney(tip.value) ?? 0)) / 100).toFixed(2);
            update();
          });
          return h("label", {}, input, value === "cash" ? "Cash" : "Card");
        }),
      );

      const submit = h("button", { type: "submit", class: "primary wide" }, "Take payment");
      const form = h(
        "form",
        { class: "pay-form", novalidate: true },
        methods,
        h("div", { class: "field" }, amountLabel, amount),
        field("pay-tip", "Tip", tip),
        preview,
        error,
        submit,
      );
      const key = { value: newKey(), for: "" };
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const amountCents = parseMoney(amount.value);
        const tipCents = parseMoney(tip.value) ?? 0;
        if (!amountCents) {
          error.textContent = "Enter the amount handed over, such as 20.00.";
          return;
        }
        // One key per distinct payment: a retry of the same one is never taken twice.
        const fingerprint = `${method.value}:${amountCents}:${tipCents}`;
        if (key.for && key.for !== fingerprint) key.value = newKey();
        key.for = fingerprint;
        submit.disabled = true;
        error.textContent = "";
        try {
          const answer = await api.post(
            `/api/bills/${encodeURIComponent(bill.id)}/payments`,
            { method: method.value, amountCents, ...(tipCents ? { tipCents } : {}) },
            { idempotencyKey: key.value },
          );
          lastChange = {
            table: bill.table,
            changeCents: answer.changeCents,
            method: method.value,
            paid: answer.bill.status === "paid",
            dueCents: answer.bill.dueCents,
          };
          toast(
            answer.bill.status === "paid"
              ? `Table ${bill.table} paid in full.`
              : `Payment taken; ${money(answer.bill.dueCents)} still due.`,
            "good",
          );
          if (answer.bill.status === "paid") selected = null;
          await reload.now();
        } catch (err) {
          error.textContent = err.message;
          submit.disabled = false;
          if (err.status !== 0) key.value = newKey();
        }
      });

      show(
        payEl,
        h("h2", { id: "pay-title" }, `Payment · table ${bill.table}`),
        lastChange ? changeNote() : null,
        h(
          "table",
          { class: "lines" },
          h(
            "thead",
            {},
            h("tr", {}, h("th", {}, "Dish"), h("th", { class: "num" }, "Qty"), h("th", { class: "num" }, "Amount")),
          ),
          h(
            "tbody",
            {},
            (bill.lines ?? []).map((l) =>
              h(
                "tr",
                {},
                h("td", {}, l.name),
                h("td", { class: "num" }, String(l.qty)),
                h("td", { class: "num" }, money(l.qty * l.unitPriceCents)),
              ),
            ),
          ),
          h(
            "tfoot",
            {},
            h("tr", {}, h("th", { colspan: 2 }, "Total"), h("td", { class: "num" }, money(bill.totalCents))),
            bill.paidCents
              ? h("tr", {}, h("th", { colspan: 2 }, "Paid so far"), h("td", { class: "num" }, money(bill.paidCents)))
              : null,
            h(
              "tr",
              {},
              h("th", { colspan: 2 }, "Due"),
              h("td", { class: "num", "data-testid": "bill-due" }, money(bill.dueCents)),
            ),
          ),
        ),
        form,
      );
      update();
    }

    function changeNote() {
      const { table, changeCents, method, paid, dueCents } = lastChange;
      return h(
        "div",
        { class: "bill-note", role: "status", "aria-label": "Last payment" },
        h(
          "p",
          {},
          `Table ${table}: ${method} payment taken${paid ? ", paid in full" : `, ${money(dueCents)} still due`}.`,
        ),
        method === "cash"
          ? h("p", {}, "Change ", h("span", { class: "change", "data-testid": "change" }, money(changeCents)))
          : null,
      );
    }

    function renderWaiting(servedOrders) {
      const byTable = new Map();
      for (const order of servedOrders.filter((o) => !o.bill))
        byTable.set(order.table, [...(byTable.get(order.table) ?? []), order]);
      if (byTable.size === 0) return show(waitingEl);
      show(
        waitingEl,
        h("h3", {}, "Served, no bill yet"),
        h(
          "ul",
          { class: "bills" },
          [...byTable].map(([table, orders]) =>
            h(
              "li",
              { class: "bill-item" },
              h(
                "span",
                {},
                h("strong", {}, `Table ${table}`),
                " ",
                h(
                  "span",
                  { class: "muted" },
                  `${plural(orders.length, "order")} · ${money(orders.reduce((s, o) => s + o.totalCents, 0))}`,
                ),
              ),
              h(
                "button",
                { type: "button", "aria-label": `Open bill for table ${table}`, onclick: (e) => openBill(e, table) },
                "Open bill",
              ),
            ),
          ),
        ),
      );
    }

    async function openBill(event, table) {
      event.currentTarget.disabled = true;
      try {
        const bill = await api.post("/api/bills", { table });
        selected = bill.id;
      } catch (err) {
        toast(err.message, "bad");
      }
      void reload.now();
    }

    function renderTakings(t) {
      const stat = (label, value, id) => h("div", {}, h("dt", {}, label), h("dd", { "data-testid": id }, value));
      show(
        takingsEl,
        h("h2", { id: "takings-title" }, `Takings · ${t.date}`),
        h(
          "dl",
          { class: "takings", "aria-label": "Today's takings" },
          stat("Revenue", money(t.revenueCents), "takings-revenue"),
          stat("Tips", money(t.tipsCents), "takings-tips"),
          stat("Orders", String(t.orders), "takings-orders"),
          stat("Cash", money(t.byMethod?.cash ?? 0), "takings-cash"),
          stat("Card", money(t.byMethod?.card ?? 0), "takings-card"),
          t.refundsCents ? stat("Refunds", money(t.refundsCents), "takings-refunds") : null,
        ),
        t.topDishes?.length
          ? [
              h("h3", {}, "Top dishes"),
              h(
                "ol",
                { class: "top-dishes" },
                t.topDishes.slice(0, 5).map((d) => h("li", {}, `${d.name} × ${d.qty}`)),
              ),
            ]
          : null,
      );
    }

    async function load() {
      const [open, served, takings] = await Promise.all([
        allRows(api, "/api/bills?status=open", 3),
        allRows(api, "/api/orders?status=served", 3),
        api.get("/api/takings"),
      ]);
      bills = open.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      const before = bills.find((b) => b.id === selected);
      renderBills();
      renderWaiting(served);
      renderTakings(takings);
      // Keep a half-typed payment form unless its bill changed under it.
      if (payEl.dataset.bill !== formKey(before) || !payEl.hasChildNodes()) renderPayment();
    }

    const reload = coalesce(() => load().catch((err) => toast(err.message, "bad")));
    void reload.now();

    return {
      refresh: () => reload(),
      live({ event, payload }) {
        if (
          ["order.served", "order.paid", "order.cancelled", "bill.paid", "payment.taken", "bill.refunded"].includes(
            event,
          )
        )
          reload();
        if (event === "changed" && (payload.what === "billing" || payload.what === "orders")) reload();
      },
      unmount: () => reload.cancel(),
    };
  },
};
