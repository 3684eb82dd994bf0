#!/usr/bin/env bash
# test-gs1-partners.sh: a shed's batches as a partner's tools read them, with lots that
# URIs treat specially ('/', '%', '&', '?', '\'') and one of the full 20 characters, every
# check made by a tool that is not ours:
# - every export (EPCIS document, public document, the signed bundle's document) validated
#   against GS1's EPCIS 2.0 JSON schema with ajv;
# - every Digital Link the station prints (the pallet label's QR read back by zbarimg) and
#   states (the API's digital_link) parsed by digital-link.js, GS1's toolkit: valid, and
#   naming the batch's GTIN and lot;
# - every printed barcode decoded by zbarimg or dmtxread: the QR to the link, the case
#   label's GS1-128 (or, for a lot too wide for it, GS1 DataMatrix) to the element string;
# - each printed link resolved through the station's own resolver to its batch;
# - each bundle verified.
# Skips (77) without ../shared (GS1's schema) or when npm cannot install the tools.
set -u
BIN=${PACKTRACE_BUILD:?}/station/packtrace
HERE=$(cd "$(dirname "$0")" && pwd)
SCHEMA=${PACKTRACE_SHARED:-}/data/epcis/EPCIS-JSON-Schema.json
[ -f "$SCHEMA" ] || { echo "1..0 # SKIP no $SCHEMA"; exit 77; }
command -v zbarimg >/dev/null || { echo "1..0 # SKIP zbarimg missing"; exit 77; }
. "$HERE/../tap.sh"
. "$HERE/../npm-tools.sh"
npm_tools node_modules/.bin/ajv ajv-cli@5.0.0 ajv-formats@3.0.1
npm_tools node_modules/digital-link.js/package.json digital-link.js@1.4.3
AJV="$NPM_DIR/node_modules/.bin/ajv"
GEN=${PT_TEST_FRUITGEN:?}

T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
must "$BIN" init
# No demo cameras: this test does not watch them, and making their footage takes both
# cores for many seconds at the first start and holds up a stop.
sed -i 's/^demo=auto$/demo=off/' "$PACKTRACE_DATA/station.ini"
sed -i 's/^gln=$/gln=4012345000115/' "$PACKTRACE_DATA/station.ini"
mkdir -p "$T/img"
must "$GEN" "$T/img"

GTIN=09506000134352
LOTS=('A/B%1-x' "LOT&7?Q'x" 'P:1;2=3<4>5(6)7*8+9,')
for i in 0 1 2; do
  must "$BIN" batch new --product Oranges --gtin $GTIN --lot "${LOTS[$i]}" --grower "Li farm" \
    --origin CN --harvest-date 2026-11-20 --pack-date 2026-11-25 --quantity 800
done
check "the 20-character lot is 20 characters" '[ ${#LOTS[2]} = 20 ]'
# The labels, printed before anything is recalled (a recalled batch prints none).
for id in 1 2 3; do
  must "$BIN" label $id --template pallet --format png -o "$T/pallet$id.png"
  must "$BIN" label $id --template case --format png -o "$T/case$id.png"
done
# Lot 1: graded (the inspecting event with its distribution, defects and tolerances), packed,
# held and released.  Lot 2: loaded onto a truck with its documents, then recalled.
must "$BIN" grade open 1 --profile orange-unece --mm-per-px 0.3 --class I
must "$BIN" grade --batch 1 "$T/img/good.png" "$T/img/defect.png" "$T/img/small.png"
must "$BIN" grade close 1
must "$BIN" event add 1 --step packing --quantity 40 --uom KGM --at 2026-11-25T09:00:00+08:00
must "$BIN" batch hold 1 --reason "residue check"
must "$BIN" batch release 1
must "$BIN" load new --plate "AB 123" --seal S-1 --destination "Fresh Co" \
  --destination-gln 4012345000115 --bol BOL-77 --desadv DA.9 --dock dock-1
must "$BIN" load add 1 2
must "$BIN" load close 1
must "$BIN" batch recall 2 --reason "residue above the limit"

# Every export, validated with GS1's schema (one ajv run: it says "FILE valid" per file).
files=()
for i in 0 1 2; do
  id=$((i + 1))
  must "$BIN" export $id -o "$T/e$id.json"
  must "$BIN" export $id --public -o "$T/p$id.json"
  must "$BIN" export $id --format bundle -o "$T/b$id.json"
  jq .epcis "$T/b$id.json" >"$T/be$id.json"
  files+=(-d "$T/e$id.json" -d "$T/p$id.json" -d "$T/be$id.json")
