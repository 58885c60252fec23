/**
 * Moleculer's Redis cacher, made safe to lose Redis. The cache is an optimisation, so a Redis
 * outage must cost speed, never answers:
 *
 *   - a read that fails is a miss (the stock cacher would fail the action: its middleware passes
 *     a rejected `get` straight to the caller until ioredis has reported the connection lost);
 *   - a write that fails is skipped (the stock middleware does not even catch it: an unhandled
 *     rejection, which stops a Node process);
 *   - a clean that fails (`this.changed()` after every write) does not fail the write that asked
 *     for it — and is made up for: the next read after Redis answers again first empties every
 *     key under our prefix, since an entry a missed clean should have removed may still be there
 *     (a Redis that was frozen or cut off, not restarted empty).
 *
 * A hung Redis (no answer at all) is bounded by ioredis' `commandTimeout` in moleculer.config.ts.
 */
import { Cachers } from "moleculer";
import type { Logger } from "./logger";

type CacherLogger = Pick<Logger, "info" | "warn">;

export class FailOpenRedisCacher extends Cachers.Redis {
  private away = false;
  private missedClean = false;
  private catchingUp?: Promise<boolean>;

  override get(key: string): Promise<Record<string, unknown> | null> {
    return this.read(
      () => super.get(key),
      () => this.miss(),
    );
  }

  override getWithTTL(key: string): Promise<Record<string, unknown> | null> {
    return this.read(
      () => super.getWithTTL(key),
      () => ({ data: this.miss(), ttl: null }),
    );
  }

  override async set(key: string, data: unknown, ttl?: number): Promise<void> {
    try {
      await super.set(key, data, ttl);
    } catch (err) {
      this.lost(err);
    }
  }

  override async del(key: string | string[]): Promise<void> {
    try {
      await super.del(key);
    } catch (err) {
      this.missedClean = true;
      this.lost(err);
    }
  }

  override async clean(match?: string | string[]): Promise<void> {
    try {
      await super.clean(match);
    } catch (err) {
      this.missedClean = true;
      this.lost(err);
    }
  }

  override async close(): Promise<void> {
    // QUIT waits for a Redis that is not there; just drop the connection then.
    const client = this.client as { status?: string; disconnect(): void };
    if (client?.status !== "ready") return void client?.disconnect();
    await super.close();
  }

  /** A cache read: a miss while stale entries may remain, or when Redis fails to answer. */
  private async read<T>(load: () => Promise<T>, missed: () => T): Promise<T> {
    if (!(await this.caughtUp())) return missed();
    try {
      const found = await load();
      this.back();
      return found;
    } catch (err) {
      this.lost(err);
      return missed();
    }
  }

  /** Exactly what the cacher middleware compares with to tell a miss (by default `undefined`, not null). */
  private miss(): Record<string, unknown> | null {
    return (this.opts as { missingResponse?: Record<string, unknown> | null }).missingResponse as Record<
      string,
      unknown
    > | null;
  }

  /** True when nothing stale can be read: no clean was missed, or the cache was emptied since. */
  private caughtUp(): Promise<boolean> {
    if (!this.missedClean) return Promise.resolve(true);
    this.catchingUp ??= super
      .clean("**")
      .then(
        () => {
          this.missedClean = false;
          (this.logger as CacherLogger).info(
            "Redis answers again: emptied the shared cache, since cleans were missed while it was away.",
          );
          return true;
        },
        () => false,
      )
      .finally(() => {
        this.catchingUp = undefined;
      });
    return this.catchingUp;
  }

  private lost(err: unknown) {
    if (this.away) return;
    this.away = true;
    (this.logger as CacherLogger).warn(
      { err: (err as Error)?.message },
      "Redis is unreachable: serving without the shared cache until it is back.",
    );
  }

  private back() {
    if (!this.away) return;
    this.away = false;
    (this.logger as CacherLogger).info("Redis is back: answers are cached again.");
  }
}

// Registered by name, so each broker builds its own cacher from `{ type: "FailOpenRedis" }`.
Cachers.register("FailOpenRedis", FailOpenRedisCacher as never);
