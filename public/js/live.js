/**
 * The live stream: server-sent events from GET /api/live.
 *
 * EventSource cannot send the Authorization header, so each connection starts by trading the
 * login token for a ticket (POST /api/live/tickets: 30 s, one use), and the ticket goes in the
 * URL instead of the token. A dropped connection is reopened here with a new ticket (backing off
 * up to 15 s), never by EventSource replaying the old URL; each (re)connection announces itself
 * with `live.ready`, and the views reload then, so nothing missed while away stays missed.
 */

const MAX_BACKOFF_MS = 15_000;

/**
 * @param {ReturnType<import("./api.js").createApi>} api
 * @param {{ onMessage: (message: {event: string, payload: any}) => void, onStatus: (state: "connecting"|"live"|"reconnecting"|"off", detail?: string) => void }} handlers
 */
export function connectLive(api, { onMessage, onStatus }) {
  let source = null;
  let timer = null;
  let attempt = 0;
  let closed = false;

  function retry() {
    if (closed) return;
    attempt++;
    const wait = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(attempt, 5)) + Math.random() * 500;
    onStatus("reconnecting");
    timer = setTimeout(open, wait);
  }

  async function open() {
    if (closed) return;
    onStatus(attempt ? "reconnecting" : "connecting");
    let ticket;
    try {
      ({ ticket } = await api.post("/api/live/tickets"));
    } catch (err) {
      // 401: the session is over and the page is already back at the login form.
      if (err.status === 401) return stop("off");
      return retry();
    }
    if (closed) return;
    source = new EventSource(`/api/live?ticket=${encodeURIComponent(ticket)}`);
    source.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.event === "live.ready") {
        attempt = 0;
        onStatus("live");
      }
      if (message.event === "live.replaced") {
        // Too many tabs open for this account: this one, the oldest, gives way for good.
        stop("off", "Opened in another tab");
        return;
      }
      onMessage(message);
    };
    source.onerror = () => {
      source?.close();
      source = null;
      retry();
    };
  }

  function stop(state, detail) {
    closed = true;
    clearTimeout(timer);
    source?.close();
    source = null;
    onStatus(state, detail);
  }

  void open();
  return { close: () => stop("off") };
}

/** Many hints in a burst → one reload, at most every `ms`. */
export function coalesce(fn, ms = 150) {
  let timer = null;
  let running = null;
  let again = false;
  const run = async () => {
    timer = null;
    if (running) {
      again = true;
      return;
    }
    running = Promise.resolve()
      .then(fn)
      .catch(() => undefined);
    await running;
    running = null;
    if (again) {
      again = false;
      schedule();
    }
  };
  const schedule = () => {
    if (!timer) timer = setTimeout(run, ms);
  };
  schedule.now = () => {
    clearTimeout(timer);
    return run();
  };
  schedule.cancel = () => clearTimeout(timer);
  return schedule;
}
