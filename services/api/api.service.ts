/**
 * The gateway: a moleculer-web service like the others. It owns HTTP concerns only: routes,
 * who is calling (token → `ctx.meta.staff`, once per request), whether they may (the action's
 * `roles`), body limits, security headers, and one JSON error shape for every failure.
 */
import path from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context, ServiceSchema } from "moleculer";
import ApiGateway from "moleculer-web";
import helmet from "helmet";
import { aliases } from "./routes";
import { decide, namedRoles, type Access, type StaffMeta } from "../../lib/roles";
import { Forbidden, Unauthorized } from "../../lib/errors";
import { toHttpError } from "../../lib/http-errors";
import { loadSettings, type Settings } from "../../lib/settings";
import { jwtSecret } from "../../lib/jwt-secret";
import { readiness } from "./health";

type Req = IncomingMessage & {
  $action?: { name: string; roles?: readonly Access[] };
  $ctx?: Context<unknown, StaffMeta>;
  $params?: Record<string, unknown>;
  body?: unknown;
};
type Res = ServerResponse;

interface ApiVars {
  config: Settings;
  httpHandlerInner: (req: Req, res: Res, next?: unknown) => unknown;
  headers: ReturnType<typeof helmet>;
  server: import("node:http").Server;
}
interface ApiMethods {
  authenticate(ctx: Context<unknown, StaffMeta>, route: unknown, req: Req): Promise<null>;
  authorize(ctx: Context<unknown, StaffMeta>, route: unknown, req: Req): Promise<void>;
  httpHandler(req: Req, res: Res, next?: unknown): void;
  errorHandler(req: Req, res: Res, err: unknown): void;
  sendError(req: Req, res: Res, err: unknown): void;
  send404(req: Req, res: Res): void;
}

const config = loadSettings();
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;
const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** 415 for a body that is not JSON, 422 for JSON that is not an object (params are an object). */
function rejectNonJson(req: Req, _res: Res, next: (err?: unknown) => void) {
  const hasBody = Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined;
  if (hasBody && BODY_METHODS.has(req.method ?? "") && !/^application\/(.+\+)?json\b/i.test(req.headers["content-type"] ?? "")) {
    return next(Object.assign(new Error("Unsupported media type"), { status: 415 }));
  }
  if (req.body !== undefined && (Array.isArray(req.body) || typeof req.body !== "object" || req.body === null)) {
    return next(Object.assign(new Error("The body must be a JSON object."), { name: "ValidationError", code: 422, data: [{ type: "object", field: "body", message: "The body must be a JSON object." }] }));
  }
  next();
}

