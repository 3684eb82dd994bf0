#!/usr/bin/env bash
# test-recall.sh: a recall as a shed lives it, on a real station with real receivers on loopback.
# Three loads to three buyers: lot R1 was split by a repack into R1-A (60 kg, load to buyer A)
# and R1-B (40 kg, load to buyer B), and what was left of it went as 5 cases on a pallet to
# buyer C, beside lot R2 (buyers B and C), which the recall does not reach.
# - the impact list of R1 is exact (lots, loads with plate and seal, destinations by GLN with
#   quantities, buyer scopes), forward and backward (from a buyer's GLN to lots and growers),
#   on the CLI and the admin API;
# - `batch recall R1` sends each buyer's receiver one notice signed with the station's Ed25519
#   key (checked by the receiver, station/sync/examples/recall-receiver.mjs) and one to the
#   platform connector;
# - buyers A and B acknowledge on the portal; buyer C does not and is escalated (a second
#   notice); the progress says 2 of 3 with quantities;
# - a drill of R2 runs the same flow marked drill, leaves R2 active, and its signed report
#   verifies (and a changed one does not);
# - bad input: an unknown lot, a recall of a recalled lot, another buyer's acknowledgement (403),
#   a second acknowledgement (409), a bad impact query: each a clear error, nothing changed.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
RX=${PACKTRACE_SOURCE:?}/station/sync/examples/recall-receiver.mjs
command -v node >/dev/null || { echo "1..0 # SKIP node missing"; exit 77; }
command -v jq >/dev/null || { echo "1..0 # SKIP jq missing"; exit 77; }
T=$(mktemp -d)
server=
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
D=$PACKTRACE_DATA
"$BIN" init >/dev/null || { echo "Bail out! init failed"; exit 1; }
sed -i 's/^demo=auto$/demo=off/; s/^gs1_company_prefix=.*$/gs1_company_prefix=0614141/' "$D/station.ini"
PUB=$("$BIN" key show)
TOKEN=$(sed -n 's/^operator_token=//p' "$D/station.ini")
GLN_A=4012345000016 GLN_B=4012345000023 GLN_C=4012345000030 GLN_D=4012345000092
SECRET=recall-test-shared-secret-0123

start_receiver() { # NAME: a receiver on a free port; sets port_NAME
  local name=$1 port=
  node "$RX" --public-key "$PUB" --out "$T/$name.jsonl" >"$T/$name.out" 2>"$T/$name.err" &
  pids+=($!)
  for _ in $(seq 100); do
    port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$T/$name.out")
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "Bail out! receiver $name did not start: $(cat "$T/$name.err")"; exit 1; }
  touch "$T/$name.jsonl"
  eval "port_$name=$port"
}
for r in a b c p; do start_receiver $r; done
# Each buyer's own webhook names its GLN; the platform's names none.
for r in a b c; do
  gln_var=GLN_${r^^}
  printf '\n[sync buyer-%s]\ntype=webhook\nurl=http://127.0.0.1:%s/hook\nsecret=%s\ngln=%s\n' \
    "$r" "$(eval echo "\$port_$r")" "$SECRET" "${!gln_var}" >>"$D/station.ini"
done
printf '\n[sync platform]\ntype=webhook\nurl=http://127.0.0.1:%s/hook\nsecret=%s\n' "$port_p" "$SECRET" >>"$D/station.ini"
printf '\n[recall]\nack_deadline=6s\n' >>"$D/station.ini"

# The shed.
q() { "$BIN" "$@" >/dev/null 2>"$T/setup.err" || { echo "Bail out! $*: $(cat "$T/setup.err")"; exit 1; }; }
q batch new --product Apples --gtin 9506000134352 --lot R1 --grower "Orchard A" --quantity 200 --uom KGM
q batch new --product Apples --gtin 9506000134352 --lot R2 --grower "Orchard B" --quantity 50 --uom KGM
q batch repack R1 --into R1-A=60 --into R1-B=40
SSCC=$("$BIN" pallet new --json | jq -r .sscc)
q pallet add "$SSCC" R1 --cases 5
new_load() { "$BIN" load new --json --plate "$1" --seal "$2" --destination "$3" --destination-gln "$4" | jq -r .id; }
LA=$(new_load "A-111" "SEAL-A" "Buyer A" $GLN_A)
LB=$(new_load "B-222" "SEAL-B" "Buyer B" $GLN_B)
LC=$(new_load "C-333" "SEAL-C" "Buyer C" $GLN_C)
q load add "$LA" R1-A
q load close "$LA"
q load add "$LB" R1-B
q load add "$LB" R2 --quantity 30
q load close "$LB"
q load add "$LC" --pallet "$SSCC"
q load add "$LC" R2
q load close "$LC"
for r in a b c d; do
  gln_var=GLN_${r^^}
  eval "KEY_$r=\$(\"\$BIN\" apikey add buyer-$r --role buyer --scope ${!gln_var} --json | jq -r .key)"
