/**
 * Kitchen (chefs): the tickets still to cook, by station, oldest first, each with its timer;
 * bump one to finish it now. The timers tick here in the page; the tickets themselves only
 * reload when the stream says the kitchen changed.
 */
import { h, show } from "../dom.js";
import { allRows } from "../api.js";
import { coalesce } from "../live.js";
import { duration, plural, secondsSince, serverNow, titleCase } from "../format.js";

const STATIONS = ["grill", "fryer", "saute", "cold", "pastry", "bar"];
const STATION_KEY = "brigade.kitchen.station";

export default {
  id: "kitchen",
  title: "Kitchen",
  roles: ["chef"],

  mount(root, { api, toast }) {
    let station = sessionStorage.getItem(STATION_KEY) || "all";
    let tickets = [];

    const filter = h("div", { class: "filter", role: "group", "aria-label": "Station" });
    const counts = h("p", { class: "counts", role: "status" });
    const board = h("div", { class: "stations" });

    show(
      root,
      h("div", { class: "view-head" }, h("h1", {}, "Kitchen"), counts),
      h("div", { class: "stack" }, filter, board),
    );

    function renderFilter() {
      show(
        filter,
        ["all", ...STATIONS].map((name) =>
          h(
            "button",
            {
              type: "button",
              "aria-pressed": String(name === station),
              onclick: () => {
                station = name;
                sessionStorage.setItem(STATION_KEY, name);
                renderFilter();
                render();
              },
            },
            name === "all" ? "All stations" : titleCase(name),
          ),
        ),
      );
    }

    /** Cooking: since it started, against its prep time; queued: since the order came in. */
    function timing(ticket, now = serverNow()) {
      const cooking = ticket.status === "cooking" && ticket.startedAt;
      const elapsed = secondsSince(cooking ? ticket.startedAt : ticket.queuedAt, now);
      const late = secondsSince(ticket.queuedAt, now) > ticket.prepSeconds;
      return { cooking, elapsed, late };
    }

    function ticketCard(ticket) {
      const { cooking, elapsed, late } = timing(ticket);
      const label = `${ticket.name} × ${ticket.qty}, table ${ticket.table}`;
      return h(
        "li",
        {
          class: "ticket",
          dataset: { status: ticket.status, late: String(late), ticket: ticket.id },
          "aria-label": label,
        },
        h(
          "div",
          { class: "spread" },
          h("strong", {}, `Table ${ticket.table}`),
          h(
            "span",
            { class: "badge", dataset: { status: late ? "late" : ticket.status } },
            late ? "Late" : ticket.status === "cooking" ? "Cooking" : "Queued",
          ),
        ),
        h("div", { class: "dish-line" }, `${ticket.qty} × ${ticket.name}`),
        ticket.notes ? h("div", { class: "notes" }, ticket.notes) : null,
        h(
          "div",
          { class: "spread" },
          h(
            "span",
            {},
            h(
              "span",
              { class: "timer", dataset: { timer: ticket.id }, "aria-label": cooking ? "Cooking for" : "Waiting for" },
              duration(elapsed),
            ),
            " ",
            h("span", { class: "muted" }, `${cooking ? "cooking" : "waiting"} · prep ${duration(ticket.prepSeconds)}`),
          ),
          h(
            "button",
            {
              type: "button",
              class: "primary",
              "aria-label": `Bump ${ticket.name} for table ${ticket.table}`,
              onclick: (e) => bump(e, ticket),
            },
            "Bump",
          ),
        ),
      );
    }

    function render() {
      const shown = station === "all" ? tickets : tickets.filter((t) => t.station === station);
      const cooking = tickets.filter((t) => t.status === "cooking").length;
      show(
        counts,
        h("span", {}, h("strong", {}, String(cooking)), " cooking"),
        h("span", {}, h("strong", {}, String(tickets.length - cooking)), " queued"),
      );
      const stations = STATIONS.filter((s) => (station === "all" ? shown.some((t) => t.station === s) : s === station));
      if (stations.length === 0 || shown.length === 0)
        return show(board, h("p", { class: "empty" }, "No tickets. The kitchen is clear."));
      show(
        board,
        stations.map((name) => {
          const mine = shown.filter((t) => t.station === name);
          return h(
            "section",
            { class: "station", "aria-labelledby": `station-${name}` },
            h(
              "h2",
              { id: `station-${name}` },
              titleCase(name),
              h("span", { class: "muted" }, plural(mine.length, "ticket")),
            ),
            mine.length
              ? h("ul", { class: "tickets" }, mine.map(ticketCard))
              : h("p", { class: "empty" }, "Nothing here."),
          );
        }),
      );
    }

    function tick() {
      const now = serverNow();
      for (const ticket of tickets) {
        const timer = board.querySelector(`[data-timer="${CSS.escape(ticket.id)}"]`);
        if (!timer) continue;
        const { elapsed, late } = timing(ticket, now);
        timer.textContent = duration(elapsed);
        const card = timer.closest(".ticket");
        if (card && card.dataset.late !== String(late)) render();
      }
    }

    async function bump(event, ticket) {
      event.currentTarget.disabled = true;
      try {
        await api.post(`/api/tickets/${encodeURIComponent(ticket.id)}/bump`);
        tickets = tickets.filter((t) => t.id !== ticket.id);
        render();
      } catch (err) {
        toast(err.message, "bad");
      }
      reload();
    }

    async function load() {
      const [cooking, queued] = await Promise.all([
        allRows(api, "/api/tickets?status=cooking", 3),
        allRows(api, "/api/tickets?status=queued", 3),
      ]);
      // Oldest first, as the kitchen works: the order that came in first, then its lines.
      tickets = [...cooking, ...queued].sort(
        (a, b) => a.queuedAt.localeCompare(b.queuedAt) || a.order.localeCompare(b.order) || a.id.localeCompare(b.id),
      );
      render();
    }

    const reload = coalesce(() => load().catch((err) => toast(err.message, "bad")));
    const ticker = setInterval(tick, 1000);

    renderFilter();
    void reload.now();

    return {
      refresh: () => reload(),
      live({ event, payload }) {
        if (event === "order.accepted" || event === "order.cancelled" || event.startsWith("ticket.")) reload();
        if (event === "changed" && (payload.what === "kitchen" || payload.what === "orders")) reload();
        if (event === "stock.low") toast(`Running low: ${payload.name}.`, "warn");
      },
      unmount() {
        clearInterval(ticker);
        reload.cancel();
      },
    };
  },
};
