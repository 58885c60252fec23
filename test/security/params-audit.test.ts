/**
 * An audit of every action of every Brigade service, as the running broker registered it
 * (mixins merged): strict params with bounded strings, numbers and arrays; ids checked by
 * pattern before they reach a store; money in whole, non-negative cents; internal actions
 * unreachable over HTTP. Then every param of every action is fed an operator object
 * (`{"$gt": ""}`), which must be refused for that very field.
 */
import { Errors } from "moleculer";
import { startBrigade, type Brigade } from "../support/brigade";
import OperatorService from "../../services/operator/operator.service";

interface Rule {
  type?: string;
  min?: number;
  max?: number;
  length?: number;
  integer?: boolean;
  pattern?: unknown;
  values?: unknown[];
  items?: Rule;
  props?: Record<string, Rule>;
  strict?: boolean | string;
  optional?: boolean;
}

interface RegisteredAction {
  name: string;
  action: { name: string; params?: Record<string, unknown>; roles?: string[]; visibility?: string };
}

/** moleculer-web's own actions of the gateway: internal (visibility) or never aliased. */
const GATEWAY_BUILTINS = new Set(["api.rest", "api.listAliases", "api.addRoute", "api.removeRoute"]);
/** Param names that hold an id (or a list of ids) and must be checked by pattern. */
const ID_FIELDS = new Set(["id", "reservation", "key", "bill", "dish", "ingredient", "order", "orders", "dishes"]);
/** The longest string any action takes (a token); everything else is far shorter. */
const LONGEST_STRING = 4096;

function problemsOf(field: string, rule: Rule | string, where: string): string[] {
  if (typeof rule === "string")
    return [`${where}.${field}: shorthand rule "${rule}" cannot be audited; write it as an object`];
  const at = `${where}.${field}`;
  const problems: string[] = [];
  const bounded = (n: unknown) => typeof n === "number" && Number.isFinite(n);
  switch (rule.type) {
    case "string":
      if (!bounded(rule.max) && !bounded(rule.length)) problems.push(`${at}: string without max length`);
      else if ((rule.max ?? rule.length ?? 0) > LONGEST_STRING)
        problems.push(`${at}: max length ${rule.max} is unbounded in practice`);
      if (ID_FIELDS.has(field) && !rule.pattern) problems.push(`${at}: an id without a pattern (use idParam)`);
      break;
    case "number":
      if (!bounded(rule.min) || !bounded(rule.max)) problems.push(`${at}: number without min and max`);
      if (/Cents$/.test(field) && (!rule.integer || (rule.min ?? -1) < 0))
        problems.push(`${at}: money must be whole, non-negative cents`);
      if (/^qty$/.test(field) && (!rule.integer || (rule.min ?? 0) < 1))
        problems.push(`${at}: a quantity must be a whole number of at least 1`);
      break;
    case "array":
      if (!bounded(rule.max)) problems.push(`${at}: array without max items`);
      if (!rule.items) problems.push(`${at}: array without an items rule`);
      else problems.push(...problemsOf(ID_FIELDS.has(field) ? "id" : `${field}[]`, rule.items, where));
      break;
    case "object":
      if (rule.strict !== true) problems.push(`${at}: object without strict: true`);
      if (!rule.props) problems.push(`${at}: object without props`);
      for (const [name, inner] of Object.entries(rule.props ?? {})) problems.push(...problemsOf(name, inner, at));
      break;
    case "enum":
      if (!Array.isArray(rule.values) || rule.values.length === 0) problems.push(`${at}: enum without values`);
      break;
    case "boolean":
      break;
    default:
      problems.push(`${at}: type "${rule.type}" accepts too much`);
  }
  return problems;
}

