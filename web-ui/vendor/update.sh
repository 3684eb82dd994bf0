#!/usr/bin/env bash
# update.sh ED25519_VERSION HASHES_VERSION: refreshes the vendored noble files from npm.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm install --silent --no-audit --no-fund --prefix "$tmp" "@noble/ed25519@$1" "@noble/hashes@$2"
m=$tmp/node_modules/@noble
cp "$m/ed25519/index.js" "$m/ed25519/LICENSE" "$here/noble-ed25519/"
for f in sha2.js _md.js _u64.js utils.js LICENSE; do cp "$m/hashes/$f" "$here/noble-hashes/"; done
sed -i "s|@noble/ed25519 [0-9.]*|@noble/ed25519 $1|; s|@noble/hashes [0-9.]*|@noble/hashes $2|" "$here/README"
