/**
 * The routes the gateway answers itself, with no action behind them: health probes, the live
 * stream and the API's own description. test/unit/api/openapi-document.test.ts holds them to
 * the gateway's real aliases.
 */
const json = (description: string) => ({
  description,
  content: { "application/json": { schema: { type: "object" } } },
});
const probe = (summary: string) => ({
  get: {
    operationId: summary.startsWith("Alive") ? "healthLive" : "healthReady",
    tags: ["health"],
    summary,
    description: "Roles: anyone, no token needed. For the orchestrator: never rate limited.",
    "x-roles": ["anyone"],
    security: [],
    responses: { "200": json("Yes."), "503": json("No: the report says what is missing.") },
  },
});

export const DOCS_PATH = "/api/docs";
export const DOCUMENT_PATH = "/api/openapi.json";
/** The page's files: Swagger UI's, and the script that starts it (./docs-route.ts). */
export const DOCS_FILES = ["swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png", "docs.js"] as const;

export const GATEWAY_PATHS = {
  "/health/live": probe("Alive: the process answers."),
  "/health/ready": probe("Ready: this node can serve (its store, transporter and the services it needs)."),
  "/api/live": {
    get: {
      operationId: "liveStream",
      tags: ["api"],
      summary: "The dashboard's live stream of events (Server-Sent Events).",
      description:
        "Roles: any logged-in staff member, by the ticket of `POST /api/live/tickets` (an EventSource cannot send a token). Each role sees its own events.",
      "x-roles": ["any-staff"],
      security: [],
      parameters: [
        { name: "ticket", in: "query", required: true, schema: { type: "string", minLength: 1, maxLength: 512 } },
      ],
      responses: {
        "200": { description: "The stream.", content: { "text/event-stream": { schema: { type: "string" } } } },
        "401": { $ref: "#/components/responses/Unauthorized" },
        "429": { $ref: "#/components/responses/RateLimited" },
      },
    },
  },
  [DOCUMENT_PATH]: {
    get: {
      operationId: "openApiDocument",
      tags: ["api"],
      summary: "This document.",
      description: "Roles: anyone, no token needed.",
      "x-roles": ["anyone"],
      security: [],
      responses: { "200": json("The OpenAPI 3.1 document."), "429": { $ref: "#/components/responses/RateLimited" } },
    },
  },
  [DOCS_PATH]: {
    get: {
      operationId: "apiDocs",
      tags: ["api"],
      summary: "This document as a page.",
      description: "Roles: anyone, no token needed.",
      "x-roles": ["anyone"],
      security: [],
      responses: {
        "200": { description: "The page.", content: { "text/html": { schema: { type: "string" } } } },
        "429": { $ref: "#/components/responses/RateLimited" },
      },
    },
  },
  [`${DOCS_PATH}/{file}`]: {
    get: {
      operationId: "apiDocsFile",
      tags: ["api"],
      summary: "The page's own files (Swagger UI's script, styles and icon, from swagger-ui-dist).",
      description: "Roles: anyone, no token needed.",
      "x-roles": ["anyone"],
      security: [],
      parameters: [
        {
          name: "file",
          in: "path",
          required: true,
          schema: { type: "string", enum: DOCS_FILES },
        },
      ],
      responses: {
        "200": { description: "The file." },
        "404": { $ref: "#/components/responses/NotFound" },
        "429": { $ref: "#/components/responses/RateLimited" },
      },
    },
  },
} as const satisfies Record<string, Record<string, Record<string, unknown>>>;
