/**
 * Brigade's one HTTP client, used by the rush simulator, the benchmark and the tests. `request`
 * sends anything, as a client could (tests send wrong requests on purpose); `call` sends a
 * documented operation, its path, params and body checked at compile time against the types
 * `npm run client:types` generates from the OpenAPI document (./api-types.ts).
 */
import type { paths } from "./api-types";

export interface Answer<T = unknown> {
  status: number;
  /** The JSON body parsed, the text when it is not JSON, null when empty. */
  body: T;
  headers: Headers;
  text: string;
}

export interface RequestOptions {
  token?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is, for a body that is not JSON (or not valid JSON) on purpose. */
  raw?: string;
  headers?: Record<string, string>;
}

type Method = "get" | "post" | "patch" | "delete";
/** The documented paths that answer `method`. */
export type PathOf<M extends Method> = {
  [P in keyof paths]: paths[P][M] extends { responses: unknown } ? P : never;
}[keyof paths];
type Operation<M extends Method, P extends PathOf<M>> = paths[P][M];
type Field<T, K extends string> = T extends { [key in K]?: infer V } ? Exclude<V, undefined> : never;
type JsonBody<O> = [Field<O, "requestBody">] extends [never]
  ? never
  : Field<O, "requestBody"> extends { content: { "application/json": infer B } }
    ? B
    : never;
type Success<R> = R extends { 200: infer A } ? A : R extends { 201: infer A } ? A : never;
/** The JSON of a success, as far as the document says (`unknown` until it describes answers). */
export type AnswerOf<O> = O extends { responses: infer R }
  ? Success<R> extends { content: { "application/json": infer B } }
    ? B
    : unknown
  : unknown;

/** What a documented operation takes; a part it does not have is `never`, so it cannot be sent. */
export interface CallOptions<O> {
  token?: string;
  path?: Field<Field<O, "parameters">, "path">;
  query?: Field<Field<O, "parameters">, "query">;
  body?: JsonBody<O>;
  idempotencyKey?: string;
}

export class ApiClient {
  readonly origin: string;

  constructor(
    baseUrl: string,
    private readonly options: { timeoutMs?: number } = {},
  ) {
    const url = new URL(baseUrl);
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new Error(`A Brigade URL is http(s)://…, not ${baseUrl}`);
    this.origin = url.origin;
  }

  /** `path` on this client's origin; a path that would lead elsewhere is refused. */
  url(path: string): string {
    // Joined, not resolved: "//host/x" stays a path here, as it is for the server.
    const url = new URL(this.origin + path);
    if (url.origin !== this.origin) throw new Error(`refusing to leave ${this.origin} for ${url.origin}`);
    return url.href;
  }

  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] ??= "application/json";
    }
    const res = await fetch(this.url(path), {
      method,
      headers,
      body,
      signal: this.options.timeoutMs ? AbortSignal.timeout(this.options.timeoutMs) : undefined,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: the text */
    }
    return { status: res.status, body: parsed as T, headers: res.headers, text };
  }

  /** A documented operation, e.g. `call("post", "/api/orders", { body: { table, lines }, idempotencyKey })`. */
  call<M extends Method, P extends PathOf<M>>(
    method: M,
    path: P,
    options: CallOptions<Operation<M, P>> = {},
  ): Promise<Answer<AnswerOf<Operation<M, P>>>> {
    const filled = String(path).replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = (options.path as Record<string, unknown> | undefined)?.[name];
      if (value === undefined) throw new Error(`${method.toUpperCase()} ${String(path)} needs its "${name}".`);
      return encodeURIComponent(String(value));
    });
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries((options.query ?? {}) as Record<string, unknown>))
      if (value !== undefined) query.set(name, String(value));
    return this.request(method.toUpperCase(), query.size ? `${filled}?${query}` : filled, {
      token: options.token,
      body: options.body,
      headers: options.idempotencyKey ? { "idempotency-key": options.idempotencyKey } : undefined,
    });
  }
}
