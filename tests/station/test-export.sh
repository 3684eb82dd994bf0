#!/usr/bin/env bash
# test-export.sh: the regulators' exports on a real station and SQLite file.  A shed packs a lot
# (hostile lot code A/B%1-x), splits it into two (LOT&7?Q'x, S,"2") that leave on two loads to
# two buyers, and packs a third lot that leaves on a third load.  The FSMA 204 spreadsheet is
# read back by tools that share nothing with its writer (Python's csv, zipfile and
# ElementTree): every KDE cell is filled, every row matches the signed events (the EPCIS
# export, read with jq), CSV and XLSX agree; the China record and 合格证 PDF (pdftotext,
# zbarimg) carry the Chinese fields; the HTTP routes answer admins only; bad input and a
# tampered event get a clear error and leave no file.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'kill "${server:-}" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
D=$T/data
INI=$D/station.ini
command -v python3 >/dev/null || { echo "1..0 # SKIP python3 missing"; exit 77; }
command -v jq >/dev/null || { echo "1..0 # SKIP jq missing"; exit 77; }

SHED_GLN=9506000000008
BUYER1=9506000000015
BUYER2=9506000000022
BUYER3=9506000000039
L1='A/B%1-x'
S1="LOT&7?Q'x"
S2='S,"2"'
L3='PLAIN-3'
L4='PAL-4'

"$BIN" init >/dev/null || { echo "Bail out! init failed"; exit 1; }
sed -i "s/^demo=auto$/demo=off/; s/^gln=$/gln=$SHED_GLN/; s/^supplier_address=$/supplier_address=1 Orchard Rd, Ganzhou/; s/^supplier_phone=$/supplier_phone=0797-1234567/; s/^supplier_name=$/supplier_name=Gannan Co-op/; s/^gs1_company_prefix=$/gs1_company_prefix=0614141/" "$INI"
sed -i 's/^\[labels.zh\]$/[labels.zh]\nOranges=橙子\nNavel=脐橙\nGannan, Jiangxi=江西赣南/' "$INI"
TOKEN=$(sed -n 's/^operator_token=//p' "$INI")

must() { "$@" >/dev/null 2>"$T/must.err" || { echo "Bail out! $*: $(cat "$T/must.err")"; exit 1; }; }
must "$BIN" batch new --product Oranges --variety Navel --gtin 9506000134352 --lot "$L1" \
  --quantity 400 --uom KGM --origin "Gannan, Jiangxi" --grower "Li Farm" --harvest-date 2026-11-20 \
  --pack-date 2026-11-21
must "$BIN" batch repack "$L1" --into "$S1=150" --into "$S2=200"
must "$BIN" batch new --product Oranges --gtin 9506000134352 --lot "$L3" --quantity 80 --uom KGM \
  --origin "Gannan, Jiangxi" --grower "Wang Farm" --harvest-date 2026-11-22 --pack-date 2026-11-23
must "$BIN" load new --plate ABC123 --seal S9 --destination "Buyer One" --destination-gln $BUYER1 --bol BOL-1 --po PO-7
must "$BIN" load add 1 "$S1"
must "$BIN" load close 1
must "$BIN" load new --plate XYZ --seal S10 --destination "Buyer Two" --destination-gln $BUYER2 --desadv DA-2
must "$BIN" load add 2 "$S2"
must "$BIN" load close 2
must "$BIN" batch new --product Oranges --gtin 9506000134352 --lot "$L4" --quantity 300 --uom KGM \
  --origin "Gannan, Jiangxi" --grower "Wang Farm" --harvest-date 2026-11-22 --pack-date 2026-11-23
