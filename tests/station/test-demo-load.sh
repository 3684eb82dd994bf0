#!/usr/bin/env bash
# test-demo-load.sh: what a newcomer's ./run does: `packtrace init`, then `packtrace run` with
# no camera configured.  The demo makes its own batches (Demo oranges, lots DEMO-0001..), opens
# a load at the demo loading camera's dock and shows their codes on the loading footage, so the
# load fills by itself (polled through GET /api/v1/loads with the operator token, within 90 s);
# the clips of the loads' evidence follow.  A station with batches of its own gets no demo
# batches.  Exit 77 (skip) when a GStreamer element is missing.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
for e in videotestsrc appsrc zbar x264enc h264parse splitmuxsink matroskamux matroskademux \
  textoverlay timeoverlay; do
  if ! gst-inspect-1.0 --exists "$e" 2>/dev/null; then
    echo "# SKIP: GStreamer element $e is missing"
    exit 77
  fi
done
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$T"' EXIT
DATA=$T/data
export PACKTRACE_DATA=$DATA
wait_for() {
  local end=$((SECONDS + $1))
  while [ $SECONDS -lt $end ]; do eval "$2" && return 0; sleep 0.5; done
  eval "$2"
}

"$BIN" init >/dev/null || { echo "Bail out! init failed"; exit 1; }
sed -i 's|^min_free_bytes=.*|min_free_bytes=0|' "$DATA/station.ini"
TOKEN=$(sed -n 's/^operator_token=//p' "$DATA/station.ini")
START=$SECONDS
"$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
PID=$!
wait_for 20 'grep -q http:// "$T/run.out"'
URL=$(grep -o 'http://[^ ]*' "$T/run.out")
check "station runs" '[ -n "$URL" ]'
loads() { curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/v1/loads"; }
filled() { "$BIN" load show 1 --json 2>/dev/null | jq '.batches | length'; }
wait_for 90 '[ "$(filled)" = 3 ] 2>/dev/null'
echo "# the demo load filled in $((SECONDS - START)) s"
check "the operator's loads list shows the demo load" \
  '[ "$(loads | jq -r ".loads[0] | [.plate, .dock, .state] | join(\" \")")" = "DEMO 001 demo-loading open" ]'
SHOW=$("$BIN" load show 1 --json)
check "the loading camera put the three demo batches on it" \
  '[ "$(jq -r "[.batches[] | .lot + \"/\" + .source] | join(\" \")" <<<"$SHOW")" = "DEMO-0001/demo-loading DEMO-0002/demo-loading DEMO-0003/demo-loading" ]'
check "nothing was refused" '[ "$(jq ".refusals | length" <<<"$SHOW")" = 0 ]'
check "the demo batches say they are demo" \
  '[ "$("$BIN" batch show DEMO-0002 --json | jq -r "[.. | .product? // empty] | .[0]")" = "Demo oranges" ]'
check "only the demo batches exist" '[ "$("$BIN" batch list --json | jq "[.. | objects | select(has(\"lot\")) | .lot] | unique | length")" = 3 ]'
check "the demo batches are marked demo: none of their events is queued for a sales platform" \
  '[ "$(sqlite3 "$DATA/station.db" "SELECT count(*) FROM batches WHERE demo = 1")" = 3 ] && [ "$(sqlite3 "$DATA/station.db" "SELECT count(*) FROM outbox")" = 0 ]'
followups() { sqlite3 "$DATA/station.db" "SELECT count(*) FROM clips c JOIN events e ON e.seq = c.event_seq WHERE e.step = 'sensor_reporting'"; }
wait_for 40 '[ "$(followups)" = 3 ]'
check "each loading event's clip follows once its window is recorded" '[ "$(followups)" = 3 ]'
kill -TERM "$PID"
wait "$PID"
RC=$?
PID=
check "the station stops cleanly" '[ "$RC" = 0 ]'

# A restart keeps the demo as it is: no second set of batches, the footage kept.
MTIME=$(stat -c %Y "$DATA/demo/demo-loading.mkv")
"$BIN" run --listen 127.0.0.1:0 >"$T/run2.out" 2>"$T/run2.err" &
PID=$!
wait_for 30 'grep -q "camera demo-loading .* started" "$T/run2.err"'
kill -TERM "$PID"
wait "$PID"
PID=
check "a restart makes no new demo batches" '[ "$(sqlite3 "$DATA/station.db" "SELECT count(*) FROM batches")" = 3 ]'
check "a restart keeps the demo footage" '[ "$(stat -c %Y "$DATA/demo/demo-loading.mkv")" = "$MTIME" ]'

# A station with a batch of its own before its first run gets no demo batches.
mkdir "$T/kept" && mv "$DATA"/demo/demo-picking.mkv "$DATA"/demo/demo-grading.mkv "$T/kept/"
rm -rf "$DATA"
"$BIN" init >/dev/null
# The picking and grading footage does not depend on the batches: kept, to save the time.
mkdir -p "$DATA/demo" && mv "$T"/kept/*.mkv "$DATA/demo/"
sed -i 's|^min_free_bytes=.*|min_free_bytes=0|' "$DATA/station.ini"
"$BIN" batch new --product Kiwi --gtin 09506000134352 >/dev/null
"$BIN" run --listen 127.0.0.1:0 >"$T/run3.out" 2>"$T/run3.err" &
PID=$!
wait_for 60 'grep -q "camera demo-loading .* started" "$T/run3.err"'
kill -TERM "$PID"
wait "$PID"
PID=
check "a station with its own batches gets no demo batches" \
  '[ "$(sqlite3 "$DATA/station.db" "SELECT count(*) FROM batches WHERE lot LIKE '"'DEMO-%'"'")" = 0 ]'
check "its loading footage shows no demo codes" '! [ -e "$DATA/demo/demo-loading.codes" ]'
check "nor a demo load" '[ "$(sqlite3 "$DATA/station.db" "SELECT count(*) FROM loads")" = 0 ]'
check "audit intact" '"$BIN" audit >/dev/null'

tap_finish
