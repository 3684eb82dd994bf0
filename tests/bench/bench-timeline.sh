#!/usr/bin/env bash
# bench-timeline.sh BUILD_DIR: a seek on the recordings timeline of a camera with a privacy
# mask (issue 23: "seeking starts playback within 1 s").  Such a camera's recordings play in
# masked pieces of 2 s, each decoded, masked and encoded at its first request.  `packtrace
# run` records two H.264 cameras, files of 1280x720 and 1920x1080 at 25 fps recorded as is,
# in 10 s segments, each with a privacy mask.  For each, SEEKS instants in closed segments,
# each in a piece nobody asked for yet: the time of /api/v1/timeline/at plus the whole piece
# it names (curl, loopback), what a player waits for before its first frame; then the same
# piece again (kept).  Baseline, in the same run: the whole segment cut through the mask
# (POST /api/v1/timeline/export of its 10 s), which is what the first play of a masked
# segment waited for before pieces (a 60 s segment: six times that).  Medians (min-max).
# Not part of the test suite: nothing is asserted on time.
set -u
B=$(cd "${1:?build dir}" && pwd)
BIN=$B/station/packtrace
SEEKS=${SEEKS:-6}
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$T"' EXIT
stats() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%s (%s-%s)", v[int((NR + 1) / 2)], v[1], v[NR] }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ms() { date +%s%3N; }

ENC=$(gst-inspect-1.0 x264enc >/dev/null 2>&1 && echo "x264enc speed-preset=veryfast key-int-max=50 bitrate=4000" ||
  echo "openh264enc bitrate=4000000 gop-size=50")
for size in 1280x720 1920x1080; do
  gst-launch-1.0 -q videotestsrc num-buffers=750 pattern=ball ! \
    "video/x-raw,format=I420,width=${size%x*},height=${size#*x},framerate=25/1" ! $ENC ! h264parse ! \
    matroskamux ! filesink location="$T/cam-$size.mkv" >/dev/null 2>&1 || { echo "cannot make the $size camera file"; exit 1; }
done
export PACKTRACE_DATA=$T/data
"$BIN" init >/dev/null || exit 1
sed -i 's/^demo=auto$/demo=off/; s/^min_free_bytes=.*/min_free_bytes=0/' "$PACKTRACE_DATA/station.ini"
cat >>"$PACKTRACE_DATA/station.ini" <<INI

[camera dock-720]
role=loading
source=file:$T/cam-1280x720.mkv
segment_seconds=10
privacy_mask=0,0,320,180;900,500,200,160

[camera dock-1080]
role=loading
source=file:$T/cam-1920x1080.mkv
segment_seconds=10
privacy_mask=0,0,480,270;1350,750,300,240
INI
"$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
PID=$!
url=
for _ in $(seq 100); do url=$(grep -o 'http://[0-9.:]*' "$T/run.out" | head -1); [ -n "$url" ] && break; sleep 0.1; done
[ -n "$url" ] || { echo "the station did not start: $(tail -3 "$T/run.err")"; exit 1; }
AUTH="Authorization: Bearer $(sed -n 's/^operator_token=//p' "$PACKTRACE_DATA/station.ini")"
sql() { sqlite3 -cmd ".timeout 5000" "$PACKTRACE_DATA/station.db" "$1"; }
closed() { sql "SELECT count(*) FROM segments WHERE camera = '$1' AND state = 'closed'"; }
iso() { awk -v n="$1" 'BEGIN { printf "%.3f", n / 1e9 }' | xargs -I{} date -u -d @{} +%FT%T.%3NZ; }
# Pieces of SEEKS/5 segments + 1: wait for enough closed segments of both.
need=$(( (SEEKS + 4) / 5 + 1 ))
for _ in $(seq 900); do
  [ "$(closed dock-720)" -ge "$need" ] && [ "$(closed dock-1080)" -ge "$need" ] && break
  sleep 0.2
done
echo "masked camera, 10 s segments played in 2 s pieces; curl on loopback, ms, median (min-max) of $SEEKS:"
for cam in dock-720 dock-1080; do
  mapfile -t segs < <(sql "SELECT start_ns || ' ' || end_ns FROM segments WHERE camera = '$cam' AND state = 'closed' ORDER BY start_ns LIMIT $need")
  cold=() warm=()
  for i in $(seq 0 $((SEEKS - 1))); do
    read -r s e <<<"${segs[$((i / 5))]}"
    at=$((s + (i % 5) * 2000000000 + 700000000)) # 0.7 s into piece i % 5
    t0=$(ms)
    piece=$(curl -sf -H "$AUTH" "$url/api/v1/timeline/at?camera=$cam&t=$(iso $at)" | jq -r .segment.url)
    curl -sf -o "$T/piece.mp4" -H "$AUTH" "$url$piece" || { echo "  $cam: $piece failed: $(tail -2 "$T/run.err")"; break; }
    t1=$(ms)
    curl -sf -o /dev/null -H "$AUTH" "$url$piece"
    t2=$(ms)
    cold+=($((t1 - t0))) warm+=($((t2 - t1)))
  done
  read -r s e <<<"${segs[$((need - 1))]}"
  t0=$(ms)
  curl -sf -o "$T/export.json" -H "$AUTH" -d "{\"camera\":\"$cam\",\"from\":\"$(iso "$s")\",\"to\":\"$(iso "$e")\"}" \
    "$url/api/v1/timeline/export" >/dev/null || echo "  $cam: the export failed: $(tail -2 "$T/run.err")"
  whole=$(($(ms) - t0))
  [ ${#cold[@]} -gt 0 ] || continue
  mc=$(median "${cold[@]}")
  echo "  $cam (${cam#dock-}p): a seek, /at and a piece never asked for: $(stats "${cold[@]}")  (goal < 1000);" \
    "the piece again: $(stats "${warm[@]}");" \
    "the whole 10 s segment masked at once (baseline, one run): $whole = $(awk -v a="$mc" -v b="$whole" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')x"
done
kill -TERM "$PID"; wait "$PID" 2>/dev/null; PID=
