#!/usr/bin/env bash
# test-hub-video.sh: buyers watch a load through the co-op hub while the shed's station is
# reachable by nobody (the hub is never told its address): a real `packtrace run` with a
# test camera as dock1's loading camera (each frame's UTC ms burned in as a QR code), a
# `[sync hub]` connector with video_relay=true, a real `packtrace hub serve` on a throwaway
# PostgreSQL, driven with curl as two buyers of the hub:
#   the hub's list of loads (from the signed loading events it holds: buyer A's load for A,
#   nothing for B, nothing without a token); the load's video as the station answers it for
#   A (relayed, the players' URLs with a capability), for B the station's own refusal (404);
#   live HLS through the hub (the playlist's segments carry the capability, a segment plays,
#   its burned-in time within the load's window and seconds old); a capability altered, for
#   another load or missing: refused; after the load leaves: no live, the recorded part's
#   facts once relayed (503 with progress before), the clip through the hub byte for byte the
#   station's (its SHA-256 the station's facts name), its first frame at opening - 5 s, byte
#   ranges (206); the camera's privacy mask on what the hub relays, live and recorded, never on
#   the station's recording; the station stops cleanly with the relay running; a station
#   silent for long, or never relaying, is said so at once (no endless "pending").
# Skips (77) without PostgreSQL, the GStreamer elements, jq, sqlite3, curl or zbarimg.
set -u
HERE=$(dirname "$0")
. "$HERE/../tap.sh"
. "$HERE/pg-fixture.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
. "$HERE/hub-video-setup.sh"
hv_setup

op() { curl -sf -m 20 -X "$1" -H "Authorization: Bearer $OPTOKEN" ${3:+-d "$3"} "$URL$2"; }
# get TOKEN URL [CURL-ARGS...]: status in $CODE, body in $T/body, headers in $T/head.
get() {
  local token=$1 u=$2
  shift 2
  CODE=$(curl -s -m 20 -o "$T/body" -D "$T/head" -w '%{http_code}' ${token:+-H "Authorization: Bearer $token"} "$@" "$u")
}
body() { jq -r "$1" "$T/body"; }
# until_answered TOKEN URL SECONDS: asks again while the hub says the station has not answered.
until_answered() {
  local end=$((SECONDS + $3))
  while :; do
    get "$1" "$2"
    [ "$CODE" = 503 ] && [ "$(body .code 2>/dev/null)" = relay-pending ] && [ $SECONDS -lt $end ] || break
    sleep 0.5
  done
}
# region_stats FILE: the mean and spread of the masked rectangle's grey levels in
# $T/frame.png (written by stamp), as "MEAN SD".
region_stats() {
  IFS=, read -r mx my mw mh <<<"$MASK"
  gst-launch-1.0 -q filesrc location="$1" ! pngdec ! videoconvert \
    ! videocrop left="$mx" top="$my" right=$((320 - mx - mw)) bottom=$((240 - my - mh)) \
    ! videoconvert ! video/x-raw,format=GRAY8 ! filesink location="$T/region.gray" >/dev/null 2>&1
  python3 -c 'import sys, statistics as s; b = open(sys.argv[1], "rb").read(); print(round(s.mean(b)), round(s.pstdev(b)))' "$T/region.gray"
}
stamp() {
  gst-launch-1.0 -q filesrc location="$1" ! "$2" ! h264parse ! decodebin ! videoconvert \
    ! pngenc snapshot=true ! filesink location="$T/frame.png" >/dev/null 2>&1
  zbarimg -q --raw "$T/frame.png" 2>/dev/null | head -1
}

must op POST /api/v1/loads "{\"plate\":\"HV 1\",\"seal\":\"S-9\",\"dock\":\"dock1\",\"destination\":\"Fresh Co\",\"destination_gln\":\"$GLN_A\"}"
must op POST /api/v1/loads/1/batches '{"batch":"HV1"}'
OPENED_NS=$(sqlite3 "$PACKTRACE_DATA/station.db" "SELECT opened_ns FROM loads WHERE id = 1")
LOADS=$HUB/api/v1/buyer/loads
V=$LOADS/$SID-1/video

