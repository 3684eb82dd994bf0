#!/usr/bin/env bash
# test-shed.sh: the shed day (issue 9), time-compressed to about two minutes of `packtrace run`.
#
# Cameras: a picking test camera, a grading camera on the demo belt footage, a loading camera
# whose footage carries the QR codes of three batches (loaded by the camera), and an RTSP camera
# served by shed-world.  shed-world also plays the sales platform (EPCIS capture, 5xx now and
# then) and the label printer (raw TCP).  During the day batches are opened, picked (with
# evidence clips), graded, labelled and printed, loaded (by the camera and by driver scans),
# loads closed, synced; buyers download and verify bundles, consumers open the pages.
#
# At seeded moments: kill -9 of the station (three times, plus once while it prints), the
# platform down and flapping, the printer off, the RTSP server stopped and restarted, the
# recordings' disk full (a small tmpfs when root; skipped with a reason otherwise).  The
# supervisor (a background subshell) owns the station process and plays the faults; the
# main shell plays the people.  At the end, every promise any client got is checked.
#
# PT_SHED_SEED=N replays a day (the seed is printed first).  Exit 77 (skip) without the
# GStreamer elements.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
WORLD=${PT_SHED_WORLD:?}
DEMO=${PT_DEMO_FOOTAGE:?}
for e in videotestsrc qroverlay zbar x264enc h264parse splitmuxsink matroskamux matroskademux \
  rtspsrc rtph264depay rtph264pay appsrc textoverlay; do
  if ! gst-inspect-1.0 --exists "$e" 2>/dev/null; then
    echo "1..0 # SKIP GStreamer element $e is missing"
    exit 77
  fi
done
for tool in jq sqlite3 curl python3; do
  command -v $tool >/dev/null || { echo "1..0 # SKIP $tool is missing"; exit 77; }
done

SEED=${PT_SHED_SEED:-20261125}
echo "# seed $SEED (replay: PT_SHED_SEED=$SEED meson test -C build --suite shed -v)"
RANDOM=$SEED
T=$(mktemp -d /tmp/pt-shed-XXXXXX)
DATA=$T/data
DB=$DATA/station.db
W=$T/world
mkdir -p "$W"
export PACKTRACE_DATA=$DATA
SUP=
WORLD_PID=
MOUNTED=
cleanup() {
  [ -n "$SUP" ] && kill "$SUP" 2>/dev/null
  [ -s "$T/station.pid" ] && kill -9 "$(cat "$T/station.pid")" 2>/dev/null
  [ -n "$WORLD_PID" ] && kill "$WORLD_PID" 2>/dev/null
  wait 2>/dev/null
  [ -n "$MOUNTED" ] && umount "$DATA/recordings" 2>/dev/null
  if [ "$fails" = 0 ] || [ -z "${PT_SHED_KEEP:-}" ]; then rm -rf "$T"; else echo "# kept $T"; fi
}
trap cleanup EXIT

sql() { sqlite3 -cmd ".timeout 5000" "$DB" "$1"; }
wait_for() {
  local end=$((SECONDS + $1))
  while [ $SECONDS -lt $end ]; do eval "$2" && return 0; sleep 0.2; done
  eval "$2"
}
# rnd VAR LO HI: a seeded integer in [LO, HI] into VAR.  Never in a subshell: bash reseeds
# RANDOM there, and the day would not replay.
rnd() { printf -v "$1" %d $(($2 + RANDOM % ($3 - $2 + 1))); }
now_ns() { date +%s%N; }
rfc3339() { date -u -d "@$(($1 / 1000000000)).$(printf %09d $(($1 % 1000000000)))" +%Y-%m-%dT%H:%M:%S.%3NZ; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print 0; else print a[int((NR + 1) / 2)]}'; }

# ---- the world: platform, printer, RTSP camera ---------------------------------------------
mkfifo "$T/world.ctl"
"$WORLD" "$SEED" "$W" <"$T/world.ctl" >"$T/world.out" 2>"$T/world.err" &
WORLD_PID=$!
exec 3>"$T/world.ctl"
world() { echo "$*" >&3; }
wait_for 20 'grep -q ^ready "$T/world.out"' || { echo "Bail out! shed-world did not start: $(cat "$T/world.err")"; exit 1; }
RX_PORT=$(awk '$1 == "rx" {print $2}' "$T/world.out")
PRINTER=127.0.0.1:$(awk '$1 == "printer" {print $2}' "$T/world.out")
RTSP_URL=$(awk '$1 == "camera" {print $2}' "$T/world.out")
world rx errors 10