must "$BIN" pallet new
SSCC=$("$BIN" pallet list --json | jq -r '.pallets[0].sscc // .[0].sscc')
must "$BIN" pallet add "$SSCC" "$L4" --cases 12
must "$BIN" load new --plate QQ1 --seal S11 --destination "Buyer Three" --destination-gln $BUYER3 --po PO-9
must "$BIN" load add 3 "$L3"
must "$BIN" load add 3 --pallet "$SSCC"
must "$BIN" load close 3
# Goods come back from buyer one (a receiving step by hand, no source named); a second one is
# declared in error, so neither it nor its declaration is a CTE.
must "$BIN" event add "$S1" --step receiving --quantity 10 --uom KGM --note "returned"
must "$BIN" event add "$S1" --step receiving --quantity 99 --uom KGM --note "typo"
N_TYPO=$("$BIN" batch show "$S1" --json | jq '.event_list | length')
must "$BIN" event correct "$S1" --event "$N_TYPO" --reason did_not_occur

# --- FSMA 204, CSV ---
expect 0 "export fsma --lot (CSV)" "$BIN" export fsma --lot "$L1" -o "$T/l1.csv"
check "  the file opens with a UTF-8 BOM" '[ "$(head -c 3 "$T/l1.csv" | od -An -tx1 | tr -d " ")" = efbbbf ]'
check "  records end in CRLF" '[ "$(head -1 "$T/l1.csv" | tail -c 2 | od -An -tx1 | tr -d " ")" = 0d0a ]'
# csv-json FILE: the rows as JSON objects keyed by header, read by Python's csv module.
csv_json() {
  python3 -c 'import csv, json, sys
r = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
print(json.dumps([dict(zip(r[0], row)) for row in r[1:]], ensure_ascii=False))' "$1"
}
csv_json "$T/l1.csv" >"$T/l1.json"
HEADERS=$(python3 -c 'import csv, sys; print(len(next(csv.reader(open(sys.argv[1], encoding="utf-8-sig")))))' "$T/l1.csv")
check "  a header of 19 columns" '[ "$HEADERS" = 19 ]'
check "  the lot, its two split lots and their CTEs: 7 rows, the receiving declared in error left out" \
  '[ "$(jq -c "[.[] | [.\"Critical Tracking Event (CTE)\", .\"Traceability Lot Code (TLC)\"]]" "$T/l1.json")" = "$(jq -nc --arg a "$L1" --arg b "$S1" --arg c "$S2" "[[\"Harvesting\",\$a],[\"Initial Packing\",\$a],[\"Transformation\",\$b],[\"Transformation\",\$c],[\"Shipping\",\$b],[\"Shipping\",\$c],[\"Receiving\",\$b]]")" ]'
check "  every KDE of every row is filled (a value, or n/a / not recorded with the reason)" \
  '[ "$(jq "[.[] | to_entries[] | select(.value == \"\")] | length" "$T/l1.json")" = 0 ] && [ "$(jq "[.[] | length] | unique" -c "$T/l1.json")" = "[19]" ]'
check "  hostile lot codes come back exactly (slash, percent, &, ?, quote, comma)" \
  '[ "$(jq -r ".[] | .\"Traceability Lot Code (TLC)\"" "$T/l1.json" | sort -u | tr "\n" "|")" = "$(printf "%s\n" "$L1" "$S1" "$S2" | sort -u | tr "\n" "|")" ]'

# What the signed events say, read from the EPCIS export (jq), against each row.
"$BIN" export "$S1" >"$T/s1.epcis"
"$BIN" export "$S2" >"$T/s2.epcis"
"$BIN" export "$L1" >"$T/l1.epcis"
ev() { jq -r "$2" "$T/$1.epcis"; }
ship() { jq -c --arg lot "$1" '[.[] | select(."Critical Tracking Event (CTE)" == "Shipping" and ."Traceability Lot Code (TLC)" == $lot)][0]' "$T/l1.json"; }
ROW=$(ship "$S1")
col() { printf '%s' "$ROW" | jq -r --arg k "$1" '.[$k]'; }
check "  shipping of $S1: the departing event's ID and date" \
  '[ "$(col "Event ID")" = "$(ev s1 ".epcisBody.eventList[] | select(.bizStep == \"departing\") | .eventID")" ] && [ "$(col "Event Date")" = "$(ev s1 ".epcisBody.eventList[] | select(.bizStep == \"departing\") | .eventTime[0:10]")" ]'
