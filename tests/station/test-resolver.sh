#!/usr/bin/env bash
# test-resolver.sh: the station's GS1 Digital Link resolver against the checks of GS1's resolver
# conformance test suite, with curl on loopback: CORS on every answer and the OPTIONS
# preflight, Vary, the Link header to the linkset, the linkset itself (?linkType=linkset, =all,
# Accept: application/linkset+json) in RFC 9264's shape, each linkType (a redirect to the page,
# the documents at the link, 404 for one not offered), gs1:recallStatus from the signed recall,
# the description file, a trailing slash, a malformed link (400), the query passed on the 303
# of an unknown lot, and compressed links; lots with '/', '%', '&', '?' and '\''.  When node
# and npm are there, GS1's toolkit (digital-link.js) compresses the printed links and parses
# every href of the linkset; without them those checks skip and the rest still runs.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
"$BIN" init >/dev/null || { echo "Bail out! init failed"; exit 1; }

GTIN=09506000134352
HOST=https://trace.example.coop
LOTS=('A/B%1-x' "LOT&7?Q'x")
ENC=('A%2FB%251-x' 'LOT%267%3FQ%27x')
for i in 0 1; do
  "$BIN" batch new --json --product Oranges --gtin $GTIN --lot "${LOTS[$i]}" \
    --pack-date 2026-11-25 >"$T/new$i" || { echo "Bail out! batch new failed"; exit 1; }
done
expect 0 "recall the second batch" "$BIN" batch recall --reason "listeria (lab 42)" "${LOTS[1]}"
run_station

# fetch PATH [curl options]: headers in $T/h, body in $T/b, status in $CODE.
fetch() {
  local path=$1
  shift
  CODE=$(curl -s --path-as-is -D "$T/h" -o "$T/b" -w '%{http_code}' "$@" "$url$path")
}
header() { grep -i "^$1:" "$T/h" | head -1 | cut -d' ' -f2- | tr -d '\r'; }

P0=/01/$GTIN/10/${ENC[0]}
P1=/01/$GTIN/10/${ENC[1]}
A0=$HOST$P0

fetch "$P0"
check "the link answers the page (200, HTML)" \
  '[ "$CODE" = 200 ] && header Content-Type | grep -q "^text/html"'
check "CORS: Access-Control-Allow-Origin: *" '[ "$(header Access-Control-Allow-Origin)" = "*" ]'
check "Vary: Accept (one URL, HTML or JSON)" 'header Vary | grep -qw Accept'
check "Link names the linkset" \
  'header Link | grep -qF "<$A0?linkType=linkset>; rel=\"linkset\"; type=\"application/linkset+json\""'
check "no gs1: links in the Link header (deprecated in Resolver 1.0)" '! header Link | grep -q "rel=\"gs1:"'
CODE=$(curl -s -I --path-as-is -o /dev/null -w '%{http_code}' "$url$P0")
check "HEAD answers 200" '[ "$CODE" = 200 ]'

fetch "$P0" -X OPTIONS -H "Origin: https://other.example" -H "Access-Control-Request-Method: GET"
check "OPTIONS is the CORS preflight (204)" '[ "$CODE" = 204 ]'
check "the preflight allows GET, HEAD and OPTIONS from anywhere" \
  'header Access-Control-Allow-Methods | grep -q GET && header Access-Control-Allow-Methods | grep -q HEAD && header Access-Control-Allow-Methods | grep -q OPTIONS && [ "$(header Access-Control-Allow-Origin)" = "*" ]'

for lt in gs1:pip gs1:traceability gs1:defaultLink https://ref.gs1.org/voc/pip; do
  fetch "$P0?linkType=$lt&foo=bar"
  check "linkType=$lt redirects (307) to the page, the other query pairs passed on" \
    '[ "$CODE" = 307 ] && [ "$(header Location)" = "$A0?foo=bar" ] && header Link | grep -q "rel=\"linkset\""'
done
fetch "$P0?linkType=gs1:epcis"
check "linkType=gs1:epcis: the public EPCIS document" \
  '[ "$CODE" = 200 ] && header Content-Type | grep -q "^application/ld+json" && jq -e ".epcisBody.eventList | length > 0" "$T/b" >/dev/null'
fetch "$P0?linkType=pt:traceBundle"
check "linkType=pt:traceBundle: the public signed bundle" \
  '[ "$CODE" = 200 ] && jq -e ".proofs | length > 0" "$T/b" >/dev/null'
