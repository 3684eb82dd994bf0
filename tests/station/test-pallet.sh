#!/usr/bin/env bash
# test-pallet.sh: pallets as the shed uses them: SSCCs from station.ini's company prefix (check
# digit computed here independently, never reused, not even after a restore of an older
# backup), cases of two batches packed on and one taken off (signed AggregationEvents ADD and
# DELETE), the API, bad input refused with nothing changed (unknown SSCC, a lot on two pallets,
# taking off what is not on, a bad company prefix), the export validated against GS1's schema
# (ajv; those checks skip without shared data or npm) and the signed bundle verified.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
T=$(mktemp -d)
trap 'kill "${server:-}" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
D=$T/data

# GS1 mod-10 check digit of a digit string, written here independently of labels/.
check_digit() {
  local s=$1 sum=0 i d w=3
  for ((i = ${#s} - 1; i >= 0; i--)); do
    d=${s:i:1}
    sum=$((sum + d * w))
    w=$((4 - w))
  done
  echo $(((10 - sum % 10) % 10))
}
# An SSCC of extension 3, prefix 0614141 and serial N: 17 digits and the check digit.
sscc() {
  local body
  body=$(printf '30614141%09d' "$1")
  echo "$body$(check_digit "$body")"
}
# The database's rows that pallets change, to show a refusal changed nothing.
state() { sqlite3 "$D/station.db" "SELECT count(*) FROM events; SELECT * FROM pallet_cases ORDER BY 1, 2; SELECT * FROM sscc_serials;" | tr '\n' ' '; }

"$BIN" init >/dev/null || { echo "Bail out! init failed"; exit 1; }
sed -i 's/^demo=auto$/demo=off/' "$D/station.ini"
expect 1 "no company prefix: pallet new is refused" "$BIN" pallet new
check "  naming the setting" '[[ "$ERR" == *"gs1_company_prefix"* ]]'

cp "$D/station.ini" "$T/good.ini"
sed -i 's/^gs1_company_prefix=$/gs1_company_prefix=06141X1/' "$D/station.ini"
expect 1 "a company prefix that is not digits is refused" "$BIN" pallet new
check "  naming file, key and rule" '[[ "$ERR" == *"station.ini"*"gs1_company_prefix"*"7 to 10 digits"* ]]'
sed -i 's/^gs1_company_prefix=.*/gs1_company_prefix=061414112345/' "$D/station.ini"
expect 1 "a company prefix of 12 digits is refused" "$BIN" pallet new
sed -i 's/^gs1_company_prefix=.*/gs1_company_prefix=0614141/; s/^sscc_extension=.*/sscc_extension=12/' "$D/station.ini"
expect 1 "an extension digit of two digits is refused" "$BIN" pallet new
check "  nothing was allocated" '[ "$(sqlite3 "$D/station.db" "SELECT count(*) FROM pallets")" = 0 ] && [ ! -e "$D/sscc-serials" ]'
sed -i 's/^sscc_extension=.*/sscc_extension=3/' "$D/station.ini"

expect 0 "pallet new allocates an SSCC" "$BIN" pallet new --json
P1=$(printf %s "$OUT" | jq -r .sscc)
check "  the first serial of the range, check digit right: $(sscc 1)" '[ "$P1" = "$(sscc 1)" ]'
check "  its EPC is the Digital Link /00/" '[ "$(printf %s "$OUT" | jq -r .epc)" = "https://id.gs1.org/00/$P1" ]'
expect 0 "a second pallet" "$BIN" pallet new --json
P2=$(printf %s "$OUT" | jq -r .sscc)
check "  takes the next serial" '[ "$P2" = "$(sscc 2)" ]'

must() { "$@" >/dev/null 2>"$T/must.err" || { echo "Bail out! $*: $(cat "$T/must.err")"; exit 1; }; }
must "$BIN" batch new --product Oranges --gtin 9506000134352 --lot PAL-A --quantity 400 --uom KGM
must "$BIN" batch new --product Oranges --gtin 9506000134352 --lot PAL-B
must "$BIN" batch new --product Kiwi --gtin 9506000134352 --lot PAL-HELD
must "$BIN" batch hold PAL-HELD --reason "mould"

expect 0 "12 cases of PAL-A onto pallet 1" "$BIN" pallet add "$P1" PAL-A --cases 12 --json
check "  12 cases on it" '[ "$(printf %s "$OUT" | jq .cases)" = 12 ]'
expect 0 "8 cases of PAL-B onto it, named as (00)" "$BIN" pallet add "(00)$P1" PAL-B --cases 8
expect 0 "3 cases of PAL-B taken off" "$BIN" pallet remove "$P1" PAL-B --cases 3 --reason "crushed" --json
check "  17 cases left, 5 of PAL-B" '[ "$(printf %s "$OUT" | jq -c "[.cases, (.lots[] | select(.lot == \"PAL-B\") | .cases)]")" = "[17,5]" ]'

before=$(state)
expect 1 "an unknown SSCC is refused" "$BIN" pallet add "$(sscc 77)" PAL-A
check "  as unknown" '[[ "$ERR" == *"no pallet with SSCC"* ]]'
expect 1 "a wrong check digit is refused" "$BIN" pallet add "${P1%?}$(( (${P1: -1} + 1) % 10 ))" PAL-A
check "  as a check digit error" '[[ "$ERR" == *"check digit"* ]]'
expect 1 "cases of PAL-A on a second pallet are refused" "$BIN" pallet add "$P2" PAL-A
check "  naming the pallet they are on" '[[ "$ERR" == *"$P1"* ]]'
expect 1 "taking off a lot that is not on the pallet is refused" "$BIN" pallet remove "$P2" PAL-B
check "  as not on it" '[[ "$ERR" == *"not on pallet"* ]]'
expect 1 "taking off more cases than are on it is refused" "$BIN" pallet remove "$P1" PAL-B --cases 6
expect 1 "a held batch is not palletised" "$BIN" pallet add "$P2" PAL-HELD
check "  with its signed reason" '[[ "$ERR" == *"mould"* ]]'
expect 2 "zero cases is a usage error" "$BIN" pallet add "$P2" PAL-B --cases 0
check "nothing changed by the refusals" '[ "$(state)" = "$before" ]'

# The GS1 logistic label in every format, the (00) SSCC read back by independent decoders.
# The symbols zbarimg finds, sorted, FNC1 (GS) after a variable-length value shown as '|'.
zbar() { zbarimg --quiet --raw "$1" 2>/dev/null | tr '\035' '|' | sort; }
for f in png pdf svg zpl; do
  expect 0 "pallet 1's logistic label as $f" "$BIN" pallet label "$P1" --format "$f" -o "$T/p1.$f"
done
WANT_MIXED="00$P1"
if command -v zbarimg >/dev/null; then
  check "png: zbarimg reads the SSCC as (00) and only that (a mixed pallet)" '[ "$(zbar "$T/p1.png")" = "$WANT_MIXED" ]'
  if command -v pdftoppm >/dev/null; then
    pdftoppm -png -r 300 -singlefile "$T/p1.pdf" "$T/p1-pdf" 2>/dev/null
    check "pdf: the same SSCC" '[ "$(zbar "$T/p1-pdf.png")" = "$WANT_MIXED" ]'
  else
    skip "pdf decodes" "pdftoppm not installed"
  fi
  if command -v rsvg-convert >/dev/null; then
    rsvg-convert -d 300 -p 300 -o "$T/p1-svg.png" "$T/p1.svg" 2>/dev/null
    check "svg: the same SSCC" '[ "$(zbar "$T/p1-svg.png")" = "$WANT_MIXED" ]'
  else
    skip "svg decodes" "rsvg-convert not installed"
  fi
else
  skip "decoding" "zbarimg not installed"
fi
check "zpl: a GS1-128 of (00) and the SSCC, the lots and the total" \
  'grep -q "\^BCN,[0-9]*,N,N,N,D\^FD(00)$P1\^FS" "$T/p1.zpl" && grep -q "\^FDPAL-A\^FS" "$T/p1.zpl" && grep -q "\^FDPAL-B\^FS" "$T/p1.zpl" && grep -q "\^FD17\^FS" "$T/p1.zpl"'
must "$BIN" pallet new
P3=$(sscc 3)
must "$BIN" batch new --product Lemons --gtin 9506000134352 --lot PAL-C
must "$BIN" pallet add "$P3" PAL-C --cases 40
expect 0 "a one-lot pallet's label" "$BIN" pallet label "$P3" --format png -o "$T/p3.png"
if command -v zbarimg >/dev/null; then
  check "  also carries (02) GTIN (37) count (10) lot" '[ "$(zbar "$T/p3.png" | tr "\n" " ")" = "00$P3 02095060001343523740|10PAL-C " ]'
else
  skip "one-lot decoding" "zbarimg not installed"
fi
must "$BIN" pallet new
expect 1 "an empty pallet has no label" "$BIN" pallet label "$(sscc 4)" -o "$T/empty.png"
check "  and nothing was written" '[ ! -e "$T/empty.png" ]'
expect 2 "an unknown format is a usage error" "$BIN" pallet label "$P1" --format gif
must "$BIN" batch hold PAL-C --reason "label check"
expect 1 "a pallet carrying a held lot gets no label" "$BIN" pallet label "$P3" -o "$T/held.png"
check "  naming the signed reason" '[[ "$ERR" == *"label check"* ]]'
must "$BIN" batch release PAL-C

# Never reused: the database's counter cannot go down, and a restored older database does
# not bring it back, since the data directory's high-water file keeps the last serial given.
expect 19 "the serial counter refuses to go down" sqlite3 "$D/station.db" "UPDATE sscc_serials SET last = 1"
expect 19 "a pallet row cannot be deleted" sqlite3 "$D/station.db" "DELETE FROM pallets WHERE sscc = '$P2'"
must "$BIN" backup "$T/backup"
must "$BIN" pallet new
check "  the fifth pallet, made after the backup, has serial 5" '"$BIN" pallet show "$(sscc 5)" >/dev/null'
expect 0 "the older backup restored over the station (--replace)" "$BIN" restore "$T/backup" --data "$D" --replace
check "  its database's counter is back at 4" '[ "$(sqlite3 "$D/station.db" "SELECT last FROM sscc_serials")" = 4 ]'
expect 0 "  then pallet new" "$BIN" pallet new --json
check "  does not give serial 5 again: serial 6" '[ "$(printf %s "$OUT" | jq -r .sscc)" = "$(sscc 6)" ]'

# The signed record: ADD and DELETE on the batches' chains, schema-valid, bundles verify.
expect 0 "PAL-B's events export" "$BIN" export PAL-B -o "$T/palb.json"
check "  commissioning, then aggregation ADD and DELETE with parentID the SSCC" \
  '[ "$(jq -c "[.epcisBody.eventList[] | [.type, .action, .bizStep, .parentID, .childQuantityList[0].quantity]]" "$T/palb.json")" = "[[\"ObjectEvent\",\"ADD\",\"commissioning\",null,null],[\"AggregationEvent\",\"ADD\",\"packing\",\"https://id.gs1.org/00/$P1\",8],[\"AggregationEvent\",\"DELETE\",\"unpacking\",\"https://id.gs1.org/00/$P1\",3]]" ]'
check "  the child is the lot as a Digital Link class" \
  '[ "$(jq -r ".epcisBody.eventList[1].childQuantityList[0].epcClass" "$T/palb.json")" = "https://id.gs1.org/01/09506000134352/10/PAL-B" ]'
"$BIN" export PAL-B --format bundle -o "$T/palb-bundle.json" >/dev/null 2>&1
expect 0 "PAL-B's signed bundle verifies" "$BIN" verify "$T/palb-bundle.json"
expect 0 "the whole log audits intact" "$BIN" audit

# The API: the same operations over HTTP with the operator token.
TOKEN=$(sed -n 's/^operator_token=//p' "$D/station.ini")
run_station
api() { curl -sS -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$@"; }
code=$(api -X POST "$url/api/v1/pallets")
check "POST /api/v1/pallets: 201 and the next SSCC" '[ "$code" = 201 ] && [ "$(jq -r .sscc "$T/body")" = "$(sscc 7)" ]'
P4=$(sscc 7)
code=$(api -X POST -d '{"batch": "PAL-A", "cases": 2}' "$url/api/v1/pallets/$P4/cases")
check "PAL-A onto a second pallet over the API: 409" '[ "$code" = 409 ]'
code=$(api -X POST -d '{"batch": "PAL-A", "cases": 5, "reason": "to pallet 4"}' "$url/api/v1/pallets/$P1/remove")
check "5 cases of PAL-A off pallet 1: 200, 7 left" '[ "$code" = 200 ] && [ "$(jq ".lots[] | select(.lot == \"PAL-A\") | .cases" "$T/body")" = 7 ]'
code=$(api -X POST -d '{"batch": "PAL-B"}' "$url/api/v1/pallets/$P4/cases")
check "a case of PAL-B onto pallet 4 while on pallet 1: 409" '[ "$code" = 409 ]'
code=$(api -X POST -d '{"batch": "PAL-B"}' "$url/api/v1/pallets/$P1/remove")
check "all of PAL-B off pallet 1: 200" '[ "$code" = 200 ] && [ "$(jq "[.lots[].lot] | index(\"PAL-B\")" "$T/body")" = null ]'
code=$(api -X POST -d '{"batch": "PAL-B", "cases": 5}' "$url/api/v1/pallets/$P4/cases")
check "then 5 cases of PAL-B onto pallet 4: 201" '[ "$code" = 201 ] && [ "$(jq .cases "$T/body")" = 5 ]'
code=$(api -X POST -d '{"batch": "PAL-B", "cases": "5"}' "$url/api/v1/pallets/$P4/cases")
check "cases as a string: 400" '[ "$code" = 400 ]'
code=$(api "$url/api/v1/pallets/$(sscc 99)")
check "an unknown SSCC: 404" '[ "$code" = 404 ]'
code=$(api "$url/api/v1/pallets/123")
check "a malformed SSCC: 400" '[ "$code" = 400 ]'
code=$(api "$url/api/v1/pallets/$P4/label?format=png")
check "GET .../label: 200, a PNG" '[ "$code" = 200 ] && [ "$(head -c 4 "$T/body" | tail -c 3)" = PNG ]'
if command -v zbarimg >/dev/null; then
  check "  whose GS1-128 is (00) and the SSCC and (02)(37)(10) of PAL-B" '[ "$(zbar "$T/body" | tr "\n" " ")" = "00$P4 0209506000134352375|10PAL-B " ]'
fi
code=$(api "$url/api/v1/pallets/$P4/label?format=zpl")
check "  ZPL over HTTP: 400 (printers are the station's)" '[ "$code" = 400 ]'
code=$(api -X POST -d '{"plate": "PO 1", "seal": "S-PO", "po": "PO-2026.7"}' "$url/api/v1/loads")
check "POST /api/v1/loads with a purchase order: 201, po kept" '[ "$code" = 201 ] && [ "$(jq -r .po "$T/body")" = PO-2026.7 ]'
code=$(api -X POST -d '{"plate": "PO 2", "seal": "S-PO2", "po": "PO 7"}' "$url/api/v1/loads")
check "  a purchase order with a space: 400" '[ "$code" = 400 ]'
must "$BIN" batch new --product Pears --gtin 9506000134352 --lot REP-API --quantity 50 --uom KGM
code=$(api -X POST -d '{"outputs": [{"lot": "REP-API-1", "quantity": 20}, {"lot": "REP-API-2", "quantity": 20}], "step": "repackaging"}' "$url/api/v1/batches/REP-API/repack")
check "POST /api/v1/batches/REP-API/repack: 201, two lots" '[ "$code" = 201 ] && [ "$(jq -c "[.outputs[].lot]" "$T/body")" = "[\"REP-API-1\",\"REP-API-2\"]" ]'
code=$(api -X POST -d '{"outputs": [{"lot": "REP-API-3"}]}' "$url/api/v1/batches/REP-API/repack")
check "  an output without a quantity: 400" '[ "$code" = 400 ]'
code=$(api -X POST -d '{"outputs": [{"lot": "REP-API-3", "quantity": 5}], "colour": "red"}' "$url/api/v1/batches/REP-API/repack")
check "  an unknown member: 400" '[ "$code" = 400 ]'
code=$(curl -sS -o /dev/null -w '%{http_code}' "$url/api/v1/pallets")
check "pallets are the operator's: 401 without a token" '[ "$code" = 401 ]'
kill "$server"
wait "$server" 2>/dev/null
server=

# Loading by SSCC: a pallet goes on a truck as one, a loading event per lot naming the SSCC.
L1=$("$BIN" load new --plate "AB 123" --seal S-9 --bol BOL-1 --po PO-77 --json | jq .id)
L2=$("$BIN" load new --plate "CD 456" --seal S-10 --json | jq .id)
expect 1 "a lot on a pallet does not go on a load alone" "$BIN" load add "$L1" PAL-A
check "  the refusal names the pallet to load" '[[ "$ERR" == *"pallet $P1"* ]]'
expect 0 "pallet 1 onto a load" "$BIN" load add "$L1" --pallet "$P1" --json
check "  one loading event (PAL-A's 7 cases)" '[ "$(printf %s "$OUT" | jq .events)" = 1 ]'
expect 0 "  again: already on it, nothing written" "$BIN" load add "$L1" --pallet "(00)$P1" --json
check "  existed" '[ "$(printf %s "$OUT" | jq .existed)" = true ] && [ "$(printf %s "$OUT" | jq .events)" = 0 ]'
before=$(state)
expect 1 "pallet 1 onto a second load is refused" "$BIN" load add "$L2" --pallet "$P1"
expect 1 "cases onto a loaded pallet are refused" "$BIN" pallet add "$P1" PAL-A
check "  naming the load" '[[ "$ERR" == *"load $L1"* ]]'
expect 1 "a palletised lot does not come off the load alone" "$BIN" load remove "$L1" PAL-A
expect 1 "an unknown SSCC is refused" "$BIN" load add "$L1" --pallet "$(sscc 99)"
check "nothing changed by those refusals" '[ "$(state)" = "$before" ]'
expect 0 "pallet 3 (PAL-C) on and off again" "$BIN" load add "$L1" --pallet "$P3"
expect 0 "  off" "$BIN" load remove "$L1" --pallet "$P3" --reason "wrong truck" --json
check "  one unloading event" '[ "$(printf %s "$OUT" | jq .events)" = 1 ]'
must "$BIN" batch hold PAL-B --reason "spots"
expect 1 "a pallet carrying a held lot is refused" "$BIN" load add "$L1" --pallet "$P4"
check "  with the signed reason" '[[ "$ERR" == *"spots"* ]]'
must "$BIN" batch release PAL-B
expect 0 "load show lists the pallet" "$BIN" load show "$L1" --json
check "  pallets [P1], batches [PAL-A]" '[ "$(printf %s "$OUT" | jq -c "[.pallets, [.batches[].lot]]")" = "[[\"$P1\"],[\"PAL-A\"]]" ]'
expect 0 "the load departs" "$BIN" load close "$L1"
expect 1 "a departed pallet's cases stay as loaded" "$BIN" pallet remove "$P1" PAL-A
"$BIN" export PAL-A -o "$T/pala.json" >/dev/null 2>&1
check "PAL-A's loading and departing events name the pallet's SSCC" \
  '[ "$(jq -c "[.epcisBody.eventList[] | select(.bizStep == \"loading\" or .bizStep == \"departing\") | [.bizStep, .epcList[0]]]" "$T/pala.json")" = "[[\"loading\",\"https://id.gs1.org/00/$P1\"],[\"departing\",\"https://id.gs1.org/00/$P1\"]]" ]'
check "  the loading event carries the pallet's 7 cases of the lot" \
  '[ "$(jq -c ".epcisBody.eventList[] | select(.bizStep == \"loading\") | .quantityList" "$T/pala.json")" = "[{\"epcClass\":\"https://id.gs1.org/01/09506000134352/10/PAL-A\",\"quantity\":7}]" ]'
check "  and the load's bill of lading and purchase order" \
  '[ "$(jq -r "[.epcisBody.eventList[] | select(.bizStep == \"loading\") | .bizTransactionList[].type] | join(\",\")" "$T/pala.json")" = bol,po ]'
"$BIN" export PAL-C -o "$T/palc.json" >/dev/null 2>&1
check "PAL-C: its pallet's loading and unloading" \
  '[ "$(jq -c "[.epcisBody.eventList[] | select(.epcList) | .bizStep]" "$T/palc.json")" = "[\"loading\",\"unloading\"]" ]'
"$BIN" export PAL-A --format bundle -o "$T/pala-bundle.json" >/dev/null 2>&1
expect 0 "PAL-A's bundle verifies" "$BIN" verify "$T/pala-bundle.json"
expect 0 "the log audits intact" "$BIN" audit

# Repacking: one lot into two, a TransformationEvent on its chain, the new lots naming it.
must "$BIN" batch new --product Pears --gtin 9506000134352 --lot REP --quantity 100 --uom KGM --variety Nashi
before=$(state)
expect 1 "outputs beyond the input's quantity are refused" "$BIN" batch repack REP --into REP-1=80 --into REP-2=30
expect 1 "an output lot that exists is refused" "$BIN" batch repack REP --into REP-1=10 --into PAL-B=10
expect 1 "a lot with cases on a pallet is not repacked" "$BIN" batch repack PAL-B --into PB-1=1
check "  naming the pallet" '[[ "$ERR" == *"$P4"* ]]'
expect 2 "a malformed --into is a usage error" "$BIN" batch repack REP --into REP-1
check "nothing changed by those refusals (no event, no batch)" '[ "$(state)" = "$before" ] && [ "$(sqlite3 "$D/station.db" "SELECT count(*) FROM batches WHERE lot IN ('\''REP-1'\'', '\''REP-2'\'', '\''PB-1'\'')")" = 0 ]'
expect 0 "REP repacked into REP-1 (60 kg) and REP-2 (35.5 kg)" "$BIN" batch repack REP --into REP-1=60 --into REP-2=35.5 --note "sorted by size" --json
TID=$(printf %s "$OUT" | jq -r .transformation_id)
check "  a urn:uuid transformation ID, two new lots" '[[ "$TID" == urn:uuid:* ]] && [ "$(printf %s "$OUT" | jq -c "[.outputs[].lot]")" = "[\"REP-1\",\"REP-2\"]" ]'
"$BIN" export REP -o "$T/rep.json" >/dev/null 2>&1
check "REP's TransformationEvent: 95.5 KGM of REP in, REP-1 and REP-2 out, under that ID" \
  '[ "$(jq -c ".epcisBody.eventList[] | select(.type == \"TransformationEvent\") | [.transformationID, .bizStep, (.inputQuantityList | map([.epcClass, .quantity, .uom])), (.outputQuantityList | map([.epcClass, .quantity]))]" "$T/rep.json")" = "[\"$TID\",\"repackaging\",[[\"https://id.gs1.org/01/09506000134352/10/REP\",95.5,\"KGM\"]],[[\"https://id.gs1.org/01/09506000134352/10/REP-1\",60],[\"https://id.gs1.org/01/09506000134352/10/REP-2\",35.5]]]" ]'
"$BIN" export REP-1 -o "$T/rep1.json" >/dev/null 2>&1
check "REP-1 is commissioned from REP, naming the transformation, with REP's variety" \
  '[ "$(jq -c ".epcisBody.eventList[0] | [.\"pt:transformationID\", .\"pt:transformedFrom\", .\"pt:variety\"]" "$T/rep1.json")" = "[\"$TID\",\"https://id.gs1.org/01/09506000134352/10/REP\",\"Nashi\"]" ]'
"$BIN" export REP --format bundle -o "$T/rep-bundle.json" >/dev/null 2>&1
expect 0 "REP's bundle verifies" "$BIN" verify "$T/rep-bundle.json"
must "$BIN" batch hold REP-2 --reason "bruised"
expect 1 "a held lot is not repacked" "$BIN" batch repack REP-2 --into REP-2A=1
expect 0 "the log audits intact" "$BIN" audit

# GS1's schema (shared data and ajv; skipped without them).
SCHEMA=${PACKTRACE_SHARED:-}/data/epcis/EPCIS-JSON-Schema.json
"$BIN" export PAL-B -o "$T/palb.json" >/dev/null 2>&1
"$BIN" export REP-API -o "$T/repapi.json" >/dev/null 2>&1
if [ -f "$SCHEMA" ] && (. "$(dirname "$0")/../npm-tools.sh" && npm_tools node_modules/.bin/ajv ajv-cli@5.0.0 ajv-formats@3.0.1 >/dev/null); then
  AJV=$PACKTRACE_BUILD/npm-tools/node_modules/.bin/ajv
  for f in pala palb palc rep rep1 repapi; do
    expect 0 "$f: every event (aggregations, pallet loading, transformations) validates against GS1's schema" "$AJV" validate -c ajv-formats -s "$SCHEMA" -d "$T/$f.json"
  done
  jq 'del(.epcisBody.eventList[1].action)' "$T/palb.json" >"$T/broken.json"
  expect 1 "  and the check can fail: an AggregationEvent without action is refused" "$AJV" validate -c ajv-formats -s "$SCHEMA" -d "$T/broken.json"
  jq '(.epcisBody.eventList[] | select(.type == "TransformationEvent") | .inputQuantityList[0].quantity) |= "lots"' "$T/rep.json" >"$T/broken.json"
  expect 1 "  a TransformationEvent with a quantity that is not a number is refused" "$AJV" validate -c ajv-formats -s "$SCHEMA" -d "$T/broken.json"
else
  skip "schema validation" "no $SCHEMA or no ajv"
fi
tap_finish
