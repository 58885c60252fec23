/**
 * Reference A: a raw node:http server answering the same bytes as the Brigade endpoint under
 * test (status, headers and body captured from Brigade). Nothing runs per request but reading
 * the request and writing a constant answer: the limit for any Node server on this machine.
 *
 *   BENCH_EXCHANGES=<json file of Exchange[]> PORT=<port> node --import tsx bench/references/raw-http.ts
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { PER_CONNECTION_HEADERS, type Exchange } from "./exchange";

const exchanges = JSON.parse(readFileSync(process.env.BENCH_EXCHANGES ?? "", "utf8")) as Exchange[];
const answers = new Map<string, { status: number; headers: Record<string, string | number>; body: Buffer }>(
  exchanges.map((exchange) => {
    const body = Buffer.from(exchange.body);
    const headers: Record<string, string | number> = Object.fromEntries(
      Object.entries(exchange.headers).filter(([name]) => !PER_CONNECTION_HEADERS.has(name)),
    );
    headers["content-length"] = body.length;
    return [`${exchange.method} ${exchange.path}`, { status: exchange.status, headers, body }] as const;
  }),
);

const server = createServer((req, res) => {
  const answer = answers.get(`${req.method} ${req.url}`);
  // Read the request body to its end, as any real endpoint must, before answering.
  req.on("data", () => undefined);
  req.on("end", () => {
    if (!answer) {
      res.writeHead(req.url === "/__ready" ? 204 : 404);
      return void res.end();
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  });
});

server.listen(Number(process.env.PORT ?? 0), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