describe("every action's params", () => {
  let b: Brigade;
  let actions: RegisteredAction[];

  beforeAll(async () => {
    b = await startBrigade();
    await b.broker.createService(OperatorService);
    await b.broker.waitForServices(["operator"]);
    actions = (
      b.broker.registry.getActionList({ onlyLocal: true, skipInternal: true }) as unknown as RegisteredAction[]
    ).filter((a) => !GATEWAY_BUILTINS.has(a.name));
  });
  afterAll(() => b.stop());

  it("covers every service", () => {
    const services = new Set(actions.map((a) => a.name.split(".")[0]));
    expect([...services].sort()).toEqual([
      "api",
      "billing",
      "inventory",
      "kitchen",
      "menu",
      "operator",
      "orders",
      "staff",
    ]);
  });

  it("(the audit itself catches loose rules)", () => {
    expect(problemsOf("table", { type: "string" }, "x")).toHaveLength(1);
    expect(problemsOf("id", { type: "string", max: 64 }, "x")).toHaveLength(1);
    expect(problemsOf("tipCents", { type: "number", min: -5, max: 10 }, "x")).toHaveLength(1);
    expect(problemsOf("qty", { type: "number", min: 0.5, max: 10 }, "x")).toHaveLength(1);
    expect(
      problemsOf(
        "lines",
        { type: "array", items: { type: "object", props: { dish: { type: "string", max: 9 } } } },
        "x",
      ),
    ).toHaveLength(3);
    expect(problemsOf("filter", { type: "any" }, "x")).toHaveLength(1);
    expect(problemsOf("orders", { type: "array", max: 5, items: { type: "string", max: 64 } }, "x")).toHaveLength(1);
  });

  it("are strict and bounded, ids by pattern, money in whole cents", () => {
    const problems: string[] = [];
    for (const { name, action } of actions) {
      const params = action.params as Record<string, Rule | string | boolean> | undefined;
      if (!params) {
        problems.push(`${name}: no params schema`);
        continue;
      }
      if (params.$$strict !== true) problems.push(`${name}: params without $$strict: true`);
      for (const [field, rule] of Object.entries(params)) {
        if (field.startsWith("$$")) continue;
        problems.push(...problemsOf(field, rule as Rule | string, name));
      }
    }
    expect(problems).toEqual([]);
  });

  it("are reachable over HTTP only when they declare roles; internal ones are not published", () => {
    const problems: string[] = [];
    for (const { name, action } of actions) {
      const hasRoles = Array.isArray(action.roles) && action.roles.length > 0;
      const published = action.visibility === undefined || action.visibility === "published";
      if (hasRoles && !published) problems.push(`${name}: has roles but is not published (its route would 404)`);
      if (!hasRoles && published) problems.push(`${name}: no roles, yet published (make it visibility "public")`);
    }
    expect(problems).toEqual([]);
  });

  it("refuses an operator object in every param of every action, naming that param", async () => {
    const accepted: string[] = [];
    let calls = 0;
    for (const { name, action } of actions) {
      const fields = Object.keys(action.params ?? {}).filter((f) => !f.startsWith("$$"));
      // An action without params must refuse an unknown one just the same.
      for (const field of fields.length ? fields : ["$where"]) {
        calls++;
        try {
          await b.broker.call(name, { [field]: { $gt: "" } });
          accepted.push(`${name}(${field}): accepted`);
        } catch (err) {
          const e = err as { name?: string; data?: { field?: string }[] };
          if (!(err instanceof Errors.ValidationError))
            accepted.push(`${name}(${field}): ${e.name} instead of a ValidationError`);
          else if (fields.length && !e.data?.some((p) => p.field === field))
            accepted.push(`${name}(${field}): refused, but not for ${field}`);
        }
      }
    }
    expect(accepted).toEqual([]);
    expect(calls).toBeGreaterThan(60);
  });

  it("refuses ids that could reach a store as something else than a plain id", async () => {
    const badIds = ["", "A", "../etc", "a.b", "a b", "$gt", "_hidden", "-x", "x".repeat(65), "ord_1\u0000", "ŏrd"];
    const internal: [string, (id: string) => object][] = [
      ["inventory.reserve", (id) => ({ reservation: id, lines: [{ ingredient: "flour", qty: 1 }] })],
      ["inventory.reserve", (id) => ({ reservation: "ok", lines: [{ ingredient: id, qty: 1 }] })],
      ["inventory.release", (id) => ({ reservation: id })],
      ["inventory.consume", (id) => ({ reservation: "ok", key: id, lines: [{ ingredient: "flour", qty: 1 }] })],
      ["orders.claimForBill", (id) => ({ table: "1", bill: id })],
      ["orders.settle", (id) => ({ bill: "b1", orders: [id] })],
      ["orders.releaseFromBill", (id) => ({ bill: id })],
      ["menu.resolve", (id) => ({ dishes: [id] })],
      ["kitchen.progress", (id) => ({ orders: [id] })],
      ["menu.get", (id) => ({ id })],
      ["billing.get", (id) => ({ id })],
      ["kitchen.bump", (id) => ({ id })],
    ];
    const accepted: string[] = [];
    for (const [action, params] of internal) {
      for (const id of badIds) {
        await b.broker.call(action, params(id)).then(
          () => accepted.push(`${action} took ${JSON.stringify(id)}`),
          (err) => {
            if (!(err instanceof Errors.ValidationError))
              accepted.push(`${action} with ${JSON.stringify(id)}: ${(err as Error).name}`);
          },
        );
      }
    }
    expect(accepted).toEqual([]);
  });
});
