#!/usr/bin/env bash
# test-substream.sh: a camera whose analysis reads a substream (analysis_source), in
# `packtrace run`.  The main stream is a 640x360 H.264 file camera (recorded as is); the
# substream is shed-world's 320x240 RTSP camera.
#   - station.ini: analysis_source that is not rtsp:// or file:, or beside a raw test source,
#     is refused at start with an error that names the camera;
#   - GET /api/v1/cameras shows the substream running at 320x240 with frames arriving, and
#     the segments are the main stream's 640x360;
#   - the substream's server stopped: its own state (reconnecting) and reason, and an alert,
#     while the camera records on (no gap, state recording); the server back: running again.
# Exit 77 (skip) when a GStreamer element is missing.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
WORLD=${PT_SHED_WORLD:?}
for e in videotestsrc x264enc h264parse splitmuxsink matroskamux matroskademux rtspsrc \
  rtph264depay rtph264pay; do
  if ! gst-inspect-1.0 --exists "$e" 2>/dev/null; then
    echo "1..0 # SKIP GStreamer element $e is missing"
    exit 77
  fi
done
for tool in jq sqlite3 curl; do
  command -v $tool >/dev/null || { echo "1..0 # SKIP $tool is missing"; exit 77; }
done
T=$(mktemp -d /tmp/pt-substream-XXXXXX)
DATA=$T/data
DB=$DATA/station.db
PID=
WORLD_PID=
cleanup() {
  [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
  [ -n "$WORLD_PID" ] && kill "$WORLD_PID" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

sql() { sqlite3 -cmd ".timeout 5000" "$DB" "$1"; }
wait_for() {
  local end=$((SECONDS + $1 * ${PT_TEST_TIME_SCALE:-1}))
  while [ $SECONDS -lt $end ]; do eval "$2" && return 0; sleep 0.2; done
  eval "$2"
}

mkfifo "$T/world.ctl"
mkdir -p "$T/world"
"$WORLD" 1 "$T/world" <"$T/world.ctl" >"$T/world.out" 2>"$T/world.err" &
WORLD_PID=$!
exec 3>"$T/world.ctl"
world() {
  local n
  n=$(grep -c '^ok' "$T/world.out")
  echo "$*" >&3
  wait_for 20 '[ "$(grep -c "^ok" "$T/world.out")" -gt "$n" ]'
}
wait_for 20 'grep -q ^ready "$T/world.out"' || { echo "Bail out! shed-world did not start: $(cat "$T/world.err")"; exit 1; }
SUB_URL=$(awk '$1 == "camera" {print $2}' "$T/world.out")

"$BIN" init --data "$DATA" >/dev/null || { echo "Bail out! init failed"; exit 1; }
AUTH="Authorization: Bearer $(sed -n 's/^operator_token=//p' "$DATA/station.ini")"
sed -i -e 's|^min_free_bytes=.*|min_free_bytes=0|' -e 's/^demo=auto/demo=off/' "$DATA/station.ini"
cp "$DATA/station.ini" "$T/station.ini.base"
gst-launch-1.0 -q videotestsrc num-buffers=150 pattern=smpte ! \
  video/x-raw,format=I420,width=640,height=360,framerate=15/1 ! \
  x264enc speed-preset=ultrafast tune=zerolatency key-int-max=15 ! h264parse ! matroskamux ! \
  filesink location="$T/main.mkv" || { echo "Bail out! footage not encoded"; exit 1; }

# refused CAMERA_SECTION: `run` fails at once and its error names the camera
refused() {
  cp "$T/station.ini.base" "$DATA/station.ini"
  printf '%s\n' "$1" >>"$DATA/station.ini"
  timeout 20 "$BIN" run --data "$DATA" --listen 127.0.0.1:0 >"$T/bad.out" 2>"$T/bad.err"
  RC=$?
}
refused "$(printf '\n[camera dock-7]\nrole=loading\nsource=file:%s\nanalysis_source=http://cam/sub' "$T/main.mkv")"
check "analysis_source that is not rtsp:// or file: is refused, naming the camera" \
  '[ "$RC" != 0 ] && [ "$RC" != 124 ] && grep -q "camera dock-7.*analysis_source" "$T/bad.err"' ||
  echo "#   rc $RC: $(tail -c 300 "$T/bad.err")"
refused "$(printf '\n[camera pick-3]\nrole=picking\nsource=test:ball\nanalysis_source=%s' "$SUB_URL")"
check "analysis_source beside a raw test source is refused, naming the camera" \
  '[ "$RC" != 0 ] && [ "$RC" != 124 ] && grep -q "camera pick-3.*analysis_source needs an H.264 main source" "$T/bad.err"' ||
  echo "#   rc $RC: $(tail -c 300 "$T/bad.err")"

cp "$T/station.ini.base" "$DATA/station.ini"
cat >>"$DATA/station.ini" <<EOF

[camera dock-1]
role=loading
source=file:$T/main.mkv
analysis_source=$SUB_URL
segment_seconds=2
EOF
"$BIN" run --data "$DATA" --listen 127.0.0.1:0 >"$T/run.out" 2>>"$T/run.err" &
PID=$!
wait_for 60 'grep -q http:// "$T/run.out"'
URL=$(grep -o 'http://[^ ]*' "$T/run.out")
cam() { curl -s -H "$AUTH" "$URL/api/v1/cameras" | jq -r ".cameras[] | select(.name == \"dock-1\") | $1"; }
alerts() { curl -s -H "$AUTH" "$URL/api/v1/cameras" | jq -r '.alerts[]'; }
closed() { sql "SELECT count(*) FROM segments WHERE camera = 'dock-1' AND state = 'closed'"; }

# The thumbnail opens the tap, whose frames come from the substream; it is asked for while
# waiting, as the dashboard does, so the substream stays wanted (it is disconnected once
# nothing has wanted its frames for a while: test-substream-demand.sh).
watch() { curl -s -o /dev/null -H "$AUTH" "$URL/api/v1/cameras/dock-1/thumbnail.jpg"; }
watch
wait_for 30 'watch; [ "$(cam .analysis.state)" = running ] && [ "$(closed)" -ge 2 ]'
check "the substream runs at 320x240 with frames arriving" \
  '[ "$(cam .analysis.state) $(cam .analysis.width)x$(cam .analysis.height)" = "running 320x240" ] && [ "$(cam .analysis.frames)" -gt 0 ]' ||
  echo "#   $(cam .analysis)"
SEG=$(sql "SELECT path FROM segments WHERE camera = 'dock-1' AND state = 'closed' ORDER BY id LIMIT 1")
# size FILE: the H.264 frame size in a segment's caps, WIDTHxHEIGHT
size() {
  gst-launch-1.0 -v filesrc location="$1" ! matroskademux ! fakesink 2>/dev/null |
    grep -o 'video/x-h264.*' | head -1 | sed -n 's/.*width=(int)\([0-9]*\).*height=(int)\([0-9]*\).*/\1x\2/p'
}
check "the segments are the main stream's 640x360" '[ "$(size "$SEG")" = 640x360 ]' ||
  echo "#   $(size "$SEG")"

BEFORE=$(closed)
world rtsp stop
wait_for 30 'watch; [ "$(cam .analysis.state)" = reconnecting ] && [ "$(closed)" -ge $((BEFORE + 2)) ]'
check "the substream's server gone: the analysis is reconnecting, with its reason" \
  '[ "$(cam .analysis.state)" = reconnecting ] && [[ "$(cam .analysis.last_error)" == "analysis substream: "* ]]' ||
  echo "#   $(cam .analysis)"
check "... an alert says so" 'alerts | grep -q "dock-1: analysis substream down"'
check "... while the camera records on" \
  '[ "$(cam .state)" = recording ] && [ "$(closed)" -ge $((BEFORE + 2)) ] && [ "$(sql "SELECT count(*) FROM gaps WHERE camera = '"'dock-1'"' AND reason != '"'station stopped'"'")" = 0 ]'
RESTARTS=$(cam .analysis.restarts)
world rtsp start
wait_for 40 'watch; [ "$(cam .analysis.state)" = running ]'
check "the server back: the analysis runs again, its alert gone" \
  '[ "$(cam .analysis.state)" = running ] && ! alerts | grep -q "analysis substream down" && [ "$(cam .analysis.restarts)" -ge "$RESTARTS" ]' ||
  echo "#   $(cam .analysis)"
check "the recording never restarted" '[ "$(cam .restarts)" = 0 ]'
kill -TERM "$PID"
wait "$PID"
RC=$?
PID=
check "the station stops cleanly" '[ "$RC" = 0 ]'
world quit
wait "$WORLD_PID"
WORLD_PID=
tap_finish
