/**
 * `GET /api/openapi.json` and `GET /api/docs`: the document, and Swagger UI showing it. Swagger
 * UI's files come from the swagger-ui-dist package, read once at start and served by the
 * gateway itself (no CDN), under the gateway's own Content-Security-Policy: its one script of
 * ours is a file too (no inline script), and its validator badge, which would load an image
 * from another host, is off.
 */
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { NoSuchRoute } from "../../../lib/errors";
import { DOCS_FILES, DOCS_PATH, DOCUMENT_PATH } from "./gateway-paths";

type Req = IncomingMessage & { $params?: Record<string, unknown> };
type Next = (err?: unknown) => void;

interface Asset {
  type: string;
  body: Buffer;
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Brigade API</title>
<link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
<link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
<script src="${DOCS_PATH}/docs.js"></script>
</body>
</html>
`;

const START = `window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(DOCUMENT_PATH)},
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    persistAuthorization: false,
  });
});
`;

function swaggerFile(name: string): Buffer {
  return readFileSync(path.join(path.dirname(require.resolve("swagger-ui-dist/package.json")), name));
}

/** The page's files by name, read once. */
export function docsAssets(): Map<string, Asset> {
  const types = { css: "text/css; charset=utf-8", js: "text/javascript; charset=utf-8", png: "image/png" };
  const asset = (name: (typeof DOCS_FILES)[number]): Asset => ({
    type: types[name.split(".").pop() as keyof typeof types],
    body: name === "docs.js" ? Buffer.from(START) : swaggerFile(name),
  });
  return new Map(DOCS_FILES.map((name) => [name, asset(name)]));
}

function send(res: ServerResponse, type: string, body: string | Buffer, cache: string) {
  res.writeHead(200, { "Content-Type": type, "Content-Length": Buffer.byteLength(body), "Cache-Control": cache });
  res.end(body);
}

interface Described {
  openApiJson: string;
  docsAssets: Map<string, Asset>;
}

const OPEN = {
  mappingPolicy: "restrict",
  authentication: false,
  authorization: false,
  bodyParsers: { json: false, urlencoded: false },
} as const;

/**
 * The routes of both, open to anyone: the document says nothing a client could not try. Two
 * routes of their own: moleculer-web replaces a route with one of the same path (`/api`).
 */
export function describeRoutes() {
  return [
    {
      ...OPEN,
      path: DOCUMENT_PATH,
      aliases: {
        "GET /"(this: Described, _req: Req, res: ServerResponse) {
          send(res, "application/json; charset=utf-8", this.openApiJson, "no-cache");
        },
      },
    },
    {
      ...OPEN,
      path: DOCS_PATH,
      aliases: {
        "GET /"(_req: Req, res: ServerResponse) {
          send(res, "text/html; charset=utf-8", PAGE, "no-cache");
        },
        "GET /:file"(this: Described, req: Req, res: ServerResponse, next: Next) {
          const asset = this.docsAssets.get(String(req.$params?.file));
          if (!asset) return next(NoSuchRoute());
          send(res, asset.type, asset.body, "public, max-age=3600");
        },
      },
    },
  ];
}
