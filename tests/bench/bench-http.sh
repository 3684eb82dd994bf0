#!/usr/bin/env bash
# bench-http.sh: GET /api/v1/batches/{id} requests per second with wrk on loopback,
# against GET /healthz (no database) on the same server in the same run: medians of 3 with
# min and max, the ratio of the medians, and the server's CPU time a request on each side.
set -eu
BIN=${1:?packtrace binary}
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk"; exit 0; }
T=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
"$BIN" init >/dev/null
# Measure the HTTP server alone, without demo cameras recording beside it.
sed -i 's/^demo=auto/demo=off/' "$PACKTRACE_DATA/station.ini"
# No per-address limit on /healthz: wrk is one address.
sed -i 's/^public_per_second=.*/public_per_second=0/' "$PACKTRACE_DATA/station.ini"
TOKEN=$(sed -n 's/^operator_token=//p' "$PACKTRACE_DATA/station.ini")
"$BIN" batch new --product Oranges --gtin 09506000134352 >/dev/null
for i in 1 2 3 4 5 6 7 8 9; do "$BIN" event add 1 --step inspecting >/dev/null; done
"$BIN" run --listen 127.0.0.1:0 >"$T/run.out" &
SERVER=$!
for _ in $(seq 50); do grep -q http:// "$T/run.out" 2>/dev/null && break; sleep 0.1; done
URL=$(grep -o 'http://[^ ]*' "$T/run.out")

# One wrk run of PATH: "REQ/S CPU" with CPU the server's microseconds (user + system) per
# request, which other work on a shared box moves far less than the rate.
TCK=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
run() {
  local c0 out c1
  c0=$(cpu)
  out=$(wrk -t1 -c16 -d4s -H "Authorization: Bearer $TOKEN" "$URL$1")
  c1=$(cpu)
  echo "$out" | awk -v c="$((c1 - c0))" -v t="$TCK" '/requests in/ {n = $1} /Requests\/sec/ {r = $2}
    END {printf "%s %.1f\n", r, c / t * 1e6 / n}'
}
med() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
lo() { printf '%s\n' "$@" | sort -n | head -1; }
hi() { printf '%s\n' "$@" | sort -n | tail -1; }
b=(); h=(); bc=(); hc=()
# Alternated, so a burst of other work on the box weighs on both sides alike.
for _ in 1 2 3; do
  read -r r c < <(run /api/v1/batches/1); b+=("$r"); bc+=("$c")
  read -r r c < <(run /healthz); h+=("$r"); hc+=("$c")
done
B=$(med "${b[@]}"); H=$(med "${h[@]}"); BC=$(med "${bc[@]}"); HC=$(med "${hc[@]}")
echo "wrk 1 thread, 16 connections, 4 s a run, median of 3 runs alternated with the baseline"
echo "GET /api/v1/batches/1 (10 events): $B req/s (median of 3; min $(lo "${b[@]}") max $(hi "${b[@]}")), $BC us of server CPU a request (min $(lo "${bc[@]}") max $(hi "${bc[@]}"))"
echo "GET /healthz baseline:             $H req/s (median of 3; min $(lo "${h[@]}") max $(hi "${h[@]}")), $HC us of server CPU a request (min $(lo "${hc[@]}") max $(hi "${hc[@]}"))"
echo "batch read = $(awk "BEGIN {printf \"%.2f\", $B / $H}")x of baseline (ratio of the medians); by server CPU a request $(awk "BEGIN {printf \"%.2f\", $HC / $BC}")x"
