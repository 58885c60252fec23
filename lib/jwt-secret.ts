import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { Settings } from "./settings";

const generated = new Map<string, string>();

/**
 * The key that signs login tokens. From BRIGADE_JWT_SECRET when set (required in a cluster:
 * every gateway and staff node must share it); otherwise generated once and kept in DATA_DIR
 * (mode 0600) so tokens survive a restart of the embedded process, or kept in memory when the
 * store is in memory.
 */
export function jwtSecret(settings: Settings): string {
  if (settings.jwtSecret) {
    if (settings.jwtSecret.length < 32)
      throw new Error("BRIGADE_JWT_SECRET is too short: use at least 32 random characters (openssl rand -base64 48).");
    return settings.jwtSecret;
  }
  if (settings.transporter) {
    throw new Error(
      "BRIGADE_JWT_SECRET is required when TRANSPORTER is set: every node must sign and check tokens with the same secret. Set it to 32+ random characters.",
    );
  }
  const known = generated.get(settings.dataDir);
  if (known) return known;
  let secret: string;
  if (settings.dataDir === ":memory:" || settings.mongoUri) {
    secret = randomBytes(48).toString("base64url");
  } else {
    const file = path.join(settings.dataDir, "jwt-secret");
    if (fs.existsSync(file)) secret = fs.readFileSync(file, "utf8").trim();
    else {
      secret = randomBytes(48).toString("base64url");
      fs.mkdirSync(settings.dataDir, { recursive: true });
      fs.writeFileSync(file, secret, { mode: 0o600 });
    }
  }
  generated.set(settings.dataDir, secret);
  return secret;
}