check "  ... ship-to is buyer one by GLN and name, ship-from the shed's GLN" \
  '[ "$(col "Ship-To / Immediate Subsequent Recipient Location")" = "GLN $BUYER1 (Buyer One)" ] && [[ "$(col "Ship-From / Immediate Previous Source Location")" == "GLN $SHED_GLN ("* ]]'
check "  ... 150 KGM, the bill of lading, the PO and the load as reference documents" \
  '[ "$(col Quantity)/$(col "Unit of Measure")" = 150/KGM ] && [ "$(col "Reference Document Number")" = "BOL-1; PO-7; load 1" ] && [[ "$(col "Reference Document Type")" == "Bill of lading; Purchase order; Load record"* ]]'
check "  ... the TLC source is the shed, by GLN and address" \
  '[ "$(col "Traceability Lot Code Source (GLN)")" = $SHED_GLN ] && [ "$(col "Traceability Lot Code Source Location Description")" = "Gannan Co-op, 1 Orchard Rd, Ganzhou" ]'
ROW=$(ship "$S2")
check "  shipping of $S2: buyer two, 200 KGM, the despatch advice" \
  '[ "$(col "Ship-To / Immediate Subsequent Recipient Location")" = "GLN $BUYER2 (Buyer Two)" ] && [ "$(col Quantity)" = 200 ] && [ "$(col "Reference Document Number")" = "DA-2; load 2" ]'
ROW=$(jq -c --arg lot "$S2" '[.[] | select(."Critical Tracking Event (CTE)" == "Transformation" and ."Traceability Lot Code (TLC)" == $lot)][0]' "$T/l1.json")
check "  transformation into $S2: the event's transformationID, 200 out, the input lot and 350 used" \
  '[ "$(col "Reference Document Number")" = "$(ev l1 ".epcisBody.eventList[] | select(.type == \"TransformationEvent\") | .transformationID")" ] && [ "$(col Quantity)" = 200 ] && [ "$(col "Input Traceability Lot Code(s) and Quantity Used")" = "$L1 (350 KGM used)" ]'
ROW=$(jq -c '.[] | select(."Critical Tracking Event (CTE)" == "Receiving")' "$T/l1.json")
check "  receiving: 10 KGM, to the shed; the unnamed source says so" \
  '[ "$(col Quantity)/$(col "Unit of Measure")" = 10/KGM ] && [ "$(col "Ship-From / Immediate Previous Source Location")" = "not recorded: the receiving event names no source (sourceList)" ] && [[ "$(col "Ship-To / Immediate Subsequent Recipient Location")" == "GLN $SHED_GLN ("* ]]'
ROW=$(jq -c '.[0]' "$T/l1.json")
check "  harvesting: the harvest day, the farm and origin, 400 KGM" \
  '[ "$(col "Event Date")" = 2026-11-20 ] && [ "$(col "Harvest Location (Farm, Field)")" = "Li Farm, Gannan, Jiangxi" ] && [ "$(col Quantity)" = 400 ]'
ROW=$(jq -c '.[1]' "$T/l1.json")
check "  initial packing: the pack day at the shed's GLN" \
  '[ "$(col "Event Date")" = 2026-11-21 ] && [ "$(col "Location of Event (GLN)")" = $SHED_GLN ]'
check "  every row's (Event ID, Event Hash ID) is a signed event's, as stored" \
  '[ -z "$(comm -23 <(jq -r ".[] | .\"Event ID\" + \" \" + .\"Signed Event (GS1 Event Hash ID)\"" "$T/l1.json" | sort -u) <(sqlite3 "$D/station.db" "SELECT event_id || '"' '"' || hash_id FROM events" | sort -u))" ]'
