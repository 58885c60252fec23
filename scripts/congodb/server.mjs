#!/usr/bin/env node
// Starts CongoDB, the MongoDB wire-protocol emulator fetched by ./fetch.sh (see shared/MONGO.md).
//
//   node scripts/congodb/server.mjs [--port N] [--host H] [--storage-dir DIR] [--exit-on-stdin-close]
//
// Environment: CONGODB_PORT, CONGODB_HOST, CONGODB_STORAGE_DIR (flags win).
// Port 0, the default, lets the OS choose a free port. When listening it prints exactly one
// line on stdout, `CONGODB_READY <port>`, and nothing else goes to stdout. Data lives in memory
// unless a storage directory is given. SIGTERM / SIGINT stop it cleanly (exit code 0).
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const entry = join(here, "../../node_modules/.cache/congodb/package/dist_ts/congodb/index.js");

const { values: flags } = parseArgs({
  options: {
    port: { type: "string" },
    host: { type: "string" },
    "storage-dir": { type: "string" },
    // A test harness that spawns us passes this so that, if it dies without a chance to send
    // SIGTERM (jest worker killed, Ctrl-C on the runner), the closed pipe still stops us and
    // no orphan keeps a port open.
    "exit-on-stdin-close": { type: "boolean", default: false },
  },
});

const port = Number(flags.port ?? process.env.CONGODB_PORT ?? 0);
const host = flags.host ?? process.env.CONGODB_HOST ?? "127.0.0.1";
const storageDir = flags["storage-dir"] ?? process.env.CONGODB_STORAGE_DIR;

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`congodb: invalid port ${JSON.stringify(flags.port ?? process.env.CONGODB_PORT)}`);
  process.exit(2);
}
if (!existsSync(entry)) {
  console.error(`congodb: emulator not found at ${entry}\ncongodb: fix: bash scripts/congodb/fetch.sh`);
  process.exit(2);
}

// The emulator keys stored documents by `_id.toHexString()`; fetch.sh lets string _ids through
// (as real MongoDB does: our natural keys are strings), and this gives them that method, in this
// process only, so the same string is the same key (duplicates → 11000). Still unsupported:
// number or object `_id`s, and, in the file store, a string _id of 24 hex digits (it reads back
// as an ObjectId).
Object.defineProperty(String.prototype, "toHexString", {
  value() {
    return String(this);
  },
  enumerable: false,
  configurable: true,
});

const { CongoServer } = await import(pathToFileURL(entry).href);
const server = new CongoServer(
  storageDir ? { host, port, storage: "file", storagePath: resolve(storageDir) } : { host, port },
);

// A request handler that throws asynchronously must not take the whole emulator (and every
// test still using it) down with it; say so on stderr and keep serving.
process.on("unhandledRejection", (reason) => {
  console.error("congodb: unhandled rejection:", reason);
});

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  try {
    await server.stop();
    process.exit(0);
  } catch (error) {
    console.error(`congodb: error while stopping on ${signal}:`, error);
    process.exit(1);
  }
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
if (flags["exit-on-stdin-close"]) {
  process.stdin.on("end", () => void shutdown("stdin close"));
  process.stdin.on("error", () => void shutdown("stdin error"));
  process.stdin.resume();
}

try {
  await server.start();
} catch (error) {
  console.error(`congodb: cannot listen on ${host}:${port}: ${error.message}`);
  process.exit(1);
}

// CongoServer keeps the port it was given and reports it in serverStatus/whatsmyuri; with port
// 0 that would be 0, so write the real one back into its options.
const actualPort = server.server?.address()?.port ?? port;
if (server.options) server.options.port = actualPort;

process.stdout.write(`CONGODB_READY ${actualPort}\n`);