# ---- the station --------------------------------------------------------------------------
"$BIN" init >/dev/null || { echo "Bail out! init failed"; exit 1; }
TOKEN=$(sed -n 's/^operator_token=//p' "$DATA/station.ini")
# The loading driver's phone login (its token, as the login QR carries it).
"$BIN" driver add --name "Shed driver" >/dev/null || { echo "Bail out! driver add failed"; exit 1; }
DRIVER_TOKEN=$("$BIN" driver token 1 --json | jq -r .token)
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
set_key() { sed -i "s|^$1=.*|$1=$2|" "$DATA/station.ini"; }
set_key min_free_bytes 4M
set_key quota_bytes 0
set_key demo off
set_key fps 4
set_key connect_timeout_ms 1000
set_key io_timeout_ms 3000
DISK_REASON=
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$DATA/recordings"
  if mount -t tmpfs -o size=96M shed-recordings "$DATA/recordings" 2>"$T/mount.err"; then
    MOUNTED=1
  else
    DISK_REASON="cannot mount a tmpfs: $(cat "$T/mount.err")"
  fi
else
  DISK_REASON="not root: no small file system can be mounted for the recordings"
fi
[ -n "$DISK_REASON" ] && echo "# the disk-full fault is skipped: $DISK_REASON"

"$DEMO" "$T/demo" 6 >/dev/null 2>&1 || { echo "Bail out! pt-demo-footage failed"; exit 1; }
GTIN=09506000134352
# The batches the dock camera will see exist before its footage is made.
CAM_LOTS="SD${SEED: -4}C1 SD${SEED: -4}C2 SD${SEED: -4}C3"
API_LOTS="SD${SEED: -4}B1 SD${SEED: -4}B2 SD${SEED: -4}B3 SD${SEED: -4}B4 SD${SEED: -4}B5"
: >"$T/told.tsv"
told() { printf '%s\t%s\n' "$1" "$2" >>"$T/told.tsv"; }
for lot in $CAM_LOTS; do
  "$BIN" batch new --product Oranges --gtin $GTIN --variety Navel --origin ES --grower "Grove 1" \
    --lot "$lot" >/dev/null || { echo "Bail out! batch new"; exit 1; }
  told batch "$lot"
done
qr() { echo "qroverlay data=https://trace.example.coop/01/$GTIN/10/$1 case-sensitive=true pixel-size=4 x=$2 y=$3"; }
set -- $CAM_LOTS
gst-launch-1.0 -q videotestsrc num-buffers=50 pattern=smpte ! \
  video/x-raw,width=640,height=360,framerate=25/1,format=I420 ! \
  $(qr "$1" 2 3) ! $(qr "$2" 36 3) ! $(qr "$3" 70 3) ! \
  videoconvert ! x264enc key-int-max=25 tune=zerolatency speed-preset=ultrafast ! h264parse ! \
  matroskamux ! filesink location="$T/dock.mkv" >/dev/null 2>"$T/gen.err" ||
  { echo "Bail out! dock footage: $(cat "$T/gen.err")"; exit 1; }
"$BIN" load new --plate "SH 101" --seal SEAL-1 --dock dock-1 >/dev/null || { echo "Bail out! load new"; exit 1; }
cat >>"$DATA/station.ini" <<EOF

[camera picker]
role=picking
source=test:ball
segment_seconds=2
width=320
height=240
fps=10

[camera grader]
role=grading
source=file:$T/demo/demo-grading.mkv
segment_seconds=2

[camera dockcam]
role=loading
source=file:$T/dock.mkv
segment_seconds=2
dock=dock-1

[camera field]
role=picking
source=$RTSP_URL
segment_seconds=2

[sync platform]
type=epcis
url=http://127.0.0.1:$RX_PORT
connect_timeout_ms=1000
timeout_ms=5000
max_batch=20
retry_min_ms=200
retry_max_ms=2000
from_start=true
EOF