expect 0 "the same from one split lot (the links lead back to the source lot)" "$BIN" export fsma --lot "$S2" -o "$T/s2.csv"
check "  the same rows" 'cmp -s "$T/l1.csv" "$T/s2.csv"'

# --- FSMA 204, XLSX ---
expect 0 "export fsma --lot -o FILE.xlsx" "$BIN" export fsma --lot "$L1" -o "$T/l1.xlsx"
if python3 "$HERE/xlsx-rows.py" "$T/l1.xlsx" >"$T/l1.xlsx.json" 2>"$T/xlsx.err"; then
  ok "  the workbook opens with zipfile and ElementTree"
else
  not_ok "  the workbook opens with zipfile and ElementTree" "$(cat "$T/xlsx.err")"
fi
check "  sheets FSMA 204 and About; an autofilter over A1:S7; the header row frozen" \
  '[ "$(jq -c "[.sheets, .autofilter, .frozen]" "$T/l1.xlsx.json")" = "[[\"FSMA 204\",\"About\"],\"A1:S8\",\"A2\"]" ]'
check "  the same cells as the CSV, row for row" \
  '[ "$(jq -c "[.rows[] | [.[].v]]" "$T/l1.xlsx.json")" = "$(python3 -c "import csv, json, sys; print(json.dumps(list(csv.reader(open(sys.argv[1], encoding=\"utf-8-sig\", newline=\"\"))), ensure_ascii=False, separators=(\",\", \":\")))" "$T/l1.csv")" ]'
check "  quantities are numbers (sortable), the rest text" \
  '[ "$(jq -c "[.rows[1:][] | .[6].t] | unique" "$T/l1.xlsx.json")" = "[\"n\"]" ] && [ "$(jq -c "[.rows[1:][] | .[4].t] | unique" "$T/l1.xlsx.json")" = "[\"s\"]" ]'

# --- a date range ---
expect 0 "export fsma --from --to (the harvest day of $L3 and $L4)" "$BIN" export fsma --from 2026-11-22 --to 2026-11-22
printf '%s' "$OUT" >"$T/range.csv"
check "  only that day's CTEs: the harvesting of $L3 and $L4" \
  '[ "$(csv_json "$T/range.csv" | jq -c "[.[] | [.\"Critical Tracking Event (CTE)\", .\"Traceability Lot Code (TLC)\"]]")" = "[[\"Harvesting\",\"$L3\"],[\"Harvesting\",\"$L4\"]]" ]'
TODAY=$(date -u +%F)
expect 0 "export fsma over today: every shipping" "$BIN" export fsma --from "$TODAY" --to "$TODAY" --format csv -o "$T/today.csv"
check "  three shipments to the three buyers" \
  '[ "$(csv_json "$T/today.csv" | jq -r ".[] | select(.\"Critical Tracking Event (CTE)\" == \"Shipping\") | .\"Ship-To / Immediate Subsequent Recipient Location\"" | sort | tr "\n" "|")" = "GLN $BUYER1 (Buyer One)|GLN $BUYER2 (Buyer Two)|GLN $BUYER3 (Buyer Three)|GLN $BUYER3 (Buyer Three)|" ]'
check "  the palletised lot ships as its 12 cases on the pallet" \
  '[ "$(csv_json "$T/today.csv" | jq -r ".[] | select(.\"Critical Tracking Event (CTE)\" == \"Shipping\" and .\"Traceability Lot Code (TLC)\" == \"$L4\") | .Quantity + \" \" + .\"Unit of Measure\"")" = "12 cases (count)" ]'

# --- China: the record and the 合格证 ---
expect 0 "export cn (JSON)" "$BIN" export cn "$L1" "$L3"
check "  producer, origin and product in Chinese, the batch, dates, quantity, inspection" \
  '[ "$(printf "%s" "$OUT" | jq -c ".[0] | [.producer, .grower, .origin, .product, .variety, .batch, .harvestDate, .packDate, .quantity]")" = "[\"Gannan Co-op\",\"Li Farm\",\"江西赣南\",\"橙子\",\"脐橙\",\"$(printf %s "$L1" | sed "s/\"/\\\\\"/g")\",\"2026-11-20\",\"2026-11-21\",\"400 千克\"]" ]'
