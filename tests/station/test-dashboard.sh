#!/usr/bin/env bash
# test-dashboard.sh: the operator dashboard's live routes against a real `packtrace run` with
# a test camera and a camera whose device is missing: the live thumbnail (401 without the
# token, 404 for an unknown camera, a 320 px JPEG with Cache-Control no-store once the tap
# has a frame), GET /api/v1/status (disk, retention, cameras with since, alerts for a camera
# down, low disk, a printer that refuses, a held batch on an open load; the station's time
# zone) and bulk label printing with its progress, against a printer that takes the job and
# one that refuses.
# Exit 77 (skip) when a GStreamer element the test camera needs is missing.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
for e in videotestsrc splitmuxsink matroskamux h264parse; do
  if ! gst-inspect-1.0 --exists "$e" 2>/dev/null; then
    echo "# SKIP: GStreamer element $e is missing"
    exit 77
  fi
done
if ! gst-inspect-1.0 --exists x264enc && ! gst-inspect-1.0 --exists openh264enc; then
  echo "# SKIP: no H.264 encoder (x264enc or openh264enc)"
  exit 77
fi
T=$(mktemp -d)
PID=
PRINTER_PID=
trap '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; [ -n "$PRINTER_PID" ] && kill "$PRINTER_PID" 2>/dev/null; rm -rf "$T"' EXIT
DATA=$T/data
# wait_for SECONDS CONDITION; SECONDS scaled by PT_TEST_TIME_SCALE (set by the sanitizer setup)
wait_for() {
  local end=$((SECONDS + $1 * ${PT_TEST_TIME_SCALE:-1}))
  while [ $SECONDS -lt $end ]; do eval "$2" && return 0; sleep 0.2; done
  eval "$2"
}
set_key() { sed -i "s|^$1=.*|$1=$2|" "$DATA/station.ini"; }

"$BIN" init --data "$DATA" >/dev/null || { echo "not ok - init"; exit 1; }
set_key min_free_bytes 0
# Every file system has less than 100% free: the disk alert must show.
set_key disk_low_percent 100
set_key time_zone Asia/Shanghai
cat >>"$DATA/station.ini" <<'EOF2'

[camera cam1]
role=picking
source=test:ball
width=640
height=360
fps=10

