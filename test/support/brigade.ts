/**
 * One in-process Brigade for integration tests: a broker with the services asked for, the
 * gateway on a free port, and Brigade's one HTTP client (lib/client/api-client.ts) on it.
 */
import { ServiceBroker, type ServiceSchema, type BrokerOptions } from "moleculer";
import type { AddressInfo } from "node:net";
import config from "../../moleculer.config";
import { ApiClient, type Answer as ClientAnswer } from "../../lib/client/api-client";
import type { Role } from "../../lib/roles";

export type ServiceName = "api" | "staff" | "menu" | "inventory" | "orders" | "kitchen" | "billing";
export const ALL: ServiceName[] = ["api", "staff", "menu", "inventory", "orders", "kitchen", "billing"];

async function schemaOf(name: ServiceName): Promise<ServiceSchema> {
  const mod = await import(`../../services/${name}/${name}.service`);
  return (mod.default ?? mod) as ServiceSchema;
}

export type Answer<T = any> = ClientAnswer<T>;

export interface Brigade {
  broker: ServiceBroker;
  url: string;
  /** The client, for a documented operation (`b.client.call("post", "/api/orders", …)`). */
  client: ApiClient;
  request<T = any>(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string },
  ): Promise<Answer<T>>;
  login(username: string, password: string): Promise<string>;
  /** A token for a new staff member of that role (created by the admin). */
  tokenFor(role: string, username?: string): Promise<string>;
  adminToken: string;
  stop(): Promise<void>;
}

export const ADMIN_PASSWORD = "admin-password-for-tests";

export async function startBrigade(
  options: { services?: ServiceName[]; env?: Record<string, string>; broker?: Partial<BrokerOptions> } = {},
): Promise<Brigade> {
  const previous: Record<string, string | undefined> = {};
  const env = { BRIGADE_ADMIN_PASSWORD: ADMIN_PASSWORD, ...options.env };
  for (const [k, v] of Object.entries(env)) {
    previous[k] = process.env[k];
    process.env[k] = v;
  }
  const services = options.services ?? ALL;
  const broker = new ServiceBroker({
    ...config,
    nodeID: `test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    transporter: null,
    metrics: { enabled: false },
    logger: { type: "Console", options: { level: process.env.LOG_LEVEL ?? "warn", formatter: "short" } },
    started: undefined,
    ...options.broker,
  });
  for (const name of services) {
    const schema = await schemaOf(name);
    broker.createService(name === "api" ? { name: "api", mixins: [schema], settings: { port: 0 } } : schema);
  }
  await broker.start();

  let url = "";
  if (services.includes("api")) {
    const api = broker.getLocalService("api") as unknown as { server: { address(): AddressInfo } };
    url = `http://127.0.0.1:${api.server.address().port}`;
  }

  const client = new ApiClient(url || "http://127.0.0.1");
  const request: Brigade["request"] = (method, path, opts = {}) => client.request(method, path, opts);

  const login = async (username: string, password: string) => {
    const res = await client.call("post", "/api/auth/login", { body: { username, password } });
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${res.text}`);
    return (res.body as { token: string }).token;
  };

  const adminToken =
    services.includes("api") && services.includes("staff") ? await login("admin", env.BRIGADE_ADMIN_PASSWORD) : "";
  let counter = 0;
  const tokenFor = async (role: string, username = `${role}${++counter}${Math.random().toString(36).slice(2, 6)}`) => {
    const password = `pw-${username}-secret`;
    const res = await client.call("post", "/api/staff", {
      token: adminToken,
      body: { username, name: `Test ${role}`, role: role as Role, password },
    });
    if (res.status !== 201) throw new Error(`creating ${role} failed: ${res.status} ${res.text}`);
    return login(username, password);
  };

  return {
    broker,
    url,
    client,
    request,
    login,
    tokenFor,
    adminToken,
    async stop() {
      await broker.stop();
      for (const [k, v] of Object.entries(previous)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
  };
}
