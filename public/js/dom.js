/**
 * A tiny element builder. Text always goes in as text nodes, never as HTML: dish names, table
 * names and notes are typed by staff, and nothing typed may turn into markup.
 */

/** h("button", { class: "primary", onclick, disabled: true, "aria-label": "…" }, "text", child, [more]) */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "value") el.value = value;
    else if (typeof value === "boolean") {
      if (key in el) el[key] = value;
      else if (value) el.setAttribute(key, "");
    } else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces what `el` shows; keeps the element (and whatever listens to it). */
export function show(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** A label and its control, tied by id (screen readers and tests find the control by its label). */
export function field(id, labelText, control) {
  control.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, labelText), control);
}
