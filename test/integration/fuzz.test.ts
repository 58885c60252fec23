/**
 * Hostile input, generated: fast-check builds thousands of malformed requests across every
 * route of services/api/routes.ts. Each one starts from a request that would be valid (real ids
 * of a seeded restaurant with a served order on an open bill) and is broken on purpose, in one
 * way picked from what the route's action declares: a wrong type, a huge or empty string, deep
 * nesting (up to 12,000 levels, in a field or inside a line), control characters in typed text
 * (C0 with tabs and line breaks, DEL, C1, ESC), an operator object, null, a missing or unknown
 * field, a bad id, negative or fractional money, unicode, a body that is not an object, malformed
 * JSON, a wrong content type, a body too large, a bad query string, a bad Idempotency-Key.
 *
 * Every answer must be a 4xx in the one error shape, with no stack trace, internal name or
 * password hash; nothing may be logged as a server fault; the process stays up; and every store
 * reads exactly the same afterwards as before.
 *
 * Reproduce a failure with the seed it prints: BRIGADE_FUZZ_SEED=<seed> npx jest test/integration/fuzz.test.ts
 * (BRIGADE_FUZZ_RUNS changes the number of requests; BRIGADE_FUZZ_REPORT=1 prints a summary.)
 */
import fc from "fast-check";
import type { BrokerOptions } from "moleculer";
import { API_ROUTES, type RouteDef } from "../../services/api/routes";
import { ROLES } from "../../lib/roles";
import { startBrigade, type Brigade } from "../support/brigade";
import { eventually, orderReaches } from "../support/meal";
import { LogCapture } from "../security/support/log-capture";
import { snapshotStores, type StoreSnapshot } from "../security/support/store-snapshot";
import { rawRequest, type RawAnswer } from "../security/support/raw-http";
import { CONTROL_CHARACTER } from "../../lib/text-rules";

const RUNS = Number(process.env.BRIGADE_FUZZ_RUNS ?? 5_500);
const SEED = Number(process.env.BRIGADE_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const BATCH = 5;
/** Requests of the second property: each is followed by a full snapshot, so fewer. */
const REFUSALS = Number(process.env.BRIGADE_FUZZ_REFUSALS ?? 600);

interface Rule {
  type: string;
  min?: number;
  max?: number;
  length?: number;
  integer?: boolean;
  convert?: boolean;
  trim?: boolean;
  pattern?: RegExp;
  values?: unknown[];
  items?: Rule;
  optional?: boolean;
}

/** A request that would be accepted, before it is broken. */
interface Template {
  ids?: Record<string, string>;
  body?: Record<string, unknown>;
  query?: Record<string, string>;
}

interface FuzzRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

type Mutation = { kind: string; apply: (spec: Spec) => Spec };

/** A request being built: structured until it is rendered to bytes. */
interface Spec {
  method: string;
  pathTemplate: string;
  ids: Record<string, string>;
  params: Record<string, unknown>;
  viaQuery: boolean;
  extraQuery?: string;
  headers: Record<string, string>;
  rawBody?: string;
  rawPath?: string;
}

// ---- values that are wrong for a rule -------------------------------------------------------

const OPERATORS = ["$gt", "$ne", "$in", "$regex", "$where", "$exists", "$expr", "$or", "$set", "$inc"];
const operatorObject = fc
  .tuple(
    fc.constantFrom(...OPERATORS),
    fc.oneof(fc.constant(""), fc.constant(1), fc.constant([]), fc.constant({}), fc.string({ maxLength: 8 })),
  )
  .map(([op, value]) => ({ [op]: value }));
const deepNest = fc.tuple(fc.integer({ min: 20, max: 3000 }), fc.boolean()).map(([depth, arrays]) => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = arrays ? [value] : { a: value };
  return value;
});
const CONTROLS = ["\u0000", "\u0007", "\t", "\n", "\r", "\u001b", "\u001b[2J", "\u007f", "\u0085", "\u009b"];
/** Nesting far deeper than any param, as raw JSON (10,000 levels of arrays fit in the body limit). */
const veryDeep = fc.oneof(
  fc.integer({ min: 3_000, max: 12_000 }).map((d) => `${"[".repeat(d)}1${"]".repeat(d)}`),
  fc.integer({ min: 3_000, max: 9_000 }).map((d) => `${'{"a":'.repeat(d)}1${"}".repeat(d)}`),
);
/** A JSON object with one field's value written as raw JSON text. */
function withRawField(params: Record<string, unknown>, field: string, raw: string): string {
  const rest = JSON.stringify(omit(params, field));
  return `{${JSON.stringify(field)}:${raw}${rest === "{}" ? "}" : `,${rest.slice(1)}`}`;
}
const unicodeText = fc.constantFrom(
  "é",
  "ß",
  "Ω",
  "漢字",
  "😀",
  "\u202e",
  "\u200b",
  "ﷺ",
  "\ud83d\ude00",
  "Z\u0351\u0352",
);
const notAString = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  operatorObject,
  deepNest,
);
const notANumber = fc.oneof(
  fc.string({ maxLength: 8 }).map((s) => `${s}1`),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 3 }),
  operatorObject,
  deepNest,
);

