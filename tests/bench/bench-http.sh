#!/usr/bin/env bash
# bench-http.sh: GET /api/v1/batches/{id} requests per second with wrk on loopback,
# against GET /healthz (no database) on the same server in the same run.
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

rate() { wrk -t1 -c16 -d4s -H "Authorization: Bearer $TOKEN" "$URL$1" | awk '/Requests\/sec/ {print $2}'; }
med() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
b=(); h=()
for _ in 1 2 3; do b+=("$(rate /api/v1/batches/1)"); h+=("$(rate /healthz)"); done
B=$(med "${b[@]}"); H=$(med "${h[@]}")
echo "GET /api/v1/batches/1 (10 events): $B req/s (median of 3 x 4 s, wrk 1 thread 16 connections; runs: ${b[*]})"
echo "GET /healthz baseline:             $H req/s (runs: ${h[*]}); batch read = $(awk "BEGIN {printf \"%.2f\", $B / $H}")x of baseline"
