#!/usr/bin/env bash
# test-error-bodies.sh: an error answer tells nothing its asker may not know.  A buyer scoped
# to one GLN asks for batches on another buyer's load and for batches that do not exist, by
# number and by lot, on every batch route a buyer has: both answer the same 404 with the
# same body (no 403 that confirms the batch, no lot, no GLN), so lots cannot be enumerated
# by id; its own batch still answers 200.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill -9 "$server" 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
GTIN=09506000134352
GLN_A=4012345000115
GLN_B=9506000134352
"$BIN" init >/dev/null || { echo "Bail out! init"; exit 1; }
sed -i 's|^demo=.*|demo=off|' "$PACKTRACE_DATA/station.ini"
for lot in MINE-1 THEIRS-2 LOOSE-3; do
  "$BIN" batch new --product Oranges --gtin $GTIN --lot $lot >/dev/null || { echo "Bail out! batch"; exit 1; }
done
"$BIN" load new --plate A1 --seal S1 --destination-gln $GLN_A >/dev/null &&
  "$BIN" load add 1 MINE-1 >/dev/null &&
  "$BIN" load new --plate B1 --seal SEAL-B-77 --destination-gln $GLN_B >/dev/null &&
  "$BIN" load add 2 THEIRS-2 >/dev/null || { echo "Bail out! loads"; exit 1; }
KEY_A=$("$BIN" apikey add buyer-a --role buyer --scope $GLN_A --json | jq -r .key)
run_station
check "station starts" '[ -n "$url" ] && [ -n "$KEY_A" ]'

# ask PATH: the scoped buyer's status and body for PATH, as "STATUS BODY".
ask() { curl -s -w ' %{http_code}' -H "Authorization: Bearer $KEY_A" "$url$1" | sed -E 's/^(.*) ([0-9]{3})$/\2 \1/'; }

check "its own batch answers 200" '[ "$(ask /api/v1/batches/1 | cut -c1-3)" = 200 ]'
for view in "" /epcis /grading /label /clips /loads; do
  for other in 2 3 THEIRS-2; do
    missing=999
    [ "$other" = THEIRS-2 ] && missing=NOPE-9
    got=$(ask "/api/v1/batches/$other$view")
    none=$(ask "/api/v1/batches/$missing$view")
    check "batches/$other$view out of scope answers as batches/$missing$view (got: ${got:0:80})" \
      '[ "${got:0:3}" = 404 ] && [ "${got:4}" = "$(sed "s/$missing/$other/" <<<"${none:4}")" ]'
    check "... and names no lot, GLN or seal" \
      '[[ "$got" != *THEIRS* && "$got" != *LOOSE* && "$got" != *$GLN_A* && "$got" != *$GLN_B* && "$got" != *SEAL-B* ]]'
  done
done

kill -TERM "$server"
wait "$server"
rc=$?
server=
check "the station stops cleanly" '[ "$rc" = 0 ]'
tap_finish
