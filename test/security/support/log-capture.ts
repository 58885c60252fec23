/**
 * A Moleculer logger that keeps every entry in memory, so a test can assert what a broker
 * logged and at which level (a client's mistake must never be logged as a server fault).
 */
import { Loggers } from "moleculer";

export interface LogEntry {
  level: string;
  module: string;
  text: string;
}

function render(arg: unknown): string {
  if (arg instanceof Error) return `${arg.name}: ${arg.message}`;
  if (typeof arg === "string") return arg;
  try {
    return JSON.stringify(arg, (_key, value) => (value instanceof Error ? `${value.name}: ${value.message}` : value));
  } catch {
    return String(arg);
  }
}

export class LogCapture extends Loggers.Base<{ level?: "debug" }> {
  readonly entries: LogEntry[] = [];

  constructor() {
    super({ level: "debug" });
  }

  override getLogHandler(bindings: { mod?: string; svc?: string }) {
    const module = String(bindings?.svc ?? bindings?.mod ?? "");
    return (level: string, args: unknown[]) => {
      this.entries.push({ level, module, text: args.map(render).join(" ") });
    };
  }

  /** Entries at error or fatal level: what an operator would be paged for. */
  faults(): LogEntry[] {
    return this.entries.filter((entry) => entry.level === "error" || entry.level === "fatal");
  }

  clear(): void {
    this.entries.length = 0;
  }
}
