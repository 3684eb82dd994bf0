#!/usr/bin/env bash
# test-gaps.sh: the time a station does not record is on record as gaps, even when it is
# killed.  `packtrace run` with a test camera and an RTSP camera (served by shed-world):
#   - kill -9 while both record, restart: each camera has a gap "station stopped" from the end
#     of its last footage (the recovered segment's end) to the start of the restart's first
#     segment, also listed by GET /api/v1/segments;
#   - the RTSP server stopped: the outage is an open gap at once (to NULL); kill -9 during it,
#     restart with the server still down: the gap reads "station stopped while camera down:
#     ..." and stays open; the server back: one gap covers outage and downtime, ending where
#     the camera records again;
#   - the RTSP server stopped and started while the station runs (the camera restarts): a gap
#     of its own with its reason, shown by GET /api/v1/timeline between two recorded spans.
# Exit 77 (skip) when a GStreamer element is missing.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
WORLD=${PT_SHED_WORLD:?}
for e in videotestsrc x264enc h264parse splitmuxsink matroskamux matroskademux rtspsrc \
  rtph264depay rtph264pay textoverlay; do
  if ! gst-inspect-1.0 --exists "$e" 2>/dev/null; then
    echo "1..0 # SKIP GStreamer element $e is missing"
    exit 77
  fi
done
for tool in jq sqlite3 curl; do
  command -v $tool >/dev/null || { echo "1..0 # SKIP $tool is missing"; exit 77; }
done
T=$(mktemp -d /tmp/pt-gaps-XXXXXX)
DATA=$T/data
DB=$DATA/station.db
PID=
WORLD_PID=
cleanup() {
  [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
  [ -n "$WORLD_PID" ] && kill "$WORLD_PID" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

sql() { sqlite3 -cmd ".timeout 5000" "$DB" "$1"; }
wait_for() {
  local end=$((SECONDS + $1))
  while [ $SECONDS -lt $end ]; do eval "$2" && return 0; sleep 0.2; done
  eval "$2"
}
start_run() {
  rm -f "$T/run.out"
  "$BIN" run --data "$DATA" --listen 127.0.0.1:0 >"$T/run.out" 2>>"$T/run.err" &
  PID=$!
  wait_for 60 'grep -q http:// "$T/run.out"'
  URL=$(grep -o 'http://[^ ]*' "$T/run.out")
}
kill9() {
  kill -9 "$PID"
  wait "$PID" 2>/dev/null
  PID=
}
now_ns() { date +%s%N; }
# The seconds between two ns times, one decimal.
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b - a) / 1e9}'; }
# abs_ms A B: |A - B| in ms
abs_ms() { awk -v a="$1" -v b="$2" 'BEGIN {d = (a - b) / 1e6; printf "%d", d < 0 ? -d : d}'; }

mkfifo "$T/world.ctl"
mkdir -p "$T/world"
"$WORLD" 1 "$T/world" <"$T/world.ctl" >"$T/world.out" 2>"$T/world.err" &
WORLD_PID=$!
exec 3>"$T/world.ctl"
world() {
  local n
  n=$(grep -c '^ok' "$T/world.out")
  echo "$*" >&3
  wait_for 20 '[ "$(grep -c "^ok" "$T/world.out")" -gt "$n" ]'
}
wait_for 20 'grep -q ^ready "$T/world.out"' || { echo "Bail out! shed-world did not start: $(cat "$T/world.err")"; exit 1; }
RTSP_URL=$(awk '$1 == "camera" {print $2}' "$T/world.out")

"$BIN" init --data "$DATA" >/dev/null || { echo "Bail out! init failed"; exit 1; }
AUTH="Authorization: Bearer $(sed -n 's/^operator_token=//p' "$DATA/station.ini")"
sed -i 's|^min_free_bytes=.*|min_free_bytes=0|' "$DATA/station.ini"
cat >>"$DATA/station.ini" <<EOF

[camera cam1]
role=picking
source=test:ball
segment_seconds=2
width=320
height=240
fps=10

[camera field]
role=picking
source=$RTSP_URL
segment_seconds=2
EOF
closed() { sql "SELECT count(*) FROM segments WHERE camera = '$1' AND state = 'closed'"; }