done
"$AJV" validate -c ajv-formats -s "$SCHEMA" "${files[@]}" >"$T/ajv.out" 2>&1
for i in 0 1 2; do
  id=$((i + 1))
  for f in e p be; do
    check "lot ${LOTS[$i]}: $f export validates against GS1's schema" \
      'grep -qxF "$T/$f$id.json valid" "$T/ajv.out" || { grep -A8 -F "$T/$f$id.json" "$T/ajv.out" | sed "s/^/# /"; false; }'
  done
  expect 0 "lot ${LOTS[$i]}: the bundle verifies" "$BIN" verify "$T/b$id.json"
done
check "the graded lot's export has its inspecting event" \
  '[ "$(jq "[.epcisBody.eventList[] | select(.bizStep == \"inspecting\")] | length" "$T/e1.json")" = 1 ]'
check "the loaded lot's export has loading and departing" \
  '[ "$(jq -r "[.epcisBody.eventList[].bizStep] | map(select(. == \"loading\" or . == \"departing\")) | join(\",\")" "$T/e2.json")" = loading,departing ]'
# The check can fail: an event whose epcClass holds a raw lot is refused.
jq --arg c "https://id.gs1.org/01/$GTIN/10/A/B%1-x" \
  '.epcisBody.eventList[0].quantityList[0].epcClass = $c' "$T/e1.json" >"$T/bad.json"
check "a raw lot in epcClass is refused by the schema" \
  '! "$AJV" validate -c ajv-formats -s "$SCHEMA" -d "$T/bad.json" >/dev/null 2>&1'

# Every printed and stated Digital Link through digital-link.js; every barcode decoded.
links=()
for i in 0 1 2; do
  id=$((i + 1))
  qr=$(zbarimg --quiet --raw "$T/pallet$id.png" 2>/dev/null)
  api=$("$BIN" batch show $id --json | jq -r .digital_link)
  check "lot ${LOTS[$i]}: the pallet label's QR is the link the station states" \
    '[ -n "$qr" ] && [ "$qr" = "$api" ]'
  links+=("$qr")
  if [ $id != 3 ]; then
    check "lot ${LOTS[$i]}: the case label's GS1-128 is (01)(13)(10) with the lot as given" \
      '[ "$(zbarimg --quiet --raw "$T/case$id.png" 2>/dev/null)" = "01${GTIN}13261125"10"${LOTS[$i]}" ]'
  elif command -v dmtxread >/dev/null; then
    # 20 characters outside code set C make a GS1-128 wider than the 4-inch label at GS1's
    # smallest module (440 modules, 110 mm): the label carries a GS1 DataMatrix instead.
    check "lot ${LOTS[$i]}: no GS1-128 on its case label, which would not fit" \
      '[ -z "$(zbarimg --quiet --raw "$T/case$id.png" 2>/dev/null)" ]'
    check "lot ${LOTS[$i]}: its case label's GS1 DataMatrix is (01)(13)(10) with the lot as given" \
      '[ "$(dmtxread -N 1 "$T/case$id.png" 2>/dev/null)" = "01${GTIN}13261125"10"${LOTS[$i]}" ]'
  else
    skip "lot ${LOTS[$i]}: its case label's GS1 DataMatrix" "dmtxread not installed"
  fi
done
node "$HERE/gs1-partners.mjs" dl "${links[@]}" >"$T/dl.json" 2>"$T/dl.err"
for i in 0 1 2; do
  check "lot ${LOTS[$i]}: digital-link.js finds the printed link valid" \
    '[ "$(jq -r ".[$i].valid" "$T/dl.json")" = true ] || { sed "s/^/# /" "$T/dl.err"; jq -c ".[$i]" "$T/dl.json" | sed "s/^/# /"; false; }'
  check "lot ${LOTS[$i]}: and reads the GTIN and the lot from it" \
    '[ "$(jq -r ".[$i].gtin" "$T/dl.json")" = $GTIN ] && [ "$(jq -r ".[$i].lot" "$T/dl.json")" = "${LOTS[$i]}" ]'
done
# The check can fail: a link with the lot left raw, or a wrong check digit, is invalid.
node "$HERE/gs1-partners.mjs" dl "https://trace.example.coop/01/$GTIN/10/A B" \
  "https://trace.example.coop/01/09506000134351/10/X" >"$T/dl-bad.json"
check "digital-link.js refuses a raw space and a wrong check digit" \
  '[ "$(jq -c "[.[].valid]" "$T/dl-bad.json")" = "[false,false]" ]'

# Each printed link resolved by the station to its own batch.
run_station
for i in 0 1 2; do
  path=/${links[$i]#https://*/}
  CODE=$(curl -s --path-as-is -H 'Accept: application/json' -o "$T/page" -w '%{http_code}' \
    --max-time 10 "$url$path")
  check "lot ${LOTS[$i]}: the printed link resolves to its batch (200)" \
    '[ "$CODE" = 200 ] && [ "$(jq -r .lot "$T/page")" = "${LOTS[$i]}" ]'
done
kill "$server"
wait "$server" 2>/dev/null
server=
tap_finish
