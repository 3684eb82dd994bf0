#!/usr/bin/env bash
# test-hub-resolver.sh: the hub's GS1 Digital Link resolver against the checks of GS1's resolver
# conformance test suite, on the two real stations of hub-two-stations.sh (a throwaway
# PostgreSQL, the real ingest) plus lots with '/', '%', '&', '?' and '\'' sent by Shed A:
# CORS and the OPTIONS preflight, Vary, Link rel=linkset, the linkset (RFC 9264's shape), each
# linkType (redirect, document, 404), gs1:recallStatus from the signed recall, the
# description file, trailing slash, 400, the query on the 303 of an unknown lot, a compressed
# link, and &station= carried through the redirects of a lot two sheds hold.
set -u
HERE=$(dirname "$0")
. "$HERE/../tap.sh"
. "$HERE/hub-two-stations.sh"

get() {
  local path=$1
  shift
  rm -f "$T/b" "$T/h"
  CODE=$(curl -s --path-as-is -o "$T/b" -D "$T/h" -w '%{http_code}' --max-time 10 "$@" "$URL$path")
}
header() { grep -i "^$1:" "$T/h" | head -1 | cut -d' ' -f2- | tr -d '\r'; }

HOST=https://trace.example.coop
HOSTILE=('A/B%1-x' "LOT&7?Q'x")
HOSTILE_ENC=('A%2FB%251-x' 'LOT%267%3FQ%27x')
export PACKTRACE_DATA=$T/A
for lot in "${HOSTILE[@]}"; do
  must "$BIN" batch new --product Oranges --gtin "$GTIN" --lot "$lot" --pack-date 2026-11-25
done
must "$BIN" batch recall "${HOSTILE[1]}" --reason "listeria (lab 42)"
must "$POST" "$T/A" "$URL"

P0=/01/$GTIN/10/${HOSTILE_ENC[0]}
P1=/01/$GTIN/10/${HOSTILE_ENC[1]}
A0=$HOST$P0

get "$P0"
check "the hub answers the page of a lot with '/' and '%'" \
  '[ "$CODE" = 200 ] && header Content-Type | grep -q "^text/html"'
check "CORS, Vary: Accept and Link rel=linkset on it" \
  '[ "$(header Access-Control-Allow-Origin)" = "*" ] && header Vary | grep -qw Accept && header Link | grep -qF "<$A0?linkType=linkset>; rel=\"linkset\""'
get "$P0" -H "If-None-Match: $(header ETag)"
check "the 304 of a revalidation carries them too" \
  '[ "$CODE" = 304 ] && [ "$(header Access-Control-Allow-Origin)" = "*" ] && header Link | grep -q "rel=\"linkset\""'
get "$P0" -H "Accept: application/json"
get "$P0" -H "Accept: application/json"
check "so does an answer of the page cache" \
  '[ "$(header X-PT-Cache)" = hit ] && [ "$(header Access-Control-Allow-Origin)" = "*" ] && header Link | grep -q "rel=\"linkset\""'

get "$P0" -X OPTIONS -H "Origin: https://other.example"
check "OPTIONS is the CORS preflight (204, GET HEAD OPTIONS)" \
  '[ "$CODE" = 204 ] && header Access-Control-Allow-Methods | grep -q "GET, HEAD, OPTIONS" && [ "$(header Access-Control-Allow-Origin)" = "*" ]'
get "/hub/status" -X OPTIONS
check "OPTIONS elsewhere is still 405" '[ "$CODE" = 405 ]'

get "$P0?linkType=gs1:pip&foo=bar"
check "gs1:pip redirects (307) to the page, the other pairs passed on" \
  '[ "$CODE" = 307 ] && [ "$(header Location)" = "$A0?foo=bar" ]'
get "$P0?linkType=gs1:traceability"
check "gs1:traceability too" '[ "$CODE" = 307 ] && [ "$(header Location)" = "$A0" ]'
get "$P0?linkType=gs1:epcis"
check "gs1:epcis: the public EPCIS document at the link" \
  '[ "$CODE" = 200 ] && header Content-Type | grep -q "^application/ld+json"'
get "$P0?linkType=gs1:nosuchlt"
check "a linkType not offered: 404 naming the linkset" \
  '[ "$CODE" = 404 ] && grep -q "linkset" "$T/b" && header Link | grep -q "rel=\"linkset\""'

get "$P0?linkType=linkset"
cp "$T/b" "$T/linkset"
check "linkType=linkset: 200 application/linkset+json with its JSON-LD context linked" \
  '[ "$CODE" = 200 ] && [ "$(header Content-Type)" = application/linkset+json ] && header Link | grep -q "json-ld#context"'
