#!/usr/bin/env bash
# test-grading-run.sh: the grading camera under `packtrace run`: a `file` camera playing the
# demo generator's belt footage (pt-demo-footage) with role=grading and [grading] fps set;
# a grading opened on a batch fills with graded fruit while segments keep closing, the HTTP
# grading route and the camera status show it, `grade close` signs the inspecting event, and
# the batch's bundle verifies and the log audits intact.  Also `packtrace calibrate` on a
# generated disc of known size, --save into station.ini, and bad [grading] settings.
# Exit 77 (skip) when a GStreamer element the camera needs is missing.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
DEMO=$PACKTRACE_BUILD/pipeline/pt-demo-footage
GEN=${PT_TEST_FRUITGEN:?}
for e in appsrc videoconvert splitmuxsink matroskamux matroskademux h264parse textoverlay; do
  if ! gst-inspect-1.0 --exists "$e" 2>/dev/null; then
    echo "1..0 # SKIP GStreamer element $e is missing"
    exit 77
  fi
done
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$T"' EXIT
DATA=$T/data
DB=$DATA/station.db
sql() { sqlite3 "$DB" "$1"; }
wait_for() {
  local end=$((SECONDS + $1))
  while [ $SECONDS -lt $end ]; do eval "$2" && return 0; sleep 0.2; done
  eval "$2"
}
set_key() { sed -i "s|^$1=.*|$1=$2|" "$DATA/station.ini"; }
closed_segments() { sql "SELECT count(*) FROM segments WHERE camera='grader' AND state='closed'"; }

"$DEMO" "$T/demo" 8 >/dev/null 2>&1 || { echo "Bail out! pt-demo-footage failed"; exit 1; }
mkdir -p "$T/img" && "$GEN" "$T/img" || { echo "Bail out! pt-test-fruitgen failed"; exit 1; }
"$BIN" init --data "$DATA" >/dev/null || { echo "Bail out! init failed"; exit 1; }
for b in 1 2; do
  "$BIN" batch new --data "$DATA" --product Oranges --gtin 9506000134352 --variety Navel \
    --origin ES --grower "Grove $b" --quantity 900 --uom KGM >/dev/null || { echo "Bail out! batch"; exit 1; }
done

# Bad [grading] settings stop the start with a clear message.
set_key fps 99
"$BIN" run --data "$DATA" --listen 127.0.0.1:0 >"$T/bad.out" 2>"$T/bad.err"
check "fps out of range refuses to start" '[ $? -eq 1 ] && grep -q "\[grading\]: fps .99. must be 0..30" "$T/bad.err"'
set_key fps 8
cat >>"$DATA/station.ini" <<INI

[camera grader]
role=grading
source=file:$T/demo/demo-grading.mkv
segment_seconds=1
INI

"$BIN" grade open 1 --data "$DATA" >/dev/null
check "grading opened before the run" '[ "$(sql "SELECT count(*) FROM gradings WHERE closed_ns IS NULL")" = 1 ]'
: >"$T/run.out"
"$BIN" run --data "$DATA" --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
PID=$!
wait_for 10 'grep -q http:// "$T/run.out"'
URL=$(grep -o 'http://[^ ]*' "$T/run.out")
# Camera and batch reads need credentials: the operator token of station.ini.
AUTH="Authorization: Bearer $(sed -n 's/^operator_token=//p' "$DATA/station.ini")"
start=$SECONDS
check "graded fruit rows appear while recording" \
  'wait_for 20 "[ \$(sql \"SELECT count(*) FROM graded_fruit\") -ge 4 ]"'
# The grader never holds the recording up: segments of 1 s keep closing at about 1 a second.
s1=$(closed_segments); t1=$SECONDS
sleep 4
s2=$(closed_segments); t2=$SECONDS
check "segments keep closing while grading ($s1 -> $s2 in $((t2 - t1)) s)" '[ $((s2 - s1)) -ge $((t2 - t1 - 2)) ]'
echo "# fruit graded after $((t1 - start)) s: $(sql 'SELECT count(*) FROM graded_fruit')"

G=$(curl -sf -H "$AUTH" "$URL/api/v1/batches/1/grading")
check "HTTP grading is open with counts" \
  '[ "$(echo "$G" | jq -r .state)" = open ] && [ "$(echo "$G" | jq .fruitCount)" -ge 4 ]'
check "HTTP grading has class and size counts and defect stats" \
  'echo "$G" | jq -e ".gradeDistribution.Extra != null and (.sizeDistribution|length) > 0 and .defects.fruitWithDefects != null" >/dev/null'