# ---- the day's faults, drawn from the seed before anything runs ---------------------------
DAY=100
rnd k1 8 30
rnd k2 40 60
rnd k3 75 95
rnd r 10 50
rnd f 55 85
rnd p 40 48
rnd s 15 80
rnd d 20 85
p9=$((p + 9))
{
  echo "$k1 kill9" && echo "$k2 kill9" && echo "$k3 kill9"
  echo "$r rx down" && echo "$((r + 6)) rx up"
  echo "$f rx flap 8000"
  echo "$p printer off" && echo "$((p + 8)) printer on" && echo "$p9 kill9-printing"
  echo "$s rtsp stop" && echo "$((s + 5)) rtsp start"
  [ -z "$DISK_REASON" ] && echo "$d disk full" && echo "$((d + 6)) disk free"
} >"$T/faults.unsorted"
sort -n -k1,1 -s "$T/faults.unsorted" >"$T/faults.txt"
echo "# faults (second of the day, action): $(tr '\n' ';' <"$T/faults.txt")"

# ---- the supervisor: owns the station process, plays the faults ---------------------------
start_station() {
  "$BIN" run --listen "127.0.0.1:$PORT" >>"$T/run.out" 2>>"$T/run.err" &
  PID=$!
  echo "$PID" >"$T/station.pid"
  wait_for 60 'curl -sf -m 2 -o /dev/null "$URL/healthz" || ! kill -0 $PID 2>/dev/null' && kill -0 $PID && echo "$(now_ns) up" >>"$T/restarts.log" ||
    echo "$(now_ns) start failed" >>"$T/start-failed.log"
}
# The grading camera's frame counter restarts with the process: add it up before each stop.
sample_frames() {
  curl -s -m 2 -H "Authorization: Bearer $TOKEN" "$URL/api/v1/cameras" |
    jq -r '.grading.frames_graded // empty' >>"$T/frames-graded.log"
}
kill9() {
  sample_frames
  kill -9 "$PID"
  wait "$PID" 2>/dev/null
  echo "$(now_ns) $1" >>"$T/kills.log"
  sleep 0.5
  start_station
}
supervisor() {
  local t0=$1 at action
  start_station
  while read -r at action; do
    while [ $(($(now_ns) - t0)) -lt $((at * 1000000000)) ]; do sleep 0.1; done
    echo "$(now_ns) $action" >>"$T/faults-done.log"
    case $action in
    kill9) kill9 "kill -9" ;;
    kill9-printing)
      # Into a print the station's own worker is sending (the printer keeps each job 0.6 s).
      wait_for 8 '[ -n "$(sql "SELECT id FROM print_jobs WHERE state = '"'printing'"'" 2>/dev/null)" ]'
      kill9 "kill -9 with jobs printing: $(sql "SELECT group_concat(id) FROM print_jobs WHERE state = 'printing'" 2>/dev/null)"
      ;;
    "disk full")
      local avail
      avail=$(df --output=avail -B1 "$DATA/recordings" | tail -1)
      fallocate -l "$avail" "$DATA/recordings/filler" 2>>"$T/disk.err" ||
        dd if=/dev/zero of="$DATA/recordings/filler" bs=1M count=$((avail / 1048576)) 2>>"$T/disk.err"
      ;;
    "disk free") rm -f "$DATA/recordings/filler" ;;
    *) world "$action" ;;
    esac
  done <"$T/faults.txt"
  touch "$T/faults.done"
  while [ ! -e "$T/stop" ]; do sleep 0.2; done
  sample_frames
  kill -TERM "$PID"
  wait "$PID"
  echo $? >"$T/stop.rc"
}
DAY_T0=$(now_ns)
supervisor "$DAY_T0" &
SUP=$!
at() { while [ $(($(now_ns) - DAY_T0)) -lt $(($1 * 1000000000)) ]; do sleep 0.1; done; }
wait_for 60 '[ -s "$T/restarts.log" ] || [ -e "$T/start-failed.log" ]'
[ -s "$T/restarts.log" ] || { echo "Bail out! the station did not start: $(tail -3 "$T/run.err")"; exit 1; }

