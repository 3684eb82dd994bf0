#!/usr/bin/env bash
# test-hub-recall.sh: recall notices acknowledged through the hub.  A real `packtrace run`
# station, enrolled at a real `packtrace hub serve` on a throwaway PostgreSQL (pg-fixture.sh),
# sent lot N1 to buyer A and lot N2 to buyer B.  `batch recall N1` and `batch hold N2`, typed
# at the station's command line while it runs, reach the hub as signed notices; each buyer
# reads on the hub, with its own token, only its own notice; another buyer, an admin, an
# unknown notice, a malformed acknowledgement and no token are refused; buyer A's
# acknowledgement on the hub comes back to the station (who, when, quantity on hand, action),
# which counts the recall acknowledged; a second acknowledgement is a conflict.
# A second shed received lot N1 too, repacked it into N1-X and sent that to buyer C: the hub's
# impact list of N1 follows it there (forward), and from buyer C's GLN back to N1 (backward),
# for an admin token alone.
set -u
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/pg-fixture.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
T=$(mktemp -d)
hub=
station=
station2=
cleanup() {
  [ -n "$hub" ] && kill "$hub" 2>/dev/null
  [ -n "$station" ] && kill "$station" 2>/dev/null
  [ -n "$station2" ] && kill "$station2" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$T"
  pg_fixture_stop
}
pg_fixture_start
trap cleanup EXIT
export PACKTRACE_HUB_DSN=$PT_HUB_DSN
"$BIN" hub migrate >/dev/null || { echo "Bail out! hub migrate failed"; exit 1; }
"$BIN" hub serve --port 0 --port-file "$T/hub.port" >"$T/hub.out" 2>"$T/hub.err" &
hub=$!
for _ in $(seq 100); do [ -s "$T/hub.port" ] && break; sleep 0.1; done
[ -s "$T/hub.port" ] || { echo "Bail out! the hub did not start: $(cat "$T/hub.err")"; exit 1; }
HUB=http://127.0.0.1:$(cat "$T/hub.port")

export PACKTRACE_DATA=$T/s
GLN_A=4012345000016
GLN_B=4012345000023
GLN_C=4012345000030
GTIN=09506000134352
must() { "$@" >/dev/null 2>"$T/must.err" || { echo "Bail out! $* failed: $(cat "$T/must.err")"; exit 1; }; }
must "$BIN" init
sed -i 's/^demo=auto/demo=off/' "$T/s/station.ini"
code=$("$BIN" hub station enrol-code "Shed 1" --json | jq -r .code)
must "$BIN" sync add hub --type hub --url "$HUB" --enrol "$code"
sed -i 's/^\[sync hub\]$/[sync hub]\nretry_min_ms=100\nretry_max_ms=1000/' "$T/s/station.ini"
must "$BIN" batch new --product Apples --gtin $GTIN --lot N1 --quantity 100 --uom KGM
must "$BIN" batch new --product Apples --gtin $GTIN --lot N2 --quantity 50 --uom KGM
must "$BIN" load new --plate A-111 --seal S-1 --destination "Buyer A" --destination-gln $GLN_A
must "$BIN" load add 1 N1
must "$BIN" load close 1
must "$BIN" load new --plate B-222 --seal S-2 --destination "Buyer B" --destination-gln $GLN_B
must "$BIN" load add 2 N2
must "$BIN" load close 2
# The second shed: N1 received, repacked into N1-X (30) and N1-Y (70), N1-X loaded for buyer C.
s2() { PACKTRACE_DATA=$T/s2 "$@"; }
must s2 "$BIN" init
sed -i 's/^demo=auto/demo=off/' "$T/s2/station.ini"
code=$("$BIN" hub station enrol-code "Shed 2" --json | jq -r .code)
must s2 "$BIN" sync add hub --type hub --url "$HUB" --enrol "$code"
sed -i 's/^\[sync hub\]$/[sync hub]\nretry_min_ms=100\nretry_max_ms=1000/' "$T/s2/station.ini"
must s2 "$BIN" batch new --product Apples --gtin $GTIN --lot N1 --quantity 100 --uom KGM
must s2 "$BIN" batch repack N1 --into N1-X=30 --into N1-Y=70
must s2 "$BIN" load new --plate C-333 --seal S-3 --destination "Buyer C" --destination-gln $GLN_C
must s2 "$BIN" load add 1 N1-X
must s2 "$BIN" load close 1
TOKEN_A=$("$BIN" hub buyer add "Buyer A purchasing" --gln $GLN_A | head -1)
TOKEN_B=$("$BIN" hub buyer add "Buyer B purchasing" --gln $GLN_B | head -1)
ADMIN=$("$BIN" hub admin add "Co-op office" | head -1)
[[ "$TOKEN_A$TOKEN_B$ADMIN" =~ ^[0-9a-f]{192}$ ]] || { echo "Bail out! no hub tokens"; exit 1; }

