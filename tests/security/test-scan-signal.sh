#!/usr/bin/env bash
# test-scan-signal.sh: the counterfeit scan signal counts people, not requests.  A consumer
# page view is a scan once per client address and window (PT_SCAN_CLIENT_WINDOW_S, an hour), and
# only for GET: 10 HEADs count nothing, 10 GETs from one address count one, the page's HTML
# and JSON from one address count one, and three addresses count three.  The counts are
# read from the real station.db (written within a second, pt-scan-tally.h).
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill -9 "$server" 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
GTIN=09506000134352
"$BIN" init >/dev/null || { echo "Bail out! init"; exit 1; }
sed -i 's|^demo=.*|demo=off|' "$PACKTRACE_DATA/station.ini"
"$BIN" batch new --product Oranges --gtin $GTIN --lot SIG1 >/dev/null || { echo "Bail out! batch"; exit 1; }
run_station
check "station starts" '[ -n "$url" ]'
page="$url/01/$GTIN/10/SIG1"
# scans: the batch's count in station.db once the tally has written (it writes every second).
scans() { sleep 1.5; sqlite3 "$PACKTRACE_DATA/station.db" "SELECT coalesce(sum(count), 0) FROM scans"; }
# view FROM [curl args]: one request for the page from address FROM; prints the status.
view() {
  local from=$1
  shift
  curl -s -o /dev/null -w '%{http_code}\n' --interface "$from" "$@" "$page"
}

codes=$(for _ in $(seq 10); do view 127.0.0.3 -I; done | sort -u)
check "HEAD answers the page" '[ "$codes" = 200 ]'
got=$(scans)
check "10 HEADs are no scan (counted $got)" '[ "$got" = 0 ]'

codes=$(for _ in $(seq 10); do view 127.0.0.2; done | sort -u)
check "GET answers the page" '[ "$codes" = 200 ]'
got=$(scans)
check "10 GETs from one address are one scan (counted $got)" '[ "$got" = 1 ]'

view 127.0.0.4 >/dev/null
view 127.0.0.4 -H 'Accept: application/json' >/dev/null
view 127.0.0.5 >/dev/null
got=$(scans)
check "HTML and JSON from one more address, and a third address: three scans (counted $got)" \
  '[ "$got" = 3 ]'

kill -TERM "$server"
wait "$server"
rc=$?
server=
check "the station stops cleanly" '[ "$rc" = 0 ]'
tap_finish