# ---- the people ---------------------------------------------------------------------------
# api METHOD PATH [BODY]: an operator's call, retried while the station is down or restarting
# (no answer, 502, 503) for up to 60 s.  Status in $CODE, body in $T/ans.
api() {
  local end=$((SECONDS + 60))
  while :; do
    CODE=$(curl -s -m 10 -o "$T/ans" -w '%{http_code}' -X "$1" -H "Authorization: Bearer ${AS:-$TOKEN}" \
      ${3:+--data-binary "$3"} "$URL$2")
    case $CODE in
    000 | 502 | 503) [ $SECONDS -lt $end ] || break; sleep 0.3 ;;
    *) break ;;
    esac
  done
  echo "$1 $2 $CODE" >>"$T/api.log"
  [[ $CODE == 2* ]]
}
# event LOT STEP: an operator records a step; the event id it was told goes in the ledger.
event() {
  api POST "/api/v1/batches/$1/events" "{\"step\": \"$2\"}" && told event "$(jq -r .event_id "$T/ans")"
}
# driver_scan LOAD LOT: the driver's phone scanning a batch QR onto a load through the driver
# API, as the /driver page does: one idempotency key per scan, the same key on every resend
# while the station is down, so a scan whose answer a kill -9 lost is never added twice.
driver_scan() {
  local key body
  key=$(cat /proc/sys/kernel/random/uuid)
  body="{\"payload\": \"https://trace.example.coop/01/$GTIN/10/$2\", \"key\": \"$key\", \"scanned\": \"$(date -u +%FT%TZ)\"}"
  AS=$DRIVER_TOKEN api POST "/api/v1/driver/loads/$1/scans" "$body" &&
    told event "$(jq -r .event_id "$T/ans")"
}
# A consumer whose page does not load while the station restarts after a kill reloads it
# (for up to 30 s); pages.log gets the answer the page finally had.
consumers() {
  local code end
  for lot in $CAM_LOTS $API_LOTS; do
    end=$((SECONDS + 30))
    while :; do
      code=$(curl -s -m 10 -o /dev/null -w "%{http_code}" "$URL/01/$GTIN/10/$lot")
      [ "$code" = 000 ] && [ $SECONDS -lt $end ] || break
      sleep 0.3
    done
    echo "$code" >>"$T/pages.log"
  done
}
cli_told() { jq -r '.event.eventID // empty' "$T/cli.out" | while read -r id; do told event "$id"; done; }

# Morning: batches opened and picked (commissioning), the field camera's footage as evidence.
for lot in $API_LOTS; do
  body="{\"product\": \"Oranges\", \"gtin\": \"$GTIN\", \"variety\": \"Navel\", \"grower\": \"Grove 2\", \"lot\": \"$lot\", \"quantity\": 900, \"uom\": \"KGM\"}"
  if api POST /api/v1/batches "$body"; then told batch "$lot"; fi
  [ "$CODE" = 409 ] && echo "# batch $lot existed (created before an answer was lost)"
done
for lot in $CAM_LOTS $API_LOTS; do event "$lot" receiving; done
at 12
for lot in ${API_LOTS% *}; do
  # Inside the picking camera's latest closed segment, so footage exists whatever the kills did.
  IFS='|' read -r s_ns e_ns < <(sql "SELECT start_ns, end_ns FROM segments WHERE camera = 'picker' AND state = 'closed' ORDER BY start_ns DESC LIMIT 1")
  from=$(rfc3339 $((s_ns + 200000000)))
  to=$(rfc3339 $((e_ns - 200000000)))
  if "$BIN" event add "$lot" --json --step picking --camera picker --from "$from" --to "$to" >"$T/cli.out" 2>>"$T/cli.err"; then
    cli_told
    told clip "$(jq -r .event.eventID "$T/cli.out")"
  fi
done
consumers
# Grading: each batch over the belt for a few seconds.
at 20
for lot in ${API_LOTS%% *} $CAM_LOTS; do
  "$BIN" grade open "$lot" >/dev/null 2>>"$T/cli.err"
  sleep 5
  "$BIN" grade close "$lot" --json >"$T/cli.out" 2>>"$T/cli.err" && cli_told
done
# Labels: the printer goes off around now; jobs it missed wait for the station's worker.
at 40
for lot in $CAM_LOTS $API_LOTS; do
  "$BIN" label "$lot" --print "$PRINTER" --template case --json >"$T/cli.out" 2>>"$T/cli.err"
  jq -r 'select(.print_job.state == "done") | .print_job.id' "$T/cli.out" | while read -r id; do told print "$id"; done
  sleep 1
done
consumers
# Loading: the dock camera fills load 1; the driver scans the others onto load 2.
at 60
api POST /api/v1/loads '{"plate": "SH 202", "seal": "SEAL-2", "dock": "dock-2"}' || echo "# load 2: HTTP $CODE $(cat "$T/ans")"
LOAD2=$(jq -r .id "$T/ans")
# The driver joins it from the phone (same plate and seal).
AS=$DRIVER_TOKEN api POST /api/v1/driver/loads '{"plate": "SH 202", "seal": "SEAL-2"}' ||
  echo "# driver join: HTTP $CODE $(cat "$T/ans")"