function tooLong(max: number) {
  return fc.tuple(fc.integer({ min: 1, max: 300 }), unicodeText).map(([extra, tail]) => "x".repeat(max + extra) + tail);
}

/** A value the rule refuses, as JSON (`viaQuery` false) or as a query-string value. */
function wrongValue(rule: Rule, viaQuery: boolean): fc.Arbitrary<unknown> {
  const options: fc.Arbitrary<unknown>[] = [];
  switch (rule.type) {
    case "string": {
      const max = rule.max ?? rule.length ?? 64;
      options.push(tooLong(max));
      if (rule.trim && (rule.min ?? 0) >= 1) options.push(fc.constantFrom(" ", "   ", "\t \n"));
      if (rule.length) options.push(fc.string({ minLength: 1, maxLength: rule.length - 1 }));
      // Every pattern of Brigade's API (ids, usernames, tables, names, notes, reasons) refuses a
      // control character: C0 (tab and line breaks too), DEL, C1, ESC. Inside the text, where no trim reaches.
      if (rule.pattern)
        options.push(fc.tuple(fc.string({ maxLength: 6 }), fc.constantFrom(...CONTROLS)).map(([s, c]) => `a${s}${c}z`));
      if (!viaQuery) options.push(notAString);
      break;
    }
    case "number": {
      const min = rule.min ?? 0;
      const max = rule.max ?? 1e9;
      options.push(fc.integer({ min: 1, max: 1e9 }).map((k) => min - k));
      options.push(fc.integer({ min: 1, max: 1e9 }).map((k) => max + k));
      if (rule.integer) options.push(fc.integer({ min, max: Math.max(min, max - 1) }).map((n) => n + 0.5));
      if (viaQuery) options.push(fc.constantFrom("abc", "1,5", "one", "--1"));
      else {
        options.push(notANumber, fc.constant(1e300));
        if (!rule.convert) options.push(fc.integer({ min, max }).map((n) => String(n)));
      }
      break;
    }
    case "enum":
      options.push(fc.string({ maxLength: 12 }).filter((s) => !rule.values!.includes(s)));
      if (!viaQuery)
        options.push(
          fc.integer(),
          operatorObject,
          fc.array(fc.constantFrom(...(rule.values as string[])), { minLength: 1, maxLength: 2 }),
        );
      break;
    case "boolean":
      options.push(fc.constantFrom("maybe", "2", "yes please", "tru"));
      if (!viaQuery)
        options.push(
          fc.integer({ min: 2, max: 100 }),
          operatorObject,
          fc.array(fc.boolean(), { minLength: 1, maxLength: 2 }),
        );
      break;
    case "array": {
      const item = rule.items ? wrongValue(rule.items, false) : fc.constant({});
      options.push(fc.oneof(fc.string({ maxLength: 10 }), operatorObject, fc.integer(), deepNest));
      options.push(fc.array(item, { minLength: 1, maxLength: 3 }));
      if ((rule.min ?? 0) >= 1) options.push(fc.constant([]));
      if (rule.max !== undefined) options.push(fc.constant(rule.max + 1));
      break;
    }
    default:
      options.push(notAString);
  }
  return fc.oneof(...options);
}

/** A line object with one property broken (strict objects inside arrays: lines, recipes). */
function brokenLine(
  template: Record<string, unknown>,
  items: Rule & { props?: Record<string, Rule> },
): fc.Arbitrary<unknown> {
  const props = Object.entries(items.props ?? {});
  return fc.oneof(
    fc
      .constantFrom(...props)
      .chain(([name, rule]) => wrongValue(rule, false).map((value) => ({ ...template, [name]: value }))),
    fc
      .tuple(fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }))
      .filter(([k]) => !(k in (items.props ?? {})) && k !== "__proto__")
      .map(([k, v]) => ({ ...template, [k]: v ?? 0 })),
  );
}

const badIds = fc.oneof(
  fc
    .tuple(
      fc.string({ maxLength: 10 }),
      fc.constantFrom("A", "$", ".", " ", "%", "é", "{", "\u0000", "'", "\\", "*", "😀"),
    )
    .map(([s, bad]) => `a${s}${bad}`),
  fc.constantFrom(
    '{"$gt":""}',
    "[object Object]",
    "$where",
    "../../etc/passwd",
    "_id",
    "-1",
    "ÄÖÜ",
    "null",
    "undefined".toUpperCase(),
  ),
  fc.integer({ min: 65, max: 400 }).map((n) => "a".repeat(n)),
);

const badIdempotencyKeys = fc.oneof(
  fc.constant(""),
  fc.integer({ min: 129, max: 400 }).map((n) => "k".repeat(n)),
  fc.constantFrom("with space", "tab\there", "clé-é", "ümlaut", "x\u00ff"),
);

const badContentTypes = fc.constantFrom(
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=xyz",
  "application/xml",
  "text/json",
  "application/json; charset=latin1",
  "application/json; charset=utf-16",
  "image/png",
);

// ---- the routes' valid requests -------------------------------------------------------------

interface Fixture {
  staff: string;
  dish: string;
  ingredient: string;
  purchaseOrder: string;
  receivedPurchaseOrder: string;
  /** A dish one portion of which needs more than the stock holds. */
  scarceDish: string;
  dishNames: string[];
  ingredientNames: string[];
  order: string;
  ticket: string;
  bill: string;
  today: string;
}

