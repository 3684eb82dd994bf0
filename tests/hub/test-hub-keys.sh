#!/usr/bin/env bash
# test-hub-keys.sh: the hub follows a station's key rotations (PROTOCOL.md, "Keys").  A real
# `packtrace run` station syncs a lot to a real `packtrace hub serve` on a throwaway PostgreSQL
# (pg-fixture.sh) through its hub connector, adds an event, rotates its key (`packtrace key
# rotate`), adds events to the same lot and syncs again: the hub holds every event, stores the rotation, and
# the consumer bundle it serves for the lot (events on both sides of the rotation) verifies.
# Then two forgeries, sent by hub-post: a rotation of the station signed by another station's
# key (refused, quarantined, alerted) and an event signed by the retired key after the
# rotation (a copy of the station's folder from before it; refused and quarantined); a
# cloned folder's own rotation (refused); a rotation that reaches the hub before the event it
# names, then another event at that seq (quarantined).
set -u
HERE=$(dirname "$0")
. "$HERE/../tap.sh"
. "$HERE/pg-fixture.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
POST=$PACKTRACE_BUILD/tests/hub/hub-post
T=$(mktemp -d)
hub=
station=
cleanup() {
  [ -n "$hub" ] && kill "$hub" 2>/dev/null
  [ -n "$station" ] && kill "$station" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$T"
  pg_fixture_stop
}
pg_fixture_start
trap cleanup EXIT
export PACKTRACE_HUB_DSN=$PT_HUB_DSN
GTIN=09506000134352
"$BIN" hub migrate >/dev/null || { echo "Bail out! hub migrate failed"; exit 1; }
cat >"$T/hub.ini" <<INI
[hub]
key_dir=$T/hub-key
public_host=trace.example.coop
INI
"$BIN" hub serve --config "$T/hub.ini" --port 0 --port-file "$T/port" >"$T/hub.out" 2>&1 &
hub=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
[ -s "$T/port" ] || { echo "Bail out! the hub did not start: $(cat "$T/hub.out")"; exit 1; }
URL=http://127.0.0.1:$(cat "$T/port")

export PACKTRACE_DATA=$T/s
"$BIN" init >/dev/null || { echo "Bail out! init failed"; exit 1; }
sed -i 's/^demo=auto/demo=off/' "$T/s/station.ini"
SID=$("$BIN" key show --json | jq -r .station_id)
code=$("$BIN" hub station enrol-code "Shed K" --json | jq -r .code)
"$BIN" sync add hub --type hub --url "$URL" --enrol "$code" >/dev/null ||
  { echo "Bail out! enrolment failed"; exit 1; }
sed -i 's/^\[sync hub\]$/[sync hub]\nretry_min_ms=100\nretry_max_ms=1000/' "$T/s/station.ini"
"$BIN" batch new --product Oranges --gtin $GTIN --lot K1 >/dev/null || exit 1
"$BIN" batch hold K1 --reason "before the rotation" >/dev/null || exit 1

count() { sqlite3 "$T/s/station.db" "SELECT count(*) FROM events"; }
hub_station() { "$BIN" hub status --json | jq -r --arg id "$SID" ".stations[] | select(.station == \$id) | .$1"; }
synced() { [ "$(hub_station "events, .contiguous_seq, .head_seq" | tr "\n" " ")" = "$(count) $(count) $(count) " ]; }
wait_synced() {
  for _ in $(seq 100); do synced && return 0; sleep 0.1; done
  return 1
}
start_station() {
  "$BIN" run --listen 127.0.0.1:0 >>"$T/run.out" 2>>"$T/run.err" &
  station=$!
}
stop_station() { kill "$station"; wait "$station" 2>/dev/null; station=; }

start_station
check "the station syncs its lot to the hub" wait_synced
stop_station
# One event the old key signs that the hub has not seen: the rotation names it as the last of
# the old key, and reaches the hub first (the hub checks the event against it when it comes).
"$BIN" event add 1 --step shipping >/dev/null || exit 1
before=$(count)
cp -a "$T/s" "$T/old"
expect 0 "the station rotates its key" "$BIN" key rotate
"$BIN" batch release K1 >/dev/null && "$BIN" batch hold K1 --reason "after the rotation" >/dev/null || exit 1
start_station
check "after the rotation, the station syncs its new events to the hub" wait_synced
check "the hub holds every event, none quarantined, no alert" \
  '[ "$(hub_station "events, .quarantined, .alerts, (.gaps | length)" | tr "\n" " ")" = "$(count) 0 0 0 " ]'
check "the hub stored the rotation, to the station's key in force, after its last old event" \
  '[ "$(pg_psql -F " " -c "SELECT idx, encode(new_key, '"'hex'"'), after_seq FROM key_rotations WHERE station_id = '"'$SID'"'")" = "1 $(cat "$T/s/keys/station.pub") $before" ]'
check "the hub's view of the station (GET /hub/v1/station) names its two keys" \
  '[ "$("$BIN" sync status --json | jq ".connectors[0].hub.view.keys")" = 2 ]'
expect 0 "sync status" "$BIN" sync status --json
check "the connector has nothing pending and no error" \
  '[ "$(echo "$OUT" | jq -r ".connectors[0] | .pending, .quarantined, (.last_error // \"none\")" | tr "\n" " ")" = "0 0 none " ]'
stop_station

# The consumer's side: the lot's bundle at the hub has events of both keys and verifies.
curl -s --max-time 10 -H "Accept: application/json" "$URL/01/$GTIN/10/K1" >"$T/page.json"
bundle=$(jq -r .bundle "$T/page.json")
curl -s --max-time 10 -o "$T/bundle.json" "$URL$bundle"
check "the hub's bundle of the lot carries the key chain" '[ "$(jq "[.. | objects | select(has(\"keyChain\")) | .keyChain | length] | first" "$T/bundle.json")" = 1 ]'
expect 0 "the hub's bundle of the lot verifies across the rotation (packtrace verify)" \
  "$BIN" verify --json "$T/bundle.json"
