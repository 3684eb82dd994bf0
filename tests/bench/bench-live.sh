#!/usr/bin/env bash
# bench-live.sh BUILD_DIR: the live view (issue 23).  Glass-to-glass latency: the browser test
# (tests/station/test-live-browser.sh) reads the burned-in capture time back from READS played
# frames of a 320x240 test camera, with the dashboard's hls.js player and, as the baseline, the
# browser's own HLS player (no Media Source Extensions, as on iOS); medians (min-max) printed.
# CPU: `packtrace run` with one passthrough camera (a 1280x720 25 fps H.264 file, recorded as
# is) unwatched and watched (a viewer fetching the playlist every second and each new segment,
# as a player does), user+system time of the station over WINDOW seconds as % of one core,
# alternated RUNS times.  The same station has a second camera on the same file with a
# privacy mask: watched, its live view is decoded, masked and encoded again; its cost is
# measured in the same rounds as the passthrough's (the baseline), one camera watched at a
# time.  LATENCY=0 skips the browser part.  Not part of the test suite: nothing is asserted
# on time.
set -u
B=$(cd "${1:?build dir}" && pwd)
BIN=$B/station/packtrace
HERE=$(cd "$(dirname "$0")" && pwd)
READS=${READS:-20}
RUNS=${RUNS:-3}
WARMUP=${WARMUP:-6}
WINDOW=${WINDOW:-10}
T=$(mktemp -d)
PID=
VIEWER=
trap '[ -n "$VIEWER" ] && kill "$VIEWER" 2>/dev/null; [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$T"' EXIT
TCK=$(getconf CLK_TCK)
stats() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%s (%s-%s)", v[int((NR + 1) / 2)], v[1], v[NR] }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# ---- latency ----
latency() { # latency PLAYER: the reads of one browser run, one per line
  PT_LIVE_PLAYER=$1 PT_LIVE_READS=$READS PACKTRACE_BUILD=$B "$HERE/../station/test-live-browser.sh" \
    >"$T/browser-$1.out" 2>&1
  sed -n 's/^# latency_ms //p' "$T/browser-$1.out"
}
hlsjs=() native=()
if [ "${LATENCY:-1}" != 0 ]; then
  mapfile -t hlsjs < <(latency hls.js)
  mapfile -t native < <(latency native)
fi
echo "glass-to-glass latency, 320x240 25 fps test camera, 1 s segments, Chromium, ms:"
if [ "${LATENCY:-1}" = 0 ]; then
  echo "  (not measured: LATENCY=0)"
elif [ ${#hlsjs[@]} -gt 0 ] && [ ${#native[@]} -gt 0 ]; then
  echo "  browser's own HLS player (baseline): median $(stats "${native[@]}") over ${#native[@]} reads"
  echo "  dashboard (hls.js, one segment back): median $(stats "${hlsjs[@]}") over ${#hlsjs[@]} reads"
else
  echo "  (not measured: the browser test did not run; its output follows)"
  sed 's/^/  | /' "$T/browser-hls.js.out" | tail -15
fi

# ---- CPU, passthrough camera ----
cpu_of() { # cpu_of PID SECONDS: % of one core the process used over SECONDS
  local a b
  a=$(awk '{print $14 + $15}' "/proc/$1/stat")
  sleep "$2"
  b=$(awk '{print $14 + $15}' "/proc/$1/stat")
  awk -v a="$a" -v b="$b" -v t="$TCK" -v s="$2" 'BEGIN { printf "%.2f", (b - a) * 100 / t / s }'
}
ENC=$(gst-inspect-1.0 x264enc >/dev/null 2>&1 && echo "x264enc speed-preset=veryfast key-int-max=25 bitrate=4000" ||
  echo "openh264enc bitrate=4000000 gop-size=25")
gst-launch-1.0 -q videotestsrc num-buffers=750 pattern=ball ! video/x-raw,format=I420,width=1280,height=720,framerate=25/1 \
  ! $ENC ! h264parse ! matroskamux ! filesink location="$T/cam.mkv" >/dev/null 2>&1 || { echo "cannot make the camera file"; exit 1; }
export PACKTRACE_DATA=$T/data
"$BIN" init >/dev/null || exit 1
sed -i 's/^demo=auto$/demo=off/' "$PACKTRACE_DATA/station.ini"
cat >>"$PACKTRACE_DATA/station.ini" <<INI

[camera dock-1]
role=picking
source=file:$T/cam.mkv
live_idle_seconds=2

[camera dock-2]
role=picking
source=file:$T/cam.mkv
live_idle_seconds=2
privacy_mask=0,0,320,180;900,500,200,160
INI
"$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
PID=$!
for _ in $(seq 100); do url=$(grep -o 'http://[0-9.:]*' "$T/run.out" | head -1); [ -n "$url" ] && break; sleep 0.1; done
AUTH="Authorization: Bearer $(sed -n 's/^operator_token=//p' "$PACKTRACE_DATA/station.ini")"
viewer() { # viewer CAMERA: a player: the playlist every second, each segment it lists once
  local seen=" " s
  while :; do
    for s in $(curl -sf -H "$AUTH" "$url/api/v1/cameras/$1/live/index.m3u8" | grep '\.ts$'); do
      case $seen in *" $s "*) ;; *) curl -sf -o /dev/null -H "$AUTH" "$url/api/v1/cameras/$1/live/$s"; seen="$seen$s " ;; esac
    done
    sleep 1
  done
}
watch() { # watch CAMERA: the station's CPU while one viewer watches CAMERA
  viewer "$1" &
  VIEWER=$!
  sleep 4 # the branch starts and the first full playlist is served
  cpu_of "$PID" "$WINDOW"
  [ -d "$PACKTRACE_DATA/live/$1" ] || echo "  (warning: no live folder of $1 while watched)" >&2
  kill "$VIEWER"; wait "$VIEWER" 2>/dev/null; VIEWER=
  sleep 4 # nobody watches: the branch goes after live_idle_seconds=2
  [ -d "$PACKTRACE_DATA/live/$1" ] && echo "  (warning: the live folder of $1 is still there unwatched)" >&2
}
sleep "$WARMUP"
idle=() watched=() masked=()
for _ in $(seq "$RUNS"); do
  idle+=("$(cpu_of "$PID" "$WINDOW")")
  watched+=("$(watch dock-1)")
  masked+=("$(watch dock-2)")
done
kill -TERM "$PID"; wait "$PID" 2>/dev/null; PID=
mi=$(median "${idle[@]}") mw=$(median "${watched[@]}") mm=$(median "${masked[@]}")
echo "two H.264 cameras (the same 1280x720 25 fps file, recorded as is; dock-2 with a privacy mask), station CPU, % of one core over $WINDOW s, median (min-max) of $RUNS:"
echo "  unwatched (baseline): $(stats "${idle[@]}")"
echo "  passthrough camera watched, one viewer:  $(stats "${watched[@]}")  = $(awk -v a="$mw" -v b="$mi" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')x unwatched," \
  "the live view $(awk -v a="$mw" -v b="$mi" 'BEGIN { printf "%.2f", a - b }') % of a core (goal < 5 %)"
echo "  masked camera watched, one viewer:       $(stats "${masked[@]}")  = $(awk -v a="$mm" -v b="$mi" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')x unwatched," \
  "the live view (decode, mask, encode) $(awk -v a="$mm" -v b="$mi" 'BEGIN { printf "%.2f", a - b }') % of a core," \
  "$(awk -v a="$mm" -v b="$mi" -v c="$mw" 'BEGIN { printf "%.1f", (c - b > 0 ? (a - b) / (c - b) : 0) }')x the passthrough's"
