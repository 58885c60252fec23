/**
 * `npm run rush`: a dinner rush against a running Brigade, so the dashboard can be watched under
 * load and a demo needs no clicking.
 *
 * Parties sit down at every table; a waiter takes their order (one to four dishes that the menu
 * says are available, one a seat, each with its required modifiers and now and then an extra;
 * the odd party declares an allergy, and the waiter confirms what meets it), serves it when the
 * kitchen says it is ready, maybe takes a dessert, then
 * opens the bill; a cashier settles it (card with a tip, or cash with change); the table takes
 * the next party. Chefs bump tickets that have waited longer than `--late` seconds. Readiness
 * comes from the live stream (GET /api/live) like the dashboard's, checked against
 * GET /api/orders?status=ready now and then in case an event was missed.
 *
 * Bounded: no new party after `--seconds` or once `--orders` orders are placed; then the tables
 * finish (at most `--drain` seconds) and a summary is printed. It only ever talks to `--url`.
 *
 *   npm run rush -- --url http://127.0.0.1:3000 --seconds 120 --tables 12
 *   BRIGADE_ADMIN_PASSWORD=… npm run rush            (makes its own waiter, chef and cashier accounts)
 *   npm run rush -- --waiter ann:pw --chef bob:pw --cashier cat:pw
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import Table from "cli-table3";
import { STATIONS } from "../lib/contracts";
import { ApiClient, type Answer } from "../lib/client/api-client";

export interface Credentials {
  username: string;
  password: string;
}

export interface RushOptions {
  url: string;
  /** No new party sits down after this many seconds. */
  seconds: number;
  /** …nor once this many orders were placed. */
  orders: number;
  tables: number;
  waiters: number;
  chefs: number;
  cashiers: number;
  /** A chef bumps a ticket that has waited this long since its order came in. */
  lateSeconds: number;
  /** 1: parties arrive, eat and pay at a brisk demo pace; 2: twice as fast. */
  pace: number;
  /** After the last party sat down: how long the tables may take to finish. */
  drainSeconds: number;
  adminUsername: string;
  adminPassword?: string;
  /** Existing accounts to use instead of making new ones. */
  accounts: { waiter?: Credentials; chef?: Credentials; cashier?: Credentials };
  progress: boolean;
  log: (line: string) => void;
}

export interface RushSummary {
  url: string;
  elapsedSeconds: number;
  orders: number;
  refused: number;
  /** Orders that met a declared allergy and went to the kitchen confirmed (its tickets alerted). */
  allergyConfirmed: number;
  ready: number;
  served: number;
  paid: number;
  bills: number;
  bumped: number;
  readyMeanSeconds: number | null;
  readyWorstSeconds: number | null;
  /** What the rush's payments applied to bills. */
  settledCents: number;
  /** The day's takings (GET /api/takings) after the rush minus before it; null when Brigade could not say. */
  takingsCents: number | null;
  tipsCents: number | null;
  unfinished: number;
  errors: string[];
}

export const DEFAULTS: Omit<RushOptions, "accounts" | "log"> = {
  url: "http://127.0.0.1:3000",
  seconds: 120,
  orders: 200,
  tables: 12,
  waiters: 3,
  chefs: 2,
  cashiers: 1,
  lateSeconds: 20,
  pace: 1,
  drainSeconds: 180,
  adminUsername: "admin",
  progress: true,
};