const ApiService: ServiceSchema<Record<string, unknown>, ApiMethods, ApiVars> = {
  name: "api",
  mixins: [ApiGateway],

  settings: {
    port: config.port,
    ip: "0.0.0.0",
    // Our own logging: a client's 4xx is not a server fault.
    log4XXResponses: false,
    logRequest: "debug",
    logResponse: "debug",
    logRequestParams: null,
    logResponseData: null,
    rootCallOptions(options: { requestID?: string }) {
      // A client-chosen X-Request-ID goes into every log line: keep it short and printable.
      if (typeof options.requestID !== "string" || !/^[\w.:-]{1,64}$/.test(options.requestID)) delete options.requestID;
    },
    // CORS is closed unless CORS_ORIGINS names the origins allowed to call the API from a browser.
    cors: config.corsOrigins.length
      ? { origin: config.corsOrigins, methods: ["GET", "POST", "PATCH", "DELETE"], allowedHeaders: ["Authorization", "Content-Type", "Idempotency-Key"], maxAge: 600 }
      : undefined,
    routes: [
      {
        path: "/api",
        mappingPolicy: "restrict",
        autoAliases: false,
        aliases: aliases(),
        authentication: true,
        authorization: true,
        bodyParsers: {
          json: { limit: config.bodyLimit, strict: true },
          urlencoded: false,
        },
        use: [rejectNonJson],
        callOptions: {},
        onBeforeCall(this: unknown, ctx: Context<unknown, StaffMeta>, _route: unknown, req: Req) {
          const key = req.headers["idempotency-key"];
          if (key !== undefined) {
            if (typeof key !== "string" || !IDEMPOTENCY_KEY.test(key)) {
              throw Object.assign(new Error("Idempotency-Key must be 1-128 printable ASCII characters."), {
                name: "ValidationError",
                code: 422,
                data: [{ type: "idempotencyKey", field: "Idempotency-Key", message: "Idempotency-Key must be 1-128 printable ASCII characters." }],
              });
            }
            ctx.meta.idempotencyKey = key;
          }
          ctx.meta.viaGateway = true;
        },
      },
      {
        path: "/health",
        mappingPolicy: "restrict",
        authentication: false,
        authorization: false,
        bodyParsers: { json: false, urlencoded: false },
        aliases: {
          "GET /live"(this: { broker: { started: boolean } }, _req: Req, res: Res) {
            res.writeHead(200, { "Content-Type": "application/json; charset=utf-8" });
            res.end(JSON.stringify({ status: "alive" }));
          },
          async "GET /ready"(this: { broker: Parameters<typeof readiness>[0] }, _req: Req, res: Res) {
            const report = await readiness(this.broker);
            res.writeHead(report.ready ? 200 : 503, { "Content-Type": "application/json; charset=utf-8" });
            res.end(JSON.stringify(report));
          },
        },
      },
    ],
    assets: { folder: path.join(__dirname, "..", "..", "public"), options: { index: "index.html", maxAge: 0 } },
  },

  methods: {
    async authenticate(ctx, _route, req) {
      const header = req.headers.authorization;
      if (!header) return null;
      const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(header);
      const roles = req.$action?.roles ?? [];
      try {
        if (!match) throw Unauthorized("Send the token as 'Authorization: Bearer <token>'.");
        ctx.meta.staff = await ctx.call("staff.resolveToken", { token: match[1] });
      } catch (err) {
        // A bad token on a route anyone may use (login, the menu) is ignored, not fatal.
        if (decide(roles, undefined) !== "allow") throw err;
      }
      return null;
    },

    async authorize(ctx, _route, req) {
      const roles = req.$action?.roles;
      switch (decide(roles, ctx.meta.staff)) {
        case "allow":
          return;
        case "unauthenticated":
          throw Unauthorized();
        case "forbidden":
          throw Forbidden(ctx.meta.staff?.role, namedRoles(roles ?? []));
        case "not-exposed":
          // Deny by default: an action that declares no roles is never reachable over HTTP.
          this.logger.warn({ action: req.$action?.name }, "Route points at an action that declares no roles; refusing it.");
          throw Forbidden(ctx.meta.staff?.role, []);
      }
    },

    /** Every answer, whatever route or error produced it, goes through here first. */
    httpHandler(req, res, next) {
      this.headers(req, res, () => this.httpHandlerInner(req, res, next));
    },

    errorHandler(req, res, err) {
      this.sendError(req, res, err);
    },

    sendError(req, res, err) {
      const requestId = req.$ctx?.requestID ?? undefined;
      const http = toHttpError(err, requestId);
      if (http.serverFault) {
        this.logger.error({ requestId, method: req.method, url: req.url?.split("?")[0], err }, "Request failed on our side.");
      } else {
        this.logger.debug({ requestId, method: req.method, url: req.url?.split("?")[0], status: http.status, type: http.body.type }, "Request refused.");
      }
      if (res.headersSent) return void res.end();
      const headers: Record<string, string> = { "Content-Type": "application/json; charset=utf-8" };
      if (http.retryAfterSeconds) headers["Retry-After"] = String(http.retryAfterSeconds);
      res.writeHead(http.status, headers);
      res.end(JSON.stringify(http.body));
    },

    send404(req, res) {
      this.sendError(req, res, { name: "NotFoundError", message: "Not found", code: 404 });
    },
  },

  created() {
    this.config = loadSettings();
    // Refuse to start a clustered gateway without a shared token secret.
    jwtSecret(this.config);
    this.headers = helmet({
      contentSecurityPolicy: { directives: { "default-src": ["'self'"], "connect-src": ["'self'"], "img-src": ["'self'", "data:"], "style-src": ["'self'", "'unsafe-inline'"] } },
      strictTransportSecurity: false,
    });
    this.httpHandlerInner = (ApiGateway.methods as unknown as { httpHandler: ApiVars["httpHandlerInner"] }).httpHandler.bind(this);
  },

  started() {
    const address = this.server.address();
    const port = typeof address === "object" && address ? address.port : this.config.port;
    this.logger.info(`Brigade gateway listening on http://127.0.0.1:${port} (dashboard at /, API under /api).`);
  },
};

export default ApiService;