"$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
station=$!
PACKTRACE_DATA=$T/s2 "$BIN" run --listen 127.0.0.1:0 >"$T/run2.out" 2>"$T/run2.err" &
station2=$!
SID=$("$BIN" key show --json | jq -r .station_id)

# hub_get TOKEN PATH: the body into $T/b, the status into $CODE.
hub_get() { CODE=$(curl -s -m 10 -o "$T/b" -w '%{http_code}' -H "Authorization: Bearer $1" "$HUB$2"); }
# hub_ack TOKEN PATH BODY
hub_ack() {
  CODE=$(curl -s -m 10 -o "$T/b" -w '%{http_code}' -X POST -H "Authorization: Bearer $1" \
    -H 'Content-Type: application/json' --data "$3" "$HUB$2")
}
wait_for() { # wait_for SECONDS CONDITION
  local deadline=$((SECONDS + $1))
  while [ $SECONDS -lt "$deadline" ]; do eval "$2" && return 0; sleep 0.2; done
  return 1
}

expect 0 "batch recall N1, typed while the station runs" "$BIN" batch recall N1 --reason "Listeria found"
expect 0 "batch hold N2" "$BIN" batch hold N2 --reason "residue check"
check "the station's worker sends both recalls' buyers' notices to the hub" \
  'wait_for 30 "hub_get $ADMIN /api/v1/buyer/notices && [ \"\$(jq \".notices | length\" \"$T/b\")\" = 2 ]"'
hub_get "$TOKEN_A" /api/v1/buyer/notices
check "buyer A reads on the hub its recall notice alone, scoped to its GLN" \
  '[ "$CODE" = 200 ] && [ "$(jq -r "[.scope, (.notices | length), .notices[0].lot, .notices[0].kind, .notices[0].station] | join(\" \")" "$T/b")" = "$GLN_A 1 N1 recall $SID" ]'
check "  as its station wrote it: reason, the load's plate and seal, the quantity shipped, the station's notice id" \
  '[ "$(jq -r ".notices[0].body | [.reason, .lots[0].plate, .lots[0].seal, .shipped.KGM, .recipient.gln, .notice_id] | join(\" \")" "$T/b")" = "Listeria found A-111 S-1 100 $GLN_A $SID/notice/$(jq -r ".notices[0].notice" "$T/b")" ]'
check "  with where to acknowledge it on the hub" \
  '[ "$(jq -r ".notices[0].body.acknowledge.path" "$T/b")" = "/api/v1/buyer/notices/$SID/$(jq -r ".notices[0].notice" "$T/b")/ack" ]'