/* ------------------------------------------------------------------ talking to Brigade */

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: { message?: string; type?: string; data?: unknown } | null,
    what: string,
  ) {
    super(`${what}: ${status} ${body?.message ?? ""}`.trim());
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Waits for `promise`, or `ms` at most; the timer goes with it, so a finished rush lets the process exit. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Brigade's one client (lib/client/api-client.ts: one origin, every path checked to stay on it), with the rush's retries. */
class Brigade {
  private readonly api: ApiClient;

  constructor(base: string) {
    if (!/^https?:\/\//i.test(base)) throw new Error(`--url must be http(s)://…, not ${base}`);
    this.api = new ApiClient(base);
  }

  get origin(): string {
    return this.api.origin;
  }

  url(path: string): string {
    return this.api.url(path);
  }

  async call<T = any>(
    method: string,
    path: string,
    { token, body, key }: { token?: string; body?: unknown; key?: string } = {},
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = { accept: "application/json" };
      if (key) headers["idempotency-key"] = key;
      let res: Answer<any>;
      try {
        res = await this.api.request(method, path, { token, body, headers });
      } catch (err) {
        if (attempt < 4) {
          await sleep(250 * attempt);
          continue;
        }
        throw new Error(`${method} ${path}: ${(err as Error).message} (is Brigade running at ${this.origin}?)`);
      }
      const parsed = typeof res.body === "string" ? { message: res.text.slice(0, 200) } : res.body;
      // Busy or rate limited: wait as asked and try again (the same Idempotency-Key makes that safe).
      if ((res.status === 429 || res.status === 503) && attempt < 6) {
        const after = Number(res.headers.get("retry-after"));
        await sleep((Number.isFinite(after) && after > 0 ? Math.min(after, 10) : 0.5 * attempt) * 1000);
        continue;
      }
      if (res.status >= 400) throw new HttpError(res.status, parsed, `${method} ${path}`);
      return parsed as T;
    }
  }

  async login({ username, password }: Credentials): Promise<string> {
    const answer = await this.call<{ token: string }>("POST", "/api/auth/login", { body: { username, password } });
    return answer.token;
  }

  /**
   * The live stream, read as EventSource would; reopened with a new ticket when it drops.
   * Returns a function that closes it.
   */
  follow(token: string, onMessage: (event: string, payload: any) => void): () => void {
    const abort = new AbortController();
    const run = async () => {
      while (!abort.signal.aborted) {
        try {
          const { ticket } = await this.call<{ ticket: string }>("POST", "/api/live/tickets", { token });
          const res = await fetch(this.url(`/api/live?ticket=${encodeURIComponent(ticket)}`), { signal: abort.signal });
          if (!res.ok || !res.body) throw new Error(`live stream: ${res.status}`);
          const decoder = new TextDecoder();
          let buffer = "";
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
            buffer += decoder.decode(chunk, { stream: true });
            for (let cut = buffer.indexOf("\n\n"); cut !== -1; cut = buffer.indexOf("\n\n")) {
              const data = buffer
                .slice(0, cut)
                .split("\n")
                .filter((line) => line.startsWith("data: "))
                .map((line) => line.slice(6))
                .join("\n");
              buffer = buffer.slice(cut + 2);
              if (!data) continue;
              const message = JSON.parse(data) as { event: string; payload: unknown };
              onMessage(message.event, message.payload);
            }
          }
        } catch {
          if (abort.signal.aborted) return;
        }
        await sleep(1000);
      }
    };
    void run();
    return () => abort.abort();
  }
}

/* ------------------------------------------------------------------ the restaurant's people */

interface Dish {
  id: string;
  name: string;
  category: string;
  priceCents: number;
  available: boolean;
  /** Absent on a Brigade from before modifiers. */
  modifierGroups?: { id: string; min: number; max: number; options: { id: string }[] }[];
}

/** Allergies a party may declare: those the demo menu has something of. */
const PARTY_ALLERGIES = ["nuts", "milk", "gluten", "eggs", "fish"];

/** A guest's choices: what each required group needs, and now and then one optional extra. */
function chooseModifiers(dish: Dish): string[] {
  return (dish.modifierGroups ?? []).flatMap((group) => {
    const count = group.min > 0 ? group.min : Math.random() < 0.3 ? Math.min(1, group.max) : 0;
    return [...group.options]
      .sort(() => Math.random() - 0.5)
      .slice(0, count)
      .map((option) => option.id);
  });
}
interface Order {
  id: string;
  table: string;
  totalCents: number;
  createdAt: string;
  readyAt?: string;
  status: string;
}
interface Bill {
  id: string;
  table: string;
  dueCents: number;
  totalCents: number;
  status: string;
}
interface Ticket {
  id: string;
  station: string;
  queuedAt: string;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];
const between = (low: number, high: number) => low + Math.random() * (high - low);
const newKey = () => randomBytes(12).toString("hex");