# --- the hub's list, from the events the station synced ---
get "" "$LOADS"
check "the hub's loads without a token: 401" '[ "$CODE" = 401 ]'
wait_for 30 'get "$TOKEN_A" "$LOADS"; [ "$(body ".loads | length")" = 1 ]'
check "buyer A's loads at the hub: the station's load 1, loading, with its lot" \
  '[ "$CODE" = 200 ] && [ "$(body .loads[0].id)" = "$SID-1" ] && [ "$(body .loads[0].state)" = loading ] && [ "$(body .loads[0].lots[0].lot)" = HV1 ] && [ "$(body .loads[0].video)" = "/api/v1/buyer/loads/$SID-1/video" ]'
check "hub status shows when the station's video relay last polled" \
  '"$BIN" hub status --json | jq -e ".stations[] | select(.station == \"$SID\") | .video_polled | test(\"^20[0-9-]+T\")" >/dev/null'
get "$TOKEN_B" "$LOADS"
check "buyer B's loads at the hub: none" '[ "$CODE" = 200 ] && [ "$(body ".loads | length")" = 0 ]'

# --- the load's video, as the station answers it for each buyer ---
get "" "$V"
check "the video without a token: 401" '[ "$CODE" = 401 ]'
get "$TOKEN_A" "$V"
check "first asking: 503 relay-pending with Retry-After (the station answers at its next poll)" \
  '[ "$CODE" = 503 ] && [ "$(body .code)" = relay-pending ] && grep -qi "^retry-after: 1" "$T/head"'
until_answered "$TOKEN_A" "$V" 15
check "buyer A: the station's answer through the hub: dock1, live, relayed" \
  '[ "$CODE" = 200 ] && [ "$(body .relayed)" = true ] && [ "$(body .cameras[0].name)" = dock1 ] && [ "$(body .load.id)" = "$SID-1" ] && [ "$(body .load.seal)" = S-9 ] && [ "$(body ".cameras[0].recorded | length")" = 0 ]'
LIVE=$(body .cameras[0].live)
check "... its live URL is the hub's, with a capability" \
  'case "$LIVE" in "/api/v1/buyer/loads/$SID-1/video/dock1/live/index.m3u8?cap="*) true ;; *) false ;; esac'
check "... and never the plate" '! grep -q "HV 1" "$T/body"'
until_answered "$TOKEN_B" "$V" 15
check "buyer B: the station refuses it as if it did not exist (404)" \
  '[ "$CODE" = 404 ] && grep -q "no such load" "$T/body" && ! grep -q "dock1" "$T/body"'
pg_psql -c "UPDATE video_wants SET asked_at = now() - interval '10 min'" >/dev/null
get "$TOKEN_A" "$V"
check "an ask left from long ago (a station offline for a while) is renewed, not an error" \
  '[ "$CODE" = 200 ] || [ "$CODE" = 503 ]'
get "$TOKEN_B" "$HUB${LIVE%%\?*}"
check "buyer B's token on the live playlist: 404" '[ "$CODE" = 404 ] && ! grep -q "#EXTM3U" "$T/body"'
get "$TOKEN_A" "$LOADS/ffffffffffffffff-1/video"
check "a station the hub does not know: 404" '[ "$CODE" = 404 ]'
for bad in "$SID-0/video" "$SID-x/video" "${SID^^}-1/video" "$SID-1/video/dock1/live/seg1.ts" \
  "$SID-1/video/..%2F/live/index.m3u8" "$SID-1/video/dock1/other/1"; do
  get "$TOKEN_A" "$LOADS/$bad"
  check "malformed $bad: 404" '[ "$CODE" = 404 ]'
done

# --- live through the hub ---
until_answered "" "$HUB$LIVE" 25
check "the live playlist through the hub, with the capability only: 200 HLS" \
  '[ "$CODE" = 200 ] && grep -qi "^content-type: application/vnd.apple.mpegurl" "$T/head" && grep -q "^#EXTM3U" "$T/body"'
