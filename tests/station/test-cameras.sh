#!/usr/bin/env bash
# test-cameras.sh: `packtrace run` recording real GStreamer test cameras into the store:
# segments with UTC ns times, a clean stop that closes the open segment, kill -9 mid-segment
# and the recovery at the next start, an event with an evidence clip whose signed SHA-256 is
# that of the kept file, `packtrace clip` (moov before mdat), a tiny quota that deletes old
# segments but keeps those a clip was cut from, and the demo cameras of a station with none.
# Exit 77 (skip) when a GStreamer element the cameras need is missing.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
for e in videotestsrc splitmuxsink matroskamux matroskademux mp4mux h264parse textoverlay; do
  if ! gst-inspect-1.0 --exists "$e" 2>/dev/null; then
    echo "# SKIP: GStreamer element $e is missing"
    exit 77
  fi
done
if ! gst-inspect-1.0 --exists x264enc && ! gst-inspect-1.0 --exists openh264enc; then
  echo "# SKIP: no H.264 encoder (x264enc or openh264enc)"
  exit 77
fi
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$T"' EXIT
DATA=$T/data
DB=$DATA/station.db

sql() { sqlite3 "$DB" "$1"; }
# wait_for SECONDS CONDITION: polls CONDITION every 0.2 s; its status.  SECONDS is scaled by
# PT_TEST_TIME_SCALE (the sanitizer setup's slow-down factor, see tests/meson.build).
wait_for() {
  local end=$((SECONDS + $1 * ${PT_TEST_TIME_SCALE:-1}))
  while [ $SECONDS -lt $end ]; do eval "$2" && return 0; sleep 0.2; done
  eval "$2"
}
# start_run DATA: starts the station in the background, sets PID and URL
start_run() {
  # The previous run's URL must not be read before this run truncates the file.
  rm -f "$T/run.out"
  "$BIN" run --data "$1" --listen 127.0.0.1:0 >"$T/run.out" 2>>"$T/run.err" &
  PID=$!
  # The first start of a fresh machine builds GStreamer's plugin registry first.
  wait_for 60 'grep -q http:// "$T/run.out"'
  URL=$(grep -o 'http://[^ ]*' "$T/run.out")
  # Camera and segment reads need credentials: the operator token of station.ini.
  AUTH="Authorization: Bearer $(sed -n 's/^operator_token=//p' "$1/station.ini")"
}
# stop_run SIGNAL: signals the station and waits; its exit status in $RC
stop_run() {
  kill "-$1" "$PID"
  wait "$PID"
  RC=$?
  PID=
}
# set_key KEY VALUE: in station.ini (the key must exist once)
set_key() { sed -i "s|^$1=.*|$1=$2|" "$DATA/station.ini"; }
rfc3339() { sqlite3 "$DB" "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', ($1) / 1e9, 'unixepoch')"; }
moov_first() { python3 - "$1" <<'EOF'
import struct, sys
data = open(sys.argv[1], 'rb').read()
pos, order = 0, []
while pos + 8 <= len(data):
    size, kind = struct.unpack('>I4s', data[pos:pos + 8])
    order.append(kind.decode('latin-1'))
    if size < 8:
        break
    pos += size
sys.exit(0 if 'moov' in order and 'mdat' in order and order.index('moov') < order.index('mdat') else 1)
EOF
}

"$BIN" init --data "$DATA" >/dev/null || { echo "not ok - init"; exit 1; }
set_key min_free_bytes 0
cat >>"$DATA/station.ini" <<'EOF'

[camera cam1]
role=picking
source=test:ball
segment_seconds=1
width=320
height=240
fps=10
EOF

# --- recording and a clean stop ---
before_ns=$(date +%s%N)
start_run "$DATA"
check "station starts with a camera" '[ -n "$URL" ]'
wait_for 15 '[ "$(sql "SELECT count(*) FROM segments WHERE state = '"'closed'"'")" -ge 4 ]'
check "1 s segments are recorded and closed" '[ "$(sql "SELECT count(*) FROM segments WHERE state = '"'closed'"'")" -ge 4 ]'
now_ns=$(date +%s%N)
check "segment times are UTC ns of this run" \
  '[ "$(sql "SELECT count(*) FROM segments WHERE start_ns < $before_ns OR start_ns > $now_ns OR (end_ns IS NOT NULL AND end_ns <= start_ns)")" = 0 ]'
check "closed segments last about 1 s" \
  '[ "$(sql "SELECT count(*) FROM segments WHERE state = '"'closed'"' AND id > 1 AND abs(end_ns - start_ns - 1000000000) > 300000000")" = 0 ]'
