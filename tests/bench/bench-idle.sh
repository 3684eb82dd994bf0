#!/usr/bin/env bash
# bench-idle.sh PACKTRACE: what the demo station costs when it only records, against bare
# GStreamer recordings of the same footage.  The station records its three demo cameras
# (picking, grading with the grading feed, loading with its scan branch); it is measured with
# the demo load open at the loading camera's dock (codes are scanned) and with no load open
# (the scan gate is shut).  The baseline is gst-launch-1.0 recording the same three files in
# real time (filesrc ! matroskademux ! h264parse ! clocksync ! splitmuxsink), nothing else.
# CPU is user+system time of the process over WINDOW seconds after a warm-up, as % of one
# core; the three runs alternate RUNS times and the medians (min-max) and ratios to the
# baseline are printed.  Not part of the test suite: nothing is asserted on time.
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

station() { # station DATA: CPU of `packtrace run` on DATA
  "$BIN" run --data "$1" --listen 127.0.0.1:0 >/dev/null 2>&1 &
  PID=$!
  sleep "$WARMUP"
  cpu_of "$PID" "$WINDOW"
  kill -TERM "$PID"
  wait "$PID" 2>/dev/null
  PID=
}

bare() { # bare DEMO_DIR: CPU of gst-launch-1.0 recording the three files in real time
  local args=() r
  for r in picking grading loading; do
    mkdir -p "$T/bare/$r"
    args+=(filesrc location="$1/demo-$r.mkv" ! matroskademux ! h264parse ! clocksync !
      splitmuxsink max-size-time=60000000000 muxer=matroskamux location="$T/bare/$r/%05d.mkv")
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
cp -a "$T/open" "$T/shut"
"$BIN" load close 1 --data "$T/shut" >/dev/null || exit 1

open=() shut=() base=()
for _ in $(seq "$RUNS"); do
  open+=("$(station "$T/open")")
  shut+=("$(station "$T/shut")")
  base+=("$(bare "$T/open/demo")")
done
stats() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%s (%s-%s)", v[int((NR + 1) / 2)], v[1], v[NR] }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$(median "$@")" -v b="$(median "${base[@]}")" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
echo "idle demo station, % of one core over ${WINDOW} s, median (min-max) of $RUNS:"
echo "  bare gst-launch recording the same three files: $(stats "${base[@]}")"
echo "  station, demo load open (codes scanned):        $(stats "${open[@]}")  = $(ratio "${open[@]}")x bare"
echo "  station, no load open (scan gate shut):         $(stats "${shut[@]}")  = $(ratio "${shut[@]}")x bare"