check "  the trace code is the batch's Digital Link; an ungraded batch says so" \
  '[ "$(printf "%s" "$OUT" | jq -r ".[0].traceCode")" = "https://trace.example.coop/01/09506000134352/10/A%2FB%251-x?13=261121" ] && [ "$(printf "%s" "$OUT" | jq -r ".[1].inspectionResult")" = "未检测（无分级检验记录）" ]'
expect 0 "export cn --format csv" "$BIN" export cn "$S2" --format csv -o "$T/cn.csv"
check "  BOM, Chinese header, the lot with comma and quotes intact" \
  '[ "$(csv_json "$T/cn.csv" | jq -r ".[0][\"批次\"] + \"|\" + .[0][\"产地\"] + \"|\" + .[0][\"联系方式\"]")" = "$S2|江西赣南|0797-1234567" ] && [ "$(head -c 3 "$T/cn.csv" | od -An -tx1 | tr -d " ")" = efbbbf ]'
expect 0 "export cn --format pdf: the 合格证" "$BIN" export cn "$L1" --format pdf -o "$T/hgz.pdf"
if command -v pdftotext >/dev/null; then
  pdftotext "$T/hgz.pdf" "$T/hgz.txt"
  check "  its text: title, promise ticked, product, quantity, producer, origin, contact, date" \
    'grep -q "承诺达标合格证" "$T/hgz.txt" && grep -q "☑ 不使用禁用农药兽药、停用兽药和非法添加物" "$T/hgz.txt" && grep -q "产品名称：橙子（脐橙）" "$T/hgz.txt" && grep -q "数量（重量）：400 千克" "$T/hgz.txt" && grep -q "种植养殖生产者信息：Li Farm" "$T/hgz.txt" && grep -q "产地：江西赣南" "$T/hgz.txt" && grep -q "联系方式：0797-1234567" "$T/hgz.txt" && grep -q "开具日期：$TODAY" "$T/hgz.txt" && grep -qF "批次：$L1" "$T/hgz.txt"'
else
  skip "the 合格证's text" "pdftotext not installed"
fi
if command -v zbarimg >/dev/null && command -v pdftoppm >/dev/null; then
  pdftoppm -png -r 300 -singlefile "$T/hgz.pdf" "$T/hgz"
  check "  its QR is the batch's Digital Link" \
    '[ "$(zbarimg --quiet --raw "$T/hgz.png" 2>/dev/null)" = "https://trace.example.coop/01/09506000134352/10/A%2FB%251-x?13=261121" ]'
else
  skip "the 合格证's QR" "zbarimg or pdftoppm not installed"
fi

# --- bad input: a clear error, no file ---
before=$(sqlite3 "$D/station.db" "SELECT count(*) FROM events" 2>/dev/null)
expect 1 "an unknown lot" "$BIN" export fsma --lot NOPE-1 -o "$T/bad.csv"
check "  says so, writes nothing" '[[ "$ERR" == *"no batch with lot '"'"'NOPE-1'"'"'"* ]] && [ ! -e "$T/bad.csv" ]'
expect 2 "a month 13" "$BIN" export fsma --from 2026-13-01 --to 2026-12-01 -o "$T/bad.csv"
check "  names the date" '[[ "$ERR" == *"2026-13-01"*"not a date"* ]] && [ ! -e "$T/bad.csv" ]'
expect 2 "from after to" "$BIN" export fsma --from 2026-12-02 --to 2026-12-01
check "  says so" '[[ "$ERR" == *"is after"* ]]'
expect 2 "a lot and a range at once" "$BIN" export fsma --lot "$L1" --from 2026-12-01 --to 2026-12-01
expect 2 "xlsx to standard output" "$BIN" export fsma --lot "$L1" --format xlsx
expect 2 "a format that is not one" "$BIN" export fsma --lot "$L1" --format ods -o "$T/bad.ods"
expect 1 "export cn of an unknown lot" "$BIN" export cn NOPE-1
must "$BIN" batch recall "$L3" --reason "listeria found"
expect 1 "no 合格证 for a recalled lot" "$BIN" export cn "$L3" --format pdf -o "$T/bad.pdf"
check "  naming the signed reason, no file" '[[ "$ERR" == *"recalled"*"listeria found"* ]] && [ ! -e "$T/bad.pdf" ]'
check "  the refusals wrote no event" '[ "$(sqlite3 "$D/station.db" "SELECT count(*) FROM events")" = "$((before + 1))" ]'

