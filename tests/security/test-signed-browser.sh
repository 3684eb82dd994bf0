#!/usr/bin/env bash
# test-signed-browser.sh: the consumer page in Debian's Chromium (signed-browser.mjs) against a
# real `packtrace run` on loopback whose database was edited by hand: the page shows what the
# signed events state and warns, never "Verified", when the facts differ.  Skips (77) without
# chromium, node or npm, as test-web-browser.sh does.
set -u
BIN=${PACKTRACE_BUILD:?}/station/packtrace
HERE=$(dirname "$0")
. "$HERE/../npm-tools.sh"
playwright_tools

T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
GTIN=09506000134352
must "$BIN" init
sed -i 's/^demo=auto$/demo=off/' "$PACKTRACE_DATA/station.ini"
for lot in OK1 EDIT1 RECALL1; do
  must "$BIN" batch new --product Oranges --gtin $GTIN --variety Navel --origin CN \
    --grower "Li farm" --harvest-date 2026-11-20 --lot "$lot"
done
must "$BIN" batch recall RECALL1 --reason "glass found"
must sqlite3 "$PACKTRACE_DATA/station.db" "
UPDATE batches SET product = 'Gold kiwi', grower = 'Other farm' WHERE lot = 'EDIT1';
UPDATE batches SET status = 'active', status_reason = NULL WHERE lot = 'RECALL1';"

. "$HERE/../tap.sh"
run_station
timeout 120 node "$HERE/signed-browser.mjs" "$url" "/01/$GTIN/10/OK1" "/01/$GTIN/10/EDIT1" \
  "/01/$GTIN/10/RECALL1"
