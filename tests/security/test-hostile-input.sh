#!/usr/bin/env bash
# test-hostile-input.sh: the station against hostile input over HTTP and from its own records:
# the private key file's mode and that no route shape serves it (or station.ini), path
# traversal in every path-taking route and in label file names taken from a lot, SQL
# metacharacters in every text field (stored and returned verbatim, no extra rows), request
# bytes that are not UTF-8 quoted in errors (once a crash), oversize and malformed requests.
#
# Decided: a CLI option (-o, --data) is the operator's own word and is followed as given; a
# path made from recorded data (a lot from an HTTP client) never leaves its folder.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data

"$BIN" init >/dev/null || { echo "Bail out! init failed"; exit 1; }
sed -i 's/^demo=auto$/demo=off/' "$PACKTRACE_DATA/station.ini"
TOKEN=$(sed -n 's/^operator_token=//p' "$PACKTRACE_DATA/station.ini")
SECRET=$(head -c 40 "$PACKTRACE_DATA/keys/station.key")
sql() { sqlite3 "$PACKTRACE_DATA/station.db" "$1"; }

check "the private key file is 0600" '[ "$(stat -c %a "$PACKTRACE_DATA/keys/station.key")" = 600 ]'
check "station.ini (token) is not world-readable" \
  '[ $(( 0$(stat -c %a "$PACKTRACE_DATA/station.ini") & 07 )) = 0 ]'

"$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
PID=$!
for _ in $(seq 100); do grep -q http:// "$T/run.out" && break; sleep 0.1; done
URL=$(grep -o 'http://[^ ]*' "$T/run.out")
[ -n "$URL" ] || { echo "Bail out! packtrace run did not start: $(cat "$T/run.err")"; exit 1; }
alive() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")" = 200 ]; }
# req METHOD PATH [CURL ARGS...]: the status in $CODE, the body in $BODY (path sent as is).
req() {
  local m=$1 p=$2
  shift 2
  CODE=$(curl -s --path-as-is -X "$m" -o "$T/body" -w '%{http_code}' "$@" "$URL$p")
  BODY=$(cat "$T/body" 2>/dev/null)
}
post() { req POST "$1" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data-binary "$2"; }

# --- SQL metacharacters in every text field: stored and returned verbatim ---
NASTY="Robert'); DROP TABLE batches;-- \"q\" % _ \\\\ ; /* */ ' OR '1'='1"
J=$(jq -cn --arg s "$NASTY" '{product: $s, gtin: "09506000134352", variety: $s, grower: $s, origin: $s, uom: "KGM", quantity: 5}')
post /api/v1/batches "$J"
check "a batch with SQL metacharacters in its text is created (201)" '[ "$CODE" = 201 ]'
ID=$(jq -r .id <<<"$BODY")
req GET "/api/v1/batches/$ID" -H "Authorization: Bearer $TOKEN"
check "product, variety, grower and origin come back verbatim" \
  '[ "$(jq -r "[.product, .variety, .grower, .origin] | unique | .[]" <<<"$BODY")" = "$NASTY" ]'
check "exactly one batch row" '[ "$(sql "SELECT count(*) FROM batches")" = 1 ]'
post "/api/v1/batches/$ID/events" "$(jq -cn --arg s "$NASTY" '{step: "inspecting", disposition: "conformant", note: $s}')"
check "an event note with SQL metacharacters is recorded (201)" '[ "$CODE" = 201 ]'
post "/api/v1/batches/$ID/hold" "$(jq -cn --arg s "$NASTY" '{reason: $s}')"
check "a hold reason with SQL metacharacters is recorded (200)" '[ "$CODE" = 200 ]'
req GET "/api/v1/batches/$ID" -H "Authorization: Bearer $TOKEN"
check "the note and the reason come back verbatim" \
  '[ "$(grep -cF -- "$(jq -n --arg s "$NASTY" "\$s" | head -c 40)" <<<"$BODY")" -ge 1 ]'
post /api/v1/loads "$(jq -cn --arg s "$NASTY" '{plate: $s, seal: $s, driver_name: $s, destination: $s}')"
check "a load with SQL metacharacters is created (201)" '[ "$CODE" = 201 ]'
LOAD=$(jq -r .id <<<"$BODY")
req GET "/api/v1/loads/$LOAD" -H "Authorization: Bearer $TOKEN"
check "plate, seal, driver and destination come back verbatim" \
  '[ "$(jq -r "[.plate, .seal, .driver_name, .destination] | unique | .[]" <<<"$BODY")" = "$NASTY" ]'
req GET "/api/v1/batches/$(printf %s "1' OR '1'='1" | jq -sRr @uri)" -H "Authorization: Bearer $TOKEN"
check "a lookup by a lot with SQL metacharacters finds nothing (404)" '[ "$CODE" = 404 ]'
check "tables intact: 1 batch, 1 load" '[ "$(sql "SELECT count(*) FROM batches"),$(sql "SELECT count(*) FROM loads")" = 1,1 ]'

