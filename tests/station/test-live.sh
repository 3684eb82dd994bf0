#!/usr/bin/env bash
# test-live.sh: the live view's HTTP routes against the real `packtrace run` (curl, no
# browser): a test camera's playlist (HLS, no-cache, a full playlist at the first request,
# its segments MPEG-TS whose frames carry the burned-in capture time, read by zbarimg), file
# names checked strictly (path tricks, near misses and unknown segments 404), an unknown
# camera 404, a camera that is down 503 with its reason, no live video without credentials or
# for a consumer's route, the branch gone (its folder) after live_idle_seconds, and a bad
# timestamp_overlay refused at start.  The camera has a privacy mask: its live frames and its
# thumbnail have the rectangle black, its recorded segment does not; bad masks (past the
# frame, zero size, garbage, too many, an unknown style) are refused at start.  Skips (77) without a GStreamer element it needs.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
for e in videotestsrc hlssink2 mpegtsmux tsdemux h264parse; do
  gst-inspect-1.0 --exists "$e" 2>/dev/null || { echo "1..0 # SKIP GStreamer element $e is missing"; exit 77; }
done
T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
"$BIN" init >/dev/null || { echo "Bail out! init"; exit 1; }
sed -i 's/^demo=auto$/demo=off/' "$PACKTRACE_DATA/station.ini"
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cp "$PACKTRACE_DATA/station.ini" "$T/station.ini.orig"
cat >>"$PACKTRACE_DATA/station.ini" <<INI

[camera pick-1]
role=picking
source=test:smpte
width=320
height=240
fps=25
timestamp_overlay=qrcode
INI
expect 1 'timestamp_overlay must be none or qr: the station refuses to start' "$BIN" run --listen 127.0.0.1:0
check 'the refusal names the section and the key' 'grep -q "camera pick-1.*timestamp_overlay" "$T/err"'
sed -i 's/^timestamp_overlay=qrcode$/timestamp_overlay=qr\nlive_idle_seconds=2\nsegment_seconds=1\nprivacy_mask=280,200,40,60/' "$PACKTRACE_DATA/station.ini"
expect 1 'a privacy_mask past the 320x240 frame: the station refuses to start' "$BIN" run --listen 127.0.0.1:0
check 'the refusal names the camera, the rectangle and the frame' \
  'grep -q "camera pick-1.*privacy_mask rectangle .280,200,40,60. is outside the 320x240 frame" "$T/err"'
sed -i 's/^privacy_mask=.*/&\nprivacy_mask_style=black/' "$PACKTRACE_DATA/station.ini"
mask_refused() { # VALUE STYLE WHAT ERROR-PATTERN
  sed -i "s/^privacy_mask=.*/privacy_mask=$1/; s/^privacy_mask_style=.*/privacy_mask_style=$2/" \
    "$PACKTRACE_DATA/station.ini"
  expect 1 "privacy_mask $3: refused" "$BIN" run --listen 127.0.0.1:0
  check "... naming camera and value" "grep -q \"camera pick-1.*$4\" \"\$T/err\""
}
mask_refused '0,0,0,10' black 'of zero width' "0,0,0,10"
mask_refused 'left,top' black 'of garbage' "left,top"
mask_refused '1,1,9,9;1,1,9,9;1,1,9,9;1,1,9,9;1,1,9,9;1,1,9,9;1,1,9,9;1,1,9,9;1,1,9,9' black \
  'of 9 rectangles' "9 rectangles, at most 8"
mask_refused '16,120,160,32' grey 'with style grey' "privacy_mask_style .grey. must be black or blur"
# The mask people see: over the bars below the burned-in time stamp (top left).
sed -i 's/^privacy_mask_style=.*/privacy_mask_style=black/' "$PACKTRACE_DATA/station.ini"
cat >>"$PACKTRACE_DATA/station.ini" <<INI

[camera dock-9]
role=loading
source=rtsp://127.0.0.1:$DEAD/none
INI
run_station
AUTH="Authorization: Bearer $(sed -n 's/^operator_token=//p' "$PACKTRACE_DATA/station.ini")"
LIVE=$url/api/v1/cameras/pick-1/live
get() { curl -s -o "$T/body" -D "$T/head" -w '%{http_code}' "$@"; }

# The cameras start once the start-up worker (recovery) is done: wait for pick-1 to record.
for _ in $(seq 100); do
  curl -sf -H "$AUTH" "$url/api/v1/status" | jq -e '.cameras[] | select(.name == "pick-1" and .state == "recording")' \
    >/dev/null && break
  sleep 0.2
done
check 'nobody watches: no live folder' '[ ! -e "$PACKTRACE_DATA/live/pick-1" ]'
code=$(get -H "$AUTH" "$LIVE/index.m3u8")
check 'the playlist: 200' '[ "$code" = 200 ]'
check 'as application/vnd.apple.mpegurl, no-cache' \
  'grep -qi "^content-type: application/vnd.apple.mpegurl" "$T/head" && grep -qi "^cache-control: no-cache" "$T/head"'
check 'a full playlist at the first request: three 1 s segments' \
  '[ "$(grep -c "^seg[0-9]*\.ts$" "$T/body")" = 3 ] && grep -q "^#EXT-X-TARGETDURATION:1" "$T/body"'
seg=$(grep '^seg[0-9]*\.ts$' "$T/body" | tail -1)
now=$(date +%s%3N)
code=$(get -H "$AUTH" "$LIVE/$seg")
check 'its newest segment: 200 video/mp2t' '[ "$code" = 200 ] && grep -qi "^content-type: video/mp2t" "$T/head"'
gst-launch-1.0 -q filesrc location="$T/body" ! tsdemux ! h264parse ! decodebin ! videoconvert \
  ! pngenc snapshot=true ! filesink location="$T/frame.png" >/dev/null 2>&1