done
PW=recall-admin-password-42
echo "$PW" | "$BIN" user add admin1 --role admin >/dev/null

# Impact list, before any recall.
expect 0 "recall impact R1 --json" "$BIN" recall impact R1 --json
echo "$OUT" >"$T/impact.json"
check "  reaches R1 and the two lots repacked from it, and not R2" \
  '[ "$(jq -c "[.lots[] | [.lot, .via, .from]]" "$T/impact.json")" = "[[\"R1\",\"seed\",null],[\"R1-A\",\"transformation\",\"R1\"],[\"R1-B\",\"transformation\",\"R1\"]]" ]'
check "  three loads with plate and seal, departed" \
  '[ "$(jq -c "[.loads[] | [.plate, .seal, (.departed_ns > 0)]]" "$T/impact.json")" = "[[\"A-111\",\"SEAL-A\",true],[\"B-222\",\"SEAL-B\",true],[\"C-333\",\"SEAL-C\",true]]" ]'
check "  three destinations by GLN, with what each got (60 kg, 40 kg, 5 cases)" \
  '[ "$(jq -c "[.destinations[] | [.gln, .name, .shipped]]" "$T/impact.json")" = "[[\"$GLN_A\",\"Buyer A\",{\"KGM\":60}],[\"$GLN_B\",\"Buyer B\",{\"KGM\":40}],[\"$GLN_C\",\"Buyer C\",{\"cases\":5}]]" ]'
check "  the pallet by SSCC, on load C" \
  '[ "$(jq -c "[.lots[0].pallets[] | [.sscc, .cases, .load_id]]" "$T/impact.json")" = "[[\"$SSCC\",5,$LC]]" ]'
check "  the buyer scopes that received it (A, B, C; not D)" \
  '[ "$(jq -c "[.buyers[] | .name] | sort" "$T/impact.json")" = "[\"buyer-a\",\"buyer-b\",\"buyer-c\"]" ]'
check "  nothing of it left in the shed; totals 100 kg and 5 cases shipped" \
  '[ "$(jq -cS ".totals | [.lots, .loads, .destinations, .shipped, .in_shed]" "$T/impact.json")" = "[3,3,3,{\"KGM\":100,\"cases\":5},{}]" ]'
check "  each lot's loading events named" \
  '[ "$(jq "[.lots[].loads[].event_id | select(startswith(\"urn:uuid:\"))] | length" "$T/impact.json")" = 3 ]'
expect 0 "recall impact --gln (backward, from buyer A)" "$BIN" recall impact --gln $GLN_A --json
check "  leads to R1-A and back to R1 and its grower" \
  '[ "$(echo "$OUT" | jq -c "[[.lots[] | [.lot, .via]], .growers, .direction]")" = "[[[\"R1-A\",\"seed\"],[\"R1\",\"source\"]],[\"Orchard A\"],\"backward\"]" ]'
expect 0 "recall impact --grower" "$BIN" recall impact --grower "Orchard B" --json
check "  R2 alone, to B and C" \
  '[ "$(echo "$OUT" | jq -c "[[.lots[].lot], [.destinations[].gln]]")" = "[[\"R2\"],[\"$GLN_B\",\"$GLN_C\"]]" ]'
check "  R2, split over two trucks: 30 kg to B, the 20 kg left to C, never counted twice" \
  '[ "$(echo "$OUT" | jq -c "[[.destinations[] | [.gln, .shipped.KGM]], .totals.shipped, .totals.in_shed]")" = "[[[\"$GLN_B\",30],[\"$GLN_C\",20]],{\"KGM\":50},{}]" ]'
check "  and each truck's part is signed in its loading event" \
  '[ "$("$BIN" batch show R2 --json | jq -c "[.event_list[] | select(.step == \"loading\") | .event.quantityList[0] | [.quantity, .uom]]")" = "[[30,\"KGM\"],[20,\"KGM\"]]" ]'
