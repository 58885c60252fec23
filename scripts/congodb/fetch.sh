#!/usr/bin/env bash
# Fetches CongoDB, the MongoDB wire-protocol emulator inside @push.rocks/smartmongo, into
# node_modules/.cache/congodb/ (see shared/MONGO.md). Idempotent: a second run returns at once.
#
# Why not `npm install @push.rocks/smartmongo`: the package also depends on
# mongodb-memory-server and friends, some of which the registry we reach cannot supply.
# CongoDB itself needs only the six runtime packages below, so we unpack the tarball and
# install just those beside it. Versions are pinned to the ones verified with the
# `mongodb` 3.7 driver that moleculer-db-adapter-mongo bundles.
set -euo pipefail

SMARTMONGO_VERSION="2.2.0"
PATCH_LEVEL="string-ids-2"
CONGODB_DEPS=(
  "bson@6.10.4"
  "mingo@7.2.7"
  "@push.rocks/smartfs@1.5.0"
  "@push.rocks/smartpath@6.0.0"
  "@push.rocks/smartpromise@4.2.3"
  "@push.rocks/smartrx@3.0.10"
)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="$root/node_modules/.cache"
dest="$cache/congodb"
stamp="smartmongo@$SMARTMONGO_VERSION ${CONGODB_DEPS[*]} $PATCH_LEVEL"
entry="$dest/package/dist_ts/congodb/index.js"

is_ready() {
  [[ -f "$dest/.ready" && -f "$entry" && "$(cat "$dest/.ready")" == "$stamp" ]]
}

if is_ready; then
  echo "congodb: already in $dest"
  exit 0
fi

mkdir -p "$cache"
# Jest runs test files in parallel workers and each may ask for the emulator: one fetch at a
# time, the others wait for it and then find it ready.
exec 9>"$cache/congodb.lock"
flock 9
if is_ready; then
  echo "congodb: already in $dest"
  exit 0
fi

started=$SECONDS
work="$(mktemp -d "$cache/congodb.tmp.XXXXXX")"
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
trap 'echo "congodb: fetch failed (it needs the npm registry); nothing was installed" >&2' ERR

echo "congodb: npm pack @push.rocks/smartmongo@$SMARTMONGO_VERSION"
(cd "$work" && npm pack --loglevel=error "@push.rocks/smartmongo@$SMARTMONGO_VERSION" >/dev/null)
tar -xzf "$work"/push.rocks-smartmongo-"$SMARTMONGO_VERSION".tgz -C "$work"
rm -f "$work"/*.tgz

echo "congodb: npm install ${CONGODB_DEPS[*]}"
npm install --prefix "$work" --no-save --no-package-lock --no-audit --no-fund \
  --ignore-scripts --loglevel=error "${CONGODB_DEPS[@]}"

# CongoDB's in-memory store turns every _id into an ObjectId, so a string _id such as "admin"
# or "ord_…" fails with a bogus duplicate-key error. Real MongoDB accepts any _id type, and
# Brigade's natural keys are strings, so keep string _ids as they are (server.mjs gives
# strings the toHexString the store keys documents by). Only ever applied to this test copy.
msa="$work/package/dist_ts/congodb/storage/MemoryStorageAdapter.js"
sed -i \
  -e "s/_id: doc._id instanceof plugins.bson.ObjectId ? doc._id : new plugins.bson.ObjectId(doc._id)/_id: (doc._id instanceof plugins.bson.ObjectId || typeof doc._id === 'string') ? doc._id : new plugins.bson.ObjectId(doc._id)/" \
  "$msa"
grep -q "typeof doc._id === 'string') ? doc._id" "$msa" || { echo "congodb: the string-_id patch did not apply (emulator changed?)" >&2; exit 1; }

# The file store (--storage-dir) does the same on insert, and on every read turns each string
# _id back into an ObjectId (its JSON files hold ObjectIds as their hex): "admin" or
# "classic-cheeseburger" then fail, and a restarted cluster finds an empty menu and no admin.
# Keep string _ids on insert; on reading, only a 24-hex string was an ObjectId.
fsa="$work/package/dist_ts/congodb/storage/FileStorageAdapter.js"
sed -i \
  -e "s/_id: doc._id ? (doc._id instanceof plugins.bson.ObjectId ? doc._id : new plugins.bson.ObjectId(doc._id))/_id: doc._id ? ((doc._id instanceof plugins.bson.ObjectId || typeof doc._id === 'string') ? doc._id : new plugins.bson.ObjectId(doc._id))/" \
  -e "s/if (typeof doc._id === 'string') {/if (typeof doc._id === 'string' \&\& \/^[0-9a-f]{24}\$\/i.test(doc._id)) {/" \
  "$fsa"
[[ "$(grep -c "typeof doc._id === 'string') ? doc._id" "$fsa")" == 2 ]] &&
  grep -q "typeof doc._id === 'string' && /^\[0-9a-f\]{24}\$/i.test(doc._id)" "$fsa" ||
  { echo "congodb: the file store's string-_id patch did not apply (emulator changed?)" >&2; exit 1; }

# Prove the server module loads before declaring the cache good.
node --input-type=module -e "
  const { CongoServer } = await import(process.argv[1]);
  if (typeof CongoServer !== 'function') throw new Error('CongoServer not exported');
" "$work/package/dist_ts/congodb/index.js"

echo "$stamp" >"$work/.ready"
rm -rf "$dest"
mv "$work" "$dest"
trap - EXIT ERR
echo "congodb: ready in $dest ($((SECONDS - started))s)"
