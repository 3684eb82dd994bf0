#!/usr/bin/env bash
# bench-idle.sh PACKTRACE: what the demo station costs when it only records, against bare
# GStreamer recordings of the same footage.  The station records its three demo cameras
# (picking, grading with the grading feed, loading with its scan branch); it is measured with
# the demo load open at the loading camera's dock (codes are scanned) and idle: the demo load
# closed from the command line while it runs (the demo opens one at every start), no grading
# open, nobody watching.  The baseline is gst-launch-1.0 recording the same three files in
# real time (filesrc ! matroskademux ! h264parse ! clocksync ! splitmuxsink), nothing else;
# the old always-on scan branch is the same plus the loading file decoded and read by zbar at
# full size, every frame.  CPU is user+system time of the process over WINDOW seconds after a
# warm-up, as % of one core; the runs alternate RUNS times and the medians (min-max), the
# idle station's excess over bare and the ratios are printed.  Not part of the test suite:
# nothing is asserted on time.
set -u
BIN=${1:?packtrace binary}
RUNS=${RUNS:-3}
WARMUP=${WARMUP:-6}
WINDOW=${WINDOW:-12}
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$T"' EXIT
TCK=$(getconf CLK_TCK)

# cpu_of PID SECONDS: % of one core the process used over SECONDS.
cpu_of() {
  local a b
  a=$(awk '{print $14 + $15}' "/proc/$1/stat")
  sleep "$2"
  b=$(awk '{print $14 + $15}' "/proc/$1/stat")
  awk -v a="$a" -v b="$b" -v t="$TCK" -v s="$2" 'BEGIN { printf "%.1f", (b - a) * 100 / t / s }'
}

station() { # station DATA [idle]: CPU of `packtrace run` on a copy of DATA (idle: its open
  # load closed).  A copy: once a load with the demo's lots departed, later loads get none
  # and cannot be closed, so every run starts from the state after the first start.
  local id
  rm -rf "$T/run"
  cp -a "$1" "$T/run"
  set -- "$T/run" "${2:-}"
  "$BIN" run --data "$1" --listen 127.0.0.1:0 >/dev/null 2>&1 &
  PID=$!
  sleep "$WARMUP"
  if [ "${2:-}" = idle ]; then
    # A load with no lot on it cannot be closed: closed once a scan put one on it.
    id=$("$BIN" load list --data "$1" | awk '$2 == "open" { print $1; exit }')
    for _ in $(seq 60); do
      [ -z "$id" ] || "$BIN" load close "$id" --data "$1" >/dev/null 2>&1 && break
      sleep 0.5
    done
    sleep 2
  fi
  cpu_of "$PID" "$WINDOW"
  kill -TERM "$PID"
  wait "$PID" 2>/dev/null
  PID=
}

bare() { # bare DEMO_DIR [old-scan]: CPU of gst-launch-1.0 recording the three files in real
  # time (old-scan: and the loading file's every frame decoded and read by zbar, as before)
  local args=() r
  for r in picking grading loading; do
    mkdir -p "$T/bare/$r"
    args+=(filesrc location="$1/demo-$r.mkv" ! matroskademux ! h264parse ! clocksync)
    if [ "$r" = loading ] && [ "${2:-}" = old-scan ]; then
      args+=(! tee name=t ! queue ! splitmuxsink max-size-time=60000000000 muxer=matroskamux
        location="$T/bare/$r/%05d.mkv" t. ! queue leaky=downstream max-size-buffers=0
        max-size-bytes=0 max-size-time=2000000000 ! h264parse ! "$DECODER" ! videoconvert !
        queue leaky=downstream max-size-buffers=1 ! zbar ! fakesink sync=false)
    else
      args+=(! splitmuxsink max-size-time=60000000000 muxer=matroskamux
        location="$T/bare/$r/%05d.mkv")
    fi
  done
  gst-launch-1.0 -q "${args[@]}" >/dev/null 2>&1 &
  PID=$!
  sleep "$WARMUP"
  cpu_of "$PID" "$WINDOW"
  kill -INT "$PID"
  wait "$PID" 2>/dev/null
  PID=
  rm -rf "$T/bare"
}

# The decoder the station's scan branch uses (pt_h264_decoder_factory()).
DECODER=avdec_h264
gst-inspect-1.0 avdec_h264 >/dev/null 2>&1 || DECODER=openh264dec

# A station with its demo: the first start makes the footage and the demo load.
"$BIN" init --data "$T/open" >/dev/null || exit 1
"$BIN" run --data "$T/open" --listen 127.0.0.1:0 >/dev/null 2>&1 &
PID=$!
for _ in $(seq 300); do
  [ -s "$T/open/demo/demo-loading.mkv" ] && [ -s "$T/open/demo/demo-grading.mkv" ] && break
  sleep 0.5
done
sleep 3
kill -TERM "$PID"
wait "$PID" 2>/dev/null
PID=

open=() shut=() base=() old=()
for _ in $(seq "$RUNS"); do
  open+=("$(station "$T/open")")
  shut+=("$(station "$T/open" idle)")
  base+=("$(bare "$T/open/demo")")
  old+=("$(bare "$T/open/demo" old-scan)")
done
stats() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%s (%s-%s)", v[int((NR + 1) / 2)], v[1], v[NR] }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$(median "$@")" -v b="$(median "${base[@]}")" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
echo "idle demo station, % of one core over ${WINDOW} s, median (min-max) of $RUNS:"
echo "  bare gst-launch recording the same three files: $(stats "${base[@]}")"
excess=$(awk -v a="$(median "${shut[@]}")" -v b="$(median "${base[@]}")" 'BEGIN { printf "%.1f", a - b }')
scan_new=$(awk -v a="$(median "${open[@]}")" -v b="$(median "${shut[@]}")" 'BEGIN { printf "%.1f", a - b }')
scan_old=$(awk -v a="$(median "${old[@]}")" -v b="$(median "${base[@]}")" 'BEGIN { printf "%.1f", a - b }')
echo "  station idle (no load, no grading open):        $(stats "${shut[@]}")  = $(ratio "${shut[@]}")x bare, $excess % of a core above it"
echo "  station, demo load open (codes scanned):        $(stats "${open[@]}")  = $(ratio "${open[@]}")x bare"
echo "  bare + the old always-on scan branch:           $(stats "${old[@]}")"
echo "  scan branch with a load open (open - idle):     $scan_new % of a core; the old branch (old - bare): $scan_old %;" \
  "ratio $(awk -v a="$scan_new" -v b="$scan_old" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
