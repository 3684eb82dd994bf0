#!/usr/bin/env bash
# test-metrics.sh: GET /metrics, as Prometheus scrapes it.
# - Operator only: 401 without the token, 200 with it as bearer credentials.
# - The text passes `promtool check metrics` (Debian's prometheus package).
# - Its figures are the station's: events and held batches as station.db counts them, the
#   backlog of a sync connector whose platform is down, the demo cameras recording, the data
#   directory's free space, the process's memory.
# - The HTTP server's requests by route (table path, never the URL asked), method and code, and
#   their durations as a histogram.
# - The clock gauge and the dashboard's clock alert follow the kernel's own word (adjtimex).
# - The Grafana dashboard in station/packaging/grafana/ queries only series that are served.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill -9 "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
"$BIN" init >/dev/null || { echo "Bail out! init failed"; exit 1; }
TOKEN=$(sed -n 's/^operator_token=//p' "$PACKTRACE_DATA/station.ini")
# A platform that is down (nothing listens on port 9 of loopback): its queue grows.
"$BIN" sync add down --type webhook --url http://127.0.0.1:9/hook --secret s3cret-of-at-least-16 >/dev/null ||
  echo "# sync add failed"
for i in 1 2 3; do
  "$BIN" batch new --product Oranges --gtin 9506000134352 --lot "M-$i" >/dev/null ||
    echo "# batch new failed"
done
"$BIN" batch hold --reason "Customer complaint: mould" M-2 >/dev/null || echo "# hold failed"
run_station

scrape() { curl -s -m 10 -H "Authorization: Bearer $TOKEN" "$url/metrics"; }
metric() { awk -v m="$1" '$1 == m { print $2 }' "$T/metrics"; }

check "/metrics without the operator token answers 401" \
  '[ "$(curl -s -o /dev/null -w "%{http_code}" -m 5 "$url/metrics")" = 401 ]'
check "with it, 200 in Prometheus text format 0.0.4" \
  'curl -s -o /dev/null -w "%{http_code} %{content_type}" -m 10 -H "Authorization: Bearer $TOKEN" "$url/metrics" | grep -q "^200 text/plain; version=0.0.4"'
# The demo cameras start after the URL is out; wait until all three record (demo footage is
# made once, in a few seconds).
recording=0
for _ in $(seq 120); do
  scrape >"$T/metrics"
  recording=$(grep -c '^packtrace_camera_recording{.*} 1$' "$T/metrics")
  [ "$recording" -ge 3 ] && break
  sleep 0.5
done
if command -v promtool >/dev/null; then
  check "promtool check metrics accepts it" 'promtool check metrics <"$T/metrics" >"$T/promtool.out" 2>&1 || { sed "s/^/#  /" "$T/promtool.out"; false; }'
else
  not_ok "promtool check metrics accepts it" "promtool missing (Debian package prometheus)"
fi
events=$(sqlite3 "$PACKTRACE_DATA/station.db" "SELECT count(*) FROM events")
check "packtrace_events_total is station.db's count ($events)" \
  '[ "$(metric packtrace_events_total)" = "$events" ]'
check "packtrace_batches counts the held batch" \
  '[ "$(metric "packtrace_batches{status=\"held\"}")" = 1 ]'
for _ in $(seq 40); do
  scrape >"$T/metrics"
  pending=$(metric 'packtrace_sync_pending{connector="down",type="webhook"}')
  failed=$(metric 'packtrace_sync_failed{connector="down",type="webhook"}')
  [ "$(( ${pending:-0} + ${failed:-0} ))" -ge "$events" ] && break
  sleep 0.25
done
check "the down platform's backlog holds every event (pending $pending + failed $failed)" \
  '[ "$(( ${pending:-0} + ${failed:-0} ))" -ge "$events" ]'
check "  and nothing is counted delivered" \
  '[ "$(metric "packtrace_sync_delivered_total{connector=\"down\",type=\"webhook\"}")" = 0 ]'
check "the three demo cameras are recording ($recording)" '[ "$recording" -ge 3 ]'
check "the data directory's free space is reported" \
  '[ "$(metric packtrace_data_filesystem_avail_bytes)" -gt 0 ]'
check "the process's resident memory is reported" \
  '[ "$(metric process_resident_memory_bytes)" -gt 1000000 ]'
# The HTTP server's own series: requests by route table path, method and code, durations.
for _ in 1 2 3 4 5; do curl -s -o /dev/null -m 5 "$url/healthz"; done
curl -s -o /dev/null -m 5 "$url/api/v1/no/such/route"
scrape >"$T/metrics"
check "packtrace_http_requests_total counts /healthz by route, method and code (>= 5)" \
  '[ "$(metric "packtrace_http_requests_total{route=\"/healthz\",method=\"GET\",code=\"200\"}")" -ge 5 ]'
