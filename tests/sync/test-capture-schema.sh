#!/usr/bin/env bash
# test-capture-schema.sh: a station syncing to an EPCIS repository that validates every
# capture document with GS1's schema (schema-receiver.mjs, ajv) drains completely although its
# log holds an event that repository refuses.  The station comes from fixtures/raw-lot.sql
# (tests/upgrade/make-fixture.sh with fixtures/raw-lot-scenario.sh): a packtrace from before
# lots were percent-encoded signed lot 'A/B%1-x''s commissioning with the class https://id.gs1.org/01/GTIN/10/A/B%1-x, an invalid
# URI; behind it, two sound batches, a packing event and a recall.  Today's packtrace upgrades
# it, records a new batch with the same awkward lot (now encoded), and sends everything from
# the start: the first capture is refused whole, the station resends event by event, the old
# event alone is quarantined with an alert, and every other event, the recall among them, is
# accepted, once.  Skips (77) without ../shared (GS1's schema), node or npm.
set -u
BIN=${PACKTRACE_BUILD:?}/station/packtrace
HERE=$(cd "$(dirname "$0")" && pwd)
SCHEMA=${PACKTRACE_SHARED:-}/data/epcis/EPCIS-JSON-Schema.json
[ -f "$SCHEMA" ] || { echo "1..0 # SKIP no $SCHEMA"; exit 77; }
. "$HERE/../tap.sh"
. "$HERE/../npm-tools.sh"
npm_tools node_modules/.bin/ajv ajv-cli@5.0.0 ajv-formats@3.0.1

T=$(mktemp -d)
server=
receiver=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; [ -n "$receiver" ] && kill "$receiver" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
SQL=$HERE/fixtures/raw-lot.sql
D=$PACKTRACE_DATA
mkdir -p "$D/keys"
sed -n 's/^-- station.pub //p' "$SQL" >"$D/keys/station.pub"
(umask 077 && sed -n 's/^-- station.key //p' "$SQL" >"$D/keys/station.key")
cp "${SQL%.sql}.ini" "$D/station.ini"
chmod 600 "$D/station.ini"
version=$(sed -n '1s/.*schema version \([0-9]*\),.*/\1/p' "$SQL")
{ cat "$SQL"; echo "PRAGMA user_version = $version;"; } | sqlite3 "$D/station.db"

GTIN=09506000134352
expect 0 "today's packtrace opens the old station" "$BIN" batch list
check "its log holds the raw class of lot A/B%1-x" \
  '[ "$(sqlite3 "$D/station.db" "SELECT count(*) FROM events WHERE body LIKE '"'%/10/A/B\%1-x%' ESCAPE '\\\\'"'")" = 1 ]'
expect 0 "a new batch with the same characters, C/D%2-x" "$BIN" batch new --product Oranges \
  --gtin $GTIN --lot 'C/D%2-x' --quantity 50
EVENTS=$(sqlite3 "$D/station.db" "SELECT count(*) FROM events")

coproc RECV { exec node "$HERE/schema-receiver.mjs" "$SCHEMA" "$T/captures.log"; }
receiver=$RECV_PID
read -r -t 20 port <&"${RECV[0]}" || { echo "Bail out! the receiver did not start"; exit 1; }
expect 0 "sync add: the repository, everything from the start" "$BIN" sync add repo --type epcis \
  --url "http://127.0.0.1:$port" --from-start
run_station

status() { "$BIN" sync status repo --json 2>/dev/null | jq -r "(.connectors? // .)[0]? // . | .$1"; }
for _ in $(seq 300); do
  [ "$(status pending)" = 0 ] && [ "$(status in_flight)" = 0 ] && [ "$(status quarantined)" = 1 ] && break
  sleep 0.2
done
check "the queue drains: nothing pending, nothing in flight" \
  '[ "$(status pending)" = 0 ] && [ "$(status in_flight)" = 0 ] || { "$BIN" sync status repo --json | sed "s/^/# /"; false; }'
check "the old event alone is quarantined" '[ "$(status quarantined)" = 1 ] && [ "$(status delivered)" = $((EVENTS - 1)) ]'
check "  it is lot A/B%1-x's, refused with 400" \
  '[ "$("$BIN" sync status repo --json | jq -r "[(.connectors? // .)[0]? // . | .failures[] | select(.state == \"quarantined\") | \"\(.lot) \(.http_status)\"] | join(\",\")")" = "A/B%1-x 400" ]'
check "the repository refused a document for the raw URI, naming the field" \
  'jq -se "[.[] | select(.status == 400) | .errors[]? | select(test(\"epcClass\"))] | length > 0" "$T/captures.log" >/dev/null || { jq -c "select(.status == 400) | .errors" "$T/captures.log" | sed "s/^/# /"; false; }'
check "every other event was accepted once: $((EVENTS - 1)) distinct, no duplicates" \
  '[ "$(jq -r "select(.status == 202) | .eventIds[]" "$T/captures.log" | sort | uniq -d | wc -l)" = 0 ] && [ "$(jq -r "select(.status == 202) | .eventIds[]" "$T/captures.log" | sort -u | wc -l)" = $((EVENTS - 1)) ]'
check "the recall behind it arrived" \
  '[ "$(jq -r "select(.status == 202) | .bizSteps[]" "$T/captures.log" | grep -c "holding")" -ge 1 ]'
CODE=$(curl -s -o "$T/alerts" -w '%{http_code}' --max-time 10 \
  -H "Authorization: Bearer $(sed -n 's/^operator_token=//p' "$D/station.ini")" "$url/api/v1/status")
check "the station raises the quarantine as an alert" \
  '[ "$CODE" = 200 ] && grep -q "sync-quarantine" "$T/alerts" || { head -c 600 "$T/alerts" | sed "s/^/# /"; false; }'
kill "$server"
wait "$server" 2>/dev/null
server=
tap_finish
