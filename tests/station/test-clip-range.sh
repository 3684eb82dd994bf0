#!/usr/bin/env bash
# test-clip-range.sh: an evidence clip by HTTP Range with curl, at the batch's Digital Link
# (?linkType=pt:clip) and the buyers' API, against the real `packtrace run` on loopback:
# iPhone Safari and WeChat's iOS browser play a video only from a server that answers
# "bytes=0-1" with 206.  206 with Content-Range and exactly the bytes asked (compared with the
# file), a suffix range, an open range, 416 with "bytes */SIZE" past the end and for a range
# that selects nothing, the whole clip (200) without Range or for several ranges.  Skips (77)
# without GStreamer's x264enc and matroskamux (the clip is cut from a recorded segment).
set -u
HERE=$(dirname "$0")
. "$HERE/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
for e in x264enc matroskamux videotestsrc; do
  gst-inspect-1.0 --exists "$e" 2>/dev/null || { echo "1..0 # SKIP GStreamer element $e is missing"; exit 77; }
done
T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
GTIN=09506000134352
must() { "$@" >"$T/step.out" 2>&1 || { echo "Bail out! $* -- $(tail -3 "$T/step.out")"; exit 1; }; }
must "$BIN" init
# No demo cameras: this test watches none, and making their footage at the first start takes
# both cores for many seconds and holds up the stop.
sed -i 's/^demo=auto$/demo=off/' "$PACKTRACE_DATA/station.ini"
must "$BIN" batch new --product Oranges --gtin $GTIN --lot CLIP1 --quantity 10
mkdir -p "$T/data/recordings/cam"
SEG=$T/data/recordings/cam/seg1.mkv
must gst-launch-1.0 -q videotestsrc pattern=ball num-buffers=75 \
  ! video/x-raw,width=320,height=240,framerate=25/1 ! x264enc bitrate=200 key-int-max=25 \
  ! h264parse ! matroskamux ! filesink location="$SEG"
S=$(($(date +%s) - 60))
must sqlite3 "$T/data/station.db" "INSERT INTO segments (camera, path, start_ns, end_ns, bytes, state)
  VALUES ('cam', '$SEG', $S * 1000000000, ($S + 3) * 1000000000, $(stat -c %s "$SEG"), 'closed');"
must "$BIN" event add CLIP1 --step picking --camera cam \
  --from "$(date -u -d @$((S + 1)) +%FT%TZ)" --to "$(date -u -d @$((S + 2)) +%FT%TZ)"
CLIPFILE=$(sqlite3 "$T/data/station.db" "SELECT path FROM clips LIMIT 1")
SIZE=$(stat -c %s "$CLIPFILE")
"$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
server=$!
for _ in $(seq 50); do
  url=$(grep -o 'http://[0-9.:]*' "$T/run.out" 2>/dev/null | head -1)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "Bail out! server did not start: $(cat "$T/run.err")"; exit 1; }
LINK="$url/01/$GTIN/10/CLIP1?linkType=pt:clip&n=2"

# get RANGE: status in $CODE, headers in $T/h, body in $T/b ("" for no Range header).
get() {
  rm -f "$T/b" "$T/h"
  if [ -n "$1" ]; then
    CODE=$(curl -s -o "$T/b" -D "$T/h" -w '%{http_code}' --max-time 10 -H "Range: $1" "$LINK")
  else
    CODE=$(curl -s -o "$T/b" -D "$T/h" -w '%{http_code}' --max-time 10 "$LINK")
  fi
}
header() { grep -i "^$1:" "$T/h" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
slice() { tail -c +$(($1 + 1)) "$CLIPFILE" | head -c "$2"; }

check "the clip file is there ($SIZE bytes)" '[ "$SIZE" -gt 1000 ]'
get ""
check "no Range: 200, the whole clip, Accept-Ranges: bytes" \
  '[ "$CODE" = 200 ] && cmp -s "$T/b" "$CLIPFILE" && [ "$(header Accept-Ranges)" = bytes ]'
get "bytes=0-1"
check "bytes=0-1 (what Safari asks first): 206, 2 bytes, Content-Range bytes 0-1/$SIZE" \
  '[ "$CODE" = 206 ] && [ "$(header Content-Range)" = "bytes 0-1/$SIZE" ] && cmp -s "$T/b" <(slice 0 2)'
get "bytes=100-1099"
check "bytes=100-1099: 206 with exactly those 1000 bytes of the file" \
  '[ "$CODE" = 206 ] && [ "$(header Content-Range)" = "bytes 100-1099/$SIZE" ] && [ "$(header Content-Length)" = 1000 ] && cmp -s "$T/b" <(slice 100 1000)'
get "bytes=$((SIZE - 10))-"
check "an open range: 206, the last 10 bytes" \
  '[ "$CODE" = 206 ] && [ "$(header Content-Range)" = "bytes $((SIZE - 10))-$((SIZE - 1))/$SIZE" ] && cmp -s "$T/b" <(slice $((SIZE - 10)) 10)'
get "bytes=-500"
check "a suffix range (bytes=-500): 206, the last 500 bytes" \
  '[ "$CODE" = 206 ] && [ "$(header Content-Range)" = "bytes $((SIZE - 500))-$((SIZE - 1))/$SIZE" ] && cmp -s "$T/b" <(slice $((SIZE - 500)) 500)'
get "bytes=0-$((SIZE * 2))"
check "a range past the end is cut to it: 206, the whole clip" \
  '[ "$CODE" = 206 ] && [ "$(header Content-Range)" = "bytes 0-$((SIZE - 1))/$SIZE" ] && cmp -s "$T/b" "$CLIPFILE"'
get "bytes=$SIZE-"
check "a range starting past the end: 416, Content-Range bytes */$SIZE" \
  '[ "$CODE" = 416 ] && [ "$(header Content-Range)" = "bytes */$SIZE" ]'
get "bytes=9-5"
check "a range that selects nothing (bytes=9-5): 416" '[ "$CODE" = 416 ]'
get "bytes=0-1,5-9"
check "several ranges: the whole clip (200), as RFC 9110 allows" '[ "$CODE" = 200 ] && cmp -s "$T/b" "$CLIPFILE"'
get "bytes=abc"
check "a malformed range is ignored: 200, the whole clip" '[ "$CODE" = 200 ] && cmp -s "$T/b" "$CLIPFILE"'
tap_finish
