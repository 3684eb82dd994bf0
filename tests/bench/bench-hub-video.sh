#!/usr/bin/env bash
# bench-hub-video.sh BUILD_DIR: what the hub's video relay costs (issue 23), against the
# station's own buyer route in the same run (tests/hub/hub-video-setup.sh: a real hub on a
# throwaway PostgreSQL, a real station with a 320x240 15 fps test camera at the dock burning
# each frame's capture time in as a QR code, masked in part, 1 s segments, a load open).
#   Freshness: how much later a new live segment is named by the hub's playlist than by the
#   station's own (both asked every 100 ms for SECONDS_FRESH seconds, the same segments under
#   the same names): what the relay adds to a player's glass-to-glass time (bench-live).
#   CPU: a viewer fetching the playlist every 500 ms and each new segment, as a player does,
#   through the hub and directly, alternated RUNS times: user+system time of the station and
#   of the hub over WINDOW seconds, % of one core; and both with nobody watching (the relay's
#   idle poll).
# Medians (min-max).  Not part of the test suite: nothing is asserted on time.
set -u
B=$(cd "${1:?build dir}" && pwd)
export PACKTRACE_BUILD=$B PACKTRACE_SOURCE=${PACKTRACE_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=$B/station/packtrace
HERE=$PACKTRACE_SOURCE/tests/hub
RUNS=${RUNS:-3}
WINDOW=${WINDOW:-10}
. "$PACKTRACE_SOURCE/tests/tap.sh"
. "$HERE/pg-fixture.sh"
. "$HERE/hub-video-setup.sh"
hv_setup >/dev/null
VIEWER=
trap '[ -n "$VIEWER" ] && kill "$VIEWER" 2>/dev/null; [ -n "${BENCH_KEEP:-}" ] && cp "$T/run.err" "$T/hub.log" "$BENCH_KEEP/"; hv_cleanup' EXIT
TCK=$(getconf CLK_TCK)
stats() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%s (%s-%s)", v[int((NR + 1) / 2)], v[1], v[NR] }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

curl -sf -m 20 -X POST -H "Authorization: Bearer $OPTOKEN" -d "{\"plate\":\"HV 1\",\"seal\":\"S-9\",\"dock\":\"dock1\",\"destination_gln\":\"$GLN_A\"}" "$URL/api/v1/loads" >/dev/null &&
  curl -sf -m 20 -X POST -H "Authorization: Bearer $OPTOKEN" -d '{"batch":"HV1"}' "$URL/api/v1/loads/1/batches" >/dev/null ||
  { echo "the load could not be opened"; exit 1; }
KEY=$("$BIN" apikey add bench-buyer --role buyer --scope $GLN_A --json | jq -r .key)
DIRECT="$URL/api/v1/buyer/loads/1/video/dock1/live"
wait_for 30 '[ "$(curl -s -m 5 -H "Authorization: Bearer $TOKEN_A" "$HUB/api/v1/buyer/loads" | jq ".loads | length")" = 1 ]' ||
  { echo "the hub never heard of the load"; exit 1; }
# The hub's playlist URL, once the station has answered.
for _ in $(seq 40); do
  LIVE=$(curl -s -m 5 -H "Authorization: Bearer $TOKEN_A" "$HUB/api/v1/buyer/loads/$SID-1/video" | jq -r '.cameras[0].live // empty')
  [ -n "$LIVE" ] && break
  sleep 0.5
done
[ -n "$LIVE" ] || { echo "the hub never relayed the load's answer"; exit 1; }
RELAYED="$HUB${LIVE%/index.m3u8*}"

# Freshness: both playlists asked every 100 ms for SECONDS; each segment's first sighting at
# the station and at the hub (the relay pushes the station's segments under their own names).
declare -A at_station at_hub
newest() { curl -s -m 2 -H "Authorization: Bearer $2" "$1/index.m3u8" | grep -v '^#' | grep . | tail -1 | sed 's/?.*//'; }
end=$(( $(date +%s) + ${SECONDS_FRESH:-20} ))
while [ "$(date +%s)" -lt "$end" ]; do
  now=$(date +%s%3N)
  s=$(newest "$DIRECT" "$KEY")
  [ -n "$s" ] && [ -z "${at_station[$s]:-}" ] && at_station[$s]=$now
  now=$(date +%s%3N)
  s=$(newest "$RELAYED" "$TOKEN_A")
  [ -n "$s" ] && [ -z "${at_hub[$s]:-}" ] && at_hub[$s]=$now
  sleep 0.1
done
lag=()
for s in "${!at_hub[@]}"; do
  [ -n "${at_station[$s]:-}" ] && lag+=($((at_hub[$s] - at_station[$s])))
done

# ---- CPU ----
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# viewer BASE AUTH: a player's requests: the playlist every 500 ms, each new segment once.
viewer() {
  local seen=""
  while :; do
    if curl -s -m 5 -o "$T/v.m3u8" -H "Authorization: Bearer $2" "$1/index.m3u8"; then
      for s in $(grep -v '^#' "$T/v.m3u8" | grep . | sed 's/?.*//'); do
        case " $seen " in *" $s "*) ;; *) curl -s -m 5 -o /dev/null -H "Authorization: Bearer $2" "$1/$s"; seen="$seen $s" ;; esac
      done
    fi
    sleep 0.5
  done
}
# window: station and hub CPU over WINDOW seconds, "STATION HUB" in % of a core.
window() {
  local s0 h0 s1 h1
  s0=$(ticks "$server")
  h0=$(ticks "$hub")
  sleep "$WINDOW"
  s1=$(ticks "$server")
  h1=$(ticks "$hub")
  awk -v s=$((s1 - s0)) -v h=$((h1 - h0)) -v t="$TCK" -v w="$WINDOW" \
    'BEGIN { printf "%.1f %.1f\n", 100 * s / t / w, 100 * h / t / w }'
}
idle_s=() idle_h=() rel_s=() rel_h=() dir_s=() dir_h=()
for _ in $(seq "$RUNS"); do
  sleep 20 # past the asks' life and the camera's live idle time: nobody watches
  read -r a b <<<"$(window)"
  idle_s+=("$a") idle_h+=("$b")
  viewer "$RELAYED" "$TOKEN_A" &
  VIEWER=$!
  sleep 5
  read -r a b <<<"$(window)"
  rel_s+=("$a") rel_h+=("$b")
  kill "$VIEWER" && wait "$VIEWER" 2>/dev/null
  VIEWER=
  viewer "$DIRECT" "$KEY" &
  VIEWER=$!
  sleep 5
  read -r a b <<<"$(window)"
  dir_s+=("$a") dir_h+=("$b")
  kill "$VIEWER" && wait "$VIEWER" 2>/dev/null
  VIEWER=
done

echo "a new live segment at the hub after the station's own playlist names it (ms), ${#lag[@]} segments:"
echo "  $(stats "${lag[@]:-0}")  (both playlists asked every 100 ms; the relay polls every 500 ms while watched)"
echo "CPU, % of one core over ${WINDOW} s windows, $RUNS rounds (320x240 15 fps camera, masked live):"
echo "  nobody watching:        station $(stats "${idle_s[@]}"), hub $(stats "${idle_h[@]}")"
echo "  one viewer via the hub: station $(stats "${rel_s[@]}"), hub $(stats "${rel_h[@]}")"
echo "  one viewer, directly:   station $(stats "${dir_s[@]}"), hub $(stats "${dir_h[@]}")  (baseline)"
awk -v a="$(median "${rel_s[@]}")" -v b="$(median "${dir_s[@]}")" \
  'BEGIN { printf "  the relay costs the station %.1f%% of a core more than a direct viewer (%.2fx)\n", a - b, (b > 0 ? a / b : 0) }'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
