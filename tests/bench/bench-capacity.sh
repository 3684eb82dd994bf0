#!/usr/bin/env bash
# bench-capacity.sh PACKTRACE RTSP_SERVE: how many 1080p cameras one box records with no frame
# lost.  N cameras of 1080p30 H.264 at 6 Mbit/s come from a local RTSP server (RTSP_SERVE, a
# gst-rtsp-server playing one file per client in real time, over TCP); camera 1 is a grading
# camera with a grading open (frames decoded and graded at [grading] fps), camera 2 a loading
# camera with a load open at its dock (scanned at scan_fps; the footage moves, so its motion
# gate stays open), the rest picking cameras, and wrk asks for the consumer page at a fixed
# RATE a second throughout.  For each N of STEPS the station runs, then bare gst-launch-1.0
# recording the same N streams (rtspsrc ! rtph264depay ! h264parse ! splitmuxsink, nothing
# else).  A step is lost when a camera's closed segments hold fewer frames than their
# durations at 30 fps (a frame lost), or its newest segment ended more than two segment
# lengths before the stop (a late segment); N stops rising at the first loss.  Prints per N
# the station's and bare CPU (% of one core, from WARMUP s after the start), CPU per camera,
# their ratio and the load average; then the largest N with no loss.  CPU is read over SAMPLES
# consecutive windows of WINDOW s each (default 3 of 10 s): the median, with min and max, and
# the ratio of the station's median to bare recording's.  SUBSTREAM=1 gives every
# camera a 640x360 substream of the same scene (analysis_source=.../camK-sub), which the
# grading tap and the dock's scan read instead of the 1080p stream; SUBSTREAM=both runs each
# N both ways (the bare baseline once per N).  Not part of the test suite: nothing is asserted
# on time.  KEEP=1 keeps the recordings and prints where.
set -u
BIN=${1:?packtrace binary}
SERVE=${2:?bench-rtsp-serve binary}
STEPS=${STEPS:-2 4 6 8 10}
WARMUP=${WARMUP:-5}
WINDOW=${WINDOW:-10}
SAMPLES=${SAMPLES:-3}
RATE=${RATE:-20}
SEGMENT_S=2
FPS=30
case ${SUBSTREAM:-0} in
0) MODES=main ;;
1) MODES=substream ;;
both) MODES="main substream" ;;
*) echo "SUBSTREAM must be 0, 1 or both"; exit 2 ;;
esac
# RECORD_ONLY=1 adds a run of the station with every camera a picking camera (recording, no
# grading, no scanning) at each N, so the ratio to bare recording splits into what recording
# itself costs and what the analysis adds.
[ -n "${RECORD_ONLY:-}" ] && MODES="record $MODES"
# ONLY_MODES="record" (or any of record, main, substream) runs just those.
MODES=${ONLY_MODES:-$MODES}
command -v wrk >/dev/null || { echo "SKIP: wrk missing (apt-get install wrk)"; exit 0; }
for e in x264enc rtspsrc rtph264depay; do
  gst-inspect-1.0 --exists "$e" || { echo "SKIP: GStreamer element $e missing"; exit 0; }