LE=$(new_load "E-555" "SEAL-E" "Buyer D" $GLN_D)
expect 1 "a third truck for R2: refused, nothing of it is left" "$BIN" load add "$LE" R2
check "  saying where it went" 'grep -q "nothing of lot R2 is left to load: all 50 KGM went on load $LB, $LC" <<<"$ERR"'
q batch new --product Apples --gtin 9506000134352 --lot R3 --quantity 10 --uom KGM
expect 1 "more than a lot holds: refused" "$BIN" load add "$LE" R3 --quantity 12
check "  naming what is left" 'grep -q "only 10 KGM of lot R3 is left to load" <<<"$ERR"'
expect 0 "part of a lot on a load" "$BIN" load add "$LE" R3 --quantity 4 --json
check "  the load says how much" '[ "$(echo "$OUT" | jq .quantity)" = 4 ]'
expect 0 "recall impact R3: 4 kg on the open truck, 6 still in the shed" "$BIN" recall impact R3 --json
check "  so" '[ "$(echo "$OUT" | jq -c "[.totals.shipped, .totals.in_shed]")" = "[{\"KGM\":4},{\"KGM\":6}]" ]'
q load remove "$LE" R3
expect 1 "an unknown lot: a clear error" "$BIN" recall impact NOPE
check "  naming it" 'grep -q "NOPE" <<<"$ERR"'
expect 2 "two criteria at once are refused" "$BIN" recall impact R1 --gtin 09506000134352
expect 2 "a date range with a bad date is refused" "$BIN" recall impact --from 2026-13-01 --to 2026-12-31
expect 2 "a GLN with a wrong check digit is refused" "$BIN" recall impact --gln 4012345000017

run_station
code() { curl -s -o "$T/body" -w '%{http_code}' "$@"; }
# The admin API gives the same list.
code -D "$T/headers" -X POST -d "{\"name\":\"admin1\",\"password\":\"$PW\"}" "$url/api/v1/session" >/dev/null
COOKIE=$(grep -io 'pt_session=[0-9a-f]*' "$T/headers")
check "GET /api/v1/recalls/impact?lot=R1 (admin) is the CLI's list" \
  '[ "$(code -H "Cookie: $COOKIE" "$url/api/v1/recalls/impact?lot=R1")" = 200 ] && [ "$(jq -c "del(.generated, .elapsed_us)" "$T/body")" = "$(jq -c "del(.generated, .elapsed_us)" "$T/impact.json")" ]'
check "  refused to the operator token (403)" \
  '[ "$(code -H "Authorization: Bearer $TOKEN" "$url/api/v1/recalls/impact?lot=R1")" = 403 ]'
check "  a bad query is 400" \
  '[ "$(code -H "Cookie: $COOKIE" "$url/api/v1/recalls/impact?gtin=123")" = 400 ]'

# Bad recalls change nothing.
expect 1 "batch recall of an unknown lot fails" "$BIN" batch recall NOPE --reason "Listeria"
check "  and makes no recall" '[ "$("$BIN" recall list --json | jq ".recalls | length")" = 0 ]'

wait_for() { # SECONDS CONDITION
  local i
  for ((i = 0; i < $1 * 10; i++)); do eval "$2" && return 0; sleep 0.1; done
  return 1
}
# Two shoppers' scans before the recall: the label of R1 and of R1-A, repacked from it (one
# client counts once a lot), written by the station's tally within a second.
curl -s -o /dev/null "$url/01/09506000134352/10/R1"
curl -s -o /dev/null "$url/01/09506000134352/10/R1-A"
wait_for 10 '[ "$(sqlite3 "$D/station.db" "SELECT sum(count) FROM scans")" = 2 ]'

# The recall.
expect 0 "batch recall R1" "$BIN" batch recall R1 --reason "Listeria monocytogenes found"
firsts() { jq -s '[.[] | select(.notice.escalation == false)] | length' "$T/$1.jsonl"; }
check "each buyer's receiver and the platform's get one signed notice" \
  'wait_for 20 "[ \"\$(firsts a)\$(firsts b)\$(firsts c)\$(firsts p)\" = 1111 ]"'
for r in a b c; do
  gln_var=GLN_${r^^}
  check "  buyer ${r^^}'s: verified, recall of R1 to its GLN, with what it got" \
    '[ "$(jq -s -c ".[0] | [.verified, .kind, .notice.lot, .notice.recipient.gln, .notice.drill, (.notice.lots | map(.lot))]" "$T/$r.jsonl")" = "[true,\"recall\",\"R1\",\"${!gln_var}\",false,$(jq -c "[.lots[] | select(.loads[].destination_gln == \"${!gln_var}\") | .lot]" "$T/impact.json")]" ]'
done
SCHEMA=${PACKTRACE_SOURCE}/station/sync/recall-notice.schema.json
if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
  check "  every notice received validates against recall-notice.schema.json" \
    'cat "$T"/[abcp].jsonl | /usr/bin/python3 -c "import json, sys, jsonschema; s = json.load(open(sys.argv[1])); [jsonschema.validate(json.loads(l)[\"notice\"], s) for l in sys.stdin]" "$SCHEMA"'