check "HTTP grading counts add up" \
  '[ "$(echo "$G" | jq "[.gradeDistribution[]]|add")" = "$(echo "$G" | jq .fruitCount)" ]'
C=$(curl -sf -H "$AUTH" "$URL/api/v1/cameras")
check "camera status reports the tap (graded, dropped)" \
  'echo "$C" | jq -e ".grading.frames_graded > 0 and .grading.frames_dropped >= 0 and .grading.fps == 8" >/dev/null'
echo "# tap: $(echo "$C" | jq -c .grading)"
check "HTTP grading of a batch never graded is 404" \
  '[ "$(curl -s -H "$AUTH" -o /dev/null -w "%{http_code}" "$URL/api/v1/batches/2/grading")" = 404 ]'

E=$("$BIN" grade close 1 --data "$DATA" --json)
EID=$(echo "$E" | jq -r .event.eventID)
check "close writes a signed inspecting event" \
  '[ "$(echo "$E" | jq -r .event.bizStep)" = inspecting ] && [ -n "$(echo "$E" | jq -r .signature)" ] && [ "$EID" != null ]'
G=$(curl -sf -H "$AUTH" "$URL/api/v1/batches/1/grading")
check "HTTP grading is closed with the event id" \
  '[ "$(echo "$G" | jq -r .state)" = closed ] && [ "$(echo "$G" | jq -r .eventId)" = "$EID" ]'
n_closed=$(sql "SELECT count(*) FROM graded_fruit")
sleep 1.5
check "a closed grading takes no more fruit" '[ "$(sql "SELECT count(*) FROM graded_fruit")" = "$n_closed" ]'

kill -INT "$PID"
wait "$PID"
RC=$?
PID=
check "run stops cleanly" '[ $RC -eq 0 ]'
check "no grading errors logged" \
  '! grep -q "grading camera:" "$T/run.err" || { grep "grading camera:" "$T/run.err" | sed "s/^/#  /"; false; }'
"$BIN" export 1 --format bundle -o "$T/b.json" --data "$DATA" >/dev/null
check "bundle with the inspecting event verifies" '"$BIN" verify "$T/b.json" >/dev/null && jq -e "[.. | objects | select(.bizStep? == \"inspecting\")] | length == 1" "$T/b.json" >/dev/null'
check "audit is intact" '"$BIN" audit --data "$DATA" >/dev/null'

# calibrate: an 85 mm disc rendered at 0.25 mm/px.
CAL=$("$BIN" calibrate "$T/img/disc.png" --reference disc --size-mm 85 --json)
check "calibrate measures the disc within 2%" \
  'echo "$CAL" | jq -e "(.mm_per_px - 0.25 | fabs) <= 0.005" >/dev/null'
echo "# calibrate: $(echo "$CAL" | jq .mm_per_px) mm/px (true 0.25)"
"$BIN" calibrate "$T/img/disc.png" --reference circle --size-mm 85 >/dev/null 2>&1
check "unknown reference is a usage error" '[ $? -eq 2 ]'
"$BIN" calibrate "$T/img/disc.png" --reference disc --size-mm 0 >/dev/null 2>&1
check "zero size is a usage error" '[ $? -eq 2 ]'
"$BIN" calibrate "$T/img/good.png" --reference square --size-mm 50 >/dev/null 2>"$T/cal.err"
check "no square in view fails with one line" '[ $? -eq 1 ] && [ "$(wc -l <"$T/cal.err")" = 1 ]'
cp "$DATA/station.ini" "$T/ini.before"
"$BIN" calibrate "$T/img/good.png" --reference square --size-mm 50 --save --data "$DATA" >/dev/null 2>&1
check "failed calibration writes nothing" 'cmp -s "$DATA/station.ini" "$T/ini.before"'
"$BIN" calibrate "$T/img/disc.png" --reference disc --size-mm 85 --save --data "$DATA" >/dev/null
check "--save writes [grading] mm_per_px and keeps comments" \
  'grep -q "^mm_per_px=0\.25" "$DATA/station.ini" && grep -q "packtrace calibrate --save" "$DATA/station.ini" && grep -q "^\[camera grader\]" "$DATA/station.ini"'
O=$("$BIN" grade open 2 --data "$DATA" --json)
check "grade open takes the saved calibration" 'echo "$O" | jq -e "(.mmPerPx - 0.25 | fabs) < 0.005" >/dev/null'

tap_finish