for lot in $API_LOTS; do driver_scan "$LOAD2" "$lot"; sleep 1; done
for lot in $API_LOTS; do event "$lot" shipping; done
at 85
wait_for 20 '[ "$("$BIN" load show 1 --json | jq ".batches | length")" = 3 ]'
for id in 1 "$LOAD2"; do
  if api POST "/api/v1/loads/$id/close"; then told load "$id"; fi
done
consumers
at $DAY

# Evening: the faults are over; the operator clears the print queue.  A job the station was
# killed in the middle of is failed (it may be on paper: raw 9100 cannot say); the operator
# looks at the printer's output and puts back only the ones that did not print.
wait_for 60 '[ -e "$T/faults.done" ]'
sleep 2
"$BIN" label jobs --json >"$T/jobs-evening.json"
requeued=0
for id in $(jq -r '.jobs[] | select(.state == "failed") | .id' "$T/jobs-evening.json"); do
  sha=$(sql "SELECT sha256 FROM print_jobs WHERE id = $id")
  if ! cut -f2 "$W/prints.tsv" | grep -qx "$sha"; then
    "$BIN" label jobs --requeue "$id" >/dev/null && requeued=$((requeued + 1))
  fi
done
echo "# print jobs after the day: $(jq -c '[.jobs[].state] | group_by(.) | map({(.[0]): length}) | add' "$T/jobs-evening.json"); requeued $requeued that never reached paper"
wait_for 40 '[ "$(sql "SELECT count(*) FROM print_jobs WHERE state IN ('"'queued'"', '"'printing'"')")" = 0 ]'
sync_state() { api GET /api/v1/sync >/dev/null && jq -r '.connectors[0] | "\(.pending) \(.in_flight) \(.failed)"' "$T/ans"; }
wait_for 60 '[ "$(sync_state)" = "0 0 0" ]'
echo "# sync at the end of the day (pending in_flight failed): $(sync_state)"

# Buyers download each batch's signed bundle (a buyer's key: by id it is not public).
mkdir -p "$T/bundles"
BUYER_KEY=$("$BIN" apikey add shed-buyer --role buyer --json | jq -r .key)
for lot in $CAM_LOTS $API_LOTS; do
  curl -s -m 20 -o "$T/bundles/$lot.json" -w "%{http_code}\n" -H "Authorization: Bearer $BUYER_KEY" \
    "$URL/api/v1/batches/$lot/bundle" >>"$T/bundles.log"
done
consumers
touch "$T/stop"
wait "$SUP"
SUP=
world dump
wait_for 20 '[ -s "$W/rx.tsv" ] && [ -s "$W/rx-status.tsv" ]'
world quit
wait "$WORLD_PID"
WORLD_PID=
[ -n "$MOUNTED" ] && rm -f "$DATA/recordings/filler"
DAY_S=$((($(now_ns) - DAY_T0) / 1000000000))

# ---- checks -------------------------------------------------------------------------------
check "the station stopped cleanly at the end of the day" '[ "$(cat "$T/stop.rc")" = 0 ]'
KILLS=$(wc -l <"$T/kills.log")
STARTS=$(wc -l <"$T/restarts.log")
check "survived $KILLS kill -9 (at least 3), each followed by a restart" \
  '[ "$KILLS" -ge 3 ] && [ "$STARTS" = $((KILLS + 1)) ] && [ ! -e "$T/start-failed.log" ]'
check "every fault was played ($(wc -l <"$T/faults.txt"))" '[ "$(wc -l <"$T/faults-done.log")" = "$(wc -l <"$T/faults.txt")" ]'

# Promises: whatever a client was told was recorded is in the store.
missing_events=$(cut -f2 <(grep '^event' "$T/told.tsv") | while read -r id; do
  [ "$(sql "SELECT count(*) FROM events WHERE event_id = '$id'")" = 1 ] || echo "$id"
done)
N_TOLD=$(grep -c '^event' "$T/told.tsv")
check "all $N_TOLD events clients were told were recorded are in the store, once" '[ "$N_TOLD" -ge 20 ] && [ -z "$missing_events" ]' ||
  echo "#   missing: $missing_events"
