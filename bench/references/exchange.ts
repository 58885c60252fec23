/**
 * One HTTP exchange as Brigade answered it (captured once per run): the references answer
 * exactly these bytes, so a ratio compares the work behind an answer, not its size.
 */
export interface Exchange {
  method: "GET" | "POST";
  /** The path under the gateway, e.g. /api/dishes. */
  path: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Headers node:http sets by itself, or that describe one connection rather than the answer. */
export const PER_CONNECTION_HEADERS = new Set([
  "date",
  "connection",
  "keep-alive",
  "content-length",
  "transfer-encoding",
]);
