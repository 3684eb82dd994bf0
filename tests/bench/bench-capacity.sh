#!/usr/bin/env bash
# bench-capacity.sh PACKTRACE RTSP_SERVE: how many 1080p cameras one box records with no frame
# lost.  N cameras of 1080p30 H.264 at 6 Mbit/s come from a local RTSP server (RTSP_SERVE, a
# gst-rtsp-server playing one file per client in real time, over TCP); camera 1 is a grading
# camera with a grading open (frames decoded and graded at [grading] fps), camera 2 a loading
# camera with a load open at its dock (scanned at scan_fps; the footage moves, so its motion
# gate stays open), the rest picking cameras, and wrk asks for the consumer page at a fixed
# RATE a second throughout.  For each N of STEPS the station runs, then bare gst-launch-1.0
# recording the same N streams (rtspsrc ! rtph264depay ! h264parse ! splitmuxsink, nothing
# else) and, for each analysis mode, bare+analysis: the same recording pipelines plus, in the
# same gst-launch-1.0 process, the branches a plain GStreamer pipeline needs for the same media
# work on camera 1 and camera 2, from the stream the station analyses in that mode (the 1080p
# stream through a tee, or the camera's substream), with pipeline/pt-frame-tap.c's and
# pipeline/pt-camera-graph.c's elements and settings: camera 1 (the grading tap) queue (leaky,
# 2 s of H.264) ! h264parse ! the station's decoder (max-errors=-1) ! queue (leaky, one
# frame) ! videorate (drop-only, max-rate = [grading] fps) ! videoscale ! videoconvert ! RGB
# at the stream's size ! fakesink; camera 2 (the dock's scan) queue (leaky, 2 s) ! h264parse !
# decoder ! videorate (drop-only, max-rate = scan_fps, where the station's scan gate drops)
# ! videocrop (no region: the whole frame) ! videoconvert ! I420 ! queue (leaky, one frame) !
# videoscale ! I420 at most scan_width wide, square pixels ! zbar ! fakesink.  The decoder is
# the one the station picks (the highest ranked software H.264 decoder: avdec_h264, else
# openh264dec), the rates and sizes the station's defaults (station.ini's [grading] fps,
# PT_SCAN_FPS_DEFAULT and PT_SCAN_WIDTH_DEFAULT from pipeline/pt-pipeline-limits.h).  What it
# cannot include: the station's own grading of the RGB frames (segmentation, sizes, defects),
# ptdmtx's DataMatrix and GS1-128 reading in front of zbar, the scan gate's motion test, the
# database (segment rows, hashing each closed segment, events), the web server answering wrk,
# and the substreams of the picking cameras, which the station receives (SUBSTREAM=1 gives
# every camera one) and nothing decodes.  A step is lost when a camera's closed segments hold
# fewer frames than their durations at 30 fps (a frame lost), or its newest segment ended
# more than two segment lengths before the stop (a late segment); N stops rising at the first
# loss.  Prints per N the station's and bare CPU (% of one core, from WARMUP s after the
# start), CPU per camera, their ratio and the load average, and for grading and scanning a
# second line with bare+analysis's CPU and the station's ratio to it; then the largest N with
# no loss.  CPU is read over SAMPLES consecutive windows of WINDOW s each (default 3 of 10 s):
# the median, with min and max, and the ratio of the station's median to the baseline's.
# SUBSTREAM=1 gives every camera a 640x360 substream of the same scene
# (analysis_source=.../camK-sub), which the grading tap and the dock's scan read instead of the
# 1080p stream; SUBSTREAM=both runs each N both ways (the bare baseline once per N,
# bare+analysis once per N and mode).  Not part of the test suite: nothing is asserted on
# time.  KEEP=1 keeps the recordings and prints where.
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

# The station's analysis settings, for bare+analysis: the decoder it picks
# (pt_h264_decoder_factory(): the highest ranked software H.264 decoder), the scan defaults from
# pipeline/pt-pipeline-limits.h and [grading] fps from an initialised station.ini (default
# PT_GRADE_DEFAULT_FPS).
SRC=$(cd "$(dirname "$0")/../.." && pwd)
limit() { awk -v k="$1" '$1 == "#define" && $2 == k { print $3; exit }' "$SRC/pipeline/pt-pipeline-limits.h"; }
SCAN_FPS=$(limit PT_SCAN_FPS_DEFAULT)
SCAN_WIDTH=$(limit PT_SCAN_WIDTH_DEFAULT)
TAP_QUEUE_NS=$(($(limit PT_TAP_DECODE_QUEUE_NS | tr -dc 0-9) * 1000000000))
DECODER=
for e in avdec_h264 openh264dec; do
  gst-inspect-1.0 --exists "$e" && { DECODER=$e; break; }