for lt in gs1:nosuchlt gs1:certificationInfo 'x%00y'; do
  fetch "$P0?linkType=$lt" -H 'Accept: application/json'
  check "linkType=$lt is not offered: 404 naming the linkset, not the page" \
    '[ "$CODE" = 404 ] && jq -e ".error | test(\"linkset\")" "$T/b" >/dev/null && [ "$(header Access-Control-Allow-Origin)" = "*" ]'
done

# The linkset, three ways, one body.
fetch "$P0?linkType=linkset"
cp "$T/b" "$T/linkset"
check "linkType=linkset: 200 application/linkset+json, no redirect" \
  '[ "$CODE" = 200 ] && [ "$(header Content-Type)" = application/linkset+json ]'
check "the linkset response links its JSON-LD context" \
  'header Link | grep -q "rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\""'
fetch "$P0?linkType=all"
check "linkType=all (the older name) answers the same linkset" '[ "$CODE" = 200 ] && cmp -s "$T/b" "$T/linkset"'
fetch "$P0" -H 'Accept: application/linkset+json'
check "Accept: application/linkset+json answers the same linkset" '[ "$CODE" = 200 ] && cmp -s "$T/b" "$T/linkset"'
# RFC 9264 / GS1's linkset schema: one context object per anchor; every other member an
# absolute relation URI with a non-empty array of targets, each with an absolute href.
SHAPE='(.linkset | type == "array" and length == 1) and
  (.linkset[0] | .anchor == $a and (to_entries | map(select(.key != "anchor" and .key != "itemDescription"))
   | length >= 5 and all(.key | test("^https://")) and all(.value | type == "array" and length >= 1
   and all(.[]; (.href | test("^https://")) and (.title | type == "string")))))'
check "the linkset has RFC 9264's shape" 'jq -e --arg a "$A0" "$SHAPE" "$T/linkset" >/dev/null'
check "exactly one default link, with a title and nothing else" \
  'jq -e ".linkset[0][\"https://ref.gs1.org/voc/defaultLink\"] | length == 1 and (.[0] | keys == [\"href\",\"title\"])" "$T/linkset" >/dev/null'
check "gs1:pip, gs1:traceability, gs1:epcis, gs1:recallStatus are in it" \
  'jq -e ".linkset[0] | has(\"https://ref.gs1.org/voc/pip\") and has(\"https://ref.gs1.org/voc/traceability\") and has(\"https://ref.gs1.org/voc/epcis\") and has(\"https://ref.gs1.org/voc/recallStatus\")" "$T/linkset" >/dev/null'
check "itemDescription is the signed product" 'jq -e ".linkset[0].itemDescription == \"Oranges\"" "$T/linkset" >/dev/null'
# Every href the linkset names answers on this station: 200, or 307 to the page.
jq -r '.linkset[0] | to_entries[] | select(.value | type == "array") | .value[].href' "$T/linkset" |
  sort -u >"$T/hrefs"
