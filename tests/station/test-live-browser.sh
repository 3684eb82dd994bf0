#!/usr/bin/env bash
# test-live-browser.sh: the live view of a camera on the dashboard (live-browser.mjs) against
# the real `packtrace run` on loopback: a test camera that burns its capture time in as a QR
# code (timestamp_overlay=qr) watched in Chromium's own <video> element, its latency read
# back from the played frames (under 3 s), and an RTSP camera whose server is not there, whose
# player says why.  PT_LIVE_READS sets how many frames are read (the benchmark asks for more).
# Skips (77) without chromium, node, npm or a GStreamer element the camera needs.
set -u
BIN=${PACKTRACE_BUILD:?}/station/packtrace
HERE=$(dirname "$0")
. "$HERE/../npm-tools.sh"
playwright_tools
for e in videotestsrc hlssink2 mpegtsmux h264parse; do
  gst-inspect-1.0 --exists "$e" 2>/dev/null || { echo "1..0 # SKIP GStreamer element $e is missing"; exit 77; }
done
T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
must "$BIN" init
sed -i 's/^demo=auto$/demo=off/' "$PACKTRACE_DATA/station.ini"
grep -q '^demo=off$' "$PACKTRACE_DATA/station.ini" || { echo "Bail out! cannot turn the demo off"; exit 1; }
# A port nobody listens on: the dock camera stays down, reconnecting.
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
IDLE=2
cat >>"$PACKTRACE_DATA/station.ini" <<INI

[camera pick-1]
role=picking
source=test:smpte
width=320
height=240
fps=25
segment_seconds=10
timestamp_overlay=qr
live_idle_seconds=$IDLE

[camera dock-9]
role=loading
source=rtsp://127.0.0.1:$DEAD/none
INI
OP_PW="shed day 2026 ok"
must sh -c "echo '$OP_PW' | '$BIN' user add shed-op --role operator"
"$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
server=$!
for _ in $(seq 100); do
  url=$(grep -o 'http://[0-9.:]*' "$T/run.out" 2>/dev/null | head -1)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "Bail out! the station did not start"; sed 's/^/#   /' "$T/run.err"; exit 1; }
PT_LIVE_IDLE_S=$IDLE timeout 180 node "$HERE/live-browser.mjs" "$url" shed-op "$OP_PW" \
  "$PACKTRACE_DATA/live/pick-1" "$PACKTRACE_BUILD"
rc=$?
[ $rc -eq 0 ] || sed 's/^/# run.err: /' "$T/run.err" | tail -20
exit $rc