missing_batches=$(cut -f2 <(grep '^batch' "$T/told.tsv") | while read -r lot; do
  [ "$(sql "SELECT count(*) FROM events e JOIN batches b ON b.id = e.batch_id WHERE b.lot = '$lot' AND e.step = 'commissioning'")" = 1 ] || echo "$lot"
done)
check "every batch created is there with its commissioning event" '[ "$(grep -c "^batch" "$T/told.tsv")" = 8 ] && [ -z "$missing_batches" ]'
missing_prints=$(cut -f2 <(grep '^print' "$T/told.tsv") | while read -r id; do
  [ "$(sql "SELECT state FROM print_jobs WHERE id = $id")" = done ] || echo "$id"
done)
check "every print job a client was told printed is done" '[ -z "$missing_prints" ]'
check "every load closed is closed" \
  '[ "$(grep -c "^load" "$T/told.tsv")" = 2 ] && [ "$(sql "SELECT count(*) FROM loads WHERE closed_ns IS NOT NULL")" = 2 ]'
check "the dock camera put its three batches on load 1" \
  '[ "$(sql "SELECT count(*) FROM load_batches WHERE load_id = 1 AND source = '"'dockcam'"'")" = 3 ]'
check "the driver scans put five batches on load 2" \
  '[ "$(sql "SELECT count(*) FROM load_batches WHERE load_id = $LOAD2")" = 5 ]'
"$BIN" audit >"$T/audit.out" 2>&1
check "packtrace audit: the station log's chain is intact" '[ $? = 0 ]' || sed 's/^/#   /' "$T/audit.out" | head -5

bad_bundles=$(for lot in $CAM_LOTS $API_LOTS; do "$BIN" verify "$T/bundles/$lot.json" >/dev/null 2>&1 || echo "$lot"; done)
check "every bundle a buyer downloaded verifies (8)" '[ "$(grep -c ^200 "$T/bundles.log")" = 8 ] && [ -z "$bad_bundles" ]' ||
  echo "#   not verified: $bad_bundles"
check "consumers' pages answered 200 every time ($(wc -l <"$T/pages.log"))" '[ "$(grep -vc ^200 "$T/pages.log")" = 0 ]'

# Video: nothing left open, crashed segments recovered or lost with a reason, all decode.
check "no segment is left open" '[ "$(sql "SELECT count(*) FROM segments WHERE state = '"'open'"'")" = 0 ]'
check "every lost segment says why" '[ "$(sql "SELECT count(*) FROM segments WHERE state = '"'lost'"' AND coalesce(reason, '"''"') = '"''"'")" = 0 ]'
N_RECOVERED=$(sql "SELECT count(*) FROM segments WHERE state = 'recovered'")
N_LOST=$(sql "SELECT count(*) FROM segments WHERE state = 'lost'")
check "the kills left segments to recover ($N_RECOVERED recovered, $N_LOST lost)" '[ $((N_RECOVERED + N_LOST)) -ge "$KILLS" ]'
sql "SELECT id, start_ns, path FROM segments WHERE state IN ('closed', 'recovered') ORDER BY id" | tr '|' '\t' >"$T/segments.tsv"
N_SEGS=$(wc -l <"$T/segments.tsv")
split -n l/2 "$T/segments.tsv" "$T/seg-part-"
probe_pids=()
for part in "$T"/seg-part-*; do
  [[ $part == *.out ]] && continue
  "$WORLD" probe <"$part" >"$part.out" 2>>"$T/probe.err" &
  probe_pids+=($!)
done
probe_failed=
for p in "${probe_pids[@]}"; do wait "$p" || probe_failed="$probe_failed $?"; done
cat "$T"/seg-part-*.out >"$T/probed.tsv"
# A probe that died (exit status, its last words, the segment after its last line) is named.
[ -n "$probe_failed" ] && {
  echo "#   shed-world probe exited with$probe_failed"
  sed 's/^/#   /' "$T/probe.err" | tail -5
  awk -F'\t' 'NR == FNR {done[$1] = 1; next} !($1 in done) {print "#   not probed: " $0}' \
    "$T/probed.tsv" "$T/segments.tsv" | head -3
}
not_decoded=$(awk -F'\t' '$2 != "intact" || $3 == 0' "$T/probed.tsv")
FRAMES=$(awk -F'\t' '{s += $3} END {print s + 0}' "$T/probed.tsv")
check "all $N_SEGS closed and recovered segments decode ($FRAMES frames)" \
  '[ "$N_SEGS" -gt 100 ] && [ "$(wc -l <"$T/probed.tsv")" = "$N_SEGS" ] && [ -z "$not_decoded" ]' ||
  echo "$not_decoded" | head -5 | sed 's/^/#   /'
bad=0
while IFS='|' read -r path bytes sha; do
  [ -f "$path" ] && [ "$(sha256sum "$path" | cut -d' ' -f1)" = "$sha" ] && [ "$(stat -c %s "$path")" = "$bytes" ] || bad=$((bad + 1))