# --- kill -9 while recording ---
start_run
wait_for 30 '[ "$(closed cam1)" -ge 1 ] && [ "$(closed field)" -ge 1 ]'
check "both cameras record" '[ "$(closed cam1)" -ge 1 ] && [ "$(closed field)" -ge 1 ]'
sleep 1
kill9
KILL_NS=$(now_ns)
sleep 2
RESTART_NS=$(now_ns)
start_run
first_after() { sql "SELECT min(start_ns) FROM segments WHERE camera = '$1' AND start_ns > $RESTART_NS"; }
wait_for 30 '[ -n "$(first_after cam1)" ] && [ -n "$(first_after field)" ] && [ "$(sql "SELECT count(*) FROM gaps WHERE to_ns IS NULL")" = 0 ]'
for cam in cam1 field; do
  LAST_END=$(sql "SELECT max(end_ns) FROM segments WHERE camera = '$cam' AND start_ns < $KILL_NS")
  FIRST=$(first_after $cam)
  IFS='|' read -r g_from g_to g_reason < <(sql "SELECT from_ns, to_ns, reason FROM gaps WHERE camera = '$cam' AND from_ns < $RESTART_NS AND coalesce(to_ns, $RESTART_NS + 1) > $RESTART_NS")
  check "$cam: the kill is a gap \"station stopped\" ($(secs "${g_from:-0}" "${g_to:-0}") s)" \
    '[ "${g_reason:-}" = "station stopped" ]'
  check "$cam: ... from the end of the last footage written (the recovered segment)" \
    '[ "${g_from:-0}" = "$LAST_END" ] && [ "$(abs_ms "$LAST_END" "$KILL_NS")" -lt 1500 ]'
  check "$cam: ... to the restart's first footage" '[ "${g_to:-0}" = "$FIRST" ]'
done
check "the kill left a segment to recover" \
  '[ "$(sql "SELECT count(*) FROM segments WHERE state IN ('"'recovered'"', '"'lost'"')")" -ge 1 ]'
curl -s -H "$AUTH" "$URL/api/v1/segments?camera=cam1" >"$T/segs.json"
# (jq reads numbers as doubles: the ns times are compared as the RFC 3339 text.)
check "GET /api/v1/segments lists the gap with its reason and times" \
  '[ "$(jq -r ".gaps[] | \"\(.camera) \(.reason) \(.from < .to)\"" "$T/segs.json")" = "cam1 station stopped true" ]' ||
  echo "#   $(head -c 400 "$T/segs.json")"

# --- kill -9 during an outage of the RTSP camera ---
sleep 1
world rtsp stop
DOWN_NS=$(now_ns)
open_gap() { sql "SELECT from_ns || ' ' || reason FROM gaps WHERE camera = 'field' AND to_ns IS NULL"; }
wait_for 20 '[ -n "$(open_gap)" ]'
check "the outage is on record as an open gap while it lasts" '[ -n "$(open_gap)" ]'
OUT_FROM=$(sql "SELECT from_ns FROM gaps WHERE camera = 'field' AND to_ns IS NULL")
LAST_FIELD=$(sql "SELECT max(end_ns) FROM segments WHERE camera = 'field' AND start_ns < $DOWN_NS")
check "... from about the last footage before the server went away" \
  '[ -n "$OUT_FROM" ] && [ "$(abs_ms "$OUT_FROM" "${LAST_FIELD:-0}")" -lt 1500 ]'
check "cam1 has no open gap" '[ "$(sql "SELECT count(*) FROM gaps WHERE camera = '"'cam1'"' AND to_ns IS NULL")" = 0 ]'
sleep 1
kill9
sleep 2
start_run
wait_for 20 '[ "$(curl -s -H "$AUTH" "$URL/api/v1/cameras" | jq -r ".cameras[] | select(.name == \"field\") | .state")" = reconnecting ]'
sleep 1
check "after the restart the gap is still open and says the camera was down" \
  '[[ "$(open_gap)" == "$OUT_FROM station stopped while camera down: "* ]]'
