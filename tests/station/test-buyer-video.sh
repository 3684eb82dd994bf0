#!/usr/bin/env bash
# test-buyer-video.sh: buyers watching the loading of their own loads, against the real
# `packtrace run` on loopback with a test camera as the dock's loading camera
# (buyer-video-setup.sh), driven with curl:
#   the list of loads (each buyer's own GLN only, no plate or driver; an unscoped buyer and
#   the operator see all); a load's video while it loads: its loading camera, the live
#   playlist and a segment whose burned-in capture time is within the load's window, a
#   camera that is down 503 with its state;
#   refusals: no credentials 401 on every route, another GLN's load 404 like one that does
#   not exist (list, video, live, recorded), a picking camera at the same dock 404, strict
#   file names, a recording of an open load 409, live once the load has left 409, nothing
#   under a consumer's page; after the load leaves: 503 with Retry-After while the end of its
#   window is still being recorded, then the clip of exactly [opened - 5 s, closed + 5 s] (its
#   first frame's stamp read back), its SHA-256 that of the served file, byte ranges, cut
#   once; the station stops cleanly (no sanitizer report in the sanitizer suite).
# Skips (77) without the GStreamer elements, jq, sqlite3, curl or zbarimg.
set -u
HERE=$(dirname "$0")
. "$HERE/../tap.sh"
. "$HERE/buyer-video-setup.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
must() { "$@" >"$T/step.out" 2>&1 || { echo "Bail out! $* -- $(tail -3 "$T/step.out")"; exit 1; }; }
bv_station

# get KEY PATH [CURL-ARGS...]: status in $CODE, body in $T/body, headers in $T/head.
get() {
  local key=$1 path=$2
  shift 2
  CODE=$(curl -s -m 20 -o "$T/body" -D "$T/head" -w '%{http_code}' ${key:+-H "Authorization: Bearer $key"} "$@" "$URL$path")
}
body() { jq -r "$1" "$T/body"; }
# pj EXPR: EXPR of the body's JSON as d, by Python (nanosecond times need all 19 digits).
pj() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/body" "$1"; }
# stamp FILE DEMUX: the capture time (UTC ms) burned into the first frame of a video file.
stamp() {
  gst-launch-1.0 -q filesrc location="$1" ! "$2" ! h264parse ! decodebin ! videoconvert \
    ! pngenc snapshot=true ! filesink location="$T/frame.png" >/dev/null 2>&1
  zbarimg -q --raw "$T/frame.png" 2>/dev/null | head -1
}

# Load 1 to buyer A, at dock1 with BV1 on it; load 2 to buyer B at dock7 (its camera down).
must bv_op POST /api/v1/loads "{\"plate\":\"SH 1\",\"seal\":\"S-1\",\"dock\":\"dock1\",\"destination\":\"Fresh Co\",\"destination_gln\":\"$GLN_A\",\"driver_phone\":\"+86 138 0000 0001\"}"
must bv_op POST /api/v1/loads/1/batches '{"batch":"BV1"}'
must bv_op POST /api/v1/loads "{\"plate\":\"SH 2\",\"seal\":\"S-2\",\"dock\":\"dock7\",\"destination_gln\":\"$GLN_B\"}"
must bv_op POST /api/v1/loads/2/batches '{"batch":"BV2"}'
OPENED_NS=$(bv_sql "SELECT opened_ns FROM loads WHERE id = 1")
LIVE=/api/v1/buyer/loads/1/video/dock1/live
REC=/api/v1/buyer/loads/1/video/dock1/recorded

# --- no credentials, and nothing for a consumer ---
for path in /api/v1/buyer/loads /api/v1/buyer/loads/1/video "$LIVE/index.m3u8" "$LIVE/seg00000.ts" \
  "$REC/1" "$REC/1.mp4"; do
  get "" "$path"
  check "$path without credentials: 401" '[ "$CODE" = 401 ]'
