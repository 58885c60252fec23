/**
 * How a Brigade node starts: Moleculer's runner (flags, SERVICES, SERVICEDIR, --repl, --hot)
 * with one thing switched off. Moleculer's runner copies every environment variable named like
 * a broker option over that option as a raw string: TRACING=console would replace the tracing
 * options moleculer.config.ts builds with the string "console" (tracing on, no exporter), and
 * CACHER=redis://… would replace the Redis cacher's options (TTL, key prefix, fail-fast when
 * Redis is away) with a bare URL. Brigade reads the environment in one place, lib/settings.ts,
 * through moleculer.config.ts, so here that copying does nothing.
 *
 *   development:  tsx scripts/brigade-runner.ts --config moleculer.config.ts --mask "**\/*.service.ts"
 *   production:   node dist/scripts/brigade-runner.js --config dist/moleculer.config.js --mask "**\/*.service.js"
 */
import { Runner } from "moleculer";

export class BrigadeRunner extends Runner {
  override overwriteFromEnv(options: unknown): unknown {
    return options;
  }
}

if (require.main === module) {
  void new BrigadeRunner().start(process.argv);
}