bad=
while read -r href; do
  c=$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$url${href#"$HOST"}")
  [ "$c" = 200 ] || [ "$c" = 307 ] || bad="$bad $href:$c"
done <"$T/hrefs"
check "every href of the linkset answers (200 or 307)" '[ -z "$bad" ] && [ -s "$T/hrefs" ]'

# gs1:recallStatus: the signed state, never more.
fetch "$P0?linkType=gs1:recallStatus"
check "recallStatus of an active batch: active, not recalled, verified" \
  '[ "$CODE" = 200 ] && jq -e ".status == \"active\" and .recalled == false and .verified == true and .since == null and .lot == \"A/B%1-x\"" "$T/b" >/dev/null'
fetch "$P1?linkType=gs1:recallStatus"
check "recallStatus of the recalled batch: recalled, the signed reason, when, and its event" \
  '[ "$CODE" = 200 ] && jq -e ".status == \"recalled\" and .recalled == true and .reason == \"listeria (lab 42)\" and (.since | test(\"^20\")) and (.event_hash_id | startswith(\"ni:///sha-256;\")) and .lot == \"LOT&7?Q'"'"'x\"" "$T/b" >/dev/null'
HASH=$(jq -r .event_hash_id "$T/b")
fetch "$P1" -H 'Accept: application/json'
check "its event_hash_id is the recall event's Hash ID on the batch's timeline" \
  'jq -e --arg h "$HASH" "[.events[] | select(.step == \"holding\")] | last | .hash_id == \$h" "$T/b" >/dev/null'

# The description file.
fetch /.well-known/gs1resolver
check "/.well-known/gs1resolver: the resolver description" \
  '[ "$CODE" = 200 ] && jq -e ".resolverRoot == \"$HOST\" and .supportedPrimaryKeys == [\"01\"] and (.name | length > 0) and .linkTypeDefaultCanBeLinkset == false" "$T/b" >/dev/null && [ "$(header Access-Control-Allow-Origin)" = "*" ]'

# Syntax: a trailing slash is tolerated; anything else malformed is a 400.
fetch "$P0" -H 'Accept: application/json'
cp "$T/b" "$T/plain"
fetch "$P0/" -H 'Accept: application/json'
check "a trailing slash answers as without it" '[ "$CODE" = 200 ] && cmp -s "$T/b" "$T/plain"'
fetch "$P0/foo" -H 'Accept: application/json'
check "a malformed link (/foo appended) is 400, not 200" '[ "$CODE" = 400 ]'

# An unknown lot: 303 to the product, every query pair passed on.
fetch "/01/$GTIN/10/NOSUCHLOT?foo=bar&13=261125"
check "an unknown lot: 303 to its product with the query passed on" \
  '[ "$CODE" = 303 ] && [ "$(header Location)" = "/01/$GTIN?foo=bar&13=261125" ]'
fetch "/01/$GTIN?linkType=gs1:epcis"
check "a product has no EPCIS link: 404" '[ "$CODE" = 404 ]'
fetch "/01/$GTIN?linkType=linkset"
check "a product's linkset: its page" \
  '[ "$CODE" = 200 ] && jq -e ".linkset[0].anchor == \"$HOST/01/$GTIN\" and (.linkset[0] | has(\"https://ref.gs1.org/voc/pip\"))" "$T/b" >/dev/null'

# Compressed links: decompressed in place, the uncompressed one named by owl:sameAs.
C0=/CxFKk4XBoQ8FfCSsVvgTP8BQ
fetch "$C0" -H 'Accept: application/json'
check "a compressed link (GS1's compression of the printed link) opens its batch" \
  '[ "$CODE" = 200 ] && jq -e ".lot == \"A/B%1-x\"" "$T/b" >/dev/null'
check "its Link header names the uncompressed link (owl:sameAs)" \
  'header Link | grep -qF "<$A0?13=261125>; rel=\"owl:sameAs\""'
fetch "$C0?linkType=gs1:recallStatus"
check "a compressed link takes a linkType" '[ "$CODE" = 200 ] && jq -e ".status == \"active\"" "$T/b" >/dev/null'
fetch "${C0}X"
check "a compressed link that does not decode: 400 saying why" \
  '[ "$CODE" = 400 ] && grep -q "compressed Digital Link" "$T/b"'
fetch /nothing
check "a short root path is not a compressed link: 404" '[ "$CODE" = 404 ]'
CODE=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url/nothing")
check "nor does POST on it become a 405 of the resolver" '[ "$CODE" = 404 ]'

# GS1's own toolkit: it compresses the printed links, and parses the linkset's hrefs.
. "$(dirname "$0")/../npm-tools.sh"
if command -v node >/dev/null && command -v npm >/dev/null &&
  (npm_tools node_modules/digital-link.js/package.json digital-link.js@1.4.3) >"$T/npm.out" 2>&1; then
  for i in 0 1; do
    printed=$(jq -r .digital_link "$T/new$i")
    c=$(node -e 'const {Utils} = require(process.argv[1] + "/node_modules/digital-link.js");
      try { console.log(Utils.compressWebUri(process.argv[2])); } catch (e) { console.log("-"); }' \
      "$NPM_DIR" "$printed")
    if [ "$c" = - ]; then
      skip "GS1's toolkit compression of ${LOTS[$i]}" "the toolkit cannot compress it"
      continue
    fi
    fetch "${c#"$HOST"}" -H 'Accept: application/json'
    check "the toolkit's compression of the printed link of ${LOTS[$i]} opens it" \
      '[ "$CODE" = 200 ] && [ "$(jq -r .lot "$T/b")" = "${LOTS[$i]}" ] && header Link | grep -qF "<$printed>; rel=\"owl:sameAs\""'
  done
  node -e 'const {DigitalLink} = require(process.argv[1] + "/node_modules/digital-link.js");
    const fs = require("fs");
    const bad = fs.readFileSync(process.argv[2], "utf8").trim().split("\n")
      .filter((h) => !DigitalLink(h).isValid());
    if (bad.length) { console.log(bad.join(" ")); process.exit(1); }' "$NPM_DIR" "$T/hrefs" >"$T/node.out" 2>&1
  rc=$?
  check "GS1's toolkit parses every href of the linkset as a valid Digital Link" '[ $rc = 0 ]' 
else
  skip "GS1's toolkit compression" "node, npm or digital-link.js missing"
  skip "GS1's toolkit parse of the hrefs" "node, npm or digital-link.js missing"
fi

tap_finish