check "  every event of the lot, signed by both keys" \
  '[ "$(echo "$OUT" | jq -r ".keys, .events, .station_id" | tr "\n" " ")" = "2 $(count) $SID " ]'
# And in Chromium, as a consumer scanning the label sees it (skipped without the tools).
if (. "$HERE/../npm-tools.sh" && playwright_tools) >"$T/tools.out" 2>&1; then
  . "$HERE/../npm-tools.sh"
  expect 0 "the hub's consumer page of the lot verifies across the rotation in Chromium" \
    timeout 120 node "$HERE/hub-keys-browser.mjs" "$URL" "/01/$GTIN/10/K1"
else
  skip "the hub's consumer page in Chromium" "$(tail -1 "$T/tools.out")"
fi

# A rotation of the station signed by another station's key.
PACKTRACE_DATA=$T/f "$BIN" init >/dev/null || exit 1
expect 0 "a forged rotation is sent" env HUB_POST_FORGE_ROTATION="$T/f" "$POST" "$T/s" "$URL"
check "  and refused (409) as not signed by the key in force" '[[ "$OUT" == "HTTP 409 "*"not signed by the key in force"* ]]'
check "  quarantined, with an alert for the admin" \
  '[ "$(hub_station "quarantined, .alerts" | tr "\n" " ")" = "1 1 " ] && [ "$(pg_psql -c "SELECT kind FROM alerts WHERE station_id = '"'$SID'"'")" = rotation ]'
check "  and the station's keys at the hub are unchanged" \
  '[ "$(pg_psql -c "SELECT count(*) FROM key_rotations WHERE station_id = '"'$SID'"'")" = 1 ]'

# A copy of the folder from before the rotation, rotated on its own: another chain from the
# same anchor, each record genuinely signed (a cloned station).
cp -a "$T/old" "$T/clone"
PACKTRACE_DATA=$T/clone "$BIN" key rotate >/dev/null || exit 1
expect 0 "a cloned folder's own rotation is sent" env HUB_POST_FORGE_ROTATION=- "$POST" "$T/clone" "$URL"
check "  and refused (409): it is not the rotation the hub holds" \
  '[[ "$OUT" == "HTTP 409 "*"differs from the one the hub holds"* ]] && [ "$(hub_station alerts)" = 2 ]'
expect 0 "the station's own chain sent again is taken (nothing new)" env HUB_POST_FORGE_ROTATION=- "$POST" "$T/s" "$URL"
check "  200, two keys, none added" '[ "$(echo "$OUT" | cut -d" " -f2)" = 200 ] && [ "$(echo "$OUT" | cut -d" " -f3- | jq -r ".keys, .added" | tr "\n" " ")" = "2 0 " ]'

# The retired key goes on signing in a copy of the folder from before the rotation.
for _ in 1 2 3 4 5 6; do PACKTRACE_DATA=$T/old "$BIN" event add 1 --step shipping >/dev/null || exit 1; done
from=$(($(count) + 1))
expect 1 "events signed by the retired key after the rotation are sent (as the station)" \
  env HUB_POST_SIGNER="$T/s" "$POST" "$T/old" "$URL" "$from"
check "  and quarantined: signed by a retired key" \
  '[[ "$OUT" == *"\"quarantined\""*"signed by a retired key"* ]] && [ "$(hub_station quarantined)" -ge 2 ] && [ "$(hub_station events)" = "$(count)" ]'
# A rotation that reaches the hub before the event it names: the event that comes after it
# at that seq must be the one named.  Station X forks before its last old event (X2 signs
# another one at the same seq), X rotates after its own; X's chain goes first, then X2's
# events are sent as X (its request key), then X's.
export PACKTRACE_DATA=$T/x
"$BIN" init >/dev/null && sed -i 's/^demo=auto/demo=off/' "$T/x/station.ini" || exit 1
"$BIN" hub station add "Shed X" --key-file "$T/x/keys/station.pub" >/dev/null || exit 1
"$BIN" batch new --product Oranges --gtin $GTIN --lot X1 >/dev/null || exit 1
cp -a "$T/x" "$T/x2"
"$BIN" batch hold X1 --reason "the one the rotation names" >/dev/null || exit 1
PACKTRACE_DATA=$T/x2 "$BIN" batch hold X1 --reason "another one" >/dev/null || exit 1
"$BIN" key rotate >/dev/null || exit 1
XID=$("$BIN" key show --json | jq -r .station_id)
expect 0 "a rotation naming an event the hub does not hold yet is sent" env HUB_POST_FORGE_ROTATION=- "$POST" "$T/x" "$URL"
check "  and taken (200): it waits for that event" '[ "$(echo "$OUT" | cut -d" " -f2)" = 200 ]'
expect 1 "then another event at that seq (signed by the old key) is sent" env HUB_POST_SIGNER="$T/x" "$POST" "$T/x2" "$URL"
check "  and quarantined: not the event the rotation names" '[[ "$OUT" == *"\"quarantined\""*"key rotation 1 names another event at this seq"* ]]'
expect 0 "the station's own events are sent and taken" "$POST" "$T/x" "$URL"
check "  the hub holds them all, the one quarantined apart" \
  '[ "$("$BIN" hub status --json | jq -r --arg id "$XID" ".stations[] | select(.station == \$id) | .events, .quarantined" | tr "\n" " ")" = "$(sqlite3 "$T/x/station.db" "SELECT count(*) FROM events") 1 " ]'
tap_finish