done < <(sql "SELECT path, bytes, sha256 FROM segments WHERE state IN ('closed', 'recovered')")
check "every kept segment's SHA-256 and size match its file" '[ "$bad" = 0 ]'
RTSP_STOP_NS=$(awk '$2 == "rtsp" && $3 == "stop" {print $1}' "$T/faults-done.log")
RTSP_START_NS=$(awk '$2 == "rtsp" && $3 == "start" {print $1}' "$T/faults-done.log")
# Kills may fall inside the outage: the gap is on record from its start, and a restart
# carries it on ("station stopped while camera down: ...") until the camera records again.
# (The log's times are taken just before the server is told: the last frame may come later.)
check "the RTSP camera's outage is inside one gap with a reason" \
  '[ "$(sql "SELECT count(*) FROM gaps WHERE camera = '"'field'"' AND reason <> '"''"' AND from_ns <= ${RTSP_STOP_NS:-0} + 1000000000 AND to_ns >= ${RTSP_START_NS:-0}")" -ge 1 ]' ||
  echo "#   field's gaps (from to reason): $(sql "SELECT group_concat(from_ns || ' ' || to_ns || ' ' || reason, '; ') FROM gaps WHERE camera = 'field'"); outage $RTSP_STOP_NS to $RTSP_START_NS"

# Every kill -9 is a gap of every camera that had recorded before it, from its last footage
# to the restart's first.
unrecorded_kills=$(cut -d' ' -f1 "$T/kills.log" | while read -r k; do
  sql "SELECT '$k ' || camera FROM (SELECT DISTINCT camera FROM segments WHERE start_ns < $k) c WHERE NOT EXISTS (SELECT 1 FROM gaps g WHERE g.camera = c.camera AND g.from_ns <= $k AND g.to_ns >= $k AND g.reason GLOB 'station stopped*')"
done)
check "every kill -9 is a gap \"station stopped\" of every camera" '[ -z "$unrecorded_kills" ]' ||
  echo "#   kill (ns) and camera without one: $unrecorded_kills"
check "no gap is left open after the clean stop" '[ "$(sql "SELECT count(*) FROM gaps WHERE to_ns IS NULL")" = 0 ]'
check "the RTSP camera recorded again after its server came back" \
  '[ "$(sql "SELECT count(*) FROM segments WHERE camera = '"'field'"' AND start_ns > ${RTSP_START_NS:-0}")" -ge 3 ]'
if [ -z "$DISK_REASON" ]; then
  DISK_FULL_NS=$(awk '$2 == "disk" && $3 == "full" {print $1}' "$T/faults-done.log")
  DISK_FREE_NS=$(awk '$2 == "disk" && $3 == "free" {print $1}' "$T/faults-done.log")
  check "the full disk made the station delete old footage (no quota is set)" \
    '[ "$(sql "SELECT count(*) FROM segments WHERE state = '"'deleted'"' AND start_ns < $DISK_FULL_NS")" -gt 0 ]'
  check "every camera recorded again after the disk was freed" \
    '[ "$(sql "SELECT count(DISTINCT camera) FROM segments WHERE start_ns > $DISK_FREE_NS + 3000000000")" = 4 ]'
else
  skip "the recordings' disk filled up" "$DISK_REASON"
fi
bad_clips=$(sql "SELECT c.path, c.sha256, json_extract(e.body, '$.\"pt:clipSha256\"') FROM clips c JOIN events e ON e.seq = c.event_seq" |
  while IFS='|' read -r path sha signed; do
    [ -f "$path" ] && [ "$(sha256sum "$path" | cut -d' ' -f1)" = "$sha" ] && [ "$sha" = "$signed" ] || echo "$path"
  done)
N_CLIPS=$(sql "SELECT count(*) FROM clips")
check "every evidence clip's file has the SHA-256 its event signed ($N_CLIPS clips)" '[ "$N_CLIPS" -ge 1 ] && [ -z "$bad_clips" ]'
missing_clips=$(cut -f2 <(grep '^clip' "$T/told.tsv") | while read -r id; do
  [ "$(sql "SELECT count(*) FROM clips c JOIN events e ON e.seq = c.event_seq WHERE e.event_id = '$id'")" = 1 ] || echo "$id"
done)
check "every clip an operator was given is kept ($(grep -c '^clip' "$T/told.tsv") of 4 asked)" '[ -z "$missing_clips" ]'