function templates(f: Fixture): Record<string, Template> {
  return {
    "POST /auth/login": { body: { username: "admin", password: "not-the-password" } },
    "GET /auth/me": {},
    "GET /staff": { query: { page: "1", pageSize: "5" } },
    "POST /staff": { body: { username: "fuzz-new", name: "Fuzz", role: "waiter", password: "long-enough-pw" } },
    "PATCH /staff/:id": { ids: { id: f.staff }, body: { name: "Renamed", role: "chef", active: true } },
    "DELETE /staff/:id": { ids: { id: f.staff } },
    "GET /locations": { query: { page: "1", pageSize: "5" } },
    "POST /locations": {
      body: {
        id: "fuzz-east",
        name: "Fuzz East",
        timezone: "America/New_York",
        currency: "USD",
        taxMode: "exclusive",
        taxRates: [{ id: "food", name: "Food", bps: 887 }],
        serviceChargeBps: 1800,
        serviceChargeMinCovers: 6,
      },
    },
    "PATCH /locations/:id": { ids: { id: "main" }, body: { name: "Renamed main", serviceChargeBps: 1000 } },
    "GET /dishes": { query: { category: "mains", station: "grill", page: "1" } },
    "GET /dishes/:id": { ids: { id: f.dish } },
    "POST /dishes": {
      body: {
        name: "Fuzz Soup",
        category: "soups",
        priceCents: 500,
        station: "cold",
        prepSeconds: 60,
        recipe: [{ ingredient: f.ingredient, qty: 1 }],
      },
    },
    "PATCH /dishes/:id": {
      ids: { id: f.dish },
      body: { priceCents: 600, name: "Renamed dish", recipe: [{ ingredient: f.ingredient, qty: 2 }] },
    },
    "DELETE /dishes/:id": { ids: { id: f.dish } },
    "GET /ingredients": { query: { low: "true", pageSize: "10" } },
    "GET /ingredients/:id": { ids: { id: f.ingredient } },
    "POST /ingredients": { body: { name: "Fuzz Salt", unit: "g", onHand: 10, reorderPoint: 1, reorderQty: 5 } },
    "PATCH /ingredients/:id": { ids: { id: f.ingredient }, body: { onHand: 5000, reorderPoint: 10 } },
    "GET /purchase-orders": { query: { status: "open" } },
    "POST /purchase-orders": { body: { lines: [{ ingredient: f.ingredient, qty: 5 }] } },
    "POST /purchase-orders/:id/receive": { ids: { id: f.purchaseOrder } },
    "POST /orders": { body: { table: "2", lines: [{ dish: f.dish, qty: 1, notes: "no onions" }] } },
    "GET /orders": { query: { status: "served", table: "1" } },
    "GET /orders/:id": { ids: { id: f.order } },
    "POST /orders/:id/serve": { ids: { id: f.order } },
    "POST /orders/:id/cancel": { ids: { id: f.order }, body: { reason: "changed their mind" } },
    "GET /tables": { query: { status: "free", area: "Terrace", pageSize: "10" } },
    "GET /tables/:id": { ids: { id: "5" } },
    "POST /tables": { body: { name: "Fuzz 1", area: "Fuzz corner", seats: 4 } },
    "PATCH /tables/:id": { ids: { id: "5" }, body: { name: "Five", area: "Terrace", seats: 6 } },
    "DELETE /tables/:id": { ids: { id: "12" } },
    "POST /tables/:id/seat": { ids: { id: "3" }, body: { covers: 2 } },
    "POST /tables/:id/transfer": { ids: { id: "1" }, body: { to: "6" } },
    "GET /tickets": { query: { status: "done", station: "grill" } },
    "POST /tickets/:id/bump": { ids: { id: f.ticket } },
    "POST /bills": { body: { table: "1" } },
    "GET /bills": { query: { status: "open", table: "1" } },
    "GET /bills/:id": { ids: { id: f.bill } },
    "POST /bills/:id/payments": { ids: { id: f.bill }, body: { method: "cash", amountCents: 100, tipCents: 10 } },
    "POST /bills/:id/refunds": { ids: { id: f.bill }, body: { amountCents: 100, reason: "cold soup" } },
    "GET /takings": { query: { date: f.today } },
    "POST /live/tickets": {},
    "GET /cluster": {},
  };
}

// ---- breaking a valid request ---------------------------------------------------------------

