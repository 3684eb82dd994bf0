#!/usr/bin/env bash
# update.sh ED25519_VERSION HASHES_VERSION: refreshes the vendored noble files from npm.
# update.sh hls VERSION: refreshes hls.js (dist/hls.light.min.js and its LICENSE) from npm.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "$1" = hls ]; then
  (cd "$tmp" && npm pack --silent "hls.js@$2" >/dev/null && tar xzf "hls.js-$2.tgz")
  cp "$tmp/package/dist/hls.light.min.js" "$here/hls.light.min.js"
  cp "$tmp/package/LICENSE" "$here/hls.LICENSE"
  sed -i "s|hls.js [0-9.]* from npm|hls.js $2 from npm|" "$here/README" "$here/../packtrace-web.gresource.xml"
  exit 0
fi
npm install --silent --no-audit --no-fund --prefix "$tmp" "@noble/ed25519@$1" "@noble/hashes@$2"
m=$tmp/node_modules/@noble
cp "$m/ed25519/index.js" "$m/ed25519/LICENSE" "$here/noble-ed25519/"
for f in sha2.js _md.js _u64.js utils.js LICENSE; do cp "$m/hashes/$f" "$here/noble-hashes/"; done
sed -i "s|@noble/ed25519 [0-9.]*|@noble/ed25519 $1|; s|@noble/hashes [0-9.]*|@noble/hashes $2|" "$here/README"