seg=$(grep -v '^#' "$T/body" | grep . | tail -1)
check "... each segment's line carries the capability" \
  '[ -n "$seg" ] && ! grep -v "^#" "$T/body" | grep . | grep -qv "^seg[0-9]*\.ts?cap="'
get "" "$HUB${LIVE%/index.m3u8*}/$seg"
check "its newest segment plays from the hub: 200 video/mp2t" \
  '[ "$CODE" = 200 ] && grep -qi "^content-type: video/mp2t" "$T/head"'
cp "$T/body" "$T/seg.ts"
LIVE_STAMP=$(stamp "$T/seg.ts" tsdemux)
AGE=$(( $(date +%s%3N) - ${LIVE_STAMP:-0} ))
check "its frame's burned-in time is within the load's window and seconds old ($AGE ms)" \
  '[ -n "$LIVE_STAMP" ] && [ "$LIVE_STAMP" -ge $((OPENED_NS / 1000000 - 5000)) ] && [ "$AGE" -lt 15000 ]'
read -r MEAN SD <<<"$(region_stats "$T/frame.png")"
check "the camera's privacy mask covers the live video a buyer gets through the hub (mean $MEAN, sd $SD)" \
  '[ -n "$MEAN" ] && [ "$MEAN" -lt 24 ] && [ "$SD" -lt 8 ]'