else
  skip "  every notice received validates against recall-notice.schema.json" "python3-jsonschema missing"
fi
check "  the platform's names every destination" \
  '[ "$(jq -s -c ".[0].notice | [.recipient.kind, (.lots | length)]" "$T/p.jsonl")" = "[\"platform\",3]" ]'
check "  and tells the platform how many consumers scanned the lots concerned, and what to tell them again" \
  '[ "$(jq -s -r ".[0].notice.consumers | [.scans, (.page | endswith(\"/01/09506000134352/10/R1\")), (.message.en | test(\"^Apples, lot R1, has been recalled. Reason: Listeria monocytogenes found. Stop eating it\")), (.message.zh | test(\"召回.*原因：Listeria monocytogenes found。\"))] | join(\" \")" "$T/p.jsonl")" = "2 true true true" ]'
check "  buyers' notices carry no consumer message" \
  '[ "$(jq -s "[.[].notice | select(has(\"consumers\"))] | length" "$T/a.jsonl" "$T/b.jsonl" "$T/c.jsonl")" = 0 ]'
RID=$("$BIN" recall list --json | jq '.recalls[0].id')
expect 1 "a recall of the recalled lot is refused" "$BIN" batch recall R1 --reason again
check "  saying it is recalled" 'grep -q "recalled" <<<"$ERR"'
check "  and sends nothing more" '[ "$("$BIN" recall list --json | jq ".recalls | length")" = 1 ] && [ "$("$BIN" recall show $RID --json | jq ".notices | length")" = 4 ]'

# Acknowledgements on the portal.
notice_of() { curl -s -H "Authorization: Bearer $1" "$url/api/v1/buyer/notices" | jq '[.notices[] | select(.drill == 0)][0].id'; }
NA=$(notice_of "$KEY_a") NB=$(notice_of "$KEY_b") NC=$(notice_of "$KEY_c")
check "each buyer sees its own notice on the portal" '[ "$NA" != null ] && [ "$NB" != null ] && [ "$NC" != null ] && [ "$NA" != "$NB" ]'
check "buyer D sees none" \
  '[ "$(curl -s -H "Authorization: Bearer $KEY_d" "$url/api/v1/buyer/notices" | jq ".notices | length")" = 0 ]'
ack() { code -H "Authorization: Bearer $1" -X POST -d "$3" "$url/api/v1/buyer/notices/$2/ack"; }
check "buyer D acknowledging buyer A's notice is refused (403)" \
  '[ "$(ack "$KEY_d" "$NA" "{\"quantity_on_hand\":0,\"action\":\"none\"}")" = 403 ]'
check "  and changes nothing" \
  '[ "$("$BIN" recall show $RID --json | jq -r ".notices[] | select(.id == $NA) | .ack_by")" = null ]'
check "an acknowledgement without a quantity is refused (400)" \
  '[ "$(ack "$KEY_a" "$NA" "{\"action\":\"withdrawn\"}")" = 400 ]'
check "buyer A acknowledges: 10 kg still on hand, withdrawn" \
  '[ "$(ack "$KEY_a" "$NA" "{\"quantity_on_hand\":10,\"action\":\"withdrawn from shelves\"}")" = 200 ] && [ "$(jq -r ".state + \" \" + .ack_by" "$T/body")" = "acknowledged buyer-a" ]'
check "buyer B acknowledges: none left" \
  '[ "$(ack "$KEY_b" "$NB" "{\"quantity_on_hand\":0,\"action\":\"all sold; customers told\"}")" = 200 ]'
check "a second acknowledgement is refused (409)" \
  '[ "$(ack "$KEY_a" "$NA" "{\"quantity_on_hand\":1,\"action\":\"again\"}")" = 409 ]'
check "buyer C does not acknowledge and is escalated after the deadline, with a second notice" \
  'wait_for 30 "[ \"\$(jq -s \"[.[] | select(.notice.escalation == true)] | length\" \"$T/c.jsonl\")\" = 1 ]"'
check "  its notice's state is escalated" \
  '[ "$("$BIN" recall show $RID --json | jq -r ".notices[] | select(.id == $NC) | .state")" = escalated ]'