async function accountsFor(
  brigade: Brigade,
  options: RushOptions,
): Promise<Record<"waiter" | "chef" | "cashier", string[]>> {
  const given = options.accounts;
  const roles = ["waiter", "chef", "cashier"] as const;
  const counts = { waiter: options.waiters, chef: options.chefs, cashier: options.cashiers };
  const tokens: Record<(typeof roles)[number], string[]> = { waiter: [], chef: [], cashier: [] };
  const missing = roles.filter((role) => !given[role]);
  let admin: string | undefined;
  if (missing.length) {
    if (!options.adminPassword) {
      throw new Error(
        `No ${missing.join(", ")} account given: pass --${missing[0]} user:password, or set BRIGADE_ADMIN_PASSWORD so the rush can make its own accounts.`,
      );
    }
    admin = await brigade.login({ username: options.adminUsername, password: options.adminPassword });
  }
  const run = randomBytes(2).toString("hex");
  for (const role of roles) {
    const account = given[role];
    if (account) {
      // One given account serves every waiter (or chef, or cashier) of the rush.
      tokens[role].push(await brigade.login(account));
      continue;
    }
    for (let i = 1; i <= counts[role]; i++) {
      const username = `rush-${role}-${i}-${run}`;
      const password = randomBytes(18).toString("base64url");
      await brigade.call("POST", "/api/staff", {
        token: admin,
        body: { username, name: `Rush ${role} ${i}`, role, password },
      });
      tokens[role].push(await brigade.login({ username, password }));
    }
  }
  return tokens;
}

/* ------------------------------------------------------------------ the rush */