done
T=$(mktemp -d)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  [ -n "${KEEP:-}" ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT
TCK=$(getconf CLK_TCK)
GTIN=09506000134352

# cpu_of PID SECONDS: % of one core the process used over SECONDS.
cpu_of() {
  local a b
  a=$(awk '{print $14 + $15}' "/proc/$1/stat")
  sleep "$2"
  b=$(awk '{print $14 + $15}' "/proc/$1/stat")
  awk -v a="$a" -v b="$b" -v t="$TCK" -v s="$2" 'BEGIN { printf "%.1f", (b - a) * 100 / t / s }'
}
# cpu_samples PID: "MEDIAN MIN MAX" of cpu_of over SAMPLES consecutive windows of WINDOW s.
cpu_samples() {
  local i
  for i in $(seq "$SAMPLES"); do cpu_of "$1" "$WINDOW"; echo; done |
    sort -n | awk '{ v[NR] = $1 } END { printf "%.1f %.1f %.1f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[1], v[NR] }'
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# lost_in FILE...: for each Matroska file, the frames it lacks against its own duration at FPS
# (its SimpleBlocks and BlockGroups counted; Info's Duration in TimecodeScale units), or 0.
lost_in() {
  python3 - "$FPS" "$@" <<'PY'
import struct, sys
MASTERS = {0x18538067, 0x1F43B675, 0x1549A966}  # Segment, Cluster, Info: descend
def vint(b, p, mask_marker):
    first = b[p]
    n = 1
    while n <= 8 and not first & (0x80 >> (n - 1)):
        n += 1
    v = first & (0xFF >> n) if mask_marker else first
    for i in range(1, n):
        v = (v << 8) | b[p + i]
    return v, n
fps = int(sys.argv[1])
for path in sys.argv[2:]:
    b = open(path, 'rb').read()
    p, count, scale, duration = 0, 0, 1000000, None
    while p < len(b):
        try:
            eid, n = vint(b, p, False); p += n
            size, m = vint(b, p, True); unknown = size == (1 << (7 * m)) - 1; p += m
        except IndexError:
            break
        if eid in MASTERS:
            continue
        if eid in (0xA3, 0xA0):
            count += 1
        elif eid == 0x2AD7B1:
            scale = int.from_bytes(b[p:p + size], 'big')
        elif eid == 0x4489:
            duration = struct.unpack('>f' if size == 4 else '>d', b[p:p + size])[0]
        if unknown:
            break
        p += size
    want = round(duration * scale / 1e9 * fps) if duration is not None else count
    print(max(0, want - count - 1))
PY
}

# check_loss LIST STOP_NS CAMERAS: "ok" or what was lost, from the "camera|path|end_ns" lines
# of LIST (closed segments in order).  Each camera's first and last segment are cut by the
# start and the stop and are left out.
check_loss() {
  local list=$1 stop_ns=$2 cam f lost end newest files
  for cam in $3; do
    mapfile -t files < <(awk -F'|' -v c="$cam" '$1 == c { print $2 }' "$list")
    [ "${#files[@]}" -ge 3 ] || { echo "$cam: ${#files[@]} segments"; return; }
    for f in "${files[@]}"; do [ -f "$f" ] || { echo "$cam: $f missing"; return; }; done
    lost=$(lost_in "${files[@]:1:${#files[@]}-2}" | awk '{ s += $1 } END { print s + 0 }')
    [ "$lost" = 0 ] || { echo "$cam: $lost frames lost"; return; }
    newest=$(awk -F'|' -v c="$cam" '$1 == c { e = $3 } END { print (e == "" ? 0 : e) }' "$list")
    if [ $((stop_ns - newest)) -gt $((2 * SEGMENT_S * 1000000000)) ]; then
      echo "$cam: newest segment ended $(((stop_ns - newest) / 1000000)) ms before the stop"
      return
    fi
  done
  echo ok
}

# The cameras' footage: 1080p30 H.264 at 6 Mbit/s, long enough for a step.
CLIP_S=$((WARMUP + SAMPLES * WINDOW + 6))
gst-launch-1.0 -q videotestsrc num-buffers=$((CLIP_S * FPS)) pattern=smpte horizontal-speed=6 ! \
  video/x-raw,format=I420,width=1920,height=1080,framerate=$FPS/1 ! \
  timeoverlay font-desc="Sans 60" ! \
  x264enc speed-preset=ultrafast tune=zerolatency bitrate=6000 key-int-max=$FPS ! h264parse ! \
  matroskamux ! filesink location="$T/cam.mkv" || { echo "FAILED: footage not encoded"; exit 1; }
SUB_ARGS=()
if [[ " $MODES " == *" substream "* ]]; then
  # The same scene at a third of the size, as a camera's substream: 640x360 at 1 Mbit/s.
  gst-launch-1.0 -q videotestsrc num-buffers=$((CLIP_S * FPS)) pattern=smpte horizontal-speed=2 ! \
    video/x-raw,format=I420,width=640,height=360,framerate=$FPS/1 ! \
    timeoverlay font-desc="Sans 20" ! \
    x264enc speed-preset=ultrafast tune=zerolatency bitrate=1000 key-int-max=$FPS ! h264parse ! \
    matroskamux ! filesink location="$T/sub.mkv" || { echo "FAILED: substream not encoded"; exit 1; }
  SUB_ARGS=("$T/sub.mkv")
fi
max_n=0
for n in $STEPS; do [ "$n" -gt "$max_n" ] && max_n=$n; done
"$SERVE" "$T/cam.mkv" "$max_n" "${SUB_ARGS[@]}" >"$T/serve.out" 2>"$T/serve.err" &
PIDS+=($!)
for _ in $(seq 50); do [ -s "$T/serve.out" ] && break; sleep 0.1; done
RTSP=$(head -1 "$T/serve.out")
[ -n "$RTSP" ] || { echo "FAILED: no RTSP server: $(cat "$T/serve.err")"; exit 1; }
bitrate=$(awk -v b="$(stat -c %s "$T/cam.mkv")" -v s="$CLIP_S" 'BEGIN { printf "%.1f", b * 8 / s / 1e6 }')
echo "capacity: 1080p${FPS} H.264 at $bitrate Mbit/s from $RTSP, ${SEGMENT_S} s segments;" \
  "camera 1 grading (open), camera 2 loading (load open), wrk $RATE req/s on the consumer page;" \
  "CPU as % of one core, median (min-max) of ${SAMPLES} windows of ${WINDOW} s after ${WARMUP} s"
cat >"$T/pace.lua" <<EOF2
function delay() return $((1000 / RATE)) end
EOF2

station_step() { # station_step N MODE: prints "CPU_MEDIAN CPU_MIN CPU_MAX|LOSS|WRK_REQUESTS"
  local n=$1 mode=$2 d=$T/st$1-$2 k role pid wrk_pid cpu stop_ns url loss reqs
  export PACKTRACE_DATA=$d
  "$BIN" init >/dev/null || return 1
  sed -i -e 's/^demo=auto/demo=off/' -e 's/^public_per_second=.*/public_per_second=0/' \
    -e 's/^min_free_bytes=.*/min_free_bytes=0/' "$d/station.ini"
  "$BIN" batch new --product Oranges --gtin $GTIN --variety Navel --origin ES --grower Grove \
    --quantity 900 --uom KGM --lot CAP1 >/dev/null || return 1
  "$BIN" grade open CAP1 >/dev/null || return 1
  "$BIN" load new --plate "CAP 1" --seal S-1 --dock dock-1 >/dev/null || return 1
  for k in $(seq "$n"); do
    case $mode:$k in record:*) role=picking ;; *:1) role=grading ;; *:2) role=loading ;; *) role=picking ;; esac
    printf '\n[camera cam%d]\nrole=%s\nsource=%s/cam%d\nsegment_seconds=%d\n' "$k" "$role" \
      "$RTSP" "$k" "$SEGMENT_S" >>"$d/station.ini"
    [ "$role" = loading ] && echo "dock=dock-1" >>"$d/station.ini"
    [ "$mode" = substream ] && echo "analysis_source=$RTSP/cam$k-sub" >>"$d/station.ini"
  done
  "$BIN" run --listen 127.0.0.1:0 >"$d/run.out" 2>"$d/run.err" &
  pid=$!
  PIDS+=("$pid")
  for _ in $(seq 100); do grep -q http:// "$d/run.out" 2>/dev/null && break; sleep 0.1; done
  url=$(grep -o 'http://[^ ]*' "$d/run.out")
  wrk -t1 -c1 -d$((WARMUP + SAMPLES * WINDOW))s -s "$T/pace.lua" -H 'Accept: text/html' \
    "$url/01/$GTIN/10/CAP1" >"$d/wrk.out" 2>&1 &
  wrk_pid=$!
  sleep "$WARMUP"
  cpu=$(cpu_samples "$pid")
  stop_ns=$(date +%s%N)
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null
  wait "$wrk_pid" 2>/dev/null
  reqs=$(awk '/requests in/ { print $1 }' "$d/wrk.out")
  sqlite3 "$d/station.db" "SELECT camera, path, end_ns FROM segments WHERE state = 'closed' ORDER BY id" >"$d/segs"
  loss=$(check_loss "$d/segs" "$stop_ns" "$(seq -f 'cam%g' -s ' ' "$n")")
  echo "$cpu|$loss|${reqs:-0}"
  [ -n "${KEEP:-}" ] || rm -rf "$d/recordings"
}

