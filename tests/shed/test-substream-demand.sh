#!/usr/bin/env bash
# test-substream-demand.sh: `packtrace run` with two RTSP cameras that have a substream
# (analysis_source), a loading camera at dock-1 and a picking camera, served on loopback by
# bench-rtsp-serve (each client its own media, over TCP).  The substreams carry three codes in
# every frame (a Digital Link of one of the station's batches, a held batch, an unknown lot).
# The station's RTSP sessions are counted on the socket level (ss).  Checked:
#   - with no load open and no thumbnail watched, both analyses are idle (no alert) and the
#     station holds only the two main streams' sessions;
#   - a load opened at dock-1 (from the command line): the loading camera's substream connects
#     and every code is read (the batch on the load, the held one and the unknown lot refused),
#     while the picking camera's stays idle;
#   - the picking camera's thumbnail watched: its substream connects and the thumbnail comes;
#   - the load closed and nobody watching: both are idle again, with no substream session,
#     after the hold.
# The delays from the load's opening to its first code and from the first thumbnail request to
# the first JPEG are printed.  Exit 77 (skip) when a GStreamer element is missing.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
SERVE=${PT_RTSP_SERVE:?}
for e in videotestsrc qroverlay zbar x264enc h264parse splitmuxsink matroskamux matroskademux \
  rtspsrc rtph264depay rtph264pay; do
  if ! gst-inspect-1.0 --exists "$e" 2>/dev/null; then
    echo "1..0 # SKIP GStreamer element $e is missing"
    exit 77
  fi
done
for tool in jq sqlite3 curl ss; do
  command -v $tool >/dev/null || { echo "1..0 # SKIP $tool is missing"; exit 77; }
