#!/usr/bin/env bash
# bench-consumer-4g.sh PACKTRACE: the consumer page as a phone on a slow network opens it, in
# Debian's Chromium (playwright-core) with the network emulated by the DevTools protocol
# (bench-consumer-4g.mjs): first view bytes, text visible (first contentful paint) and the
# verified mark, medians of 5 fresh loads per condition, the unthrottled loopback as the
# baseline of the same run.  Goals (issue 20): first view < 30 KB, text < 1 s and mark < 2 s
# on Slow 4G.  Prints; asserts nothing on time.
set -eu
BIN=${1:?packtrace binary}
export PACKTRACE_BUILD=${PACKTRACE_BUILD:-$(cd "$(dirname "$BIN")/.." && pwd)}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../npm-tools.sh"
(playwright_tools) >/dev/null || { echo "SKIP: chromium or playwright-core missing"; exit 0; }
T=$(mktemp -d)
SERVER=
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
GTIN=09506000134352
"$BIN" init >/dev/null
# Xinfeng, Ganzhou: the page draws its origin map, counted in the first view.
sed -i -e 's/^demo=auto/demo=off/' -e 's/^location=$/location=25.39,114.92/' \
  "$PACKTRACE_DATA/station.ini"
cat >>"$PACKTRACE_DATA/station.ini" <<'INI'
[public]
coop_name=Gannan Navel Orange Co-op
coop_name_zh=赣南脐橙合作社
town=Xinfeng, Ganzhou
hotline=+86 797 555 0100
INI
"$BIN" batch new --product Oranges --gtin $GTIN --variety Navel --origin CN --grower "Li farm" \
  --harvest-date 2026-11-20 --quantity 1200 --lot BENCH1 >/dev/null
for s in inspecting packing storing loading; do "$BIN" event add BENCH1 --step $s >/dev/null; done
"$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
SERVER=$!
for _ in $(seq 50); do grep -q http:// "$T/run.out" 2>/dev/null && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*' "$T/run.out" | head -1)
timeout 300 node "$HERE/bench-consumer-4g.mjs" "$URL" "/01/$GTIN/10/BENCH1"