SCHEMA=${PACKTRACE_SOURCE:?}/station/sync/recall-notice.schema.json
if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
  check "  the notice the hub shows and the station's notice to the hub validate against recall-notice.schema.json" \
    '{ jq -c ".notices[0].body" "$T/b"; sqlite3 "$T/s/station.db" "SELECT body FROM recall_notices WHERE connector = '"'hub'"'"; } |
       /usr/bin/python3 -c "import json, sys, jsonschema; s = json.load(open(sys.argv[1])); n = [json.loads(l) for l in sys.stdin]; [jsonschema.validate(x, s) for x in n]; assert len(n) == 3 and n[1][\"recipient\"][\"kind\"] == \"hub\"" "$SCHEMA"'
else
  skip "  the notice the hub shows and the station's notice to the hub validate against recall-notice.schema.json" "python3-jsonschema missing"
fi
ACK_PATH=$(jq -r ".notices[0].body.acknowledge.path" "$T/b")
NOTICE_A=$(jq -r ".notices[0].notice" "$T/b")
hub_get "$TOKEN_B" /api/v1/buyer/notices
check "buyer B reads its hold notice alone" \
  '[ "$CODE" = 200 ] && [ "$(jq -r "[(.notices | length), .notices[0].lot, .notices[0].kind] | join(\" \")" "$T/b")" = "1 N2 hold" ]'
hub_get "" /api/v1/buyer/notices
check "no token: 401" '[ "$CODE" = 401 ]'

hub_ack "$TOKEN_B" "$ACK_PATH" '{"quantity_on_hand": 1, "action": "none"}'
check "buyer B cannot acknowledge buyer A's notice: 403" '[ "$CODE" = 403 ] && grep -q "not addressed to $GLN_B" "$T/b"'
hub_ack "$ADMIN" "$ACK_PATH" '{"quantity_on_hand": 1, "action": "none"}'
check "nor can an admin: 403" '[ "$CODE" = 403 ]'
hub_ack "$TOKEN_A" "/api/v1/buyer/notices/$SID/999999/ack" '{"quantity_on_hand": 1, "action": "none"}'
check "an unknown notice: 404" '[ "$CODE" = 404 ]'
hub_ack "$TOKEN_A" "$ACK_PATH" '{"quantity_on_hand": -3, "action": "none"}'
check "a negative quantity on hand: 400, naming it" '[ "$CODE" = 400 ] && grep -q quantity_on_hand "$T/b"'
hub_ack "$TOKEN_A" "$ACK_PATH" '{"quantity_on_hand": 3'
check "a body that is not JSON: 400" '[ "$CODE" = 400 ]'
CODE=$(curl -s -m 10 -o "$T/b" -w '%{http_code}' -X DELETE -H "Authorization: Bearer $TOKEN_A" "$HUB$ACK_PATH")
check "another method: 405" '[ "$CODE" = 405 ]'
CODE=$(curl -s -m 10 -o "$T/b" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  --data "{\"type\":\"packtrace-recall-notice/1\",\"station_id\":\"$SID\"}" "$HUB/hub/v1/notices")
check "a notice posted without the station's signature is refused: 401" '[ "$CODE" = 401 ]'
hub_get "$ADMIN" /api/v1/buyer/notices
check "  and nothing was acknowledged by any of those" '[ "$(jq "[.notices[] | select(.acknowledged != null)] | length" "$T/b")" = 0 ]'

hub_ack "$TOKEN_A" "$ACK_PATH" '{"quantity_on_hand": 12.5, "action": "withdrawn from shelves"}'
check "buyer A acknowledges on the hub: 200, who and when" \
  '[ "$CODE" = 200 ] && [ "$(jq -r "[.by, .quantity_on_hand, .action, (.acknowledged | test(\"^20[0-9-]+T\"))] | join(\"|\")" "$T/b")" = "Buyer A purchasing (hub)|12.5|withdrawn from shelves|true" ]'
hub_ack "$TOKEN_A" "$ACK_PATH" '{"quantity_on_hand": 0, "action": "again"}'
check "a second acknowledgement: 409" '[ "$CODE" = 409 ]'

