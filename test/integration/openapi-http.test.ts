/**
 * The gateway serves its own description: the OpenAPI document and the page that shows it,
 * to anyone, under the same security headers as every other answer.
 */
import { startBrigade, type Brigade } from "../support/brigade";

describe("GET /api/openapi.json and /api/docs", () => {
  let b: Brigade;
  beforeAll(async () => {
    b = await startBrigade();
  });
  afterAll(() => b.stop());

  it("serves the OpenAPI 3.1 document without a token", async () => {
    const res = await b.request("GET", "/api/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.body.openapi).toBe("3.1.0");
    expect(res.body.paths["/api/orders"].post.operationId).toBe("ordersPlace");
  });

  it("serves the docs page and its files from the gateway, under the strict Content-Security-Policy", async () => {
    const page = await b.request("GET", "/api/docs");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.body).toContain('<script src="/api/docs/swagger-ui-bundle.js"></script>');
    expect(page.body).not.toMatch(/<script>/);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-eval");

    for (const [file, type] of [
      ["swagger-ui.css", /^text\/css/],
      ["swagger-ui-bundle.js", /^text\/javascript/],
      ["docs.js", /^text\/javascript/],
      ["favicon-32x32.png", /^image\/png/],
    ] as const) {
      const res = await b.request("GET", `/api/docs/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(type);
    }
  });

  it("answers 404 in the usual shape for a file the page does not have", async () => {
    for (const file of ["index.html", "..%2Fpackage.json", "swagger-ui.js.map"]) {
      const res = await b.request("GET", `/api/docs/${file}`);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 404, type: "NOT_FOUND" });
    }
  });
});
