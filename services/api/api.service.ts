/**
 * The gateway: a moleculer-web service like the others. It owns HTTP concerns only: routes,
 * who is calling (token → `ctx.meta.staff`, once per request), whether they may (the action's
 * `roles`), body limits, security headers, and one JSON error shape for every failure.
 */
import path from "node:path";
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Context, ServiceSchema } from "moleculer";
import ApiGateway from "moleculer-web";
import { aliases } from "./routes";
import { IDEMPOTENCY_KEY } from "./idempotency-key";
import {
  ANYONE,
  ANY_STAFF,
  decide,
  namedRoles,
  type Access,
  type StaffIdentity,
  type StaffMeta,
} from "../../lib/roles";
import {
  Forbidden,
  Invalid,
  LocationRequired,
  NotFound,
  RateLimited,
  Unauthorized,
  UnsupportedMediaType,
  NoSuchRoute,
} from "../../lib/errors";
import { chooseLocation, LOCATION_HEADER, needsLocationList } from "./location-choice";
import { MAIN_LOCATION, requestLocation } from "../../lib/locations";
import { toHttpError } from "../../lib/http-errors";
import { loadSettings, type Settings } from "../../lib/settings";
import { jwtSecret } from "../../lib/jwt-secret";
import { liveness, readiness } from "./health";
import { createRateLimits, type RateLimits } from "./rate-limit";
import { bodyProblems } from "./body-problems";
import { tokenExpired, tokenVersion } from "./token-claims";
import { clientAddress, rateLimitKey } from "./client-address";
import { applySecurityHeaders, recordHelmet, type SecurityHeaders } from "./security-headers";
import { jsonOf } from "../../lib/frozen-answer";
import { TOKEN_MAX_LENGTH } from "../../lib/contracts";
import { groupEventsPerNode, isLiveStream, liveEvents, liveRoute } from "./live";
import { KEEPALIVE_MS, LiveStreams } from "./live-streams";
import { ticketKey, type LiveTicket } from "./live-ticket";
import { readCluster, type ClusterView } from "./cluster-view";
import { brigadeDocument } from "./openapi/brigade-document";
import { describeRoutes, docsAssets } from "./openapi/docs-route";

type Req = IncomingMessage & {
  $action?: { name: string; roles?: readonly Access[]; scope?: "group" };
  $ctx?: Context<unknown, StaffMeta>;
  $params?: Record<string, unknown>;
  body?: unknown;
  /** The rate-limit key a login attempt was counted under, to give the point back if it succeeds. */
  $loginAttempt?: string;
};
type Res = ServerResponse;

interface ApiVars {
  config: Settings;
  httpHandlerInner: (req: Req, res: Res, next?: unknown) => unknown;
  headers: SecurityHeaders;
  server: import("node:http").Server;
  rateLimits: RateLimits;
  live: LiveStreams;
  liveTimers: NodeJS.Timeout[];
  /** The OpenAPI document (./openapi/), serialized once at start. */
  openApiJson: string;
  docsAssets: ReturnType<typeof docsAssets>;
}
interface ApiMethods {
  admit(req: Req, res: Res): Promise<boolean>;
  limitLogin(req: Req): Promise<void>;
  authenticate(ctx: Context<unknown, StaffMeta>, route: unknown, req: Req): Promise<null>;
  authorize(ctx: Context<unknown, StaffMeta>, route: unknown, req: Req): Promise<void>;
  chooseLocation(ctx: Context<unknown, StaffMeta>, req: Req): Promise<void>;
  knownLocations(ctx: Context<unknown, StaffMeta>, asked: string | undefined): Promise<string[]>;
  httpHandler(req: Req, res: Res, next?: unknown): void;
  errorHandler(req: Req, res: Res, err: unknown): void;
  sendError(req: Req, res: Res, err: unknown): void;
  send404(req: Req, res: Res): void;
  encodeResponse(req: Req, res: Res, data: unknown): string;
}

const config = loadSettings();
const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** 415 for a body that is not JSON, 422 for JSON that is not an object (params are an object). */
function rejectNonJson(req: Req, _res: Res, next: (err?: unknown) => void) {
  const hasBody = Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined;
  if (
    hasBody &&
    BODY_METHODS.has(req.method ?? "") &&
    !/^application\/(.+\+)?json\b/i.test(req.headers["content-type"] ?? "")
  ) {
    return next(UnsupportedMediaType());
  }
  // lib/errors.ts errors are MoleculerErrors: moleculer-web re-wraps any other error passed to next() and drops its data.
  if (req.body !== undefined && (Array.isArray(req.body) || typeof req.body !== "object" || req.body === null)) {
    return next(Invalid([{ type: "object", field: "body", message: "The body must be a JSON object." }]));
  }
  const problems = req.body === undefined ? [] : bodyProblems(req.body);
  if (problems.length > 0) return next(Invalid(problems));
  next();
}