RECALL=$("$BIN" recall list --json | jq -r '[.recalls[] | select(.lot == "N1")][0].id')
station_ack() { "$BIN" recall show "$RECALL" --json | jq -r ".notices[] | select(.id == $NOTICE_A) | [.state, .ack_by, .ack_on_hand, .ack_action] | join(\"|\")"; }
check "the station fetches the acknowledgement from the hub (within its $((10 + 5)) s poll)" \
  'wait_for 30 "[ \"\$(station_ack)\" = \"acknowledged|Buyer A purchasing (hub)|12.5|withdrawn from shelves\" ]"'
check "  and counts the recall 1 of 1 acknowledged" \
  '[ "$("$BIN" recall list --json | jq -r "[.recalls[] | select(.lot == \"N1\")][0] | [.buyers, .acknowledged] | join(\" \")")" = "1 1" ]'
check "the hold's notice to buyer B stays open at the station" \
  '[ "$("$BIN" recall list --json | jq -r "[.recalls[] | select(.lot == \"N2\")][0].acknowledged")" = 0 ]'
check "the hub counts the hub's notice as delivered, with the platforms" \
  '[ "$("$BIN" recall list --json | jq -r "[.recalls[] | select(.lot == \"N1\")][0].platforms_delivered")" = 1 ]'
check "the hub logged no fault" \
  '! grep -qi "warning\|critical" "$T/hub.err" || { grep -i "warning\|critical" "$T/hub.err" | head -5 | sed "s/^/# /"; false; }'

# --- the impact list across the stations, on the hub -------------------------------------
SID2=$(s2 "$BIN" key show --json | jq -r .station_id)
impact() { hub_get "$1" "/api/v1/recalls/impact?$2"; }
check "the hub's impact list of N1 (admin) follows it into the second shed's repack" \
  'wait_for 30 "impact $ADMIN lot=N1 && [ \"\$(jq -c \"[.lots[] | [.lot, .via, .from]]\" \"$T/b\")\" = \"[[\\\"N1\\\",\\\"seed\\\",null],[\\\"N1-X\\\",\\\"transformation\\\",\\\"N1\\\"],[\\\"N1-Y\\\",\\\"transformation\\\",\\\"N1\\\"]]\" ]"'
check "  with every load of every lot, from both stations: plate, seal, destination, quantity" \
  '[ "$(jq -r "[.lots[].loads[] | select(.step == \"loading\") | [.plate, .seal, .destination_gln, .station, .quantity, .uom] | join(\",\")] | sort | join(\" \")" "$T/b")" = "A-111,S-1,$GLN_A,$SID,100,KGM C-333,S-3,$GLN_C,$SID2,30,KGM" ]'
check "  its destinations A and C with what each got, and buyer A's token named" \
  '[ "$(jq -c "[([.destinations[] | [.gln, .lots, .shipped.KGM]] | sort), .buyers[\"$GLN_A\"], .totals.stations, .totals.lots]" "$T/b")" = "[[[\"$GLN_A\",[\"N1\"],100],[\"$GLN_C\",[\"N1-X\"],30]],[\"Buyer A purchasing\"],2,3]" ]'
impact "$TOKEN_A" lot=N1
check "  refused to a buyer's token (403)" '[ "$CODE" = 403 ]'
impact "$ADMIN" gln=$GLN_C
check "backward from buyer C: N1-X and its source N1" \
  '[ "$CODE" = 200 ] && [ "$(jq -c "[.direction, [.lots[] | [.lot, .via]]]" "$T/b")" = "[\"backward\",[[\"N1-X\",\"seed\"],[\"N1\",\"source\"]]]" ]'
impact "$ADMIN" lot=NOPE
check "an unknown lot: 404" '[ "$CODE" = 404 ]'
impact "$ADMIN" "lot=N1&gln=$GLN_C"
check "lot and gln at once: 400" '[ "$CODE" = 400 ]'
impact "$ADMIN" gln=4012345000031
check "a GLN with a wrong check digit: 400" '[ "$CODE" = 400 ]'
tap_finish