stamp=$(zbarimg -q --raw "$T/frame.png" 2>/dev/null | head -1)
check 'its first frame carries its capture time as a QR code, seconds old' \
  '[ -n "$stamp" ] && [ $((now - stamp)) -ge 0 ] && [ $((now - stamp)) -lt 5000 ]'
# gray FILE OUT: a frame (the last) of a TS, Matroska or JPEG file as 320x240 8-bit luma.
gray() {
  gst-launch-1.0 -q filesrc location="$1" ! decodebin ! videoconvert ! videoscale \
    ! video/x-raw,format=GRAY8,width=320,height=240 \
    ! multifilesink location="$2" >/dev/null 2>&1
}
# luma FILE X Y W H: the mean luma of a rectangle (4 px in from its edges) of a gray frame.
luma() {
  python3 -c 'import sys
d = open(sys.argv[1], "rb").read()
x, y, w, h = map(int, sys.argv[2:])
v = [d[j * 320 + i] for j in range(y + 4, y + h - 4) for i in range(x + 4, x + w - 4)]
print(round(sum(v) / len(v)) if len(d) == 320 * 240 else -1)' "$@"
}
cp "$T/body" "$T/live.ts" # looked at below: the branch must stay watched meanwhile
for bad in '..%2Fstation.db' '..%2F..%2Fstation.ini' 'seg1.ts' "$seg.bak" 'seg00000.ts%00' 'SEG00000.ts' \
  'seg00000.m3u8' 'index.m3u8x' 'seg12345678901.ts'; do
  code=$(get -H "$AUTH" "$LIVE/$bad")
  check "file name '$bad': 404" '[ "$code" = 404 ]'
done
code=$(get -H "$AUTH" "$LIVE/seg99999.ts")
check 'a segment name never written: 404' '[ "$code" = 404 ]'
code=$(get -H "$AUTH" "$url/api/v1/cameras/nope/live/index.m3u8")
check 'an unknown camera: 404' '[ "$code" = 404 ] && grep -q "no camera called nope" "$T/body"'
code=$(get -H "$AUTH" "$url/api/v1/cameras/dock-9/live/index.m3u8")
check 'a camera that is down: 503 with its state and reason' \
  '[ "$code" = 503 ] && grep -Eq "camera dock-9 is (starting|reconnecting|stopped|failed)" "$T/body"'
code=$(get "$LIVE/index.m3u8")
check 'without credentials: 401' '[ "$code" = 401 ]'
code=$(get -H "Authorization: Bearer not-a-token" "$LIVE/$seg")
check 'a wrong token: 401' '[ "$code" = 401 ]'
code=$(get "$url/01/09506000134352/10/pick-1/live/index.m3u8")
check 'no live video under a consumer (public) path' '[ "$code" != 200 ] || ! grep -q "#EXTM3U" "$T/body"'
check 'while watched the branch writes its folder' '[ -d "$PACKTRACE_DATA/live/pick-1" ]'
gone=
for _ in $(seq 40); do [ -e "$PACKTRACE_DATA/live/pick-1" ] || { gone=1; break; }; sleep 0.25; done
check 'nobody asks for 2 s: the branch and its folder are gone' '[ -n "$gone" ]'
code=$(get -H "$AUTH" "$LIVE/$seg")
check 'a segment of a stopped branch: 404' '[ "$code" = 404 ]'
code=$(get -H "$AUTH" "$LIVE/index.m3u8")
check 'asked again: the branch comes back with a full playlist' '[ "$code" = 200 ] && [ "$(grep -c "^seg[0-9]*\.ts$" "$T/body")" = 3 ]'
check 'the recording went on through it all' \
  '[ "$(sqlite3 "$PACKTRACE_DATA/station.db" "SELECT count(*) FROM segments WHERE camera = '"'"'pick-1'"'"'")" -ge 1 ]'
# What the dashboard shows and what is recorded (after the idle checks above: these take time).
gray "$T/live.ts" "$T/live.gray"
check "the live frame's privacy mask is black (luma $(luma "$T/live.gray" 16 120 160 32)), the bars beside it are not ($(luma "$T/live.gray" 200 120 100 32))" \
  '[ "$(luma "$T/live.gray" 16 120 160 32)" -ge 0 ] && [ "$(luma "$T/live.gray" 16 120 160 32)" -lt 24 ] && [ "$(luma "$T/live.gray" 200 120 100 32)" -gt 40 ]'
code=$(get -H "$AUTH" "$url/api/v1/cameras/pick-1/thumbnail.jpg")
for _ in $(seq 20); do [ "$code" = 200 ] && break; sleep 0.25; code=$(get -H "$AUTH" "$url/api/v1/cameras/pick-1/thumbnail.jpg"); done
gray "$T/body" "$T/thumb.gray"
check "the dashboard thumbnail is masked too (luma $(luma "$T/thumb.gray" 16 120 160 32))" \
  '[ "$code" = 200 ] && [ "$(luma "$T/thumb.gray" 16 120 160 32)" -ge 0 ] && [ "$(luma "$T/thumb.gray" 16 120 160 32)" -lt 30 ]'
for _ in $(seq 40); do
  rec=$(sqlite3 "$PACKTRACE_DATA/station.db" "SELECT path FROM segments WHERE camera = 'pick-1' AND state = 'closed' LIMIT 1")
  [ -n "$rec" ] && break
  sleep 0.25
done
gray "$rec" "$T/rec.gray"
check "the recorded segment is not masked (luma $(luma "$T/rec.gray" 16 120 160 32)): its signed hash is of the camera's own picture" \
  '[ "$(luma "$T/rec.gray" 16 120 160 32)" -gt 100 ]'
tap_finish
