/**
 * The pass: log in, pick the views the role may use, keep one live stream open, and hand its
 * messages to the view on screen. Views live in ./views/*.js; each one loads what it shows
 * through the REST API and reloads when the stream says that something it shows changed.
 */
import { createApi } from "./api.js";
import { connectLive } from "./live.js";
import { h, show } from "./dom.js";
import { setServerTime } from "./format.js";
import floor from "./views/floor.js";
import kitchen from "./views/kitchen.js";
import cashier from "./views/cashier.js";
import stock from "./views/stock.js";
import cluster from "./views/cluster.js";
import group from "./views/group.js";

const VIEWS = [floor, kitchen, cashier, stock, cluster, group];
const SESSION_KEY = "brigade.session";
const LIVE_LABELS = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…", off: "Offline" };

const $ = (id) => document.getElementById(id);

let session = readSession();
let live = null;
let current = null; // { view, handle }

const api = createApi({
  token: () => session?.token ?? null,
  location: () => session?.location ?? null,
  onUnauthorized: (message) => logout(message || "Your session has ended: log in again."),
});

function readSession() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? "null");
    if (saved && Date.parse(saved.expiresAt) > Date.now()) return saved;
  } catch {
    /* a damaged entry is no session */
  }
  return null;
}

/** A view is for its roles; a manager may use every view but the owner's, an owner every one. */
function viewsFor(role) {
  return VIEWS.filter(
    (view) => role === "owner" || (role === "manager" && !view.roles.includes("owner")) || view.roles.includes(role),
  );
}

/**
 * An owner of several locations works in one at a time: the switcher sets it, every request
 * names it (X-Brigade-Location) and the live stream is reopened for it. With one location, or
 * for staff of one location, there is nothing to choose and nothing shows.
 */
async function chooseLocation() {
  const picker = $("location-choice");
  picker.hidden = true;
  if (session.staff.role !== "owner") return;
  let rows;
  try {
    rows = (await api.get("/api/locations?pageSize=100", { location: "" })).rows;
  } catch (err) {
    toast(err.message, "bad");
    return;
  }
  if (!rows.some((l) => l.id === session.location)) session.location = rows[0]?.id ?? null;
  if (rows.length < 2) return;
  const select = $("location");
  show(
    select,
    rows.map((l) => h("option", { value: l.id, selected: l.id === session.location }, `${l.name} (${l.id})`)),
  );
  picker.hidden = false;
}

function switchLocation(id) {
  session.location = id;
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  live?.close();
  current?.handle.unmount?.();
  current = null;
  route();
  live = connectLive(api, { onMessage: dispatch, onStatus: setLiveStatus });
}

export function toast(text, kind = "info") {
  const note = h("div", { class: "toast", dataset: { kind } }, text);
  $("toasts").append(note);
  setTimeout(() => note.remove(), 5000);
}

function setLiveStatus(state, detail) {
  const badge = $("live-status");
  badge.dataset.state = state;
  badge.textContent = detail ?? LIVE_LABELS[state] ?? state;
}

function showLogin(message = "") {
  $("session").hidden = true;
  $("nav").hidden = true;
  $("view").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message;
  $("login-username").focus();
}

async function login(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const username = form.username.value.trim();
  const password = form.password.value;
  if (!username || !password) {
    $("login-error").textContent = "Enter your username and password.";
    return;
  }
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const answer = await api.login(username, password);
    session = { token: answer.token, expiresAt: answer.expiresAt, staff: answer.staff };
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
    form.reset();
    start();
  } catch (err) {
    $("login-error").textContent = err.status === 401 ? "Wrong username or password." : err.message;
  } finally {
    button.disabled = false;
  }
}

function logout(message) {
  live?.close();
  live = null;
  current?.handle.unmount?.();
  current = null;
  session = null;
  sessionStorage.removeItem(SESSION_KEY);
  setLiveStatus("off");
  showLogin(message);
}

async function start() {
  await chooseLocation();
  const views = viewsFor(session.staff.role);
  $("login").hidden = true;
  $("session").hidden = false;
  $("who").textContent = `${session.staff.name} · ${session.staff.role}`;
  const nav = $("nav");
  show(
    nav,
    views.map((view) => h("a", { href: `#${view.id}`, dataset: { view: view.id } }, view.title)),
  );
  nav.hidden = views.length < 2;
  $("view").hidden = false;
  route();
  live = connectLive(api, { onMessage: dispatch, onStatus: setLiveStatus });
}

function route() {
  if (!session) return;
  const views = viewsFor(session.staff.role);
  const wanted = location.hash.slice(1);
  const view = views.find((v) => v.id === wanted) ?? views[0];
  if (current?.view === view) return;
  if (wanted !== view.id) history.replaceState(null, "", `#${view.id}`);
  current?.handle.unmount?.();
  for (const link of $("nav").querySelectorAll("a")) {
    if (link.dataset.view === view.id) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const root = $("view");
  root.replaceChildren();
  root.dataset.view = view.id;
  document.title = `${view.title} · Brigade`;
  current = { view, handle: view.mount(root, { api, staff: session.staff, toast }) };
}

function dispatch(message) {
  if (!current) return;
  // A (re)connection: whatever happened while away is reloaded, not replayed.
  if (message.event === "live.ready") {
    // A tablet's clock may be off; the kitchen's timers count from the server's timestamps.
    setServerTime(message.payload.serverTime);
    current.handle.refresh?.();
  } else current.handle.live?.(message);
}

$("login-form").addEventListener("submit", login);
$("logout").addEventListener("click", () => logout(""));
$("location").addEventListener("change", (event) => switchLocation(event.currentTarget.value));
window.addEventListener("hashchange", route);

if (session) {
  // The saved token may have been revoked since: ask before showing anything.
  api.get("/api/auth/me").then(
    (staff) => {
      session.staff = staff;
      start();
    },
    (err) => (err.status === 401 ? undefined : showLogin(err.message)),
  );
} else {
  showLogin();
}
