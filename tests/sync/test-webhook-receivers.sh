#!/usr/bin/env bash
# test-webhook-receivers.sh: the example receivers in station/sync/examples/ (Python and Node)
# against a real station's webhook delivery over loopback, as an integrator would run them.
# For each receiver:
# - every event the station signs arrives, once, with its record verified against the
#   station's public key (the canonical form recomputed by the receiver);
# - a request with a wrong HMAC, or a right HMAC with a timestamp an hour old, is refused (401);
# - a replayed delivery (same Idempotency-Key) is acknowledged and not stored twice;
# - a record altered by someone who holds the shared secret (HMAC recomputed) is refused (422).
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
EX=${PACKTRACE_SOURCE:?}/station/sync/examples
# Debian's Python, which has python3-nacl (a python3 earlier on PATH may not).
PY=/usr/bin/python3
"$PY" -c 'import nacl.signing' 2>/dev/null || { echo "1..0 # SKIP python3-nacl missing"; exit 77; }
command -v node >/dev/null || { echo "1..0 # SKIP node missing"; exit 77; }
T=$(mktemp -d)
server=
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; [ -n "$server" ] && kill -9 "$server" 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
"$BIN" init >/dev/null || { echo "Bail out! init failed"; exit 1; }
sed -i 's/^demo=auto$/demo=off/' "$PACKTRACE_DATA/station.ini"
PUB=$("$BIN" key show)
SECRET=integrator-shared-secret-0123

start_receiver() { # NAME CMD...: starts a receiver, sets port_NAME
  local name=$1
  shift
  "$@" --secret "$SECRET" --public-key "$PUB" --out "$T/$name.jsonl" >"$T/$name.out" 2>"$T/$name.err" &
  pids+=($!)
  local port=
  for _ in $(seq 100); do
    port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$T/$name.out")
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "Bail out! $name did not start: $(cat "$T/$name.err")"; exit 1; }
  eval "port_$name=$port"
}
start_receiver py "$PY" "$EX/webhook-receiver.py"
start_receiver node node "$EX/webhook-receiver.mjs"
"$BIN" sync add to-py --type webhook --url "http://127.0.0.1:$port_py/hook" --secret "$SECRET" >/dev/null
"$BIN" sync add to-node --type webhook --url "http://127.0.0.1:$port_node/hook" --secret "$SECRET" >/dev/null
run_station

# Records with what a signature check trips on: a non-ASCII product, escapes, a float sum.
"$BIN" batch new --product "赣南脐橙 \"Navel\"" --gtin 9506000134352 --lot "A/B%1-x" \
  --quantity 72.77000000000001 --uom KGM >/dev/null || echo "# batch new failed"
"$BIN" batch new --product Oranges --gtin 9506000134352 --lot "LOT&7?Q'x" >/dev/null
"$BIN" event add "A/B%1-x" --step packing --note 'quote " backslash \ 中文' >/dev/null
"$BIN" batch hold --reason "Customer complaint: mould" "LOT&7?Q'x" >/dev/null
EVENTS=$(sqlite3 "$PACKTRACE_DATA/station.db" "SELECT count(*) FROM events")

# hmac_post NAME BODY-FILE T KEY: posts BODY with an HMAC at time T; prints the status.
hmac_post() {
  local port_var=port_$1
  local sig
  sig=$("$PY" -c 'import hashlib, hmac, sys; print(hmac.new(sys.argv[1].encode(), sys.argv[2].encode() + b"." + open(sys.argv[3], "rb").read(), hashlib.sha256).hexdigest())' "$SECRET" "$3" "$2")
  curl -s -o "$T/answer" -w "%{http_code}" -m 5 -H "Content-Type: application/json" \
    -H "Idempotency-Key: $4" -H "X-Packtrace-Signature: t=$3,v1=$sig" \
    --data-binary "@$2" "http://127.0.0.1:${!port_var}/hook"
}

for name in py node; do
  for _ in $(seq 150); do
    [ "$(jq -s '[.[] | select(.payload.kind == "event")] | length' "$T/$name.jsonl" 2>/dev/null)" = "$EVENTS" ] && break
    sleep 0.2
  done
  check "$name: all $EVENTS signed events arrive" \
    '[ "$(jq -s "[.[] | select(.payload.kind == \"event\")] | length" "$T/$name.jsonl")" = "$EVENTS" ]'
  check "$name:   each record verified against the station's key" \
    '[ "$(jq -s "[.[] | select(.payload.kind == \"event\" and .verified == true)] | length" "$T/$name.jsonl")" = "$EVENTS" ]'
  check "$name:   each once" \
    '[ "$(jq -r .key "$T/$name.jsonl" | sort | uniq -d | wc -l)" = 0 ]'
  # A genuine delivery to replay and to alter: the first event's payload.
  jq -c 'select(.payload.kind == "event") | .payload' "$T/$name.jsonl" | head -1 >"$T/genuine.json"
  key=$(jq -r .key "$T/genuine.json")
  now=$(date +%s)
  check "$name: a replayed delivery is acknowledged" '[ "$(hmac_post $name "$T/genuine.json" "$now" "$key")" = 200 ] && grep -q duplicate "$T/answer"'
  # Counted by key: the hold's recall notice (RECALL-NOTICES.md) may arrive at any moment.
  check "$name:   and not stored twice" '[ "$(jq -r .key "$T/$name.jsonl" | grep -cxF "$key")" = 1 ]'
  check "$name: a wrong HMAC is refused (401)" \
    '[ "$(curl -s -o /dev/null -w "%{http_code}" -m 5 -H "Idempotency-Key: x-$name-1" -H "X-Packtrace-Signature: t=$now,v1=00ff" --data-binary "@$T/genuine.json" "http://127.0.0.1:$(eval echo \$port_$name)/hook")" = 401 ]'
  check "$name: a right HMAC an hour old is refused (401)" \
    '[ "$(hmac_post $name "$T/genuine.json" "$((now - 3600))" "x-$name-2")" = 401 ]'
  jq -c '.event.eventTime = "2020-01-01T00:00:00.000Z"' "$T/genuine.json" >"$T/forged.json"
  check "$name: a record altered by a holder of the secret is refused (422)" \
    '[ "$(hmac_post $name "$T/forged.json" "$now" "x-$name-3")" = 422 ]'
  check "$name:   and not stored" '! jq -r .key "$T/$name.jsonl" | grep -qxF "x-$name-3"'
done
kill "$server"
wait "$server" 2>/dev/null
server=
tap_finish