CAMS=$(curl -s -H "$AUTH" "$URL/api/v1/cameras")
check "GET /api/v1/cameras shows the camera recording" \
  '[ "$(echo "$CAMS" | jq -r ".cameras[0] | \"\(.name) \(.role) \(.state)\"")" = "cam1 picking recording" ]'
check "... with its current segment" '[ "$(echo "$CAMS" | jq -r ".cameras[0].current_segment | test(\"/recordings/cam1/.*\\\\.mkv$\")")" = true ]'
SEGS=$(curl -s -H "$AUTH" "$URL/api/v1/segments?camera=cam1&limit=2")
check "GET /api/v1/segments lists the oldest segments" '[ "$(echo "$SEGS" | jq ".segments | length")" = 2 ]'
check "a bad time is a 400" '[ "$(curl -s -H "$AUTH" -o /dev/null -w "%{http_code}" "$URL/api/v1/segments?from=yesterday")" = 400 ]'
stop_run TERM
check "SIGTERM stops the station cleanly" '[ "$RC" = 0 ]'
check "no segment is left open" '[ "$(sql "SELECT count(*) FROM segments WHERE state <> '"'closed'"'")" = 0 ]'
bad=0
while IFS='|' read -r path bytes sha; do
  [ "$(sha256sum "$path" | cut -d' ' -f1)" = "$sha" ] && [ "$(stat -c %s "$path")" = "$bytes" ] || bad=$((bad + 1))
done < <(sql "SELECT path, bytes, sha256 FROM segments")
check "every segment's SHA-256 and size match its file" '[ "$bad" = 0 ]'

# --- kill -9 mid-segment, then restart ---
set_key segment_seconds 5
start_run "$DATA"
wait_for 10 '[ -n "$(sql "SELECT id FROM segments WHERE state = '"'open'"'")" ]'
open_id=$(sql "SELECT id FROM segments WHERE state = 'open'")
sleep 2.5
stop_run KILL
check "kill -9 leaves the segment open" '[ -n "$open_id" ] && [ "$(sql "SELECT state FROM segments WHERE id = $open_id")" = open ]'
start_run "$DATA"
wait_for 20 '[ "$(sql "SELECT state FROM segments WHERE id = $open_id")" != open ]'
state=$(sql "SELECT state FROM segments WHERE id = $open_id")
check "restart recovers the open segment (or says why it is lost)" \
  '[ "$state" = recovered ] || { [ "$state" = lost ] && [ -n "$(sql "SELECT reason FROM segments WHERE id = $open_id")" ]; }'
IFS='|' read -r rpath rsha rdur < <(sql "SELECT path, sha256, end_ns - start_ns FROM segments WHERE id = $open_id")
check "the recovered file matches its SHA-256" '[ "$(sha256sum "$rpath" | cut -d" " -f1)" = "$rsha" ]'
check "the recovered file holds the seconds before the kill" '[ "${rdur:-0}" -ge 1500000000 ]'
check "the recovered file demuxes" 'gst-launch-1.0 -q filesrc location="$rpath" ! matroskademux ! fakesink >/dev/null 2>&1'
stop_run TERM
check "the restarted station stops cleanly" '[ "$RC" = 0 ]'

# --- an event with an evidence clip across a segment boundary ---
"$BIN" batch new --data "$DATA" --product Oranges --gtin 09506000134352 >/dev/null
FROM=$(rfc3339 "(SELECT start_ns FROM segments WHERE id = 2) + 300000000")
TO=$(rfc3339 "(SELECT start_ns FROM segments WHERE id = 3) + 500000000")
events=$(sql "SELECT count(*) FROM events")
"$BIN" event add 1 --data "$DATA" --step packing --camera nosuch --from "$FROM" --to "$TO" >/dev/null 2>"$T/err"
rc=$?
check "a camera with no recordings is refused" '[ $rc = 1 ] && grep -q "no recordings" "$T/err"'
"$BIN" event add 1 --data "$DATA" --step packing --camera cam1 --from "$FROM" >/dev/null 2>&1
rc=$?
check "--camera without --to is a usage error" '[ $rc = 2 ]'
check "refused clips write no event" '[ "$(sql "SELECT count(*) FROM events")" = "$events" ]'
EV=$("$BIN" event add 1 --data "$DATA" --json --step packing --camera cam1 --from "$FROM" --to "$TO")
rc=$?
check "event add --camera --from --to" '[ $rc = 0 ]'
clip_path=$(sql "SELECT path FROM clips WHERE event_seq = (SELECT max(seq) FROM events)")
check "the signed pt:clipSha256 is the kept clip's SHA-256" \
  '[ -f "$clip_path" ] && [ "$(echo "$EV" | jq -r ".event[\"pt:clipSha256\"]")" = "$(sha256sum "$clip_path" | cut -d" " -f1)" ]'
