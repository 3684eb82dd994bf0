#!/usr/bin/env bash
# test-recall-browser.sh: a recall notice on the buyer portal in Debian's Chromium
# (recall-browser.mjs, playwright-core), against the real `packtrace run` on loopback: lot N1
# went on a load to buyer A's GLN and is recalled; buyer A signs in, sees the notice with its
# lot, reason and quantity, and acknowledges it (quantity on hand, action taken), in English
# and, for a second notice, in Chinese; the station then holds exactly that acknowledgement.
# Buyer B, of another GLN, sees no notice.  The operator's dashboard shows each recall's and
# hold's progress: buyers who acknowledged of those notified, quantities accounted for.
# Screenshots are left in the build directory.
# Skips (77) without chromium, node or npm; never downloads a browser.
set -u
BIN=${PACKTRACE_BUILD:?}/station/packtrace
HERE=$(dirname "$0")
. "$HERE/../npm-tools.sh"
playwright_tools
command -v sqlite3 >/dev/null || { echo "1..0 # SKIP sqlite3 missing"; exit 77; }

T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
GTIN=9506000134352 GLN_A=4012345000016 GLN_B=4012345000023 PW="fresh fruit 2026"
must "$BIN" init
sed -i 's/^demo=auto$/demo=off/' "$PACKTRACE_DATA/station.ini"
for lot in N1 N2; do
  must "$BIN" batch new --product Apples --gtin $GTIN --lot $lot --quantity 100 --uom KGM
done
must "$BIN" load new --plate "A-111" --seal S-1 --destination "Buyer A" --destination-gln $GLN_A
must "$BIN" load add 1 N1
must "$BIN" load add 1 N2
must "$BIN" load close 1
must "$BIN" batch recall N1 --reason "Listeria found"
must "$BIN" batch hold N2 --reason "residue check"
must sh -c "echo '$PW' | '$BIN' user add buyer-a --role buyer --scope $GLN_A"
must sh -c "echo '$PW' | '$BIN' user add buyer-b --role buyer --scope $GLN_B"
must sh -c "echo '$PW' | '$BIN' user add op --role operator"
must sh -c "echo '$PW' | '$BIN' user add adm --role admin"

: >"$T/run.out"
"$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
server=$!
url=
for _ in $(seq 100); do
  url=$(grep -o 'http://[0-9.:]*' "$T/run.out" 2>/dev/null | head -1)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "Bail out! server did not start"; sed 's/^/#   /' "$T/run.err"; exit 1; }
timeout 120 node "$HERE/recall-browser.mjs" "$url" "$PACKTRACE_BUILD" "$PW" "$PACKTRACE_DATA/station.db"