done
get "wrong-$KEY_A" /api/v1/buyer/loads
check "a wrong key: 401" '[ "$CODE" = 401 ]'
get "" /01/09506000134352/10/BV1 -H "Accept: application/json"
check "the consumer page of BV1 answers, with no link to any video of its load" \
  '[ "$CODE" = 200 ] && ! grep -q "buyer/loads\|m3u8\|live" "$T/body"'

# --- the list ---
get "$KEY_A" /api/v1/buyer/loads
check "buyer A's list: load 1 only, loading, filmed by dock1, with its lot" \
  '[ "$CODE" = 200 ] && [ "$(body "[.loads[].id] | join(\",\")")" = 1 ] && [ "$(body .loads[0].state)" = loading ] && [ "$(body ".loads[0].cameras | join(\",\")")" = dock1 ] && [ "$(body ".loads[0].lots[0].lot")" = BV1 ] && [ "$(body .scope_gln)" = "$GLN_A" ]'
check "... never the plate, the driver or their phone" \
  '[ "$(body ".loads[0] | has(\"plate\") or has(\"driver_phone\") or has(\"driver_name\")")" = false ] && ! grep -q "SH 1\|138 0000" "$T/body"'
get "$KEY_B" /api/v1/buyer/loads
check "buyer B's list: load 2 only, filmed by dock7" \
  '[ "$(body "[.loads[].id] | join(\",\")")" = 2 ] && [ "$(body ".loads[0].cameras | join(\",\")")" = dock7 ]'
get "$KEY_B" /api/v1/buyer/loads/2/video/dock7/live/index.m3u8
check "its camera is down: 503 with the camera's state" \
  '[ "$CODE" = 503 ] && grep -Eq "camera dock7 is (starting|reconnecting|stopped|failed)" "$T/body"'
get "$KEY_ALL" /api/v1/buyer/loads
check "an unscoped buyer sees both, newest first" '[ "$(body "[.loads[].id] | join(\",\")")" = "2,1" ]'
get "$KEY_ALL" "/api/v1/buyer/loads?limit=1"
check "a page of one: more follows" '[ "$(body "[.loads[].id] | join(\",\")")" = 2 ] && [ "$(body .more)" = true ]'
get "$KEY_ALL" "/api/v1/buyer/loads?limit=1000"
check "a page over the limit: 400" '[ "$CODE" = 400 ]'

# --- another buyer's load is not there ---
for path in /api/v1/buyer/loads/1/video "$LIVE/index.m3u8" "$REC/1" /api/v1/buyer/loads/99/video \
  /api/v1/buyer/loads/x/video; do
  get "$KEY_B" "$path"
  check "buyer B: $path is 404, as if it did not exist" '[ "$CODE" = 404 ] && ! grep -q "#EXTM3U" "$T/body"'
done
get "$KEY_B" /api/v1/buyer/loads/1/video
cp "$T/body" "$T/theirs"
get "$KEY_B" /api/v1/buyer/loads/99/video
check "... with the very body of a load that does not exist (no GLN, no plate)" \
  'cmp -s "$T/theirs" "$T/body" && ! grep -q "$GLN_A\|SH 1" "$T/body"'
check "... nobody started dock1's live view for buyer B" '[ ! -e "$PACKTRACE_DATA/live/dock1" ]'

# --- the load's video while it loads ---
get "$KEY_A" /api/v1/buyer/loads/1/video
check "load 1's video: dock1 live, no recording yet, the window open since opening - 5 s" \
  '[ "$CODE" = 200 ] && [ "$(body ".cameras | length")" = 1 ] && [ "$(body .cameras[0].live)" = "$LIVE/index.m3u8" ] && [ "$(body ".cameras[0].recorded | length")" = 0 ] && [ "$(body .window.to)" = null ] && [ "$(body .window.margin_seconds)" = 5 ]'