done
GRADE_FPS=
grade_fps() { # grade_fps STATION_INI: [grading] fps as the station reads it, rounded up
  awk -v def="$(awk '$2 == "PT_GRADE_DEFAULT_FPS" { print $3 }' "$SRC/station/pt-grading.h")" '
    /^\[/ { g = ($0 == "[grading]") } g && /^fps=/ { sub(/^fps=/, ""); f = $0 }
    END { v = (f == "" ? def : f) + 0; printf "%d", (v == int(v) ? v : int(v) + 1) }' "$1"
}

# analysis_args MODE K: the gst-launch branch cameras 1 (grading) and 2 (scan) need in MODE,
# fed from the element before it; nothing for other cameras.
analysis_args() {
  local entry=(queue leaky=downstream max-size-buffers=0 max-size-bytes=0
    max-size-time="$TAP_QUEUE_NS" ! h264parse !)
  case $2 in
  1) echo "${entry[@]}" "$DECODER" max-errors=-1 ! queue leaky=downstream max-size-buffers=1 \
    max-size-bytes=0 max-size-time=0 silent=true ! videorate drop-only=true max-rate="$GRADE_FPS" ! \
    videoscale ! videoconvert ! video/x-raw,format=RGB ! fakesink sync=false async=false ;;
  2) echo "${entry[@]}" "$DECODER" ! videorate drop-only=true max-rate="$SCAN_FPS" ! videocrop ! \
    videoconvert ! video/x-raw,format=I420 ! queue leaky=downstream max-size-buffers=1 \
    max-size-bytes=0 max-size-time=0 ! videoscale ! \
    "video/x-raw,format=I420,pixel-aspect-ratio=1/1,width=[1,$SCAN_WIDTH]" ! zbar ! \
    fakesink sync=false async=false ;;
  esac
}

bare_step() { # bare_step N [MODE]: prints "CPU_MEDIAN CPU_MIN CPU_MAX|LOSS"; MODE main or
  # substream adds the analysis branches (bare+analysis)
  local n=$1 mode=${2:-} d=$T/bare$1 k args=() branch pid cpu stop_ns loss
  for k in $(seq "$n"); do
    mkdir -p "$d/cam$k"
    branch=()
    [ -n "$mode" ] && read -r -a branch <<<"$(analysis_args "$mode" "$k")"
    args+=(rtspsrc location="$RTSP/cam$k" protocols=tcp latency=200 ! rtph264depay ! h264parse !)
    if [ "$mode" = main ] && [ "${#branch[@]}" -gt 0 ]; then
      # The station's main pipeline: a tee after the parser, a queue ahead of the recording.
      args+=(tee name=t$k allow-not-linked=true ! queue max-size-buffers=0 max-size-bytes=0
        max-size-time=1000000000 !)
    fi
    args+=(splitmuxsink max-size-time=$((SEGMENT_S * 1000000000)) muxer=matroskamux
      location="$d/cam$k/%05d.mkv")
    if [ "${#branch[@]}" -gt 0 ]; then
      if [ "$mode" = main ]; then
        args+=(t$k. ! "${branch[@]}")
      else
        # pt_camera_graph_build_analysis(): the substream's parser held to avc caps.
        args+=(rtspsrc location="$RTSP/cam$k-sub" protocols=tcp latency=200 ! rtph264depay !
          h264parse ! video/x-h264,stream-format=avc,alignment=au ! "${branch[@]}")
      fi
    fi
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
  [ -n "${KEEP:-}" ] && cp "$d.out" "$T/bare$1-${mode:-record}.out"
  rm -rf "$d"
}

declare -A BARE BAREA BEST STOPPED
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
    if [ "$mode" != record ] && [ -n "$DECODER" ]; then
      [ -n "$GRADE_FPS" ] || GRADE_FPS=$(grade_fps "$T/st$n-$mode/station.ini")
      BAREA[$n:$mode]=$(bare_step "$n" "$mode")
      IFS='|' read -r a_cpu a_loss <<<"${BAREA[$n:$mode]}"
      read -r a_med a_min a_max <<<"$a_cpu"
      awk -v n="$n" -v m="$mode" -v s="$s_med" -v a="$a_med" -v a0="$a_min" -v a1="$a_max" \
        -v b="$b_med" -v al="$a_loss" -v l="$(loadavg)" -v dec="$DECODER" -v g="$GRADE_FPS" \
        -v f="$SCAN_FPS" 'BEGIN {
        printf "  N=%-2d %-9s bare+analysis %5.1f%% (%.1f-%.1f; %4.1f%% a camera; %s, grading %d fps, scan %d fps)  station/bare+analysis %.2fx  station above it %.1f%% of a core  analysis in bare %.1f%%  bare+analysis: %s  load average %s\n",
          n, m, a, a0, a1, a / n, dec, g, f, (a > 0 ? s / a : 0), s - a, a - b, al, l }'
    fi
    if [ "$s_loss" = ok ]; then BEST[$mode]=$n; else STOPPED[$mode]=1; fi
  done
done
for mode in $MODES; do
  echo "largest N with no frame lost and no segment late ($mode): ${BEST[$mode]} (of steps: $STEPS)"
done