get "$P0?linkType=all"
check "linkType=all: the same" 'cmp -s "$T/b" "$T/linkset"'
get "$P0" -H "Accept: application/linkset+json"
check "Accept: application/linkset+json: the same" '[ "$CODE" = 200 ] && cmp -s "$T/b" "$T/linkset"'
SHAPE='(.linkset | length == 1) and (.linkset[0] | .anchor == $a and .itemDescription == "Oranges"
  and (to_entries | map(select(.key != "anchor" and .key != "itemDescription"))
  | length >= 5 and all(.key | test("^https://")) and all(.value | type == "array" and length >= 1
  and all(.[]; .href | startswith($a)))))'
check "the linkset has RFC 9264's shape, every href under the anchor" \
  'jq -e --arg a "$A0" "$SHAPE" "$T/linkset" >/dev/null'

get "$P0?linkType=gs1:recallStatus"
check "recallStatus of an active batch: active, verified, from Shed A" \
  '[ "$CODE" = 200 ] && jq -e --arg s "$A_ID" ".status == \"active\" and .recalled == false and .verified and .station == \$s" "$T/b" >/dev/null'
get "$P1?linkType=gs1:recallStatus"
check "recallStatus of the recalled lot with '&', '?' and a quote: the signed reason and event" \
  '[ "$CODE" = 200 ] && jq -e ".recalled and .reason == \"listeria (lab 42)\" and (.event_hash_id | startswith(\"ni:///sha-256;\")) and (.since | test(\"^20\"))" "$T/b" >/dev/null'
get "/01/$GTIN/10/RC1?linkType=gs1:recallStatus"
check "B's recall: recalled, glass found, B's station id" \
  '[ "$CODE" = 200 ] && jq -e --arg s "$B_ID" ".status == \"recalled\" and .reason == \"glass found\" and .station == \$s" "$T/b" >/dev/null'
get "/01/$GTIN/10/SHARED?linkType=gs1:recallStatus"
check "a lot of two sheds: 300, each shed's link listed" '[ "$CODE" = 300 ]'
get "/01/$GTIN/10/SHARED?station=$B_ID&linkType=gs1:recallStatus"
check "with &station=ID: that shed's status" \
  '[ "$CODE" = 200 ] && jq -e --arg s "$B_ID" ".status == \"active\" and .station == \$s" "$T/b" >/dev/null'
get "/01/$GTIN/10/SHARED?station=$B_ID&linkType=gs1:pip"
check "and its redirect to the page keeps &station=" \
  '[ "$CODE" = 307 ] && [ "$(header Location)" = "$HOST/01/$GTIN/10/SHARED?station=$B_ID" ]'

get /.well-known/gs1resolver
check "/.well-known/gs1resolver describes the hub's resolver" \
  '[ "$CODE" = 200 ] && jq -e ".resolverRoot == \"$HOST\" and .supportedPrimaryKeys == [\"01\"]" "$T/b" >/dev/null && [ "$(header Access-Control-Allow-Origin)" = "*" ]'

get "$P0" -H "Accept: application/json"
cp "$T/b" "$T/plain"
get "$P0/" -H "Accept: application/json"
check "a trailing slash answers as without it" '[ "$CODE" = 200 ] && cmp -s "$T/b" "$T/plain"'
get "$P0/foo"
check "/foo appended: 400" '[ "$CODE" = 400 ]'
get "/01/$GTIN/10/NOSUCHLOT?foo=bar"
check "an unknown lot: 303 to its product, the query passed on" \
  '[ "$CODE" = 303 ] && [ "$(header Location)" = "/01/$GTIN?foo=bar" ]'
get "/01/04006381333931/10/X?foo=bar"
check "an unknown GTIN: 404, no walk-up" '[ "$CODE" = 404 ]'

# GS1's compression of https://trace.example.coop/01/09506000134352/10/A%2FB%251-x?13=261125.
get /CxFKk4XBoQ8FfCSsVvgTP8BQ -H "Accept: application/json"
check "a compressed link opens its batch, the uncompressed link named owl:sameAs" \
  '[ "$CODE" = 200 ] && jq -e ".lot == \"A/B%1-x\"" "$T/b" >/dev/null && header Link | grep -qF "<$A0?13=261125>; rel=\"owl:sameAs\""'
get /CxFKk4XBoQ8FfCSsVvgTP8BQX
check "one that does not decode: 400 saying why" '[ "$CODE" = 400 ] && grep -q "compressed Digital Link" "$T/b"'
get /hub/status
check "the hub's own routes are not taken for compressed links" '[ "$CODE" != 400 ]'

tap_finish