get "$KEY_A" "$LIVE/index.m3u8"
check "the live playlist: 200, HLS, no-cache, three segments" \
  '[ "$CODE" = 200 ] && grep -qi "^content-type: application/vnd.apple.mpegurl" "$T/head" && grep -qi "^cache-control: no-cache" "$T/head" && [ "$(grep -c "^seg[0-9]*\.ts$" "$T/body")" = 3 ]'
seg=$(grep '^seg[0-9]*\.ts$' "$T/body" | tail -1)
get "$KEY_A" "$LIVE/$seg"
check "its newest segment: 200 video/mp2t" '[ "$CODE" = 200 ] && grep -qi "^content-type: video/mp2t" "$T/head"'
cp "$T/body" "$T/seg.ts"
LIVE_STAMP=$(stamp "$T/seg.ts" tsdemux)
check "its frame's burned-in time is within the load's window (after opening - 5 s, seconds old)" \
  '[ -n "$LIVE_STAMP" ] && [ "$LIVE_STAMP" -ge $((OPENED_NS / 1000000 - 5000)) ] && [ $(( $(date +%s%3N) - LIVE_STAMP )) -lt 8000 ]'
get "$KEY_ALL" "$LIVE/index.m3u8"
check "an unscoped buyer may watch it too" '[ "$CODE" = 200 ]'
get "$KEY_A" /api/v1/buyer/loads/1/video/pick1/live/index.m3u8
check "the picking camera at the same dock: 404 for a buyer" '[ "$CODE" = 404 ] && ! grep -q "#EXTM3U" "$T/body"'
check "... and its live view never started" '[ ! -e "$PACKTRACE_DATA/live/pick1" ]'
get "$KEY_A" /api/v1/buyer/loads/1/video/nope/live/index.m3u8
check "a camera that is not the load's: 404" '[ "$CODE" = 404 ]'
for bad in '..%2F..%2Fstation.db' 'seg1.ts' "$seg.bak" 'SEG00000.ts' 'index.m3u8x' 'seg99999.ts'; do
  get "$KEY_A" "$LIVE/$bad"
  check "live file '$bad': 404" '[ "$CODE" = 404 ]'
done
get "$KEY_A" "$REC/1"
check "the recording of a load still loading: 409" '[ "$CODE" = 409 ] && grep -q "still being loaded" "$T/body"'
get "$KEY_A" "$LIVE/index.m3u8" -X POST
check "POST on a live route: 405" '[ "$CODE" = 405 ]'

# --- the load leaves ---
must bv_op POST /api/v1/loads/1/close
CLOSED_NS=$(bv_sql "SELECT closed_ns FROM loads WHERE id = 1")
get "$KEY_A" "$LIVE/index.m3u8"
check "live once the load has left: 409, nothing served" \
  '[ "$CODE" = 409 ] && grep -q "no more live video" "$T/body" && ! grep -q "#EXTM3U" "$T/body"'
get "$KEY_A" "$LIVE/$seg"
check "... and its segments: 409" '[ "$CODE" = 409 ]'
get "$KEY_A" /api/v1/buyer/loads/1/video
FROM_NS=$((OPENED_NS - 5000000000))
TO_NS=$((CLOSED_NS + 5000000000))
check "the video now: no live, one recorded part from opening - 5 s to closing + 5 s" \
  '[ "$(body .cameras[0].live)" = null ] && [ "$(body ".cameras[0].recorded | length")" = 1 ] && [ "$(body .cameras[0].recorded[0].facts)" = "$REC/1" ] && [ "$(body .cameras[0].recorded[0].clip)" = "$REC/1.mp4" ] && [ "$(body .window.to)" != null ]'
get "$KEY_A" "$REC/1"
check "asked at once: 503 with Retry-After while the end of the window is being recorded" \
  '[ "$CODE" = 503 ] && grep -qi "^retry-after: 2" "$T/head" && [ "$(body .code)" = recording-pending ]'