# --- the private key and station.ini are never served, whatever the route shape ---
served=0
for p in /keys/station.key /station.key /station.ini /static/station.key \
  /static/../keys/station.key /static/../../data/keys/station.key /static/%2e%2e/keys/station.key \
  /static/..%2fkeys%2fstation.key /static/..%2f..%2fstation.ini /static/%2e%2e%2fstation.ini \
  /static/style.css%00/../../keys/station.key /static/..%5ckeys%5cstation.key \
  /01/../keys/station.key /01/..%2f..%2fkeys%2fstation.key /01/09506000134352/10/..%2f..%2fkeys%2fstation.key \
  /api/v1/batches/..%2f..%2fkeys%2fstation.key /api/v1/batches/1/clips/..%2f..%2fkeys%2fstation.key \
  /api/v1/batches/1/label?template=..%2f..%2fkeys%2fstation.key /api/v1/loads/..%2fkeys%2fstation.key \
  /station/../keys/station.key /%2e%2e/keys/station.key /api/v1/../../keys/station.key; do
  for auth in "" "Authorization: Bearer $TOKEN"; do
    req GET "$p" ${auth:+-H "$auth"}
    if grep -qF -e "$SECRET" -e "$TOKEN" "$T/body" || [ "$CODE" = 200 ]; then
      served=$((served + 1))
      echo "# served: $p ($CODE)"
    fi
  done
done
check "no route shape serves the key or station.ini (44 tries)" '[ $served = 0 ]'

# --- a lot with path characters never becomes a path ---
post /api/v1/batches '{"product": "Kiwi", "gtin": "09506000134352", "lot": "../../x\"y"}'
check "a GS1-valid lot with '/', '.' and '\"' is accepted (201)" '[ "$CODE" = 201 ]'
LOTID=$(jq -r .id <<<"$BODY")
curl -s -H "Authorization: Bearer $TOKEN" -D "$T/headers" -o /dev/null "$URL/api/v1/batches/$LOTID/label?format=svg"
check "the label's file name has no '/' and no stray quote" \
  'grep -qi "^content-disposition: inline; filename=\".._.._x_y-pallet.svg\"" "$T/headers"'
mkdir -p "$T/a/b"
(cd "$T/a/b" && "$BIN" label "$LOTID" --format svg >/dev/null 2>&1)
check "packtrace label writes the lot's label in the current folder only" \
  '[ -f "$T/a/b/.._.._x_y-pallet.svg" ] && [ -z "$(find "$T" -maxdepth 1 -name "*pallet*")" ]'
(cd "$T/a/b" && "$BIN" label "$LOTID" --format svg -o ../given.svg >/dev/null 2>&1)
check "-o is the operator's own path and is followed" '[ -f "$T/a/given.svg" ]'

# --- request bytes that are not UTF-8, quoted back in errors (crashed the station once) ---
req GET /api/v1/batches/%C0%FFbad -H "Authorization: Bearer $TOKEN"
check "an API error quoting non-UTF-8 bytes is JSON (404)" '[ "$CODE" = 404 ] && jq -e .error <<<"$BODY" >/dev/null'
req GET "/01/0%C0506000134352/10/PT1?13=261125" -H 'Accept: application/json'
check "a resolver error quoting non-UTF-8 bytes is JSON (4xx)" '[ "${CODE:0:1}" = 4 ] && jq -e .error <<<"$BODY" >/dev/null'
req GET "/01/0%C0506000134352/10/PT1"
check "and as HTML (4xx)" '[ "${CODE:0:1}" = 4 ] && grep -q "<p>" <<<"$BODY"'
check "the station is still up" alive

# --- oversize and malformed requests ---
head -c 70000 /dev/zero | tr '\0' a >"$T/big"
req POST /api/v1/batches -H "Authorization: Bearer $TOKEN" --data-binary @"$T/big"
check "a body over 64 KiB gets 413" '[ "$CODE" = 413 ]'
req POST /api/v1/batches -H "Authorization: Bearer $TOKEN" -H 'Transfer-Encoding: chunked' --data-binary @"$T/big"
check "a chunked body over 64 KiB gets 413" '[ "$CODE" = 413 ]'
req GET "/api/v1/batches/$(head -c 3000 /dev/zero | tr '\0' a)"
check "a request target over 2 KiB gets 414" '[ "$CODE" = 414 ]'
{ printf 'X-Big: '; head -c 200000 /dev/zero | tr '\0' a; } >"$T/header"
req GET /healthz -H @"$T/header"
check "a 200 KB header is refused (4xx or closed)" '[ "${CODE:0:1}" = 4 ] || [ "$CODE" = 000 ]'
for body in '{' '[]' '{"product": 1}' '{"product": "A", "product": "B"}' '{"product": "A", "extra": 1}' \
  "$(printf '{"product": "\xc0\xff"}')" '{"product": "A\u0000B", "gtin": "09506000134352"}' \
  "$(printf '%.0s[' $(seq 100))"; do
  post /api/v1/batches "$body"
  [ "$CODE" = 400 ] || echo "# $body -> $CODE"
done
check "malformed JSON bodies get 400, nothing written" '[ "$CODE" = 400 ] && [ "$(sql "SELECT count(*) FROM batches")" = 2 ]'
req DELETE "/api/v1/batches/$ID" -H "Authorization: Bearer $TOKEN"
check "an unknown method gets 405" '[ "$CODE" = 405 ]'
printf 'GARBAGE\r\n\r\n' | timeout 5 curl -s -o /dev/null telnet://"${URL#http://}" || true
check "the station is still up after all of it" alive

kill "$PID"
wait "$PID"
RC=$?
PID=
check "run stops cleanly" '[ $RC = 0 ]'
tap_finish