bare_step() { # bare_step N: prints "CPU_MEDIAN CPU_MIN CPU_MAX|LOSS"
  local n=$1 d=$T/bare$1 k args=() pid cpu stop_ns loss
  for k in $(seq "$n"); do
    mkdir -p "$d/cam$k"
    args+=(rtspsrc location="$RTSP/cam$k" protocols=tcp latency=200 ! rtph264depay ! h264parse !
      splitmuxsink max-size-time=$((SEGMENT_S * 1000000000)) muxer=matroskamux
      location="$d/cam$k/%05d.mkv")
  done
  gst-launch-1.0 -q "${args[@]}" >"$d.out" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  sleep "$WARMUP"
  cpu=$(cpu_samples "$pid")
  stop_ns=$(date +%s%N)
  kill -INT "$pid"
  wait "$pid" 2>/dev/null
  for k in $(seq "$n"); do
    for f in "$d/cam$k"/*.mkv; do echo "cam$k|$f|$stop_ns"; done
  done >"$d.segs"
  loss=$(check_loss "$d.segs" "$stop_ns" "$(seq -f 'cam%g' -s ' ' "$n")")
  echo "$cpu|$loss"
  rm -rf "$d"
}

declare -A BARE BEST STOPPED
for mode in $MODES; do BEST[$mode]=0; done
for n in $STEPS; do
  for mode in $MODES; do
    [ -n "${STOPPED[$mode]:-}" ] && continue
    IFS='|' read -r s_cpu s_loss reqs < <(station_step "$n" "$mode")
    [ -n "${BARE[$n]:-}" ] || BARE[$n]=$(bare_step "$n")
    IFS='|' read -r b_cpu b_loss <<<"${BARE[$n]}"
    read -r s_med s_min s_max <<<"$s_cpu"
    read -r b_med b_min b_max <<<"$b_cpu"
    awk -v n="$n" -v m="$mode" -v s="$s_med" -v s0="$s_min" -v s1="$s_max" -v b="$b_med" \
      -v b0="$b_min" -v b1="$b_max" -v r="$reqs" -v w="$((WARMUP + SAMPLES * WINDOW))" \
      -v sl="$s_loss" -v bl="$b_loss" -v l="$(loadavg)" 'BEGIN {
      printf "  N=%-2d %-9s station %5.1f%% (%.1f-%.1f; %4.1f%% a camera)  bare %5.1f%% (%.1f-%.1f; %4.1f%% a camera)  ratio %.2fx  wrk %.1f req/s  station: %s  bare: %s  load average %s\n",
        n, m, s, s0, s1, s / n, b, b0, b1, b / n, (b > 0 ? s / b : 0), r / w, sl, bl, l }'
    if [ "$s_loss" = ok ]; then BEST[$mode]=$n; else STOPPED[$mode]=1; fi
  done
done
for mode in $MODES; do
  echo "largest N with no frame lost and no segment late ($mode): ${BEST[$mode]} (of steps: $STEPS)"
done