function mutations(route: RouteDef, template: Template, rules: Record<string, Rule>): fc.Arbitrary<Mutation> {
  const viaQuery = route.method === "GET";
  const fields = Object.keys(rules).filter((f) => !f.startsWith("$$") && !(f in (template.ids ?? {})));
  const options: fc.Arbitrary<Mutation>[] = [];
  const set = (kind: string, field: string, value: unknown): Mutation => ({
    kind,
    apply: (s) => ({ ...s, params: { ...s.params, [field]: value } }),
  });

  if (fields.length > 0) {
    options.push(
      fc
        .constantFrom(...fields)
        .chain((field) => wrongValue(rules[field], viaQuery).map((v) => set(`wrong ${rules[field].type}`, field, v))),
    );
    const required = fields.filter((f) => !rules[f].optional);
    if (required.length > 0)
      options.push(
        fc.constantFrom(...required).map((field) => ({
          kind: "missing field",
          apply: (s: Spec) => {
            const params = { ...s.params };
            delete params[field];
            return { ...s, params };
          },
        })),
      );
    if (!viaQuery) options.push(fc.constantFrom(...fields).map((field) => set("null", field, null)));
    for (const field of fields) {
      const rule = rules[field] as Rule & { items?: Rule & { props?: Record<string, Rule> } };
      const first = (template.body?.[field] as Record<string, unknown>[] | undefined)?.[0];
      if (rule.type === "array" && rule.items?.type === "object" && first) {
        options.push(brokenLine(first, rule.items).map((line) => set("broken line", field, [line])));
        const props = Object.keys(rule.items.props ?? {});
        if (!viaQuery && props.length > 0)
          options.push(
            fc.tuple(fc.constantFrom(...props), veryDeep).map(([prop, raw]) => ({
              kind: "very deep nesting in a line",
              apply: (s: Spec) => ({
                ...s,
                rawBody: withRawField(s.params, field, `[${withRawField(first, prop, raw)}]`),
              }),
            })),
          );
        if (rule.max !== undefined)
          options.push(
            fc.constant(
              set(
                "too many lines",
                field,
                Array.from({ length: rule.max + 1 }, () => first),
              ),
            ),
          );
      }
    }
    if (viaQuery) {
      // qs turns brackets into objects and repeats into arrays: both must be refused.
      options.push(
        fc.tuple(fc.constantFrom(...fields), fc.constantFrom(...OPERATORS)).map(([f, op]) => ({
          kind: "query operator",
          apply: (s: Spec) => ({
            ...s,
            params: omit(s.params, f),
            extraQuery: `${encodeURIComponent(f)}[${encodeURIComponent(op)}]=x`,
          }),
        })),
      );
      options.push(
        fc.constantFrom(...fields).map((f) => ({
          kind: "query repeated",
          apply: (s: Spec) => ({ ...s, params: omit(s.params, f), extraQuery: `${f}=a&${f}=b` }),
        })),
      );
    }
  }

  // An unknown field: `$$strict` refuses it (its name is never one qs would drop).
  options.push(
    fc
      .tuple(
        fc.oneof(
          fc.constantFrom(
            "$where",
            "$gt",
            "role",
            "isAdmin",
            "passwordHash",
            "_id",
            "tokenVersion",
            "staff",
            "meta",
            "x".repeat(300),
          ),
          fc.string({ minLength: 1, maxLength: 12 }),
        ),
        fc.jsonValue({ maxDepth: 3 }),
      )
      .filter(
        ([key]) =>
          !(key in rules) && !(key in (template.ids ?? {})) && /^[\w$-]+$/.test(key) && !(key in Object.prototype),
      )
      .map(([key, value]) => ({
        kind: "unknown field",
        apply: (s: Spec) =>
          viaQuery
            ? { ...s, extraQuery: `${encodeURIComponent(key)}=${encodeURIComponent(JSON.stringify(value) ?? "1")}` }
            : { ...s, params: { ...s.params, [key]: value ?? 1 } },
      })),
  );

  if (Object.keys(template.ids ?? {}).length > 0) {
    options.push(badIds.map((id) => ({ kind: "bad id", apply: (s: Spec) => ({ ...s, ids: { id } }) })));
  }

  options.push(
    badIdempotencyKeys.map((key) => ({
      kind: "bad Idempotency-Key",
      apply: (s: Spec) => ({ ...s, headers: { ...s.headers, "idempotency-key": key } }),
    })),
  );

  if (!viaQuery) {
    const json = () => JSON.stringify(template.body ?? {});
    options.push(
      fc
        .oneof(
          fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
          fc.string({ maxLength: 10 }),
          fc.integer(),
          fc.boolean(),
        )
        .map((v) => ({ kind: "body not an object", apply: (s: Spec) => ({ ...s, rawBody: JSON.stringify(v) }) })),
      fc.nat().map((n) => ({
        kind: "malformed JSON",
        apply: (s: Spec) => {
          const text = json();
          return { ...s, rawBody: text.length > 1 ? text.slice(0, 1 + (n % (text.length - 1))) : "{" };
        },
      })),
      fc
        .constantFrom("{'a':1}", "{a:1}", '{"a":1}}', '{"a":1,}', '{"a":"\\x"}', "\u0000{}", "{}{}", "--", '{"a":01}')
        .map((text) => ({ kind: "malformed JSON", apply: (s: Spec) => ({ ...s, rawBody: text }) })),
      badContentTypes.map((type) => ({
        kind: "wrong content type",
        apply: (s: Spec) => ({ ...s, headers: { ...s.headers, "content-type": type }, rawBody: json() }),
      })),
      fc.integer({ min: 65 * 1024, max: 200 * 1024 }).map((n) => ({
        kind: "body too large",
        apply: (s: Spec) => ({ ...s, rawBody: JSON.stringify({ ...(template.body ?? {}), padding: "p".repeat(n) }) }),
      })),
      fc.tuple(fc.constantFrom(...(fields.length > 0 ? fields : ["x"])), veryDeep).map(([field, raw]) => ({
        kind: "very deep nesting",
        apply: (s: Spec) => ({ ...s, rawBody: withRawField(s.params, field, raw) }),
      })),
      fc.constant({
        kind: "__proto__ key",
        apply: (s: Spec) => ({
          ...s,
          rawBody: `{"__proto__":{"role":"manager"},${json().slice(1)}`.replace(",}", "}"),
        }),
      }),
    );
  }
  return fc.oneof(...options);
}