world rtsp start
UP_NS=$(now_ns)
wait_for 40 '[ -n "$(sql "SELECT min(start_ns) FROM segments WHERE camera = '"'field'"' AND start_ns > $UP_NS")" ]'
FIRST_UP=$(sql "SELECT min(start_ns) FROM segments WHERE camera = 'field' AND start_ns > $UP_NS")
IFS='|' read -r g_from g_to g_reason < <(sql "SELECT from_ns, to_ns, reason FROM gaps WHERE camera = 'field' AND from_ns = $OUT_FROM")
check "the camera recorded again after its server came back" '[ -n "$FIRST_UP" ]'
check "one gap covers the outage and the downtime ($(secs "${g_from:-0}" "${g_to:-0}") s)" \
  '[ "${g_to:-}" = "$FIRST_UP" ] && [[ "${g_reason:-}" == "station stopped while camera down: "* ]]'
check "no other gap of the RTSP camera overlaps it" \
  '[ "$(sql "SELECT count(*) FROM gaps WHERE camera = '"'field'"' AND from_ns < $FIRST_UP AND coalesce(to_ns, $FIRST_UP) > $OUT_FROM")" = 1 ]'

# --- the camera restarts while the station runs: the timeline shows the gap ---
wait_for 20 '[ "$(sql "SELECT count(*) FROM segments WHERE camera = '"'field'"' AND state = '"'closed'"' AND start_ns >= $FIRST_UP")" -ge 1 ]'
world rtsp stop
wait_for 20 '[ -n "$(open_gap)" ]'
sleep 2
world rtsp start
UP2_NS=$(now_ns)
wait_for 40 '[ "$(sql "SELECT count(*) FROM segments WHERE camera = '"'field'"' AND state = '"'closed'"' AND start_ns > $UP2_NS")" -ge 1 ]'
IFS='|' read -r r_from r_to r_reason < <(sql "SELECT from_ns, to_ns, reason FROM gaps WHERE camera = 'field' AND from_ns > $FIRST_UP")
curl -s -o "$T/day.json" -H "$AUTH" \
  "$URL/api/v1/timeline?camera=field&from=$(date -u -d @$(($(date +%s) - 3600)) +%FT%TZ)&to=$(date -u -d @$(($(date +%s) + 60)) +%FT%TZ)"
# pj EXPR: EXPR of the timeline's answer as d (Python: ns times need all 19 digits)
pj() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/day.json" "$1"; }
check "a camera restart while the station runs: a gap of its own (${r_reason:-none}, $(secs "${r_from:-0}" "${r_to:-0}") s)" \
  '[ -n "${r_to:-}" ] && [ -n "${r_reason:-}" ] && [[ "$r_reason" != "station stopped"* ]]'
check "... on the timeline of the camera, with its reason, between two recorded spans" \
  '[ "$(pj "[g[\"reason\"] for g in d[\"gaps\"] if g[\"from_ns\"] == ${r_from:-0} and g[\"to_ns\"] == ${r_to:-0} and g[\"kind\"] == \"gap\"]")" = "[$(python3 -c "import sys; print(repr(sys.argv[1]))" "${r_reason:-}")]" ] && [ "$(pj "len([s for s in d[\"spans\"] if s[\"to_ns\"] == ${r_from:-0}]) + len([s for s in d[\"spans\"] if s[\"from_ns\"] == ${r_to:-0}])")" = 2 ]' ||
  echo "#   gaps: $(pj "[(g['from_ns'], g['to_ns'], g['reason']) for g in d['gaps']]"); spans: $(pj "[(s['from_ns'], s['to_ns']) for s in d['spans']]")"
kill -TERM "$PID"
wait "$PID"
RC=$?
PID=
check "the station stops cleanly" '[ "$RC" = 0 ]'
check "a clean stop leaves no gap open" '[ "$(sql "SELECT count(*) FROM gaps WHERE to_ns IS NULL")" = 0 ]'
echo "# gaps: $(sql "SELECT group_concat(camera || ' ' || round((to_ns - from_ns) / 1e9, 1) || ' s ' || reason, '; ') FROM gaps")"
world quit
wait "$WORLD_PID"
WORLD_PID=
tap_finish
