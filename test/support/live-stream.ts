/**
 * A reader of the dashboard's event stream, read the way EventSource reads it: every message
 * in arrival order, a wait for the next that matches, and when the stream ended.
 */
import { eventually } from "./meal";

export interface LiveMessage {
  event: string;
  payload: any;
}

export interface Stream {
  status: number;
  messages: LiveMessage[];
  /** When each message arrived (Date.now()), index for index. */
  arrivals: number[];
  ended: Promise<void>;
  /** When the server ended the stream (Date.now()), once it has. */
  endedAt?: number;
  waitFor(what: string, match: (m: LiveMessage) => boolean, timeoutMs?: number): Promise<LiveMessage>;
  close(): void;
}

export async function openStream(baseUrl: string, ticket: string): Promise<Stream> {
  const abort = new AbortController();
  const res = await fetch(`${baseUrl}/api/live?ticket=${encodeURIComponent(ticket)}`, { signal: abort.signal });
  const messages: LiveMessage[] = [];
  const arrivals: number[] = [];
  const stream: Stream = {
    status: res.status,
    messages,
    arrivals,
    ended: Promise.resolve(),
    waitFor: (what, match, timeoutMs = 15_000) => eventually(async () => messages.find(match), what, timeoutMs),
    close: () => abort.abort(),
  };
  if (res.ok && res.body) {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    stream.ended = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          stream.endedAt = Date.now();
          return;
        }
        buffer += decoder.decode(value, { stream: true });
        for (let cut = buffer.indexOf("\n\n"); cut !== -1; cut = buffer.indexOf("\n\n")) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = frame
            .split("\n")
            .filter((line) => line.startsWith("data: "))
            .map((line) => line.slice(6))
            .join("\n");
          if (data) {
            messages.push(JSON.parse(data));
            arrivals.push(Date.now());
          }
        }
      }
    })().catch(() => undefined);
  } else {
    await res.text();
  }
  return stream;
}

export const named = (event: string) => (m: LiveMessage) => m.event === event;