export async function rush(overrides: Partial<RushOptions> = {}): Promise<RushSummary> {
  const options: RushOptions = { ...DEFAULTS, accounts: {}, log: (line) => console.log(line), ...overrides };
  const brigade = new Brigade(options.url);
  const started = Date.now();
  const scale = 1 / Math.max(0.05, options.pace);
  const errors: string[] = [];
  const stats = {
    orders: 0,
    refused: 0,
    allergyConfirmed: 0,
    ready: 0,
    served: 0,
    paid: 0,
    bills: 0,
    bumped: 0,
    settledCents: 0,
  };
  const readySeconds: number[] = [];

  const people = await accountsFor(brigade, options);
  const someone = (role: keyof typeof people, i = 0) => people[role][i % people[role].length];
  const takingsBefore = await brigade.call<{ revenueCents: number; tipsCents: number }>("GET", "/api/takings", {
    token: someone("cashier"),
  });

  // Orders waiting to be ready, and how each is told.
  const awaitingReady = new Map<string, { placedAt: number; resolve: (readyAt: string) => void }>();
  const markReady = (order: string, readyAt: string) => {
    const waiting = awaitingReady.get(order);
    if (!waiting) return;
    awaitingReady.delete(order);
    stats.ready++;
    readySeconds.push(Math.max(0, (Date.parse(readyAt) - waiting.placedAt) / 1000));
    waiting.resolve(readyAt);
  };
  const stopFollowing = brigade.follow(someone("waiter"), (event, payload) => {
    if (event === "order.ready") markReady(payload.order, payload.at);
  });

  let seating = true;
  let draining = false;
  let stopped = false;
  const done = { value: false };
  const bar = options.progress
    ? new cliProgress.SingleBar(
        {
          format:
            "rush |{bar}| {value}/{total} paid · placed {placed} · at the pass {waiting} · takings {takings} · {secs}s",
          barsize: 24,
          hideCursor: true,
          clearOnComplete: false,
          etaBuffer: 20,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const money = (cents: number) => (cents / 100).toFixed(2);
  const progress = () =>
    bar?.update(stats.paid, {
      placed: stats.orders,
      waiting: awaitingReady.size,
      takings: money(stats.settledCents),
      secs: Math.round((Date.now() - started) / 1000),
    });
  bar?.start(options.orders, 0, { placed: 0, waiting: 0, takings: money(0), secs: 0 });
  const ticker = setInterval(progress, 500);

  let menu: Dish[] = [];
  let menuAt = 0;
  const availableDishes = async (token: string) => {
    if (Date.now() - menuAt > 3000) {
      menu = (await brigade.call<{ rows: Dish[] }>("GET", "/api/dishes?pageSize=100", { token })).rows;
      menuAt = Date.now();
    }
    return menu.filter((d) => d.available);
  };

  /** One to four dishes (a course), placed; an out-of-stock answer gets a second choice. */
  const placeCourse = async (waiter: string, table: string, course: "main" | "dessert"): Promise<Order | null> => {
    for (let attempt = 1; attempt <= 3; attempt++) {
      if (!seating || stats.orders >= options.orders) return null;
      const dishes = await availableDishes(waiter);
      const wanted =
        course === "dessert"
          ? dishes.filter((d) => d.category === "desserts" || d.category === "drinks")
          : dishes.filter((d) => d.category !== "desserts");
      if (wanted.length === 0) return null;
      const count = course === "dessert" ? 1 + Math.floor(Math.random() * 2) : 1 + Math.floor(Math.random() * 4);
      // One dish a guest, each at their seat with their own choices.
      const lines = Array.from({ length: count }, (_, seat) => {
        const dish = pick(wanted);
        const modifiers = chooseModifiers(dish);
        return { dish: dish.id, qty: 1, seat: seat + 1, ...(modifiers.length ? { modifiers } : {}) };
      });
      const allergies = Math.random() < 0.1 ? [pick(PARTY_ALLERGIES)] : [];
      const body = { table, lines, ...(allergies.length ? { allergies } : {}) };
      stats.orders++;
      try {
        const key = newKey();
        try {
          return await brigade.call<Order>("POST", "/api/orders", { token: waiter, key, body });
        } catch (err) {
          if (!(err instanceof HttpError && err.body?.type === "ALLERGEN_CONFLICT")) throw err;
          // The waiter checks with the guests, who still want it: the kitchen gets the alert.
          const order = await brigade.call<Order>("POST", "/api/orders", {
            token: waiter,
            key,
            body: { ...body, allergyConfirmed: true },
          });
          stats.allergyConfirmed++;
          return order;
        }
      } catch (err) {
        stats.orders--;
        if (err instanceof HttpError && (err.body?.type === "OUT_OF_STOCK" || err.body?.type === "SOLD_OUT")) {
          stats.refused++;
          menuAt = 0;
          continue;
        }
        throw err;
      }
    }
    return null;
  };

  const untilReady = (order: Order) =>
    new Promise<string>((resolve) => {
      awaitingReady.set(order.id, { placedAt: Date.parse(order.createdAt), resolve });
    });

  const cashierQueue: { bill: Bill; paid: (settled: boolean) => void }[] = [];

  // The location's floor plan: the rush plays its first --tables tables (none drawn: numbered ones).
  const plan = (
    await brigade.call<{ rows: { id: string; seats: number }[] }>("GET", "/api/tables?pageSize=100", {
      token: someone("waiter"),
    })
  ).rows;
  if (plan.length > 0 && plan.length < options.tables)
    options.log(`The floor plan has ${plan.length} tables: the rush plays those, not ${options.tables}.`);

  const table = async (number: number) => {
    const name = plan.length ? plan[number - 1].id : String(number);
    const seats = plan.length ? plan[number - 1].seats : 4;
    const waiter = someone("waiter", number - 1);
    await sleep(between(0, 4000) * scale);
    while (seating && stats.orders < options.orders) {
      if (plan.length) {
        // A party sits down first; a table still taken (a leftover of an earlier run) is ordered at as it is.
        await brigade
          .call("POST", `/api/tables/${encodeURIComponent(name)}/seat`, {
            token: waiter,
            body: { covers: Math.round(between(1, seats)) },
          })
          .catch((err) => {
            if (!(err instanceof HttpError && err.status === 409)) throw err;
          });
      }
      const courses: Order[] = [];
      const main = await placeCourse(waiter, name, "main");
      if (!main) break;
      courses.push(main);
      // After each wait: past the drain time the table simply stops where it is.
      if (!(await untilReady(main)) || stopped) return;
      await sleep(between(300, 1500) * scale);
      await brigade.call("POST", `/api/orders/${main.id}/serve`, { token: waiter });
      stats.served++;
      if (Math.random() < 0.4) {
        await sleep(between(2000, 5000) * scale);
        const dessert = await placeCourse(waiter, name, "dessert");
        if (dessert) {
          courses.push(dessert);
          if (!(await untilReady(dessert)) || stopped) return;
          await brigade.call("POST", `/api/orders/${dessert.id}/serve`, { token: waiter });
          stats.served++;
        }
      }
      await sleep(between(2000, 6000) * scale);
      if (stopped) return;
      const bill = await brigade.call<Bill>("POST", "/api/bills", { token: waiter, body: { table: name } });
      stats.bills++;
      const settled = await new Promise<boolean>((paid) => cashierQueue.push({ bill, paid }));
      if (settled) stats.paid += courses.length;
      if (stopped) return;
      // The next party: the table is cleared and laid again.
      await sleep(between(1000, 4000) * scale);
    }
  };

  const chef = async (index: number) => {
    const token = someone("chef", index);
    while (!done.value) {
      try {
        const [cooking, queued] = await Promise.all(
          ["cooking", "queued"].map((status) =>
            brigade.call<{ rows: Ticket[] }>("GET", `/api/tickets?status=${status}&pageSize=100`, { token }),
          ),
        );
        const late = draining ? 0 : options.lateSeconds * 1000;
        const mine = [...cooking.rows, ...queued.rows]
          // Chefs split the stations, so two never reach for the same ticket.
          .filter(
            (t) =>
              Math.max(0, (STATIONS as readonly string[]).indexOf(t.station)) % options.chefs === index % options.chefs,
          )
          .filter((t) => Date.now() - Date.parse(t.queuedAt) >= late)
          .sort((a, b) => a.queuedAt.localeCompare(b.queuedAt))
          .slice(0, 6);
        for (const ticket of mine) {
          try {
            await brigade.call("POST", `/api/tickets/${ticket.id}/bump`, { token });
            stats.bumped++;
          } catch (err) {
            // Finished by the kitchen's own timer in the meantime: nothing to do.
            if (!(err instanceof HttpError && err.status === 409)) throw err;
          }
        }
      } catch (err) {
        errors.push(`chef: ${(err as Error).message}`);
      }
      await sleep(2000);
    }
  };

  const cashier = async (index: number) => {
    const token = someone("cashier", index);
    while (!done.value) {
      const next = cashierQueue.shift();
      if (!next) {
        await sleep(200);
        continue;
      }
      const { bill } = next;
      let settled = false;
      try {
        await sleep(between(300, 1200) * scale);
        // Card with a tip, or cash rounded up to the next 5.00 with change given.
        const card = Math.random() < 0.6;
        const tipCents = card ? Math.round((bill.dueCents * pick([0, 0.05, 0.1, 0.15])) / 10) * 10 : 0;
        const amountCents = card ? bill.dueCents + tipCents : Math.ceil(bill.dueCents / 500) * 500;
        const answer = await brigade.call<{ bill: Bill }>("POST", `/api/bills/${bill.id}/payments`, {
          token,
          key: newKey(),
          body: { method: card ? "card" : "cash", amountCents, ...(tipCents ? { tipCents } : {}) },
        });
        stats.settledCents += bill.dueCents;
        settled = answer.bill.status === "paid";
        if (!settled) errors.push(`bill ${bill.id} still ${answer.bill.status} after a full payment`);
      } catch (err) {
        errors.push(`cashier: ${(err as Error).message}`);
      }
      next.paid(settled);
    }
  };

  // The safety net for a missed `order.ready`: one list every few seconds, not one call per order.
  // It is also how the rush notices that Brigade went away, and gives up instead of waiting.
  let brigadeLost = () => {};
  const gone = new Promise<void>((resolve) => (brigadeLost = resolve));
  const sweep = async () => {
    let unanswered = 0;
    while (!done.value) {
      await sleep(4000);
      if (done.value) return;
      try {
        const ready = await brigade.call<{ rows: Order[] }>("GET", "/api/orders?status=ready&pageSize=100", {
          token: someone("waiter"),
        });
        unanswered = 0;
        for (const order of ready.rows) if (order.readyAt) markReady(order.id, order.readyAt);
      } catch (err) {
        if (err instanceof HttpError) {
          errors.push(`sweep: ${err.message}`);
        } else if (++unanswered === 3) {
          errors.push(`Brigade stopped answering at ${brigade.origin}: ${(err as Error).message}`);
          brigadeLost();
        }
      }
    }
  };

  const staff = [
    ...Array.from({ length: options.chefs }, (_, i) => chef(i)),
    ...Array.from({ length: Math.max(1, people.cashier.length, options.cashiers) }, (_, i) => cashier(i)),
    sweep(),
  ];
  const tables = Array.from({ length: plan.length ? Math.min(plan.length, options.tables) : options.tables }, (_, i) =>
    table(i + 1).catch((err) => {
      errors.push(`table ${i + 1}: ${(err as Error).message}`);
    }),
  );

  // Seating closes on time or on count; then the tables have drainSeconds to finish.
  const seated = Promise.all(tables);
  await within(Promise.race([seated, gone]), options.seconds * 1000);
  seating = false;
  draining = true;
  bar?.setTotal(Math.max(stats.orders, 1));
  await within(Promise.race([seated, gone]), options.drainSeconds * 1000);
  const unfinished = awaitingReady.size + cashierQueue.length;
  stopped = true;
  done.value = true;
  for (const waiting of awaitingReady.values()) waiting.resolve("");
  awaitingReady.clear();
  for (const queued of cashierQueue.splice(0)) queued.paid(false);
  // Whatever a table or a chef was sending finishes; nothing new starts.
  await Promise.all([...staff, seated]);
  clearInterval(ticker);
  progress();
  bar?.stop();
  stopFollowing();

  const takingsAfter = await brigade
    .call<{ revenueCents: number; tipsCents: number }>("GET", "/api/takings", { token: someone("cashier") })
    .catch(() => null);
  return {
    url: brigade.origin,
    elapsedSeconds: Math.round((Date.now() - started) / 100) / 10,
    ...stats,
    readyMeanSeconds: readySeconds.length ? readySeconds.reduce((a, b) => a + b, 0) / readySeconds.length : null,
    readyWorstSeconds: readySeconds.length ? Math.max(...readySeconds) : null,
    takingsCents: takingsAfter ? takingsAfter.revenueCents - takingsBefore.revenueCents : null,
    tipsCents: takingsAfter ? takingsAfter.tipsCents - takingsBefore.tipsCents : null,
    unfinished,
    errors,
  };
}

export function renderSummary(s: RushSummary): string {
  const money = (cents: number | null) => (cents === null ? "unknown" : (cents / 100).toFixed(2));
  const secs = (v: number | null) => (v === null ? "n/a" : `${v.toFixed(1)} s`);
  const table = new Table({ style: { head: [], border: [] }, colWidths: [16, 76], wordWrap: true });
  table.push(
    {
      "orders placed": `${s.orders}${s.refused ? ` (${s.refused} refused for stock, ordered again)` : ""}${s.allergyConfirmed ? `; ${s.allergyConfirmed} met an allergy, confirmed` : ""}`,
    },
    {
      "placed → ready": `mean ${secs(s.readyMeanSeconds)}, worst ${secs(s.readyWorstSeconds)} (${s.ready} ready; ${s.bumped} tickets bumped)`,
    },
    { "served / paid": `${s.served} / ${s.paid} orders on ${s.bills} bills` },
    { takings: `${money(s.takingsCents)} (tips ${money(s.tipsCents)}; the rush settled ${money(s.settledCents)})` },
  );
  if (s.unfinished)
    table.push({
      unfinished: `${s.unfinished} orders or bills were left (drain time over, or Brigade stopped answering)`,
    });
  if (s.errors.length) table.push({ errors: `${s.errors.length}, first: ${s.errors[0].slice(0, 160)}` });
  return `Dinner rush against ${s.url}, ${s.elapsedSeconds} s\n${table.toString()}`;
}

/* ------------------------------------------------------------------ command line */

function credentials(flag: string, value: string | undefined): Credentials | undefined {
  if (value === undefined) return undefined;
  const at = value.indexOf(":");
  if (at < 1) throw new Error(`--${flag} is user:password`);
  return { username: value.slice(0, at), password: value.slice(at + 1) };
}

function positive(
  flag: string,
  value: string | undefined,
  fallback: number,
  { integer = true, max = 100_000 } = {},
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > max || (integer && !Number.isInteger(n)))
    throw new Error(
      `--${flag} must be a ${integer ? "whole " : ""}number above 0 (and at most ${max}), not "${value}"`,
    );
  return n;
}

const USAGE = `npm run rush -- [options]
  --url URL            Brigade's address (BRIGADE_URL; default ${DEFAULTS.url})
  --seconds N          no new party after N seconds (default ${DEFAULTS.seconds})
  --orders N           nor after N orders (default ${DEFAULTS.orders})
  --tables N           tables in the room (default ${DEFAULTS.tables})
  --waiters/--chefs/--cashiers N   accounts to make (default ${DEFAULTS.waiters}/${DEFAULTS.chefs}/${DEFAULTS.cashiers})
  --late N             chefs bump tickets waiting longer than N seconds (default ${DEFAULTS.lateSeconds})
  --pace X             speed of the guests: 2 is twice as fast (default ${DEFAULTS.pace})
  --drain N            seconds the last tables may take to finish (default ${DEFAULTS.drainSeconds})
  --admin-password P   the admin's password, to make the accounts (BRIGADE_ADMIN_PASSWORD)
  --waiter/--chef/--cashier user:password   use these accounts instead
  --no-progress        no progress bar`;

export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv = process.env): Partial<RushOptions> | null {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      url: { type: "string" },
      seconds: { type: "string" },
      orders: { type: "string" },
      tables: { type: "string" },
      waiters: { type: "string" },
      chefs: { type: "string" },
      cashiers: { type: "string" },
      late: { type: "string" },
      pace: { type: "string" },
      drain: { type: "string" },
      "admin-user": { type: "string" },
      "admin-password": { type: "string" },
      waiter: { type: "string" },
      chef: { type: "string" },
      cashier: { type: "string" },
      "no-progress": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return null;
  return {
    url: values.url ?? env.BRIGADE_URL ?? DEFAULTS.url,
    seconds: positive("seconds", values.seconds, DEFAULTS.seconds, { max: 24 * 3600 }),
    orders: positive("orders", values.orders, DEFAULTS.orders),
    tables: positive("tables", values.tables, DEFAULTS.tables, { max: 500 }),
    waiters: positive("waiters", values.waiters, DEFAULTS.waiters, { max: 50 }),
    chefs: positive("chefs", values.chefs, DEFAULTS.chefs, { max: 50 }),
    cashiers: positive("cashiers", values.cashiers, DEFAULTS.cashiers, { max: 50 }),
    lateSeconds: positive("late", values.late, DEFAULTS.lateSeconds, { integer: false, max: 3600 }),
    pace: positive("pace", values.pace, DEFAULTS.pace, { integer: false, max: 100 }),
    drainSeconds: positive("drain", values.drain, DEFAULTS.drainSeconds, { max: 3600 }),
    adminUsername: values["admin-user"] ?? DEFAULTS.adminUsername,
    adminPassword: values["admin-password"] ?? env.BRIGADE_ADMIN_PASSWORD,
    accounts: {
      waiter: credentials("waiter", values.waiter),
      chef: credentials("chef", values.chef),
      cashier: credentials("cashier", values.cashier),
    },
    progress: !values["no-progress"] && process.stderr.isTTY !== false,
  };
}

async function main() {
  let options: Partial<RushOptions> | null;
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (!options) {
    console.log(USAGE);
    return;
  }
  const summary = await rush(options);
  console.log(renderSummary(summary));
  if (summary.orders === 0) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`The rush stopped: ${(err as Error).message}`);
    process.exit(1);
  });
}
