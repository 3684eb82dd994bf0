#!/usr/bin/env bash
# test-epcis-jsonld.sh: a graded batch's EPCIS export read as JSON-LD, the way a platform
# that expands documents reads it.  The station serves the context of its "pt:" extensions
# (application/ld+json, the tree's file byte for byte, a term for every "pt:" member the
# export uses); jsonld.js expands every event and the document in safe mode with GS1's
# context and the station's, fetched from the running station over loopback, and finds the
# grade distribution, defects, tolerances and sensor reports with their values
# (epcis-jsonld.mjs); the same export validates against GS1's schema, and verify and audit
# still pass.
#
# GS1's context (https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld) is read
# from shared/data/epcis/epcis-context.jsonld when it is there.  Without it the test uses
# epcis-context-standin.jsonld: the EPCIS terms these two events use, written for this test
# and protected at the top like GS1's, and says so.  Skips (77) without the shared schema,
# node or npm.
set -u
. "$(dirname "$0")/../tap.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${PACKTRACE_BUILD:?}/station/packtrace
GEN=${PT_TEST_FRUITGEN:?}
SCHEMA=${PACKTRACE_SHARED:-}/data/epcis/EPCIS-JSON-Schema.json
[ -f "$SCHEMA" ] || { echo "1..0 # SKIP no $SCHEMA"; exit 77; }
. "$HERE/../npm-tools.sh"
npm_tools node_modules/jsonld/package.json jsonld@9.0.0
npm_tools node_modules/.bin/ajv ajv-cli@5.0.0 ajv-formats@3.0.1
AJV="$NPM_DIR/node_modules/.bin/ajv"
CONTEXT_FILE=$HERE/../../web-ui/packtrace-context-v1.jsonld
NS=https://w3id.org/packtrace/ns/v1/

T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill -9 "$server" 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data

mkdir -p "$T/img"
must "$GEN" "$T/img"
must "$BIN" init
sed -i 's/^gln=$/gln=4012345000115/' "$PACKTRACE_DATA/station.ini"
must "$BIN" batch new --product Oranges --gtin 09506000134352 --variety Navel --origin CN \
  --pack-date 2026-11-25
must "$BIN" grade --batch 1 "$T/img/good.png" "$T/img/defect.png" "$T/img/small.png"
must "$BIN" grade close 1
# A public note: its term too is defined and expands.
must "$BIN" event add 1 --step packing --public-note "Packed by hand / 手工包装"
expect 0 "export the graded batch" "$BIN" export 1 -o "$T/batch.json"
ev='.epcisBody.eventList[] | select(.bizStep == "inspecting")'
check "the inspecting event names GS1's context, the station's and the namespace inline" \
  '[ "$(jq -c "$ev | .[\"@context\"]" "$T/batch.json")" = "[\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\",\"https://trace.example.coop/ns/packtrace/v1/context.jsonld\",{\"cbvmda\":\"urn:epcglobal:cbv:mda:\",\"pt\":\"$NS\"}]" ]'
check "sensor reports: GS1 measurement types with UN/CEFACT units" \
  '[ "$(jq -r "[$ev | .sensorElementList[0].sensorReport[] | .type + \"/\" + .uom] | join(\",\")" "$T/batch.json")" = "Count/H87,Length/MMT,Dimensionless/P1,Area/MMK" ]'
check "one sensor element for the lot, then one per class graded" \
  '[ "$(jq -r "[$ev | .sensorElementList[] | .[\"pt:fruitClass\"] // \"lot\"] | join(\",\")" "$T/batch.json")" = "lot,Extra,II,out" ]'
check "the lot's fruit count and the classes' add up to the fruit graded" \
  '[ "$(jq "[$ev | .sensorElementList[1:][] | .sensorReport[0].value] | add" "$T/batch.json")" = "$(jq "$ev | .sensorElementList[0].sensorReport[0].value" "$T/batch.json")" ] && [ "$(jq "$ev | .[\"pt:fruitCount\"]" "$T/batch.json")" = 7 ]'

run_station
code=$(curl -sS -m 10 -D "$T/context.head" -o "$T/context.json" -w '%{http_code}' \
  "$url/ns/packtrace/v1/context.jsonld")
check "GET /ns/packtrace/v1/context.jsonld answers 200" '[ "$code" = 200 ]'
check "as application/ld+json, readable cross-origin" \
  'grep -qi "^content-type: application/ld+json" "$T/context.head" && grep -qi "^access-control-allow-origin: \*" "$T/context.head"'
check "the served context is the tree's file byte for byte" 'cmp -s "$T/context.json" "$CONTEXT_FILE"'
check "the context binds pt to the one namespace" '[ "$(jq -r ".[\"@context\"].pt" "$T/context.json")" = "$NS" ]'
jq -r '[.. | objects | keys[] | select(startswith("pt:"))] | unique[]' "$T/batch.json" >"$T/used"
jq -r '.["@context"] | keys[] | select(startswith("pt:"))' "$T/context.json" | sort >"$T/terms"
check "every pt: member of the export is a term of the context" \
  '[ -s "$T/used" ] && [ -z "$(comm -23 "$T/used" "$T/terms")" ]'

GS1_CONTEXT=${PACKTRACE_SHARED:-}/data/epcis/epcis-context.jsonld
if [ ! -f "$GS1_CONTEXT" ]; then
  echo "# GS1's context is not in $PACKTRACE_SHARED/data/epcis: expanding with the test's stand-in"
  GS1_CONTEXT=$HERE/epcis-context-standin.jsonld
fi
timeout 120 node "$HERE/epcis-jsonld.mjs" "$T/batch.json" "$GS1_CONTEXT" "$url" >"$T/jsonld.out" 2>&1
status=$?
while IFS= read -r line; do
  case $line in
    PASS\ *) ok "${line#PASS }" ;;
    FAIL\ *) not_ok "${line#FAIL }" ;;
    *) echo "# $line" ;;
  esac
done <"$T/jsonld.out"
check "epcis-jsonld.mjs ran to its end" '[ "$status" = 0 ] && grep -q "without the station context" "$T/jsonld.out"'

expect 0 "the same export validates against GS1's schema" \
  "$AJV" validate -c ajv-formats -s "$SCHEMA" -d "$T/batch.json"
expect 0 "export the bundle" "$BIN" export 1 --format bundle -o "$T/bundle.json"
expect 0 "verify keeps the bundle valid (Hash IDs with the new namespace)" "$BIN" verify "$T/bundle.json"
expect 0 "audit intact" "$BIN" audit
tap_finish