bv_wait 30 'get "$KEY_A" "$REC/1"; [ "$CODE" = 200 ]'
check "then the clip's facts: 200" '[ "$CODE" = 200 ]'
cp "$T/body" "$T/facts.json"
SHA=$(body .sha256)
# The camera's GOP is 15 frames, a second at 15 fps; on a loaded box (the sanitizer suite in
# CI) the source drops frames before the encoder, so a GOP can span up to a few seconds: the
# clip's start is bounded by GOP_NS before the window, its end by a frame or two after it.
GOP_NS=3000000000
fails_before=$fails
check "the window is the load's, [opening - 5 s, closing + 5 s): the clip starts at the keyframe before it and ends with it" \
  '[ "$(pj "d[\"from_ns\"] == $FROM_NS and d[\"to_ns\"] == $TO_NS and $FROM_NS - $GOP_NS <= d[\"start_ns\"] <= $FROM_NS and $TO_NS - $GOP_NS <= d[\"end_ns\"] <= $TO_NS + 300000000")" = True ]'
[ $fails -gt $fails_before ] && echo "# the clip's facts: $(cat "$T/body"), window $FROM_NS-$TO_NS"
get "$KEY_A" "$REC/1.mp4"
check "the clip: 200 video/mp4, its SHA-256 the one stated (and as X-Clip-SHA256)" \
  '[ "$CODE" = 200 ] && grep -qi "^content-type: video/mp4" "$T/head" && [ "$(sha256sum "$T/body" | cut -d" " -f1)" = "$SHA" ] && grep -qi "^x-clip-sha256: $SHA" "$T/head"'
cp "$T/body" "$T/clip.mp4"
CLIP_STAMP=$(stamp "$T/clip.mp4" qtdemux)
check "its first frame was filmed at the window's start (within a GOP before it)" \
  '[ -n "$CLIP_STAMP" ] && [ "$CLIP_STAMP" -ge $(((FROM_NS - GOP_NS) / 1000000 - 100)) ] && [ "$CLIP_STAMP" -le $((FROM_NS / 1000000 + 200)) ]'
get "$KEY_A" "$REC/1.mp4" -H "Range: bytes=0-99"
check "a byte range: 206, 100 bytes" '[ "$CODE" = 206 ] && [ "$(stat -c %s "$T/body")" = 100 ]'
MTIME=$(stat -c %Y "$PACKTRACE_DATA"/clips/loads/load-1-dock1-1.mp4)
sleep 1
get "$KEY_A" "$REC/1"
check "asked again: the same clip, not cut again" \
  '[ "$(body .sha256)" = "$SHA" ] && [ "$(stat -c %Y "$PACKTRACE_DATA"/clips/loads/load-1-dock1-1.mp4)" = "$MTIME" ]'
for bad in 2 0 2.mp4 1.mp4x x 01x 1.MP4; do
  get "$KEY_A" "$REC/$bad"
  check "recorded part '$bad': 404" '[ "$CODE" = 404 ]'
done
for path in "$REC/1" "$REC/1.mp4"; do
  get "$KEY_B" "$path"
  check "buyer B: $path 404" '[ "$CODE" = 404 ] && [ "$(stat -c %s "$T/body")" -lt 200 ]'
done
get "$OPTOKEN" "$REC/1"
check "the operator may see it too (the same clip)" '[ "$CODE" = 200 ] && [ "$(body .sha256)" = "$SHA" ]'
get "$KEY_A" /api/v1/buyer/loads
check "buyer A's list: load 1 departed" '[ "$(body .loads[0].state)" = departed ] && [ "$(body .loads[0].closed)" != null ]'
kill "$server"
wait "$server"
status=$?
server=
check "the station stops cleanly (status 0, no sanitizer report)" \
  '[ "$status" = 0 ] && ! grep -q "AddressSanitizer\|LeakSanitizer\|runtime error" "$T/run.err"'
tap_finish
