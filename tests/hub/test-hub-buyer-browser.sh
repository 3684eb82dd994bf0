#!/usr/bin/env bash
# test-hub-buyer-browser.sh: the hub's buyer portal (GET /buyer: web-ui/buyer.html and buyer.js,
# marked as the hub's) in Debian's Chromium (hub-buyer-browser.mjs) against a real `packtrace hub
# serve` on a throwaway PostgreSQL, fed the logs of the two stations of query-stations.sh through
# the real ingest (hub-post), with station B's lot also loaded for buyer A, so that one buyer's
# search spans two sheds.  Buyer A signs in with its token, searches across both stations, opens
# a batch by its own address and sees it verified in the browser, downloads the CSV; buyer B's
# batch is refused to buyer A by its address.  In English and Chinese; axe-core on each state
# when npm can install it.  Screenshots are kept in the build folder (tests/hub/hub-buyer-*.png).
# Skips (77) without chromium, node or npm.
set -u
BIN=${PACKTRACE_BUILD:?}/station/packtrace
POST=$PACKTRACE_BUILD/tests/hub/hub-post
HERE=$(dirname "$0")
. "$HERE/../npm-tools.sh"
playwright_tools
(npm_tools node_modules/axe-core/package.json axe-core@4.10.2) >/dev/null 2>&1
AXE=$NPM_DIR/node_modules/axe-core/axe.min.js
[ -f "$AXE" ] || AXE=
. "$HERE/pg-fixture.sh"
T=$(mktemp -d)
hub=
cleanup() {
  [ -n "$hub" ] && kill "$hub" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$T"
  pg_fixture_stop
}
pg_fixture_start
trap cleanup EXIT
chmod 755 "$T"
must "$HERE/query-stations.sh" "$T/a" "$T/b"
# Station B ships its lot to buyer A too: buyer A's batches are at two stations.
PACKTRACE_DATA=$T/b/data must "$BIN" load new --plate "EF 789" --seal S-0009 \
  --destination "Fresh Co" --destination-gln 4012345000115
PACKTRACE_DATA=$T/b/data must "$BIN" load add 1 APL-B1
PACKTRACE_DATA=$T/b/data must "$BIN" load close 1

export PACKTRACE_HUB_DSN=$PT_HUB_DSN
must "$BIN" hub migrate
must "$BIN" hub station add "Shed A" --key-file "$T/a/data/keys/station.pub"
must "$BIN" hub station add "Shed B" --key-file "$T/b/data/keys/station.pub"
TOKEN_A=$("$BIN" hub buyer add "Fresh Co" --gln 4012345000115 | head -1)
TOKEN_B=$("$BIN" hub buyer add "Sun Market" --gln 4012345000122 | head -1)
[[ "$TOKEN_A" =~ ^[0-9a-f]{64}$ && "$TOKEN_B" =~ ^[0-9a-f]{64}$ ]] ||
  { echo "Bail out! hub buyer add printed no token"; exit 1; }
printf '[hub]\nkey_dir=%s/hub-key\n' "$T" >"$T/hub.ini"
"$BIN" hub serve --config "$T/hub.ini" --port 0 --port-file "$T/port" >"$T/hub.log" 2>&1 &
hub=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
[ -s "$T/port" ] || { echo "Bail out! hub did not start: $(cat "$T/hub.log")"; exit 1; }
URL=http://127.0.0.1:$(cat "$T/port")
must "$POST" "$T/a/data" "$URL"
must "$POST" "$T/b/data" "$URL"

timeout 240 node "$HERE/hub-buyer-browser.mjs" "$URL" "$TOKEN_A" "$TOKEN_B" \
  "$PACKTRACE_BUILD/tests/hub" "$AXE"