# --- HTTP: admins only ---
PW="orange grove 42"
echo "$PW" | "$BIN" user add boss --role admin >/dev/null || { echo "Bail out! user add"; exit 1; }
run_station
code() { curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' "$@"; }
code -X POST -d "{\"name\":\"boss\",\"password\":\"$PW\"}" "$url/api/v1/session" >/dev/null
COOKIE=$(grep -io 'pt_session=[0-9a-f]*' "$T/headers")
LOTQ=$(jq -rn --arg l "$L1" '$l | @uri')
check "GET /api/v1/exports/fsma: the operator's token is refused" \
  '[ "$(code -H "Authorization: Bearer $TOKEN" "$url/api/v1/exports/fsma?lot=$LOTQ")" = 403 ]'
check "  an admin gets the CSV, byte for byte the CLI's, as an attachment" \
  '[ "$(code -H "Cookie: $COOKIE" "$url/api/v1/exports/fsma?lot=$LOTQ")" = 200 ] && cmp -s "$T/body" "$T/l1.csv" && grep -qi "^content-disposition: attachment" "$T/headers"'
check "  and the XLSX, which opens" \
  '[ "$(code -H "Cookie: $COOKIE" "$url/api/v1/exports/fsma?lot=$LOTQ&format=xlsx")" = 200 ] && grep -qi "spreadsheetml" "$T/headers" && python3 "$HERE/xlsx-rows.py" "$T/body" | jq -e ".rows | length == 8" >/dev/null'
check "  an unknown lot: 404 with the reason" \
  '[ "$(code -H "Cookie: $COOKIE" "$url/api/v1/exports/fsma?lot=NOPE-1")" = 404 ] && jq -e ".error | test(\"NOPE-1\")" "$T/body" >/dev/null'
check "  a bad date: 400" \
  '[ "$(code -H "Cookie: $COOKIE" "$url/api/v1/exports/fsma?from=2026-02-30&to=2026-03-01")" = 400 ]'
check "GET /api/v1/exports/cn?format=pdf: the 合格证" \
  '[ "$(code -H "Cookie: $COOKIE" "$url/api/v1/exports/cn?lot=$LOTQ&format=pdf")" = 200 ] && [ "$(head -c 5 "$T/body")" = "%PDF-" ]'
kill "$server" 2>/dev/null
wait "$server" 2>/dev/null
server=

# --- a tampered event: the export refuses, nothing written ---
DEP=$(sqlite3 "$D/station.db" "SELECT seq FROM events WHERE step = 'departing' ORDER BY seq LIMIT 1")
sqlite3 "$D/station.db" "DROP TRIGGER events_append_only_update;
  UPDATE events SET body = replace(body, '$BUYER1', '$BUYER2') WHERE seq = $DEP;"
expect 1 "an export over a tampered departing event" "$BIN" export fsma --lot "$L1" -o "$T/tampered.csv"
check "  names the event, writes nothing" '[[ "$ERR" == *"event $DEP"*"does not verify"* ]] && [ ! -e "$T/tampered.csv" ]'

tap_finish