function omit(params: Record<string, unknown>, field: string): Record<string, unknown> {
  const copy = { ...params };
  delete copy[field];
  return copy;
}

function render(spec: Spec, kind: string): FuzzRequest {
  let path =
    spec.rawPath ??
    `/api${spec.pathTemplate.replace(/:(\w+)/g, (_m, name: string) => encodeURIComponent(spec.ids[name] ?? ""))}`;
  const headers = { ...spec.headers };
  let body = spec.rawBody;
  if (spec.viaQuery) {
    const pairs = Object.entries(spec.params).map(
      ([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === "string" ? v : JSON.stringify(v))}`,
    );
    if (spec.extraQuery) pairs.push(spec.extraQuery);
    if (pairs.length) path += `?${pairs.join("&")}`;
  } else if (body === undefined && (Object.keys(spec.params).length > 0 || spec.method !== "DELETE")) {
    body = JSON.stringify(spec.params);
  }
  if (body !== undefined) headers["content-type"] ??= "application/json";
  return { kind, method: spec.method, path, headers, body };
}

// ---- the run --------------------------------------------------------------------------------

describe("fuzzing every route with malformed requests", () => {
  let b: Brigade;
  const logs = new LogCapture();
  let fixture: Fixture;
  const tokens: Record<string, string> = {};
  /** The same roles in a second location: the fuzz mixes locations. */
  const eastTokens: Record<string, string> = {};

  beforeAll(async () => {
    b = await startBrigade({
      env: { BRIGADE_SEED: "true", KITCHEN_TIME_SCALE: "0.001", KITCHEN_POLL_MS: "20", RATE_LIMIT_LOGIN: "10000" },
      broker: { logger: [logs] as unknown as BrokerOptions["logger"] },
    });
    for (const role of ROLES) tokens[role] = await b.tokenFor(role);
    const staff = await b.request("POST", "/api/staff", {
      token: b.adminToken,
      body: { username: "fuzz-target", name: "Fuzz Target", role: "waiter", password: "fuzz-target-pw" },
    });
    const dishes = await b.request("GET", "/api/dishes?pageSize=100");
    const dish = dishes.body.rows.find((d: { available: boolean; prepSeconds: number }) => d.available);
    const ingredients = await b.request("GET", "/api/ingredients?pageSize=1", { token: b.adminToken });
    const po = await b.request("POST", "/api/purchase-orders", {
      token: b.adminToken,
      body: { lines: [{ ingredient: ingredients.body.rows[0].id, qty: 3 }] },
    });
    const received = await b.request("POST", "/api/purchase-orders", {
      token: b.adminToken,
      body: { lines: [{ ingredient: ingredients.body.rows[0].id, qty: 1 }] },
    });
    await b.request("POST", `/api/purchase-orders/${received.body.id}/receive`, { token: b.adminToken });
    await b.request("POST", "/api/ingredients", {
      token: b.adminToken,
      body: { name: "Fuzz truffle", unit: "g", onHand: 1 },
    });
    const scarce = await b.request("POST", "/api/dishes", {
      token: b.adminToken,
      body: {
        name: "Fuzz truffle risotto",
        category: "mains",
        priceCents: 4200,
        station: "saute",
        prepSeconds: 60,
        recipe: [{ ingredient: "fuzz-truffle", qty: 2 }],
      },
    });
    const placed = await b.request("POST", "/api/orders", {
      token: tokens.waiter,
      body: { table: "1", lines: [{ dish: dish.id, qty: 1 }] },
    });
    expect([staff.status, po.status, received.status, scarce.status, placed.status]).toEqual([201, 201, 201, 201, 201]);
    const allIngredients = await b.request("GET", "/api/ingredients?pageSize=100", { token: b.adminToken });
    await orderReaches(b, placed.body.id, "ready");
    expect((await b.request("POST", `/api/orders/${placed.body.id}/serve`, { token: tokens.waiter })).status).toBe(200);
    const bill = await b.request("POST", "/api/bills", { token: tokens.cashier, body: { table: "1" } });
    expect(bill.status).toBe(201);
    const tickets = await b.request("GET", "/api/tickets?pageSize=100", { token: tokens.chef });
    fixture = {
      staff: staff.body.id,
      dish: dish.id,
      ingredient: ingredients.body.rows[0].id,
      purchaseOrder: po.body.id,
      receivedPurchaseOrder: received.body.id,
      scarceDish: scarce.body.id,
      dishNames: [...dishes.body.rows.map((d: { name: string }) => d.name), scarce.body.name],
      ingredientNames: allIngredients.body.rows.map((i: { name: string }) => i.name),
      order: placed.body.id,
      ticket: tickets.body.rows.find((t: { order: string }) => t.order === placed.body.id).id,
      bill: bill.body.id,
      today: new Date().toISOString().slice(0, 10),
    };
    const east = await b.request("POST", "/api/locations", { token: b.adminToken, body: { id: "east", name: "East" } });
    expect(east.status).toBe(201);
    for (const role of ROLES) {
      if (role === "owner") continue;
      const username = `east-${role}`;
      const made = await b.request("POST", "/api/staff", {
        token: b.adminToken,
        body: { username, name: `East ${role}`, role, password: `pw-${username}-fuzz`, location: "east" },
      });
      expect(made.status).toBe(201);
      eastTokens[role] = await b.login(username, `pw-${username}-fuzz`);
    }
  }, 60_000);
  afterAll(() => b.stop());

  /** The restaurant at rest (the kitchen done, nothing pending), or a before/after comparison proves nothing. */
  async function settled(): Promise<StoreSnapshot> {
    let last = await snapshotStores(b.broker);
    await eventually(
      async () => {
        const now = await snapshotStores(b.broker);
        const still = JSON.stringify(now) === JSON.stringify(last);
        last = now;
        return still;
      },
      "the stores to settle",
      10_000,
      200,
    );
    return last;
  }

  it(`answers ${RUNS} malformed requests with a clean 4xx each and changes nothing`, async () => {
    const before = await settled();
    logs.clear();

    const actions = new Map(
      (
        b.broker.registry.getActionList({ onlyLocal: true }) as unknown as {
          name: string;
          action: { params?: Record<string, Rule> };
        }[]
      ).map((a) => [a.name, a.action.params ?? {}]),
    );
    const valid = templates(fixture);
    const uncovered = API_ROUTES.filter((r) => !valid[`${r.method} ${r.path}`]).map((r) => `${r.method} ${r.path}`);
    expect(uncovered).toEqual([]);
    const internalNames = [...actions.keys()].filter((name) => !API_ROUTES.some((r) => r.action === name));
    const callers = fc.oneof(
      { weight: 12, arbitrary: fc.constant(b.adminToken) },
      { weight: 4, arbitrary: fc.constantFrom(...Object.values(tokens)) },
      { weight: 3, arbitrary: fc.constantFrom(...Object.values(eastTokens)) },
      { weight: 1, arbitrary: fc.constantFrom(undefined, "garbage", `${b.adminToken.slice(0, -3)}abc`, "a.b.c") },
    );

    const routed = fc.constantFrom(...API_ROUTES).chain((route) => {
      const template = valid[`${route.method} ${route.path}`];
      const base: Spec = {
        method: route.method,
        pathTemplate: route.path,
        ids: template.ids ?? {},
        params: { ...(template.body ?? template.query ?? {}) },
        viaQuery: route.method === "GET",
        headers: {},
      };
      const locationHeaders = fc.option(
        fc.constantFrom("main", "east", "atlantis", "", "MAIN", "../main", "main,east", "x".repeat(300)),
        { freq: 2 },
      );
      return fc
        .tuple(mutations(route, template, actions.get(route.action) ?? {}), callers, locationHeaders)
        .map(([mutation, token, location]) => {
          const spec = mutation.apply(base);
          if (token) spec.headers = { ...spec.headers, authorization: `Bearer ${token}` };
          if (location !== null) spec.headers = { ...spec.headers, "x-brigade-location": location };
          return render(spec, mutation.kind);
        });
    });
    const stray = fc
      .tuple(fc.constantFrom(...API_ROUTES), fc.constantFrom("PUT", "HEAD", "TRACE", "PROPFIND"), fc.webSegment())
      .map(([route, method, segment]) =>
        render(
          {
            method,
            pathTemplate: `${route.path}/zz${segment}`,
            ids: { id: fixture.order },
            params: {},
            viaQuery: true,
            headers: { authorization: `Bearer ${b.adminToken}` },
          },
          "unknown route or method",
        ),
      );
    const requests = fc.oneof({ weight: 30, arbitrary: routed }, { weight: 1, arbitrary: stray });

    const statuses = new Map<number, number>();
    const kinds = new Map<string, number>();
    let sent = 0;
    const check = (req: FuzzRequest, res: RawAnswer) => {
      const where = `${req.kind}: ${req.method} ${req.path.slice(0, 200)} ${req.body?.slice(0, 200) ?? ""} → ${res.status} ${res.text.slice(0, 300)}`;
      if (res.status < 400 || res.status >= 500) throw new Error(`Expected a 4xx for ${where}`);
      if (res.headers["x-content-type-options"] !== "nosniff") throw new Error(`No security headers on ${where}`);
      if (/scrypt\$|"passwordHash":|"tokenVersion":/.test(res.text))
        throw new Error(`A password hash or token version leaked: ${where}`);
      if (
        /node_modules|\.ts:\d|\n\s+at |Error:\s/.test(res.text) ||
        internalNames.some((name) => res.text.includes(name))
      )
        throw new Error(`Internals leaked: ${where}`);
      if (req.method !== "HEAD") {
        const body = JSON.parse(res.text) as Record<string, unknown>;
        if (Object.keys(body).sort().join() !== "code,data,message,name,type" || body.code !== res.status)
          throw new Error(`Not the one error shape: ${where}`);
      }
    };

    try {
      await fc.assert(
        // A few requests at once per run: faster, and concurrent rejections must not interfere.
        fc.asyncProperty(fc.array(requests, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
          const answers = await Promise.all(
            batch.map((req) => rawRequest(b.url, req.method, req.path, req.body, req.headers)),
          );
          batch.forEach((req, i) => {
            sent++;
            statuses.set(answers[i].status, (statuses.get(answers[i].status) ?? 0) + 1);
            kinds.set(req.kind, (kinds.get(req.kind) ?? 0) + 1);
            check(req, answers[i]);
          });
        }),
        { numRuns: Math.ceil(RUNS / BATCH), seed: SEED },
      );
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      throw new Error(
        `Fuzz failed with seed ${SEED} (rerun: BRIGADE_FUZZ_SEED=${SEED}).\n${cause instanceof Error ? `${cause.message}\n` : ""}${(err as Error).message}`,
      );
    }

    if (process.env.BRIGADE_FUZZ_REPORT) {
      console.info(
        `fuzz: ${sent} requests, seed ${SEED}\nstatuses: ${JSON.stringify(Object.fromEntries(statuses))}\nkinds: ${JSON.stringify(Object.fromEntries(kinds))}`,
      );
    }
    expect(sent).toBeGreaterThanOrEqual(Math.min(RUNS, 5_000));
    // Every kind of breakage was tried (the mix is wide enough to mean something).
    expect(kinds.size).toBeGreaterThanOrEqual(15);
    expect([...kinds.keys()]).toEqual(expect.arrayContaining(["very deep nesting", "very deep nesting in a line"]));

    // Still up, still serving, and nothing any of it touched changed.
    expect((await b.request("GET", "/health/live")).status).toBe(200);
    expect((await b.request("GET", "/api/dishes?location=main")).status).toBe(200);
    expect(await snapshotStores(b.broker)).toEqual(before);
    expect(logs.faults()).toEqual([]);
  }, 180_000);

  it(`answers ${REFUSALS} well-formed requests the services must refuse with a 4xx, each leaving every store as it was`, async () => {
    await settled();
    logs.clear();
    const f = fixture;
    const admin = { authorization: `Bearer ${b.adminToken}` };
    const json = (method: string, path: string, body?: object, kind = `${method} ${path}`): FuzzRequest => ({
      kind,
      method,
      path,
      headers: { ...admin, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const unknownId = fc.stringMatching(/^zz[a-z0-9_-]{0,20}$/);
    const freeTable = fc
      .string({
        unit: fc.oneof(
          fc.constantFrom("T", "7", " ", "é", "桌", "😀", "-", "#"),
          fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
        ),
        minLength: 1,
        maxLength: 10,
      })
      .map((t) => t.trim())
      .filter((t) => t.length > 0 && t !== "1" && !CONTROL_CHARACTER.test(t));
    // Another spelling of an existing name: same slug, so the same id.
    const respelled = (names: string[]) =>
      fc
        .tuple(fc.constantFrom(...names), fc.constantFrom("upper", "lower", "spaced", "punctuated"))
        .map(([name, how]) =>
          how === "upper"
            ? name.toUpperCase()
            : how === "lower"
              ? name.toLowerCase()
              : how === "spaced"
                ? `  ${name.replace(/ /g, "   ")}  `
                : `${name}!`,
        );
    const impossibleDay = fc
      .tuple(
        fc.integer({ min: 2000, max: 2099 }),
        fc.constantFrom("02-30", "02-31", "04-31", "13-01", "00-10", "06-00", "11-31"),
        fc.boolean(),
      )
      .map(([y, md, slash]) => (slash ? `${y}/${md.replace("-", "/")}` : `${y}-${md}`));

    const refusals = fc.oneof(
      unknownId.map((id) =>
        json("POST", "/api/orders", { table: "9", lines: [{ dish: id, qty: 1 }] }, "order of an unknown dish"),
      ),
      fc.integer({ min: 1, max: 50 }).map((qty) =>
        json(
          "POST",
          "/api/orders",
          {
            table: "9",
            lines: [
              { dish: f.dish, qty: 1 },
              { dish: f.scarceDish, qty },
            ],
          },
          "order short of stock",
        ),
      ),
      respelled(f.dishNames).map((name) =>
        json(
          "POST",
          "/api/dishes",
          {
            name,
            category: "x",
            priceCents: 100,
            station: "grill",
            prepSeconds: 60,
            recipe: [{ ingredient: f.ingredient, qty: 1 }],
          },
          "dish name taken",
        ),
      ),
      unknownId.map((id) =>
        json(
          "POST",
          "/api/dishes",
          {
            name: `New ${id}`,
            category: "x",
            priceCents: 100,
            station: "grill",
            prepSeconds: 60,
            recipe: [{ ingredient: id, qty: 1 }],
          },
          "dish of an unknown ingredient",
        ),
      ),
      fc.constantFrom("😀", "!!!", "—", "漢字").map((name) =>
        json(
          "POST",
          "/api/dishes",
          {
            name,
            category: "x",
            priceCents: 1,
            station: "bar",
            prepSeconds: 1,
            recipe: [{ ingredient: f.ingredient, qty: 1 }],
          },
          "dish name without a letter",
        ),
      ),
      respelled(f.ingredientNames).map((name) =>
        json("POST", "/api/ingredients", { name, unit: "g" }, "ingredient name taken"),
      ),
      unknownId.map((id) =>
        json(
          "POST",
          "/api/purchase-orders",
          { lines: [{ ingredient: id, qty: 1 }] },
          "purchase of an unknown ingredient",
        ),
      ),
      fc
        .constantFrom("admin", f.staff)
        .map((username) =>
          json(
            "POST",
            "/api/staff",
            { username, name: "Again", role: "chef", password: "long-enough-pw" },
            "username taken",
          ),
        ),
      fc.constantFrom(
        json("DELETE", "/api/staff/admin", undefined, "deactivating oneself"),
        json("PATCH", "/api/staff/admin", { active: false }, "deactivating oneself"),
        json("PATCH", "/api/staff/admin", { role: "waiter" }, "demoting oneself"),
        json("POST", `/api/purchase-orders/${f.receivedPurchaseOrder}/receive`, undefined, "receiving twice"),
        json("POST", `/api/orders/${f.order}/serve`, undefined, "serving a served order"),
        json("POST", `/api/orders/${f.order}/cancel`, { reason: "too late" }, "cancelling a served order"),
        json("POST", `/api/tickets/${f.ticket}/bump`, undefined, "bumping a done ticket"),
        json(
          "POST",
          `/api/bills/${f.bill}/refunds`,
          { amountCents: 100, reason: "nothing paid yet" },
          "refunding an unpaid bill",
        ),
        json(
          "PATCH",
          `/api/dishes/${f.dish}`,
          {
            name: f.dishNames.find(
              (n) => n !== f.dishNames[0] && n.toLowerCase().replace(/[^a-z0-9]+/g, "-") !== f.dish,
            ),
          },
          "renaming a dish onto another",
        ),
      ),
      fc
        .integer({ min: 1_000_000, max: 10_000_000 })
        .map((amountCents) =>
          json(
            "POST",
            `/api/bills/${f.bill}/payments`,
            { method: "card", amountCents },
            "card payment above what is due",
          ),
        ),
      fc
        .integer({ min: 1, max: 10_000_000 })
        .map((amountCents) =>
          json("POST", `/api/bills/${f.bill}/refunds`, { amountCents, reason: "no" }, "refund above what was paid"),
        ),
      freeTable.map((table) => json("POST", "/api/bills", { table }, "bill for a table with nothing served")),
      fc
        .tuple(
          fc.constantFrom("/api/staff/", "/api/dishes/", "/api/ingredients/"),
          unknownId,
          fc.constantFrom("PATCH", "DELETE"),
        )
        .filter(([path, , method]) => !(path === "/api/ingredients/" && method === "DELETE"))
        .map(([path, id, method]) =>
          json(
            method,
            path + id.replace(/_/g, "-"),
            method === "PATCH" ? { name: "Whoever" } : undefined,
            `${method} of an unknown id`,
          ),
        ),
      fc
        .tuple(
          fc.constantFrom(
            "orders/:id/serve",
            "orders/:id/cancel",
            "tickets/:id/bump",
            "purchase-orders/:id/receive",
            "bills/:id/payments",
          ),
          unknownId,
        )
        .map(([path, id]) =>
          json(
            "POST",
            `/api/${path.replace(":id", id)}`,
            path.includes("cancel")
              ? { reason: "x" }
              : path.includes("payments")
                ? { method: "cash", amountCents: 100 }
                : undefined,
            "action on an unknown id",
          ),
        ),
      impossibleDay.map((date) =>
        json("GET", `/api/takings?date=${encodeURIComponent(date)}`, undefined, "takings of an impossible day"),
      ),
    );

    const kinds = new Map<string, number>();
    try {
      await fc.assert(
        fc.asyncProperty(refusals, async (req) => {
          const before = await snapshotStores(b.broker);
          const res = await rawRequest(b.url, req.method, req.path, req.body, req.headers);
          kinds.set(req.kind, (kinds.get(req.kind) ?? 0) + 1);
          const where = `${req.kind}: ${req.method} ${req.path} ${req.body ?? ""} → ${res.status} ${res.text.slice(0, 300)}`;
          if (res.status < 400 || res.status >= 500) throw new Error(`Expected a refusal for ${where}`);
          expect({ where, stores: await snapshotStores(b.broker) }).toEqual({ where, stores: before });
        }),
        { numRuns: REFUSALS, seed: SEED },
      );
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      throw new Error(
        `Fuzz failed with seed ${SEED} (rerun: BRIGADE_FUZZ_SEED=${SEED}).\n${cause instanceof Error ? `${cause.message}\n` : ""}${(err as Error).message}`,
      );
    }
    if (process.env.BRIGADE_FUZZ_REPORT)
      console.info(`refusals: ${REFUSALS} requests, seed ${SEED}\nkinds: ${JSON.stringify(Object.fromEntries(kinds))}`);
    expect(kinds.size).toBeGreaterThanOrEqual(15);
    expect(logs.faults()).toEqual([]);
  }, 120_000);
});