[camera gone]
role=picking
source=v4l2:/dev/packtrace-no-such-camera
EOF2
TOKEN=$(sed -n 's/^operator_token=//p' "$DATA/station.ini")
AUTH="Authorization: Bearer $TOKEN"
"$BIN" run --data "$DATA" --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
PID=$!
wait_for 60 'grep -q http:// "$T/run.out"'
URL=$(grep -o 'http://[^ ]*' "$T/run.out")
check "station starts" '[ -n "$URL" ]'
code() { curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' "$@"; }

check "a thumbnail needs the operator token" '[ "$(code "$URL/api/v1/cameras/cam1/thumbnail.jpg")" = 401 ]'
wait_for 20 '[ "$(code -H "$AUTH" "$URL/api/v1/cameras/cam1/thumbnail.jpg")" != 404 ]'
check "an unknown camera's thumbnail is a 404" \
  '[ "$(code -H "$AUTH" "$URL/api/v1/cameras/nope/thumbnail.jpg")" = 404 ]'
# The first request opens the tap: 503 until a frame came (at most about a second).
wait_for 10 '[ "$(code -H "$AUTH" "$URL/api/v1/cameras/cam1/thumbnail.jpg")" = 200 ]'
check "the live thumbnail comes within seconds of the first request" \
  '[ "$(code -H "$AUTH" "$URL/api/v1/cameras/cam1/thumbnail.jpg")" = 200 ]'
check "... as a JPEG" 'grep -qi "^content-type: image/jpeg" "$T/headers" && [ "$(head -c 2 "$T/body" | xxd -p)" = ffd8 ]'
check "... never cached" 'grep -qi "^cache-control: no-store" "$T/headers"'
size=$(python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
i = 2
while i < len(d):
    marker, n = d[i + 1], struct.unpack(">H", d[i + 2:i + 4])[0]
    if marker in (0xC0, 0xC1, 0xC2):
        h, w = struct.unpack(">HH", d[i + 5:i + 9]); print(w, h); break
    i += 2 + n' "$T/body")
check "... 320 px wide, the camera's aspect kept" '[ "$size" = "320 180" ]'
first=$(sha256sum <"$T/body")
fresh() { code -H "$AUTH" "$URL/api/v1/cameras/cam1/thumbnail.jpg" >/dev/null; [ "$(sha256sum <"$T/body")" != "$first" ]; }
wait_for 5 fresh
check "... and refreshed within seconds (about once a second)" fresh

check "GET /api/v1/status needs the operator token" '[ "$(code "$URL/api/v1/status")" = 401 ]'
wait_for 15 'code -H "$AUTH" "$URL/api/v1/status" >/dev/null; jq -e ".alerts[] | select(.kind == \"camera\" and .subject == \"gone\")" "$T/body" >/dev/null'
check "a camera that cannot record is an alert with its state and since" \
  'jq -e ".alerts[] | select(.kind == \"camera\" and .subject == \"gone\" and (.since | test(\"^20\")))" "$T/body" >/dev/null'
# A camera still starting reads "stopped" until its first state change is handled: under the
# sanitizers the main loop gets there seconds after the thumbnails flow.
wait_for 15 'code -H "$AUTH" "$URL/api/v1/status" >/dev/null; ! jq -e ".alerts[] | select(.subject == \"cam1\")" "$T/body" >/dev/null'
check "a recording camera is no alert" '! jq -e ".alerts[] | select(.subject == \"cam1\")" "$T/body" >/dev/null'
check "cameras carry their state and since" \
  '[ "$(jq -r ".cameras[] | select(.name == \"cam1\") | .state" "$T/body")" = recording ] && jq -e ".cameras[0].since" "$T/body" >/dev/null'
check "disk use and free space of the data dir" \
  'jq -e ".disk.total_bytes > 0 and .disk.free_bytes > 0 and .disk.used_bytes > 0 and (.disk.path | length) > 0" "$T/body" >/dev/null'
check "free space under disk_low_percent is an alert" 'jq -e ".alerts[] | select(.kind == \"disk\")" "$T/body" >/dev/null'
check "retention settings" \
  'jq -e ".retention.min_free_bytes == 0 and .retention.evidence_retention_days == 730 and .retention.recordings_bytes >= 0" "$T/body" >/dev/null'
check "no printer alert with an empty queue" '! jq -e ".alerts[] | select(.kind == \"printer\")" "$T/body" >/dev/null'

# --- bulk printing with progress ---
for i in 1 2; do
  curl -s -H "$AUTH" -d '{"product":"Navel oranges","gtin":"09506000134352"}' "$URL/api/v1/batches" >/dev/null
done
# A printer that takes whatever it is sent.
PPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
while True:
    c, _ = s.accept()
    while c.recv(65536): pass
    c.close()' "$PPORT" &
PRINTER_PID=$!
check "bulk print without the token is a 401" \
  '[ "$(code -d "{\"batches\":[\"1\"],\"printer\":\"127.0.0.1:$PPORT\"}" "$URL/api/v1/print-jobs")" = 401 ]'
check "bulk print of an unknown batch is refused" \
  '[ "$(code -H "$AUTH" -d "{\"batches\":[\"1\",\"NOPE\"],\"printer\":\"127.0.0.1:$PPORT\"}" "$URL/api/v1/print-jobs")" = 404 ]'
check "a bad bulk print body is a 400" \
  '[ "$(code -H "$AUTH" -d "{\"batches\":[],\"printer\":\"127.0.0.1:$PPORT\"}" "$URL/api/v1/print-jobs")" = 400 ]'
check "... and queues nothing" '[ "$(sqlite3 "$DATA/station.db" "SELECT count(*) FROM print_jobs")" = 0 ]'
check "bulk print queues one job per batch" \
  '[ "$(code -H "$AUTH" -d "{\"batches\":[\"1\",\"2\"],\"printer\":\"127.0.0.1:$PPORT\",\"copies\":2}" "$URL/api/v1/print-jobs")" = 201 ] && [ "$(jq ".jobs | length" "$T/body")" = 2 ]'
IDS=$(jq -r '[.jobs[].id] | join(",")' "$T/body")
wait_for 15 'code -H "$AUTH" "$URL/api/v1/print-jobs?ids=$IDS" >/dev/null; [ "$(jq .done "$T/body")" = 2 ]'
check "progress counts the jobs the printer took" 'jq -e ".total == 2 and .done == 2 and .failed == 0" "$T/body" >/dev/null'
check "bad job ids are a 400" '[ "$(code -H "$AUTH" "$URL/api/v1/print-jobs?ids=1,x")" = 400 ]'
# A printer that refuses: the job retries and the printer is an alert.
code -H "$AUTH" -d '{"batches":["1"],"printer":"127.0.0.1:1"}' "$URL/api/v1/print-jobs" >/dev/null
BAD=$(jq -r '.jobs[0].id' "$T/body")
wait_for 15 'code -H "$AUTH" "$URL/api/v1/print-jobs?ids=$BAD" >/dev/null; [ "$(jq .retrying "$T/body")" = 1 ]'
check "progress shows a job retrying with the printer's error" \
  'jq -e ".retrying == 1 and .done == 0 and (.jobs[0].last_error | length) > 0" "$T/body" >/dev/null'
code -H "$AUTH" "$URL/api/v1/status" >/dev/null
check "a printer that refuses is an alert" \
  'jq -e ".alerts[] | select(.kind == \"printer\" and .subject == \"127.0.0.1:1\")" "$T/body" >/dev/null && jq -e ".print.retrying == 1 and .print.done == 2" "$T/body" >/dev/null'
# The dashboard shows the kind before the text: the text names the printer once, not
# "printer printer HOST".
check "... its text names the printer once" \
  'jq -e ".alerts[] | select(.kind == \"printer\") | .text | (test(\"^printer\") | not) and ([scan(\"127.0.0.1:1\\\\b\")] | length == 1)" "$T/body" >/dev/null'
check "the status names the station's time zone" '[ "$(jq -r .time_zone "$T/body")" = Asia/Shanghai ]'
check "no held-batch alert while no load is open" '! jq -e ".alerts[] | select(.kind == \"load-batch\")" "$T/body" >/dev/null'

# --- held and recalled batches on open loads ---
code -H "$AUTH" -d '{"plate":"SH 1","seal":"S-1"}' "$URL/api/v1/loads" >/dev/null
LOAD=$(jq -r .id "$T/body")
for b in 1 2; do code -H "$AUTH" -d "{\"batch\":\"#$b\"}" "$URL/api/v1/loads/$LOAD/batches" >/dev/null; done
LOT2=$(curl -s -H "$AUTH" "$URL/api/v1/batches/%232" | jq -r .lot)
code -H "$AUTH" -d '{"reason":"Customer complaint: mould"}' "$URL/api/v1/batches/2/hold" >/dev/null
code -H "$AUTH" "$URL/api/v1/status" >/dev/null
check "a held batch on an open load is an alert with load, lot, status and reason" \
  'jq -e --arg lot "$LOT2" ".alerts[] | select(.kind == \"load-batch\" and .lot == \$lot and .load == $LOAD and .status == \"held\" and .reason == \"Customer complaint: mould\" and .plate == \"SH 1\")" "$T/body" >/dev/null'
check "... only that batch" '[ "$(jq "[.alerts[] | select(.kind == \"load-batch\")] | length" "$T/body")" = 1 ]'
code -H "$AUTH" -X DELETE "$URL/api/v1/loads/$LOAD/batches/$LOT2" >/dev/null
code -H "$AUTH" "$URL/api/v1/status" >/dev/null
check "taken off the load, it is no alert" '! jq -e ".alerts[] | select(.kind == \"load-batch\")" "$T/body" >/dev/null'

check "grades of batches never graded: none" \
  '[ "$(code -H "$AUTH" "$URL/api/v1/grades?batches=1,2")" = 200 ] && [ "$(jq ".grades | length" "$T/body")" = 0 ]'
check "grades need the operator token" '[ "$(code "$URL/api/v1/grades?batches=1")" = 401 ]'
check "a bad batch id list is a 400" '[ "$(code -H "$AUTH" "$URL/api/v1/grades?batches=1,x")" = 400 ]'
kill -TERM "$PID"
wait "$PID"
RC=$?
PID=
check "the station stops cleanly" '[ "$RC" = 0 ]'

# --- printers from station.ini: chosen by name; failed jobs retried or cancelled ---
cp "$DATA/station.ini" "$T/good.ini"
printf '\n[printer dock]\naddress=127.0.0.1:9101\nport=9100\n' >>"$DATA/station.ini"
cp "$DATA/station.ini" "$T/bad.ini"
"$BIN" run --data "$DATA" --listen 127.0.0.1:0 >"$T/bad.out" 2>"$T/bad.err"
RC=$?
check "a bad [printer] section stops the station at start" '[ "$RC" != 0 ]'
check "... naming the file, the section and the key" \
  'grep -q "station.ini: \[printer dock\] port: unknown key" "$T/bad.err"'
check "... and station.ini is left as it was" 'cmp -s "$DATA/station.ini" "$T/bad.ini"'
cp "$T/good.ini" "$DATA/station.ini"
# A port nothing listens on (a printer switched off), and one that takes a job and never
# finishes reading it (a printer jammed mid-job).
OFF=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
JAM=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
held = []
while True:
    c, _ = s.accept(); held.append(c)' "$JAM" &
JAM_PID=$!
trap '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; kill "$PRINTER_PID" "$JAM_PID" 2>/dev/null; rm -rf "$T"' EXIT
set_key io_timeout_ms 4000
cat >>"$DATA/station.ini" <<EOF2

[printer dock]
address=127.0.0.1:$OFF
label=Dock label printer
template=case
default=true

[printer office]
address=127.0.0.1:$PPORT

[printer jammed]
address=127.0.0.1:$JAM
EOF2
"$BIN" run --data "$DATA" --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
PID=$!
# Stopped early or slow under load: say which, with what it said, instead of 40 checks that
# fail for want of a URL.
wait_for 60 'grep -q http:// "$T/run.out" || ! kill -0 "$PID" 2>/dev/null'
URL=$(grep -o 'http://[^ ]*' "$T/run.out")
if [ -z "$URL" ]; then
  kill -0 "$PID" 2>/dev/null && state="still starting after 60 s" || state="exited"
  echo "Bail out! the station with printers did not start ($state): $(tail -5 "$T/run.err" | tr '\n' ' ')"
  exit 1
fi
check "GET /api/v1/printers needs the operator token" '[ "$(code "$URL/api/v1/printers")" = 401 ]'
check "GET /api/v1/printers lists station.ini's printers in order" \
  '[ "$(code -H "$AUTH" "$URL/api/v1/printers")" = 200 ] && [ "$(jq -c "[.printers[] | select(.configured) | .name]" "$T/body")" = "[\"dock\",\"office\",\"jammed\"]" ]'
check "... with label, address, template and the default" \
  'jq -e --arg a "127.0.0.1:$OFF" ".printers[0] | .label == \"Dock label printer\" and .address == \$a and .template == \"case\" and .default and .queued == 0" "$T/body" >/dev/null'
check "... and a typed address is no longer taken" 'jq -e ".typed_address == false" "$T/body" >/dev/null'
# Right after the start the worker may be trying that job again (in flight, not retrying):
# wait, bounded, for it to be back in its retry wait.
wait_for 15 'code -H "$AUTH" "$URL/api/v1/printers" >/dev/null; jq -e ".printers[] | select(.address == \"127.0.0.1:1\" and .retrying == 1)" "$T/body" >/dev/null'
check "... and the address jobs of before still wait for, as an unconfigured printer" \
  'jq -e ".printers[] | select(.address == \"127.0.0.1:1\" and (.configured | not) and .retrying == 1)" "$T/body" >/dev/null'
check "a typed address is refused once printers are configured" \
  '[ "$(code -H "$AUTH" -d "{\"batches\":[\"1\"],\"printer\":\"127.0.0.1:$PPORT\"}" "$URL/api/v1/print-jobs")" = 400 ] && jq -e ".code == \"unknown-printer\"" "$T/body" >/dev/null'
check "... as is an unknown name, naming the printers there are" \
  '[ "$(code -H "$AUTH" -d "{\"batches\":[\"1\"],\"printer\":\"shed\"}" "$URL/api/v1/print-jobs")" = 400 ] && jq -e ".error | test(\"printers: dock, office, jammed\")" "$T/body" >/dev/null'
check "a printer chosen by name prints" \
  '[ "$(code -H "$AUTH" -d "{\"batches\":[\"1\"],\"printer\":\"office\"}" "$URL/api/v1/print-jobs")" = 201 ]'
OK_JOB=$(jq -r '.jobs[0].id' "$T/body")
wait_for 15 'code -H "$AUTH" "$URL/api/v1/print-jobs?ids=$OK_JOB" >/dev/null; [ "$(jq .done "$T/body")" = 1 ]'
check "... at its address" \
  'jq -e --arg a "127.0.0.1:$PPORT" ".jobs[0] | .state == \"done\" and .printer == \$a and .printer_name == \"office\"" "$T/body" >/dev/null'
code -H "$AUTH" -d '{"batches":["1"],"printer":"dock"}' "$URL/api/v1/print-jobs" >/dev/null
DOCK_JOB=$(jq -r '.jobs[0].id' "$T/body")
wait_for 15 'code -H "$AUTH" "$URL/api/v1/print-jobs?ids=$DOCK_JOB" >/dev/null; [ "$(jq .retrying "$T/body")" = 1 ]'
check "a job for a printer that is off waits with the kind of its error" \
  'jq -e ".jobs[0] | .state == \"queued\" and .error_kind == \"connect\" and .template == \"case\" and .printer_name == \"dock\"" "$T/body" >/dev/null'
code -H "$AUTH" "$URL/api/v1/status" >/dev/null
check "its alert names the printer by its label and address, once, with what it met" \
  '[ "$(jq -r ".alerts[] | select(.kind == \"printer\" and .subject == \"dock\") | .text" "$T/body")" = "Printer Dock label printer (127.0.0.1:$OFF): cannot connect — retrying, 1 job waiting" ]'
check "... and carries the parts the dashboard words it from" \
  'jq -e ".alerts[] | select(.subject == \"dock\") | .who == \"Dock label printer (127.0.0.1:$OFF)\" and .printer.retrying == 1 and .printer.queued == 1 and .printer.error_kind == \"connect\"" "$T/body" >/dev/null'
check "the job list (no ids) has the newest jobs first" \
  '[ "$(code -H "$AUTH" "$URL/api/v1/print-jobs")" = 200 ] && [ "$(jq ".jobs[0].id" "$T/body")" = "$DOCK_JOB" ]'
check "retry needs the operator token" '[ "$(code -X POST "$URL/api/v1/print-jobs/$DOCK_JOB/retry")" = 401 ]'
check "retry makes a waiting job due now" \
  '[ "$(code -H "$AUTH" -X POST "$URL/api/v1/print-jobs/$DOCK_JOB/retry")" = 200 ] && jq -e ".id == $DOCK_JOB" "$T/body" >/dev/null'
attempts=$(sqlite3 "$DATA/station.db" "SELECT attempts FROM print_jobs WHERE id = $DOCK_JOB")
wait_for 10 '[ "$(sqlite3 "$DATA/station.db" "SELECT attempts FROM print_jobs WHERE id = $DOCK_JOB")" -gt "$attempts" ]'
check "... and it is tried again at once, not after its backoff" \
  '[ "$(sqlite3 "$DATA/station.db" "SELECT attempts FROM print_jobs WHERE id = $DOCK_JOB")" -gt "$attempts" ]'
# The job may be mid-attempt for a moment (the port refuses at once): cancel until it is not.
wait_for 10 '[ "$(code -H "$AUTH" -X POST "$URL/api/v1/print-jobs/$DOCK_JOB/cancel")" = 200 ]'
check "cancel takes a waiting job out of the queue" 'jq -e ".state == \"cancelled\"" "$T/body" >/dev/null'
check "... for good: it cannot be retried" \
  '[ "$(code -H "$AUTH" -X POST "$URL/api/v1/print-jobs/$DOCK_JOB/retry")" = 409 ] && jq -e ".code == \"job-final\" and .params.state == \"cancelled\"" "$T/body" >/dev/null'
code -H "$AUTH" "$URL/api/v1/status" >/dev/null
check "... and the printer is no alert any more" '! jq -e ".alerts[] | select(.subject == \"dock\")" "$T/body" >/dev/null'
check "a done job cannot be cancelled" \
  '[ "$(code -H "$AUTH" -X POST "$URL/api/v1/print-jobs/$OK_JOB/cancel")" = 409 ] && jq -e ".code == \"job-final\"" "$T/body" >/dev/null'
check "an unknown job is a 404" '[ "$(code -H "$AUTH" -X POST "$URL/api/v1/print-jobs/9999/cancel")" = 404 ]'
code -H "$AUTH" -d '{"batches":["1"],"printer":"jammed"}' "$URL/api/v1/print-jobs" >/dev/null
JAM_JOB=$(jq -r '.jobs[0].id' "$T/body")
wait_for 10 '[ "$(sqlite3 "$DATA/station.db" "SELECT state FROM print_jobs WHERE id = $JAM_JOB")" = printing ]'
check "a job being printed cannot be cancelled" \
  '[ "$(code -H "$AUTH" -X POST "$URL/api/v1/print-jobs/$JAM_JOB/cancel")" = 409 ] && jq -e ".code == \"job-printing\"" "$T/body" >/dev/null'
check "... and stays as it was" '[ "$(sqlite3 "$DATA/station.db" "SELECT state FROM print_jobs WHERE id = $JAM_JOB")" = printing ]'
check "a batch never graded has no stills" \
  '[ "$(code -H "$AUTH" "$URL/api/v1/batches/1/grading/stills")" = 404 ]'
check "an unknown still is a 404" '[ "$(code -H "$AUTH" "$URL/api/v1/gradings/1/stills/1.jpg")" = 404 ]'
check "stills need the operator token" '[ "$(code "$URL/api/v1/gradings/1/stills/1.jpg")" = 401 ]'
kill -TERM "$PID"
wait "$PID"
RC=$?
PID=
check "the station stops cleanly, a job jammed mid-send included" '[ "$RC" = 0 ]'
tap_finish