check "  the 401 of /metrics without a token under its route" \
  '[ "$(metric "packtrace_http_requests_total{route=\"/metrics\",method=\"GET\",code=\"401\"}")" -ge 1 ]'
check "  and an unknown path as \"unmatched\", never by the path asked" \
  '[ "$(metric "packtrace_http_requests_total{route=\"unmatched\",method=\"GET\",code=\"404\"}")" -ge 1 ] && ! grep -q "no/such/route" "$T/metrics"'
# Methods a client makes up are one "other" series, never their own: each would be a new
# series (and a new interned string) for the life of the process.
for i in $(seq 20); do curl -s -o /dev/null -m 5 -X "MADEUP$i" "$url/healthz"; done
curl -s -o /dev/null -m 5 -X "MADEUPX" "$url/api/v1/no/such/route"
scrape >"$T/metrics"
other=$(awk '/^packtrace_http_requests_total\{.*method="other"/ { n += $2 } END { print n + 0 }' "$T/metrics")
check "made-up methods are counted as method=\"other\" ($other >= 21), never by the word sent" \
  '[ "$other" -ge 21 ] && ! grep -q MADEUP "$T/metrics"'
check "packtrace_http_request_duration_seconds: /healthz's +Inf bucket equals its count" \
  'inf=$(metric "packtrace_http_request_duration_seconds_bucket{route=\"/healthz\",method=\"GET\",le=\"+Inf\"}"); cnt=$(metric "packtrace_http_request_duration_seconds_count{route=\"/healthz\",method=\"GET\"}"); [ -n "$inf" ] && [ "$inf" = "$cnt" ] && [ "$cnt" -ge 5 ]'
if command -v promtool >/dev/null; then
  check "  and promtool still accepts the whole scrape" 'promtool check metrics <"$T/metrics" >/dev/null 2>&1'
fi

# The clock, read independently of the station: adjtimex(2) through Python's ctypes
# (x86-64 struct timex: status at byte 40; TIME_ERROR = 5 or STA_UNSYNC = 0x40 is unsynced).
kernel_synced=$(python3 -c '
import ctypes
buf = ctypes.create_string_buffer(256)
state = ctypes.CDLL(None, use_errno=True).adjtimex(buf)
status = int.from_bytes(buf.raw[40:44], "little")
print(1 if state >= 0 and state != 5 and not status & 0x40 else 0)')
check "packtrace_clock_synchronized is the kernel's word ($kernel_synced)" \
  '[ "$(metric packtrace_clock_synchronized)" = "$kernel_synced" ]'
curl -s -m 10 -H "Authorization: Bearer $TOKEN" "$url/api/v1/status" >"$T/status"
if [ "$kernel_synced" = 1 ]; then
  check "  and the dashboard shows no clock alert" \
    '! jq -e ".alerts[] | select(.kind == \"clock\")" "$T/status" >/dev/null'
else
  check "  and the dashboard shows a clock alert naming a time service" \
    'jq -e ".clock.synchronised == false and ([.alerts[] | select(.kind == \"clock\" and (.text | test(\"timesyncd|chrony\")))] | length == 1)" "$T/status" >/dev/null'
  check "  and the station's log says so at start" 'grep -q "not synchronised" "$T/run.err"'
fi

# The Grafana dashboard in the tree asks only for series the station serves.
DASH=${PACKTRACE_SOURCE:?}/station/packaging/grafana/packtrace-station.json
jq -r '.panels[].targets[].expr' "$DASH" | grep -oE '\b(packtrace|process)_[a-z_]+' | sort -u >"$T/asked"
awk '/^# TYPE/ { print $3 }' "$T/metrics" | sort -u >"$T/served"
# A histogram is served as NAME (its TYPE line) and queried as NAME_bucket, _sum or _count.
unknown=$(comm -23 "$T/asked" "$T/served" | while read -r m; do
  grep -qx "${m%_bucket}" "$T/served" || grep -qx "${m%_sum}" "$T/served" ||
    grep -qx "${m%_count}" "$T/served" || printf '%s ' "$m"
done)
check "every series the Grafana dashboard queries ($(wc -l <"$T/asked")) is served" \
  '[ -s "$T/asked" ] && [ -z "$unknown" ] || { echo "#  not served: $unknown"; false; }'

kill "$server"
wait "$server" 2>/dev/null
server=
tap_finish
