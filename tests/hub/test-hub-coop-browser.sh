#!/usr/bin/env bash
# test-hub-coop-browser.sh: the co-op quality page (GET /coop) in Debian's Chromium
# (coop-browser.mjs) against a real `packtrace hub serve` on a throwaway PostgreSQL, fed the
# logs of the two stations of query-stations.sh through the real ingest (hub-post).  The buyer
# token comes from `packtrace hub buyer add`.  The page must draw the conformance, grade, defect
# and size charts the index holds, with no script or CSP error; a wrong token is refused.  A
# screenshot is kept in the build folder (tests/hub/coop.png) to look at.  Skips (77) without
# chromium, node or npm.
set -u
BIN=${PACKTRACE_BUILD:?}/station/packtrace
POST=$PACKTRACE_BUILD/tests/hub/hub-post
HERE=$(dirname "$0")
. "$HERE/../npm-tools.sh"
playwright_tools
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

export PACKTRACE_HUB_DSN=$PT_HUB_DSN
must "$BIN" hub migrate
must "$BIN" hub station add "Shed A" --key-file "$T/a/data/keys/station.pub"
must "$BIN" hub station add "Shed B" --key-file "$T/b/data/keys/station.pub"
TOKEN=$("$BIN" hub buyer add "Fresh Co" --gln 4012345000115 | head -1)
[[ "$TOKEN" =~ ^[0-9a-f]{64}$ ]] || { echo "Bail out! hub buyer add printed no token: $TOKEN"; exit 1; }
printf '[hub]\nkey_dir=%s/hub-key\n' "$T" >"$T/hub.ini"
"$BIN" hub serve --config "$T/hub.ini" --port 0 --port-file "$T/port" >"$T/hub.log" 2>&1 &
hub=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
[ -s "$T/port" ] || { echo "Bail out! hub did not start: $(cat "$T/hub.log")"; exit 1; }
URL=http://127.0.0.1:$(cat "$T/port")
must "$POST" "$T/a/data" "$URL"
must "$POST" "$T/b/data" "$URL"

timeout 120 node "$HERE/coop-browser.mjs" "$URL" "$TOKEN" "$PACKTRACE_BUILD/tests/hub/coop.png"
