/**
 * The REST API as the page uses it: the login token in the Authorization header, JSON in and
 * out, and Brigade's error shape `{ name, message, code, type, data }` turned into ApiError.
 */

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `Brigade answered ${status}.`);
    this.status = status;
    this.type = body?.type ?? "UNKNOWN";
    this.data = body?.data ?? null;
  }
}

/** An Idempotency-Key. crypto.randomUUID needs a secure context; a tablet on http://LAN-address is not one. */
export function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * @param {{ token: () => string | null, location?: () => string | null, onUnauthorized: (message: string) => void }} session
 *   `location`: the location an owner works in (X-Brigade-Location); staff of one location send none.
 */
export function createApi(session) {
  async function request(method, path, { body, idempotencyKey, location } = {}) {
    const headers = { Accept: "application/json" };
    const token = session.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    const where = location ?? session.location?.();
    if (where) headers["X-Brigade-Location"] = where;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
    let res;
    try {
      res = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
      });
    } catch {
      throw new ApiError(0, {
        message: "Brigade cannot be reached. Check the connection; nothing was changed.",
        type: "NETWORK",
      });
    }
    const text = await res.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = { message: text.slice(0, 200) };
    }
    if (!res.ok) {
      const error = new ApiError(res.status, data);
      if (res.status === 401 && token) session.onUnauthorized(error.message);
      throw error;
    }
    return data;
  }

  return {
    get: (path, options = {}) => request("GET", path, options),
    post: (path, body, options = {}) => request("POST", path, { body, ...options }),
    patch: (path, body) => request("PATCH", path, { body }),
    /** Logging in needs no token, and a 401 there is a wrong password, not an ended session. */
    async login(username, password) {
      const res = await fetch("/api/auth/login", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ username, password }),
      }).catch(() => null);
      if (!res) throw new ApiError(0, { message: "Brigade cannot be reached. Check the connection." });
      const data = await res.json().catch(() => null);
      if (!res.ok) throw new ApiError(res.status, data);
      return data;
    },
  };
}

/** Every row of a collection route, page by page (pageSize 100 is the API's largest). */
export async function allRows(api, path, maxPages = 10) {
  const rows = [];
  const sep = path.includes("?") ? "&" : "?";
  for (let page = 1; page <= maxPages; page++) {
    const answer = await api.get(`${path}${sep}pageSize=100&page=${page}`);
    rows.push(...answer.rows);
    if (page >= answer.totalPages) break;
  }
  return rows;
}
