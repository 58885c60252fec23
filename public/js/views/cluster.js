/**
 * Cluster (managers): the nodes alive now, what each runs, its CPU, the kitchen's chefs on it,
 * and the circuit breakers that are not closed. The gateway pushes a fresh picture when a node
 * joins or leaves and at every heartbeat, so a dead node drops off within the heartbeat timeout.
 */
import { h, show } from "../dom.js";
import { coalesce } from "../live.js";
import { clockSeconds, plural } from "../format.js";

export default {
  id: "cluster",
  title: "Cluster",
  roles: [],

  mount(root, { api, toast }) {
    const summary = h("p", { class: "hint", role: "status" });
    const warningsEl = h("div", { role: "alert", "aria-label": "Cluster warnings" });
    const nodesEl = h("div", { class: "nodes", role: "list", "aria-label": "Nodes" });
    const breakersEl = h("section", { class: "card", "aria-labelledby": "breakers-title" });
    const servicesEl = h("div");

    show(
      root,
      h("div", { class: "view-head" }, h("h1", {}, "Cluster"), summary),
      warningsEl,
      h("div", { class: "stack" }, nodesEl, h("div", { class: "split" }, servicesEl, breakersEl)),
    );

    function cpuBar(node) {
      const cpu = node.cpu ?? 0;
      const fill = h("span");
      // Through the CSSOM: the page's CSP allows no inline style attributes to be relied on.
      fill.style.width = `${Math.min(100, Math.max(0, cpu))}%`;
      return h(
        "div",
        {
          class: "bar",
          role: "meter",
          "aria-label": `CPU of ${node.id}`,
          "aria-valuemin": 0,
          "aria-valuemax": 100,
          "aria-valuenow": cpu,
          dataset: { level: cpu >= 90 ? "critical" : cpu >= 70 ? "high" : "ok" },
        },
        fill,
      );
    }

    /** Which nodes run each service: one node per service is a single point of failure. */
    function servicesTable(nodes) {
      const byService = new Map();
      for (const node of nodes)
        for (const service of node.services) byService.set(service, [...(byService.get(service) ?? []), node.id]);
      const names = [...byService.keys()].sort();
      return h(
        "section",
        { class: "card", "aria-labelledby": "services-title" },
        h("h2", { id: "services-title" }, "Services"),
        h(
          "div",
          { class: "table-scroll" },
          h(
            "table",
            { class: "stock-table services-table", "aria-label": "Services and their nodes" },
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                h("th", { scope: "col" }, "Service"),
                h("th", { scope: "col", class: "num" }, "Nodes"),
                h("th", { scope: "col" }, "Running on"),
              ),
            ),
            h(
              "tbody",
              {},
              names.map((name) =>
                h(
                  "tr",
                  {},
                  h("td", {}, name),
                  h("td", { class: "num" }, String(byService.get(name).length)),
                  h("td", {}, byService.get(name).join(", ")),
                ),
              ),
            ),
          ),
        ),
      );
    }

    function nodeCard(node) {
      return h(
        "article",
        { class: "card node", role: "listitem", "aria-label": `Node ${node.id}`, dataset: { node: node.id } },
        h(
          "div",
          { class: "spread" },
          h("h2", {}, node.id),
          node.local ? h("span", { class: "badge", dataset: { status: "open" } }, "This gateway") : null,
        ),
        h(
          "p",
          { class: "muted" },
          [node.hostname, ...node.ips.slice(0, 2)].filter(Boolean).join(" · "),
          node.client ? ` · ${node.client}` : "",
        ),
        h(
          "div",
          { class: "cpu" },
          h("span", {}, "CPU"),
          cpuBar(node),
          h("span", { class: "num" }, node.cpu == null ? "?" : `${node.cpu}%`),
        ),
        h(
          "ul",
          { class: "chips", "aria-label": `Services on ${node.id}` },
          node.services.length ? node.services.map((s) => h("li", {}, s)) : h("li", {}, "no services"),
        ),
        node.kitchen
          ? h(
              "p",
              {},
              `Kitchen: ${node.kitchen.cooking} cooking, ${plural(node.kitchen.chefs, "chef")}${node.kitchen.draining ? " · draining" : ""} · ${
                node.kitchen.locations === "all" ? "every location" : node.kitchen.locations.join(", ")
              }`,
            )
          : null,
        node.local ? null : h("p", { class: "hint" }, `Last heartbeat ${node.heartbeatAgeSeconds} s ago`),
      );
    }

    function render(view) {
      show(
        summary,
        `${plural(view.nodes.length, "node")} · heartbeat every ${view.heartbeatIntervalSeconds} s; a silent node is dropped after ${view.heartbeatTimeoutSeconds} s · as of ${clockSeconds(view.checkedAt)}`,
      );
      show(
        warningsEl,
        (view.warnings ?? []).map((text) => h("p", { class: "card warning" }, text)),
      );
      show(nodesEl, view.nodes.map(nodeCard));
      show(servicesEl, servicesTable(view.nodes));
      const { tripped, closed, silent } = view.breakers;
      show(
        breakersEl,
        h("h2", { id: "breakers-title" }, "Circuit breakers"),
        tripped.length === 0
          ? h("p", { class: "all-closed" }, `All ${closed} closed: calls go everywhere.`)
          : [
              h("p", {}, `${tripped.length} not closed, ${closed} closed.`),
              h(
                "div",
                { class: "table-scroll" },
                h(
                  "table",
                  { class: "stock-table breakers", "aria-label": "Breakers not closed" },
                  h(
                    "thead",
                    {},
                    h(
                      "tr",
                      {},
                      h("th", {}, "Caller"),
                      h("th", {}, "Action"),
                      h("th", {}, "Target"),
                      h("th", {}, "State"),
                    ),
                  ),
                  h(
                    "tbody",
                    {},
                    tripped.map((b) =>
                      h(
                        "tr",
                        {},
                        h("td", {}, b.node),
                        h("td", {}, b.action),
                        h("td", {}, b.target),
                        h("td", { "data-state": b.state }, b.state),
                      ),
                    ),
                  ),
                ),
              ),
            ],
        silent.length ? h("p", { class: "hint" }, `No answer from: ${silent.join(", ")}`) : null,
      );
    }

    const reload = coalesce(() =>
      api
        .get("/api/cluster")
        .then(render)
        .catch((err) => toast(err.message, "bad")),
    );
    void reload.now();

    return {
      refresh: () => reload(),
      live({ event, payload }) {
        if (event === "cluster.changed") render(payload);
      },
      unmount: () => reload.cancel(),
    };
  },
};