done
T=$(mktemp -d /tmp/pt-subdemand-XXXXXX)
DATA=$T/data
export PACKTRACE_DATA=$DATA
PID=
SERVE_PID=
cleanup() {
  [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

wait_for() {
  local end=$((SECONDS + $1 * ${PT_TEST_TIME_SCALE:-1}))
  while [ $SECONDS -lt $end ]; do eval "$2" && return 0; sleep 0.2; done
  eval "$2"
}
ms_now() { date +%s%3N; }

"$BIN" init >/dev/null || { echo "Bail out! init failed"; exit 1; }
sed -i -e 's|^min_free_bytes=.*|min_free_bytes=0|' -e 's/^demo=auto/demo=off/' "$DATA/station.ini"
for p in Oranges Kiwi; do
  "$BIN" batch new --product $p --gtin 09506000134352 >/dev/null || { echo "Bail out! batch new"; exit 1; }
done
"$BIN" batch hold 2 --reason "residue check" >/dev/null || { echo "Bail out! batch hold"; exit 1; }
GOOD=$("$BIN" batch show 1 --json | jq -r '.. | .digital_link? // empty' | head -1)
HELD=$("$BIN" batch show 2 --json | jq -r '.. | .digital_link? // empty' | head -1)
LOT1=$("$BIN" batch show 1 --json | jq -r '.. | .lot? // empty' | head -1)
UNKNOWN="https://trace.example.coop/01/09506000134352/10/NOSUCHLOT"

# Both long enough for the whole run: each client plays the file from its start.
CAPS=video/x-raw,width=640,height=360,framerate=15/1,format=I420
ENC="x264enc speed-preset=ultrafast tune=zerolatency key-int-max=15 ! h264parse ! matroskamux"
qr() { echo "qroverlay data=\"$1\" case-sensitive=true pixel-size=3 x=$2 y=20"; }
gst-launch-1.0 -q videotestsrc num-buffers=2700 pattern=smpte ! $CAPS ! $ENC ! \
  filesink location="$T/main.mkv" >/dev/null 2>"$T/gen.err" &&
  gst-launch-1.0 -q videotestsrc num-buffers=2700 pattern=smpte ! $CAPS ! \
    $(qr "$GOOD" 2) ! $(qr "$HELD" 36) ! $(qr "$UNKNOWN" 70) ! videoconvert ! $ENC ! \
    filesink location="$T/sub.mkv" >/dev/null 2>>"$T/gen.err" ||
  { echo "Bail out! footage not encoded: $(tail -c 300 "$T/gen.err")"; exit 1; }

"$SERVE" "$T/main.mkv" 2 "$T/sub.mkv" >"$T/serve.out" 2>"$T/serve.err" &
SERVE_PID=$!
wait_for 20 'grep -q rtsp:// "$T/serve.out"' || { echo "Bail out! no RTSP server: $(cat "$T/serve.err")"; exit 1; }
BASE=$(head -1 "$T/serve.out")
PORT=$(sed -n 's|rtsp://[^:]*:\([0-9]*\).*|\1|p' <<<"$BASE")
cat >>"$DATA/station.ini" <<EOF

[camera dockcam]
role=loading
source=$BASE/cam1
analysis_source=$BASE/cam1-sub
dock=dock-1

[camera pickcam]
role=picking
source=$BASE/cam2
analysis_source=$BASE/cam2-sub
EOF

"$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
PID=$!
wait_for 60 'grep -q http:// "$T/run.out"'
URL=$(grep -o 'http://[^ ]*' "$T/run.out")
AUTH="Authorization: Bearer $(sed -n 's/^operator_token=//p' "$DATA/station.ini")"
cams() { curl -s -H "$AUTH" "$URL/api/v1/cameras"; }
cam() { cams | jq -r ".cameras[] | select(.name == \"$1\") | $2"; }
# sessions: the station's RTSP connections to the server (main streams and substreams)
sessions() { ss -Htn state established "( dport = :$PORT )" | wc -l; }
both() { [ "$(cam dockcam "$1")" = "$2" ] && [ "$(cam pickcam "$1")" = "$3" ]; }
batches() { "$BIN" load show 1 --json | jq '.batches | length'; }
refusals() { "$BIN" load show 1 --json | jq '.refusals | length'; }

wait_for 60 'both .state recording recording && both .analysis.state idle idle && [ "$(sessions)" = 2 ]'
check "nothing wants the substreams: both analyses idle, only the main streams connected" \
  'both .state recording recording && both .analysis.state idle idle && [ "$(sessions)" = 2 ]' ||
  echo "#   $(cams | jq -c '[.cameras[] | {name, state, analysis}]') sessions $(sessions)"
check "... no substream frame received" 'both .analysis.frames 0 0'
check "... and idle is no alert" '! cams | jq -r ".alerts[]" | grep -q analysis'

OPENED=$(ms_now)
"$BIN" load new --plate "AB 123" --seal S-1 --dock dock-1 >/dev/null
wait_for 60 '[ "$(batches)" -ge 1 ]'
FIRST_CODE=$(($(ms_now) - OPENED))
wait_for 30 '[ "$(refusals)" -ge 2 ]'
SHOW=$("$BIN" load show 1 --json)
check "a load opened at dock-1: its camera reads the batch onto it" \
  '[ "$(jq -r ".batches[0].lot + \" \" + .batches[0].source" <<<"$SHOW")" = "$LOT1 dockcam" ]' ||
  echo "#   $SHOW"
check "... and refuses the held batch and the unknown lot" '[ "$(refusals)" = 2 ]' ||
  echo "#   $(jq -c .refusals <<<"$SHOW")"
check "... the loading camera's substream runs, the picking camera's stays idle" \
  'both .analysis.state running idle && [ "$(sessions)" = 3 ] && [ "$(cam pickcam .analysis.frames)" = 0 ]' ||
  echo "#   $(cams | jq -c '[.cameras[] | {name, analysis}]') sessions $(sessions)"
echo "# first code read $FIRST_CODE ms after the load opened (substream idle before)"

ASKED=$(ms_now)
thumb() { curl -s -o "$T/thumb.jpg" -w '%{http_code}' -H "$AUTH" "$URL/api/v1/cameras/pickcam/thumbnail.jpg"; }
wait_for 60 '[ "$(thumb)" = 200 ]'
FIRST_THUMB=$(($(ms_now) - ASKED))
check "the picking camera's thumbnail watched: it comes from its substream, now connected" \
  '[ "$(thumb)" = 200 ] && [ "$(head -c 2 "$T/thumb.jpg" | od -An -tx1 | tr -d " ")" = ffd8 ] && both .analysis.state running running && [ "$(sessions)" = 4 ]' ||
  echo "#   $(cams | jq -c '[.cameras[] | {name, analysis}]') sessions $(sessions)"
echo "# first thumbnail $FIRST_THUMB ms after it was first asked for (substream idle before)"

"$BIN" load close 1 >/dev/null || echo "# load close failed"
# The thumbnail's watch (5 s) and then the hold (10 s) pass.
wait_for 90 'both .analysis.state idle idle && [ "$(sessions)" = 2 ]'
check "the load closed and nobody watching: both idle again, only the main streams connected" \
  'both .analysis.state idle idle && [ "$(sessions)" = 2 ]' ||
  echo "#   $(cams | jq -c '[.cameras[] | {name, analysis}]') sessions $(sessions)"
check "the recordings never restarted" 'both .restarts 0 0 && both .state recording recording'

kill -TERM "$PID"
wait "$PID"
RC=$?
PID=
check "the station stops cleanly" '[ "$RC" = 0 ]'
tap_finish
