/**
 * The logger a plain module takes among its ports: Moleculer's own logger fits it, and a unit
 * test can pass a recording one. One type, so every module asks for the same shape.
 */
export interface Logger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug(...args: unknown[]): void;
}