REC_SEG=$(sqlite3 "$PACKTRACE_DATA/station.db" "SELECT path FROM segments WHERE camera = 'dock1' AND state = 'closed' ORDER BY id DESC LIMIT 1")
case "$REC_SEG" in /*) ;; *) REC_SEG=$PACKTRACE_DATA/$REC_SEG ;; esac
stamp "$REC_SEG" matroskademux >/dev/null
read -r RMEAN RSD <<<"$(region_stats "$T/frame.png")"
check "... while the station's own recording keeps that part of the picture (sd $RSD)" \
  '[ -n "$RSD" ] && [ "$RSD" -gt 30 ]'
CAP=${LIVE#*cap=}
EXP=${CAP%%.*}
get "" "$HUB${LIVE%%\?*}?cap=$((EXP + 1)).${CAP#*.}"
check "a capability with its expiry moved: 403" '[ "$CODE" = 403 ]'
get "" "$HUB${LIVE%%\?*}?cap=${CAP%.*}.AAAA${CAP##*.}"
check "a capability with another signature: 403" '[ "$CODE" = 403 ]'
get "" "$HUB${LIVE%%\?*}?cap=${EXP}.${GLN_B}.${CAP##*.}"
check "a capability with another buyer's scope: 403" '[ "$CODE" = 403 ]'
get "" "$LOADS/$SID-2/video/dock1/live/index.m3u8?cap=$CAP"
check "a capability on another load: 403" '[ "$CODE" = 403 ]'
get "" "$HUB${LIVE%%\?*}"
check "no token and no capability: 401" '[ "$CODE" = 401 ]'
get "$TOKEN_A" "$HUB${LIVE%%\?*}"
check "buyer A's token alone plays it too" '[ "$CODE" = 200 ]'

# --- the load leaves: its recording through the hub ---
must op POST /api/v1/loads/1/close
CLOSED_NS=$(sqlite3 "$PACKTRACE_DATA/station.db" "SELECT closed_ns FROM loads WHERE id = 1")
wait_for 20 'get "$TOKEN_A" "$V"; [ "$CODE" = 200 ] && [ "$(body .cameras[0].live)" = null ]'
check "the video after closing: no live, one recorded part" \
  '[ "$(body .cameras[0].live)" = null ] && [ "$(body ".cameras[0].recorded | length")" = 1 ] && [ "$(body .window.to)" != null ]'
FACTS=$(body .cameras[0].recorded[0].facts)
get "$TOKEN_A" "$HUB${LIVE%%\?*}"
check "live once the load has left: 409" '[ "$CODE" = 409 ]'
get "$TOKEN_A" "$HUB$FACTS"
check "the part's facts at first: 503 relay-pending" '[ "$CODE" = 503 ] && [ "$(body .code)" = relay-pending ]'
until_answered "$TOKEN_A" "$HUB$FACTS" 40
check "then relayed: its SHA-256, size, and a clip URL with a capability" \
  '[ "$CODE" = 200 ] && [ "$(body .relayed)" = true ] && [ "$(body .sha256 | wc -c)" = 65 ] && [ "$(body .bytes)" -gt 0 ] && case "$(body .url)" in *".mp4?cap="*) true ;; *) false ;; esac'
SHA=$(body .sha256)
BYTES=$(body .bytes)
CLIP=$(body .url)
get "" "$HUB$CLIP"
check "the clip through the hub with the capability: 200 video/mp4, the bytes the facts name" \
  '[ "$CODE" = 200 ] && grep -qi "^content-type: video/mp4" "$T/head" && [ "$(sha256sum <"$T/body" | cut -c1-64)" = "$SHA" ] && [ "$(stat -c %s "$T/body")" = "$BYTES" ]'
cp "$T/body" "$T/clip.mp4"
check "... byte for byte the station's cut of the load" \
  '(for f in "$PACKTRACE_DATA"/clips/loads/*.mp4; do cmp -s "$f" "$T/clip.mp4" && exit 0; done; exit 1)'
FIRST=$(stamp "$T/clip.mp4" qtdemux)
check "its first frame is at opening - 5 s (within a second, the keyframe before)" \
  '[ -n "$FIRST" ] && [ $(( FIRST - (OPENED_NS / 1000000 - 5000) )) -le 300 ] && [ $(( (OPENED_NS / 1000000 - 5000) - FIRST )) -le 1100 ]'
read -r MEAN SD <<<"$(region_stats "$T/frame.png")"
check "the recorded clip through the hub is masked too (mean $MEAN, sd $SD)" \
  '[ -n "$MEAN" ] && [ "$MEAN" -lt 24 ] && [ "$SD" -lt 8 ]'
get "" "$HUB$CLIP" -H "Range: bytes=100-1099"
check "a byte range through the hub: 206, those 1000 bytes" \
  '[ "$CODE" = 206 ] && grep -qi "^content-range: bytes 100-1099/$BYTES" "$T/head" && [ "$(stat -c %s "$T/body")" = 1000 ] && cmp -s "$T/body" <(tail -c +101 "$T/clip.mp4" | head -c 1000)'
get "" "$HUB$CLIP" -H "Range: bytes=$BYTES-"
check "a range past the end: 416" '[ "$CODE" = 416 ]'
# B's answer from the station (asked at the start) is served for PT_HUB_VIDEO_FRESH_S only; on
# a slow run (the sanitizer suite) it has lapsed by now and the hub asks the station again.
until_answered "$TOKEN_B" "$HUB$FACTS" 15
check "buyer B on the recording: 404 (once the station has answered)" '[ "$CODE" = 404 ]'

kill "$server"
wait "$server" 2>/dev/null
server=
check "the station stops cleanly with the relay" 'grep -q "station stopped" "$T/run.out"'
pg_psql -c "UPDATE stations SET video_polled_at = now() - interval '10 min'" >/dev/null
get "$TOKEN_A" "$LOADS/$SID-7/video"
check "a station silent for 10 min: 503 station-offline, said in words, no endless wait" \
  '[ "$CODE" = 503 ] && [ "$(body .code)" = station-offline ] && grep -q "for 10 min" "$T/body" && grep -qi "^retry-after: 60" "$T/head"'
pg_psql -c "UPDATE stations SET video_polled_at = NULL" >/dev/null
get "$TOKEN_A" "$LOADS/$SID-7/video"
check "a station that never polled: 503 relay-off, naming video_relay" \
  '[ "$CODE" = 503 ] && [ "$(body .code)" = relay-off ] && grep -q "video_relay=true" "$T/body"'
check "... and hub status says its video relay is off" '"$BIN" hub status | grep -q "video relay off (never polled)"'
tap_finish