/**
 * A request Node's parser refuses (headers over 16 kB, garbage) never reaches the gateway's
 * handler; with a listener here it is answered in the usual shape instead of a bare status line.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex) {
  if (err.code === "ECONNRESET" || !socket.writable) return void socket.destroy();
  const http = toHttpError({ status: err.code === "HPE_HEADER_OVERFLOW" ? 431 : 400 });
  const body = JSON.stringify(http.body);
  socket.end(
    `HTTP/1.1 ${http.status} ${STATUS_CODES[http.status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const ApiService: ServiceSchema<Record<string, unknown>, ApiMethods, ApiVars> = {
  name: "api",
  mixins: [ApiGateway],
  // Every gateway hears every domain event, for its own live streams (./live.ts).
  ...({ merged: groupEventsPerNode } as object),

  actions: {
    // moleculer-web's own action, which every HTTP request runs as (merged with its definition).
    // No breaker on it: it would count the gateway's own answers against the gateway, and trip
    // this node's HTTP entry for everyone. The breakers that matter guard the calls it makes.
    rest: { circuitBreaker: { enabled: false } },

    /** The dashboard trades its login token for a 30-second ticket to open the live stream. */
    liveTicket: {
      roles: [ANY_STAFF],
      params: { $$strict: true },
      handler(ctx: Context<unknown, StaffMeta>): LiveTicket {
        return this.live.issue({
          staff: ctx.meta.staff!,
          version: ctx.meta.sessionVersion ?? 0,
          location: requestLocation(ctx.meta),
        });
      },
    },

    /** The manager's picture of the cluster (./cluster-view.ts). */
    cluster: {
      roles: ["manager"],
      scope: "group",
      params: { $$strict: true },
      handler(): Promise<ClusterView> {
        return readCluster(this.broker);
      },
    },
  },

  events: liveEvents(),

  settings: {
    port: config.port,
    // Loopback unless HOST opens it (the image and compose set HOST=0.0.0.0).
    ip: config.host,
    // Our own logging: a client's 4xx is not a server fault.
    log4XXResponses: false,
    logRequest: "debug",
    logResponse: "debug",
    logRequestParams: null,
    logResponseData: null,
    rootCallOptions(options: { requestID?: string; tracking?: boolean }, req: Req) {
      // A client-chosen X-Request-ID goes into every log line: keep it short and printable.
      if (typeof options.requestID !== "string" || !/^[\w.:-]{1,64}$/.test(options.requestID)) delete options.requestID;
      // A live stream never finishes: a graceful stop must not wait for it (live.ts ends it).
      if (isLiveStream(req)) options.tracking = false;
    },
    // CORS is closed unless CORS_ORIGINS names the origins allowed to call the API from a browser.
    cors: config.corsOrigins.length
      ? {
          origin: config.corsOrigins,
          methods: ["GET", "POST", "PATCH", "DELETE"],
          allowedHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "X-Brigade-Location"],
          maxAge: 600,
        }
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
          // Every type rejectNonJson lets through is parsed: an unread body must not pass for an empty one.
          json: { limit: config.bodyLimit, strict: true, type: ["application/json", "application/*+json"] },
          urlencoded: false,
        },
        use: [rejectNonJson],
        callOptions: {},
        async onBeforeCall(this: ApiMethods, ctx: Context<unknown, StaffMeta>, _route: unknown, req: Req) {
          // By the action behind the alias, not by the URL: however the path is spelled, a login counts.
          if (req.$action?.name === "staff.login") await this.limitLogin(req);
          const key = req.headers["idempotency-key"];
          if (key !== undefined) {
            if (typeof key !== "string" || !IDEMPOTENCY_KEY.test(key)) {
              throw Invalid([
                {
                  type: "idempotencyKey",
                  field: "Idempotency-Key",
                  message: "Idempotency-Key must be 1-128 printable ASCII characters.",
                },
              ]);
            }
            ctx.meta.idempotencyKey = key;
          }
          ctx.meta.viaGateway = true;
        },
        async onAfterCall(this: ApiVars, _ctx: Context, _route: unknown, req: Req, _res: Res, data: unknown) {
          // Before the answer leaves: the client's next attempt must already see the point given back.
          if (req.$loginAttempt) await this.rateLimits.loginSucceeded(req.$loginAttempt);
          return data;
        },
      },
      {
        path: "/health",
        mappingPolicy: "restrict",
        authentication: false,
        authorization: false,
        bodyParsers: { json: false, urlencoded: false },
        aliases: {
          "GET /live"(this: { broker: { nodeID: string } }, _req: Req, res: Res) {
            res.writeHead(200, { "Content-Type": "application/json; charset=utf-8" });
            res.end(JSON.stringify(liveness(this.broker)));
          },
          async "GET /ready"(this: { broker: Parameters<typeof readiness>[0] }, _req: Req, res: Res) {
            const report = await readiness(this.broker);
            res.writeHead(report.ready ? 200 : 503, { "Content-Type": "application/json; charset=utf-8" });
            res.end(JSON.stringify(report));
          },
        },
      },
      liveRoute(),
      ...describeRoutes(),
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
        // A token no login ever signed: a bad token (401), not a param of ours to complain about.
        if (match[1].length > TOKEN_MAX_LENGTH) throw Unauthorized("That token is not valid: log in again.");
        const staff = (await ctx.call("staff.resolveToken", { token: match[1] })) as StaffIdentity;
        if (tokenExpired(match[1])) throw Unauthorized("Your session has expired: log in again.");
        ctx.meta.staff = staff;
        ctx.meta.sessionVersion = tokenVersion(match[1]);
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
          return this.chooseLocation(ctx, req);
        case "unauthenticated":
          throw Unauthorized();
        case "forbidden":
          throw Forbidden(ctx.meta.staff?.role, namedRoles(roles ?? []));
        case "not-exposed":
          // Deny by default: an action that declares no roles is never reachable over HTTP.
          this.logger.warn(
            { action: req.$action?.name },
            "Route points at an action that declares no roles; refusing it.",
          );
          throw Forbidden(ctx.meta.staff?.role, []);
      }
    },

    /** The location the request acts in, into `ctx.meta.location` (services/api/location-choice.ts). */
    async chooseLocation(ctx, req) {
      const action = req.$action;
      const header = req.headers[LOCATION_HEADER];
      let asked = typeof header === "string" ? header : undefined;
      // The public menu names its location in the query: `GET /api/dishes?location=<id>`.
      const params = req.$params as Record<string, unknown> | undefined;
      if (req.method === "GET" && action?.roles?.includes(ANYONE) && params && "location" in params) {
        if (typeof params.location === "string") asked ??= params.location;
        delete params.location;
      }
      // `?location=all` (an owner's report of the whole group) acts in no one location.
      const wholeGroup = params?.location === "all";
      const question = { staff: ctx.meta.staff, asked, needed: action?.scope !== "group" && !wholeGroup };
      const known = needsLocationList(question) ? await this.knownLocations(ctx, asked) : [];
      const choice = chooseLocation(question, known);
      if ("refused" in choice)
        throw choice.refused === "required" ? LocationRequired(known) : NotFound("location", choice.asked);
      if (choice.location) ctx.meta.location = choice.location;
    },

    /**
     * The group's location ids. Without the staff service (a gateway of a cluster whose staff
     * nodes are all down), anyone's request still reaches the location it names, or `main`:
     * the public menu stays up. A staff member's request never gets here (their location is
     * known), and an owner's token could not have been resolved without the staff service.
     */
    async knownLocations(ctx, asked) {
      try {
        return (await ctx.call("staff.locationIds")) as string[];
      } catch (err) {
        const name = (err as Error).name;
        if (name !== "ServiceNotFoundError" && name !== "ServiceNotAvailableError") throw err;
        return asked ? [asked] : [MAIN_LOCATION];
      }
    },

    /** Every answer, whatever route or error produced it, goes through here first. */
    httpHandler(req, res, next) {
      applySecurityHeaders(res, this.headers);
      // Without CORS_ORIGINS no preflight may succeed, and moleculer-web would otherwise run the
      // action that an OPTIONS request names in Access-Control-Request-Method.
      if (req.method === "OPTIONS" && !this.settings.cors) {
        res.writeHead(204, { "Content-Length": "0" });
        return void res.end();
      }
      this.admit(req, res).then(
        (admitted) => admitted && this.httpHandlerInner(req, res, next),
        (err) => this.sendError(req, res, err),
      );
    },

    /** The per-address request limit, before anything else (body parsing included) costs us work. */
    async admit(req, res) {
      // Health probes come from the orchestrator, often from one address: never limited.
      if (/^\/health\//i.test(req.url ?? "")) return true;
      const key = rateLimitKey(clientAddress(req, this.config.trustProxy));
      const verdict = await this.rateLimits.request(key);
      if (verdict.allowed) return true;
      if (verdict.first)
        this.logger.warn(
          { client: key },
          "A client went over the request rate limit; refusing its requests for a while.",
        );
      this.sendError(req, res, RateLimited("Too many requests.", verdict.retryAfterSeconds));
      return false;
    },

    /** Login attempts count before the password is checked; a successful one is given back. */
    async limitLogin(req) {
      const key = rateLimitKey(clientAddress(req, this.config.trustProxy));
      const verdict = await this.rateLimits.loginAttempt(key);
      if (!verdict.allowed) {
        if (verdict.first)
          this.logger.warn(
            { client: key },
            "Too many failed logins from one address; refusing its logins for a while.",
          );
        throw RateLimited("Too many login attempts.", verdict.retryAfterSeconds);
      }
      req.$loginAttempt = key;
    },

    errorHandler(req, res, err) {
      this.sendError(req, res, err);
    },

    sendError(req, res, err) {
      const requestId = req.$ctx?.requestID ?? undefined;
      const http = toHttpError(err, requestId);
      if (http.serverFault) {
        this.logger.error(
          { requestId, method: req.method, url: req.url?.split("?")[0], err },
          "Request failed on our side.",
        );
      } else {
        this.logger.debug(
          { requestId, method: req.method, url: req.url?.split("?")[0], status: http.status, type: http.body.type },
          "Request refused.",
        );
      }
      if (res.headersSent) return void res.end();
      const headers: Record<string, string> = { "Content-Type": "application/json; charset=utf-8" };
      if (http.retryAfterSeconds) headers["Retry-After"] = String(http.retryAfterSeconds);
      res.writeHead(http.status, headers);
      res.end(JSON.stringify(http.body));
    },

    /** moleculer-web's JSON encoding, but a cached answer is serialized once, not per request. */
    encodeResponse(_req, _res, data) {
      return jsonOf(data);
    },

    send404(req, res) {
      this.sendError(req, res, NoSuchRoute());
    },
  },

  created() {
    this.config = loadSettings();
    // Refuse to start a clustered gateway without a shared token secret.
    jwtSecret(this.config);
    this.headers = recordHelmet({
      // No upgrade-insecure-requests: the dashboard is served over plain http on a LAN (a tablet at
      // http://10.0.0.5:3000), where upgrading its scripts to https would leave a blank page.
      contentSecurityPolicy: {
        directives: {
          "default-src": ["'self'"],
          "connect-src": ["'self'"],
          "img-src": ["'self'", "data:"],
          "style-src": ["'self'", "'unsafe-inline'"],
          "upgrade-insecure-requests": null,
        },
      },
      strictTransportSecurity: false,
    });
    this.httpHandlerInner = (
      ApiGateway.methods as unknown as { httpHandler: ApiVars["httpHandlerInner"] }
    ).httpHandler.bind(this);
    this.rateLimits = createRateLimits(this.config, this.logger);
    // From the schemas, at start: a rule that breaks the document stops the gateway, not a reader.
    this.openApiJson = JSON.stringify(brigadeDocument(this.schema));
    this.docsAssets = docsAssets();
    this.live = new LiveStreams({
      nodeID: this.broker.nodeID,
      logger: this.logger,
      ticketKey: ticketKey(jwtSecret(this.config)),
      readCluster: () => readCluster(this.broker),
      // Never from the cache: the answer must follow a revocation at once.
      checkSession: (id, version) =>
        this.broker
          .call<StaffIdentity, object>("staff.checkSession", { id, version }, { meta: { $cache: false } })
          .catch((err: { code?: number }) => {
            if (err.code === 401) return null;
            throw err;
          }),
    });
    this.server.on("clientError", answerClientError);
  },

  async started() {
    // What the socket is bound to, not what was asked: the log tells who can reach the gateway.
    const bound = this.server.address();
    const at =
      typeof bound === "object" && bound
        ? `${bound.family === "IPv6" ? `[${bound.address}]` : bound.address}:${bound.port}`
        : `${this.config.host}:${this.config.port}`;
    this.logger.info(`Brigade gateway listening on http://${at} (dashboard at /, API under /api).`);
    // CPU comes with each heartbeat: refresh the managers' cluster view at that pace while one watches.
    const heartbeatMs = (this.broker.options.heartbeatInterval ?? 10) * 1000;
    this.liveTimers = [
      setInterval(() => this.live.keepAlive(), KEEPALIVE_MS),
      setInterval(() => this.live.pushCluster(), heartbeatMs),
    ];
    for (const timer of this.liveTimers) timer.unref();
    // Shared counts from the first request when Redis is there; without it we serve anyway.
    if (!(await this.rateLimits.ready(2000)))
      this.logger.warn("Rate limits start without Redis: this gateway counts on its own for now.");
  },

  // Runs before the mixed-in gateway's own stopped(): its server.close() waits for open responses,
  // so the live streams end first, or a stop hangs.
  async stopped() {
    for (const timer of this.liveTimers ?? []) clearInterval(timer);
    await this.live.stop();
    await this.rateLimits.close();
  },
};

export default ApiService;