check "progress (operator API): 2 of 3 acknowledged, 100 kg and 5 cases shipped, 10 kg on hand" \
  '[ "$(code -H "Authorization: Bearer $TOKEN" "$url/api/v1/recalls")" = 200 ] && [ "$(jq -cS ".recalls[0] | [.progress, .shipped, .on_hand_reported, .buyers, .acknowledged, (.escalated >= 1)]" "$T/body")" = "[\"2 of 3 acknowledged\",{\"KGM\":100,\"cases\":5},{\"KGM\":10},3,2,true]" ]'
check "  the dashboard's status raises an alert for the escalation" \
  '[ "$(code -H "Authorization: Bearer $TOKEN" "$url/api/v1/status")" = 200 ] && [[ "$(jq -r "[.alerts[] | select(.kind == \"recall\" and .subject == \"R1\")][0].text" "$T/body")" == "recall of R1: 2 of 3 acknowledged; "[0-9]" escalated (not acknowledged by the deadline)" ]]'
check "  and buyers may not read it (403)" '[ "$(code -H "Authorization: Bearer $KEY_a" "$url/api/v1/recalls")" = 403 ]'

# The drill: R2 reaches buyers B and C.
EVENTS_R2=$("$BIN" batch show R2 --json | jq '.events | length')
"$BIN" recall drill R2 --wait 40 --out "$T/reports" --json >"$T/drill.json" 2>"$T/drill.err" &
drill=$!
pids+=($drill)
drill_notice() { curl -s -H "Authorization: Bearer $1" "$url/api/v1/buyer/notices" | jq '[.notices[] | select(.drill == 1)][0].id'; }
wait_for 20 '[ "$(drill_notice "$KEY_b")" != null ] && [ "$(drill_notice "$KEY_c")" != null ]'
DB=$(drill_notice "$KEY_b") DC=$(drill_notice "$KEY_c")
check "the drill's notices reach buyers B and C, marked drill" \
  'wait_for 20 "[ \"\$(jq -s \"[.[] | select(.notice.drill == true)] | length\" \"$T/b.jsonl\")\$(jq -s \"[.[] | select(.notice.drill == true)] | length\" \"$T/c.jsonl\")\" = 11 ]"'
check "  and the platform's drill notice tells no consumer" \
  'wait_for 10 "[ \"\$(jq -s -c \"[.[].notice | select(.drill == true) | has(\\\"consumers\\\")] | unique\" \"$T/p.jsonl\")\" = \"[false]\" ]"'
ack "$KEY_b" "$DB" '{"quantity_on_hand":0,"action":"drill: located"}' >/dev/null
ack "$KEY_c" "$DC" '{"quantity_on_hand":2,"action":"drill: located"}' >/dev/null
wait "$drill"
check "recall drill R2 finishes complete, each step timed" \
  '[ "$(jq -c "[.outcome, (.steps | [.impact_ready_ms, .notices_issued_ms, .all_delivered_ms, .all_acknowledged_ms] | map(type))]" "$T/drill.json")" = "[\"complete\",[\"number\",\"number\",\"number\",\"number\"]]" ]'
REPORT=$(jq -r .report_json "$T/drill.json")
check "  a PDF beside the report" '[ "$(head -c 5 "$(jq -r .report_pdf "$T/drill.json")")" = "%PDF-" ]'
expect 0 "  its signed report verifies with the station's key" "$BIN" recall verify --key "$PUB" "$REPORT"
jq '.impact.totals.lots = 9' "$REPORT" >"$T/changed.json"
expect 1 "  a changed report does not" "$BIN" recall verify "$T/changed.json"
expect 1 "  nor one checked against another key" "$BIN" recall verify --key "$(printf '0%.0s' $(seq 64))" "$REPORT"
check "R2 is still active, with no new event: the drill is never on the consumer page" \
  '[ "$("$BIN" batch show R2 --json | jq -r ".status, (.events | length)" | tr "\n" " ")" = "active $EVENTS_R2 " ]'
check "the drill is listed as a drill" '[ "$("$BIN" recall list --json | jq -r ".recalls[0] | [.kind, .drill] | @tsv")" = "$(printf "drill\ttrue")" ]'

# Nothing due and nothing written: the notice thread sleeps (it used to wake every second).
notices_tid=$(grep -lx pt-notices /proc/"$server"/task/*/comm 2>/dev/null | head -1 | cut -d/ -f5)
switches() { sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' "/proc/$server/task/$notices_tid/status"; }
if [ -n "$notices_tid" ]; then
  sleep 1
  before=$(switches)
  sleep 4
  after=$(switches)
  check "an idle station's notice thread does not wake in 4 s (woke $((after - before)) times)" \
    '[ $((after - before)) -le 1 ]'
else
  not_ok "an idle station's notice thread does not wake in 4 s" "no pt-notices thread in $server"
fi

tap_finish
