#!/usr/bin/env bash
# test-hub-clock.sh: the station's clock against a co-op hub's.  A real `packtrace run` whose
# hub connector talks to a loopback server (skewed-hub.py) dating its answers an hour ahead:
# the connector reads the Date, the dashboard's status raises the clock alert naming the
# connector and the skew, and /metrics has the skew (packtrace_clock_hub_skew_seconds).  Then the same with the server's clock
# right (no alert), and with [alerts] clock_skew_s=0 (never) and an invalid value.  A station
# that rotated its key sends a hub of protocol 1 nothing but its key chain, and tells why.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
HERE=$(dirname "$0")
T=$(mktemp -d)
fake=
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  [ -n "$fake" ] && kill "$fake" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
export PACKTRACE_DATA=$T/data
"$BIN" init >/dev/null || { echo "Bail out! init failed"; exit 1; }
sed -i 's/^demo=auto$/demo=off/' "$T/data/station.ini"
TOKEN=$(sed -n 's/^operator_token=//p' "$T/data/station.ini")

# start_fake SKEW_S [protocol1]: the loopback "hub", its port in $fport.
start_fake() {
  rm -f "$T/fake.port" "$T/fake.port.count" "$T/fake.port.paths"
  python3 "$HERE/skewed-hub.py" "$T/fake.port" "$@" &
  fake=$!
  for _ in $(seq 100); do [ -s "$T/fake.port" ] && break; sleep 0.05; done
  fport=$(cat "$T/fake.port")
}
stop_fake() { kill "$fake"; wait "$fake" 2>/dev/null; fake=; }
start_station() {
  "$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
  server=$!
  url=
  for _ in $(seq 100); do
    url=$(grep -o 'http://[0-9.:]*' "$T/run.out" 2>/dev/null | head -1)
    [ -n "$url" ] && break
    sleep 0.05
  done
  [ -n "$url" ] || { echo "Bail out! the station did not start: $(cat "$T/run.err")"; exit 1; }
}
stop_station() { kill "$server"; wait "$server" 2>/dev/null; server=; }
status() { curl -sf -H "Authorization: Bearer $TOKEN" "$url/api/v1/status"; }
# wait_clock: until the dashboard has a reading of the hub's clock, 10 s (times
# PT_TEST_TIME_SCALE under the sanitizers, where a clean-clone run once waited longer for the
# second station's first exchange).
wait_clock() {
  for _ in $(seq $((100 * ${PT_TEST_TIME_SCALE:-1}))); do
    [ "$(status | jq '.clock.hubs | length')" = 1 ] && return 0
    sleep 0.1
  done
  return 1
}
add_hub() {
  sed -i '/^\[sync hub\]/,$d' "$T/data/station.ini"
  printf '\n[sync hub]\ntype=hub\nurl=http://127.0.0.1:%s/\n' "$fport" >>"$T/data/station.ini"
}

start_fake 3600
add_hub
start_station
check "the hub connector reads the Date of the hub's answers" wait_clock
S=$(status)
check "  an hour ahead of the station's clock, within two seconds" \
  '[ "$(jq ".clock.hubs[0].skew_s | . > 3598 and . < 3602" <<<"$S")" = true ]'
check "  the dashboard raises the clock alert naming the hub connector" \
  '[ "$(jq -r "[.alerts[] | select(.kind == \"clock\" and .subject == \"hub\")] | length" <<<"$S")" = 1 ]'
check "  and saying how far behind the station's clock is" \
  'jq -r ".alerts[] | select(.kind == \"clock\") | .text" <<<"$S" | grep -q "is 3600 s behind hub hub"'
check "  the connector's answers were real: the server answered it" '[ "$(cat "$T/fake.port.count")" -ge 1 ]'
check "  /metrics has the skew" \
  'curl -sf -H "Authorization: Bearer $TOKEN" "$url/metrics" | grep -Eq "^packtrace_clock_hub_skew_seconds\{connector=\"hub\"\} 3(599|600|601)"'
stop_station
stop_fake

start_fake 0
add_hub
sqlite3 "$T/data/station.db" "UPDATE hub_sync SET clock_ns = 0"
start_station
check "a hub whose clock agrees is read too" wait_clock
S=$(status)
check "  within two seconds of the station's" '[ "$(jq ".clock.hubs[0].skew_s | fabs < 2" <<<"$S")" = true ]'
check "  and raises no clock alert" \
  '[ "$(jq "[.alerts[] | select(.kind == \"clock\" and .subject == \"hub\")] | length" <<<"$S")" = 0 ]'
stop_station
stop_fake

# A station that rotated its key sends its key chain first; a hub of protocol 1 has no
# endpoint for it (404), so the station sends it nothing else and says why, instead of having
# every request refused as forged.  (tests/hub/test-hub-keys.sh: a hub that follows.)
start_fake 0 protocol1
add_hub
"$BIN" key rotate >/dev/null
start_station
said=
for _ in $(seq 100); do
  "$BIN" sync status --json 2>/dev/null | jq -r '.connectors[0].last_error // ""' | grep -q "does not follow key rotations" && said=1 && break
  sleep 0.1
done
check "a rotated station's hub connector says a protocol 1 hub does not follow rotations" '[ -n "$said" ]'
check "  and sent that hub nothing but its key chain" \
  '[ -s "$T/fake.port.paths" ] && [ -z "$(grep -v "^/hub/v1/rotations$" "$T/fake.port.paths")" ]'
stop_station
stop_fake

# The hour-ahead reading again, with the alert turned off.
sqlite3 "$T/data/station.db" "UPDATE hub_sync SET clock_skew_ms = 3600000"
sed -i 's/^clock_skew_s=.*/clock_skew_s=0/' "$T/data/station.ini"
start_station
S=$(status)
check "clock_skew_s=0: the reading is shown, no alert" \
  '[ "$(jq "[.clock.hubs[0].off, ([.alerts[] | select(.kind == \"clock\" and .subject == \"hub\")] | length)]" -c <<<"$S")" = "[false,0]" ]'
stop_station
sed -i 's/^clock_skew_s=.*/clock_skew_s=1/' "$T/data/station.ini"
expect 1 "clock_skew_s=1 (under Date's resolution) is refused at load" "$BIN" batch list
check "  with a clear message" 'grep -q "clock_skew_s .1. must be 0 (never) or 2" <<<"$ERR"'
tap_finish