check "the event names camera and range" \
  '[ "$(echo "$EV" | jq -r ".event | \"\(.[\"pt:camera\"]) \(.[\"pt:clipFrom\"] <= \"$FROM\") \(.[\"pt:clipTo\"] >= \"$TO\")\"")" = "cam1 true true" ]'
"$BIN" clip 1 --data "$DATA" --event 2 -o "$T/event.mp4" >/dev/null
rc=$?
check "clip ID --event N copies the kept clip" '[ $rc = 0 ] && cmp -s "$T/event.mp4" "$clip_path"'
check "the clip has moov before mdat" 'moov_first "$T/event.mp4"'
"$BIN" clip 1 --data "$DATA" --event 1 >/dev/null 2>&1
rc=$?
check "an event without a clip is an error" '[ $rc = 1 ]'
"$BIN" clip --data "$DATA" --camera cam1 --from "$FROM" --to "$TO" -o "$T/adhoc.mp4" >/dev/null
rc=$?
check "an ad-hoc clip is an MP4 with moov first" '[ $rc = 0 ] && moov_first "$T/adhoc.mp4"'
check "the audit still passes" '"$BIN" audit --data "$DATA" >/dev/null'

# --- a tiny quota deletes old segments but keeps those the clip needs ---
set_key segment_seconds 1
set_key quota_bytes 1
start_run "$DATA"
keep="end_ns > (SELECT from_ns FROM clips) AND start_ns < (SELECT to_ns FROM clips)"
wait_for 10 '[ "$(sql "SELECT count(*) FROM segments WHERE state = '"'deleted'"'")" -ge 3 ]'
check "the quota deletes old segments" '[ "$(sql "SELECT count(*) FROM segments WHERE state = '"'deleted'"'")" -ge 3 ]'
check "... and their files" '[ "$(sql "SELECT path FROM segments WHERE state = '"'deleted'"'" | while read -r p; do [ -e "$p" ] && echo "$p"; done)" = "" ]'
check "segments a kept clip was cut from stay" \
  '[ "$(sql "SELECT count(*) FROM segments WHERE $keep AND state = '"'closed'"'")" -ge 2 ] && [ "$(sql "SELECT count(*) FROM segments WHERE $keep AND state = '"'deleted'"'")" = 0 ]'
check "the clips route by batch id wants a buyer or operator (401 without)" \
  '[ "$(curl -s -o /dev/null -w "%{http_code}" -m 20 "$URL/api/v1/batches/1/clips/2")" = 401 ]'
code=$(curl -s -m 20 -H "$AUTH" -o "$T/http-clip" -w '%{http_code}' "$URL/api/v1/batches/1/clips/2")
HTTP_SHA=$(sha256sum "$T/http-clip" | cut -d' ' -f1)
check "GET /api/v1/batches/1/clips/2 serves the signed clip" '[ "$HTTP_SHA" = "$(sha256sum "$clip_path" | cut -d" " -f1)" ]'
[ "$code" = 200 ] || echo "#   HTTP $code from $URL: $(head -c 300 "$T/http-clip")"
check "a clip that does not exist is a 404" '[ "$(curl -s -H "$AUTH" -o /dev/null -w "%{http_code}" "$URL/api/v1/batches/1/clips/1")" = 404 ]'
stop_run TERM
check "the quota run stops cleanly" '[ "$RC" = 0 ]'

# --- no camera configured: demo cameras ---
DATA=$T/demo
DB=$DATA/station.db
"$BIN" init --data "$DATA" >/dev/null
set_key min_free_bytes 0
start_run "$DATA"
roles() { curl -s -H "$AUTH" "$URL/api/v1/cameras" | jq -r '[.cameras[] | select(.state == "recording") | .role] | sort | join(",")'; }
wait_for 45 '[ "$(roles)" = grading,loading,picking ]'
check "demo picking, grading and loading cameras record" '[ "$(roles)" = grading,loading,picking ]'
check "demo footage was made into DATA/demo" '[ -s "$DATA/demo/demo-picking.mkv" ]'
stop_run TERM
check "the demo station stops cleanly" '[ "$RC" = 0 ]'

tap_finish