# The platform: every event exactly once (deduplicated on eventID, as the station's
# idempotency keys intend), in each batch's order.
sql "SELECT e.event_id, b.lot, e.event_time_ns FROM events e JOIN batches b ON b.id = e.batch_id ORDER BY e.seq" | tr '|' '\t' >"$T/store-events.tsv"
awk -F'\t' '!seen[$1]++' "$W/rx.tsv" >"$T/rx-first.tsv"
N_EVENTS=$(wc -l <"$T/store-events.tsv")
N_RX=$(wc -l <"$W/rx.tsv")
N_RX_UNIQUE=$(wc -l <"$T/rx-first.tsv")
check "the platform holds every one of the $N_EVENTS events" \
  '[ "$(cut -f1 "$T/store-events.tsv" | sort)" = "$(cut -f1 "$T/rx-first.tsv" | sort)" ]'
check "... and each in its batch's order" \
  '[ "$(sort -s -t"	" -k2,2 "$T/store-events.tsv" | cut -f1,2)" = "$(sort -s -t"	" -k2,2 "$T/rx-first.tsv" | cut -f1,2)" ]'
REDELIVERED=$((N_RX - N_RX_UNIQUE))
check "redeliveries are only the few the faults cut off ($REDELIVERED)" '[ "$REDELIVERED" -le $((N_EVENTS / 4)) ]'
# Labels: each job on paper once.
dup_prints=$(cut -f2 "$W/prints.tsv" | sort | uniq -d)
check "no label was printed twice" '[ -z "$dup_prints" ]'
unknown_prints=$(cut -f2 "$W/prints.tsv" | while read -r sha; do
  [ "$(sql "SELECT count(*) FROM print_jobs WHERE sha256 = '$sha'")" = 1 ] || echo "$sha"
done)
check "everything printed was a job of the queue" '[ -z "$unknown_prints" ]'
unprinted=$(sql "SELECT id || ' ' || sha256 || ' ' || state FROM print_jobs" | while read -r id sha state; do
  [ "$(cut -f2 "$W/prints.tsv" | grep -cx "$sha")" = 1 ] || echo "$id:$state"
done)
N_JOBS=$(sql "SELECT count(*) FROM print_jobs")
check "every one of the $N_JOBS print jobs is on paper exactly once" '[ "$N_JOBS" = 8 ] && [ -z "$unprinted" ]' ||
  echo "#   not on paper once: $unprinted"
check "every done job has its signed print event" \
  '[ "$(sql "SELECT count(*) FROM print_jobs j WHERE state = '"'done'"' AND NOT EXISTS (SELECT 1 FROM events e WHERE e.step = '"'encoding'"' AND json_extract(e.body, '"'$.\"pt:printJob\"'"') = j.id)")" = 0 ]'

FRAMES_GRADED=$(awk '{s += $1} END {print s + 0}' "$T/frames-graded.log")
check "the grading camera graded frames ($FRAMES_GRADED, summed over the runs)" '[ "$FRAMES_GRADED" -gt 0 ]'

# ---- figures of the day -------------------------------------------------------------------
LAGS=$(join -t"	" <(cut -f1,3 "$T/store-events.tsv" | sort) <(cut -f1,3 "$T/rx-first.tsv" | sort) |
  awk -F'\t' '{printf "%d\n", ($3 * 1000 - $2) / 1000000}')
echo "# day: ${DAY_S} s wall clock, seed $SEED"
echo "# events: $N_EVENTS in the store, $N_TOLD promised to clients; platform received $N_RX ($REDELIVERED redelivered); answers $(tr '\t\n' '=,' <"$W/rx-status.tsv")"
echo "# frames: $FRAMES recorded and decoded in $N_SEGS segments ($N_RECOVERED recovered, $N_LOST lost, $(sql "SELECT count(*) FROM segments WHERE state = 'deleted'") deleted to free the disk); graded $FRAMES_GRADED frames, $(sql "SELECT count(*) FROM graded_fruit") fruit"
echo "# restarts survived: $KILLS kill -9 ($(cut -d' ' -f2- "$T/kills.log" | tr '\n' ';'))"
echo "# delivery lag, event time to platform: median $(echo "$LAGS" | median) ms, max $(echo "$LAGS" | sort -n | tail -1) ms"
echo "# labels: $N_JOBS jobs, $(wc -l <"$W/prints.tsv") printed; gaps: $(sql "SELECT group_concat(camera || ' ' || round((to_ns - from_ns) / 1e9, 1) || ' s', '; ') FROM gaps")"
tap_finish
