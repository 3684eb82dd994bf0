#!/usr/bin/env bash
# test-driver-browser.sh: the driver's page in Debian's Chromium driven by playwright-core
# (driver-browser.mjs) against the real `packtrace run` on loopback: the login link, a load
# opened, scans injected as decoded payloads, an offline scan replayed once when the
# connection returns, a refusal for a held batch, and a label photo decoded in the page.
# A screenshot is left in the build directory.  Skips (77) without chromium, node or npm,
# or when npm cannot install playwright-core; never downloads a browser.
set -u
BIN=${PACKTRACE_BUILD:?}/station/packtrace
HERE=$(dirname "$0")
. "$(dirname "$0")/../npm-tools.sh"
playwright_tools

T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
GTIN=09506000134352
must "$BIN" init
for lot in OK1 OK2 OK3 HELD1; do
  must "$BIN" batch new --product Oranges --gtin $GTIN --lot $lot
done
must "$BIN" batch hold HELD1 --reason "residue check"
must "$BIN" label OK3 --template pallet --format png -o "$T/OK3.png"
must "$BIN" driver add --name "Wang Lei"
TOKEN=$("$BIN" driver token 1 --json | jq -r .token)
HOST=$(sed -n 's/^public_host=//p' "$PACKTRACE_DATA/station.ini")

"$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
server=$!
for _ in $(seq 50); do
  url=$(grep -o 'http://[0-9.:]*' "$T/run.out" 2>/dev/null | head -1)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "# server did not start"; sed 's/^/#   /' "$T/run.err"; exit 1; }
OPTOKEN=$(sed -n 's/^operator_token=//p' "$PACKTRACE_DATA/station.ini")
timeout 150 node "$HERE/driver-browser.mjs" "$url" "$TOKEN" "https://$HOST/01/$GTIN/10/" \
  "$T/OK3.png" "$PACKTRACE_BUILD" "$OPTOKEN"
