#!/usr/bin/env bash
# test-hub-serve.sh: the hub serves the consumers of every station on one domain.  Two real
# stations (`packtrace init`, batches made with the real CLI, never started: the hub must not
# need them) send their logs through the hub's real ingest (hub-post, the signed protocol) to
# a real `packtrace hub serve` on a throwaway PostgreSQL (pg-fixture.sh).  Checks: the
# resolver's forms (page, JSON, EPCIS, bundle) for a lot with '/' and '%'; the bundle verifies
# with `packtrace verify` against the station's key; strong ETag, Cache-Control, 304 on
# revalidation and a new ETag the moment a hold is stored; a recall shows; a lot at two
# stations lists both and serves each by &station=ID; evidence of nobody 404; the status API
# refuses without its token and shows each station's seq, head, gaps and quarantine; the
# JSON-LD context of the extensions.
set -u
HERE=$(dirname "$0")
. "$HERE/../tap.sh"
. "$HERE/hub-two-stations.sh"

# get PATH [CURL ARGS...]: status in $CODE, headers in $T/h, body in $T/b.
get() {
  local path=$1
  shift
  rm -f "$T/b" "$T/h"
  CODE=$(curl -s -o "$T/b" -D "$T/h" -w '%{http_code}' --max-time 10 "$@" "$URL$path")
}
header() { grep -i "^$1:" "$T/h" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
json() { python3 -c "import json,sys; d=json.load(open('$T/b')); print($1)"; }

# The resolver's forms for a lot with '/' and '%', encoded as the label prints it.
get "/01/$GTIN/10/$LOT_ENC"
check "the page of A's lot with '/' and '%' is served by the hub" '[ "$CODE" = 200 ] && grep -q "consumer.js" "$T/b" && grep -q "\"lot\":\"A/B%7\"" "$T/b"'
check "the page names the station's key and the hub's" 'grep -q "\"public_key\":\"$(cat "$T/A/keys/station.pub")\"" "$T/b" && grep -q "\"hub_key\"" "$T/b" && grep -q "\"station\":\"Shed A\"" "$T/b"'
ETAG=$(header ETag)
check "a strong ETag and a short public max-age with revalidation" '[[ "$ETAG" == \"*\" ]] && [ "$(header Cache-Control)" = "public, max-age=5, must-revalidate" ] && [ "$(header Vary)" = "Accept" ]'
get "/01/$GTIN/10/$LOT_ENC" -H "Accept: application/json"
check "JSON of the same link: the facts as signed" '[ "$CODE" = 200 ] && [ "$(json "d[\"grower\"], d[\"status\"], d[\"facts_verified\"], len(d[\"events\"])")" = "Li farm active True 1" ]'
JSON_ETAG=$(header ETag)
check "HTML and JSON have different ETags" '[ -n "$JSON_ETAG" ] && [ "$JSON_ETAG" != "$ETAG" ]'
BUNDLE=$(json 'd["bundle"]')
get "$BUNDLE"
cp "$T/b" "$T/bundle.json"
check "the bundle verifies against the station's key (packtrace verify)" '[ "$CODE" = 200 ] && "$BIN" verify "$T/bundle.json" >"$T/verify.out" 2>&1'
BUNDLE_ETAG=$(header ETag)
get "$BUNDLE"
check "the bundle is byte-identical when served again (its ETag is strong)" 'cmp -s "$T/b" "$T/bundle.json" && [ "$(header ETag)" = "$BUNDLE_ETAG" ]'
get "/01/$GTIN/10/$LOT_ENC?linkType=gs1:epcis"
check "linkType=gs1:epcis answers the EPCIS document" '[ "$CODE" = 200 ] && [ "$(json "d[\"type\"], len(d[\"epcisBody\"][\"eventList\"])")" = "EPCISDocument 1" ]'
check "its events keep the one namespace of the stations' extensions" '[ "$(json "d[\"epcisBody\"][\"eventList\"][0][\"@context\"][2][\"pt\"]")" = https://w3id.org/packtrace/ns/v1/ ]'

# The JSON-LD context of those extensions, at the path a station serves it.
get "/ns/packtrace/v1/context.jsonld"
check "the hub serves the extensions' context as application/ld+json, the tree's file" '[ "$CODE" = 200 ] && [ "$(header Content-Type)" = application/ld+json ] && cmp -s "$T/b" "$HERE/../../web-ui/packtrace-context-v1.jsonld"'

# Revalidation: 304 with no body while the batch is unchanged.
get "/01/$GTIN/10/$LOT_ENC" -H "If-None-Match: $ETAG"
check "If-None-Match with the current ETag answers 304 without a body" '[ "$CODE" = 304 ] && [ ! -s "$T/b" ] && [ "$(header ETag)" = "$ETAG" ]'
get "$BUNDLE" -H "If-None-Match: $BUNDLE_ETAG"
check "the bundle revalidates to 304 too" '[ "$CODE" = 304 ]'

# A hold at the station, sent on: the ETag changes at once, revalidation gets the new page.
export PACKTRACE_DATA=$T/A
must "$BIN" batch hold "$LOT" --reason "residue test"
must "$POST" "$T/A" "$URL"
get "/01/$GTIN/10/$LOT_ENC" -H "If-None-Match: $ETAG"
check "after the hold is stored, revalidation gets 200 and a new ETag" '[ "$CODE" = 200 ] && [ -n "$(header ETag)" ] && [ "$(header ETag)" != "$ETAG" ]'
get "/01/$GTIN/10/$LOT_ENC" -H "Accept: application/json"
check "the page shows the hold" '[ "$(json "d[\"status\"]")" = held ]'
get "$BUNDLE" -H "If-None-Match: $BUNDLE_ETAG"
check "the bundle's ETag changed with the hold too" '[ "$CODE" = 200 ]'

# A recall at B.
get "/01/$GTIN/10/RC1" -H "Accept: application/json"
check "B's recalled lot shows recalled, from B's key" '[ "$CODE" = 200 ] && [ "$(json "d[\"status\"], d[\"station\"]")" = "recalled Shed B" ]'

# The same lot at two stations: both listed, each served by &station=.
get "/01/$GTIN/10/SHARED"
check "a lot held by two stations answers 300 listing both" '[ "$CODE" = 300 ] && grep -q "station=$A_ID" "$T/b" && grep -q "station=$B_ID" "$T/b" && grep -q "Shed A" "$T/b" && grep -q "Shed B" "$T/b"'
get "/01/$GTIN/10/SHARED" -H "Accept: application/json"
check "and as JSON" '[ "$CODE" = 300 ] && [ "$(json "len(d[\"stations\"])")" = 2 ]'
get "/01/$GTIN/10/SHARED?station=$B_ID" -H "Accept: application/json"
check "&station=ID serves that station's batch" '[ "$CODE" = 200 ] && [ "$(json "d[\"station\"]")" = "Shed B" ]'
B_BUNDLE=$(json 'd["bundle"]')
get "$B_BUNDLE"
check "its bundle verifies against B's key" '[ "$CODE" = 200 ] && cp "$T/b" "$T/b.json" && "$BIN" verify "$T/b.json" >/dev/null 2>&1'
get "/01/$GTIN/10/SHARED?station=0123456789abcdef"
check "a station that does not hold the lot: 404" '[ "$CODE" = 404 ]'

# Unknown lots and evidence.
get "/01/$GTIN/10/NOPE"
check "an unknown lot of a known GTIN: 303 to the product" '[ "$CODE" = 303 ] && [ "$(header Location)" = "/01/$GTIN" ]'
get "/01/$GTIN/10/NOPE" -H "Accept: text/html" -H "Accept-Language: zh-CN"
check "the same for a browser: 404, the label may not be genuine, counted in the status" \
  '[ "$CODE" = 404 ] && grep -q "该标签可能是假冒的" "$T/b" && [ -z "$(header Location)" ] && [ "$(curl -s -H "Authorization: Bearer s3cret-status-token" "$URL/hub/v1/status" | python3 -c "import json,sys; print(json.load(sys.stdin)[\"unknown_lot_views\"])")" = 1 ]'
get "/01/$GTIN"
check "the product page, rendered by the hub" '[ "$CODE" = 200 ] && grep -q "<h1>Oranges</h1>" "$T/b" && grep -q "lots packed" "$T/b"'
get "/01/$GTIN" -H "Accept: application/json"
check "the product page's JSON" '[ "$CODE" = 200 ] && grep -q "\"kind\":\"product\"" "$T/b"'
get "/evidence/$(printf '%064d' 0)"
check "evidence nobody references: 404" '[ "$CODE" = 404 ]'
get "/static/pt-verify.js"
check "the page's assets" '[ "$CODE" = 200 ] && grep -q hubKey "$T/b"'
get "/01/$GTIN/10/$LOT_ENC" -X POST
check "POST on a page: 405" '[ "$CODE" = 405 ]'

# PostgreSQL restarted under the hub: its connections, and the statements prepared on them,
# are gone; the hub reconnects and prepares them again (a request may see 503 meanwhile).
must pg_fixture_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w restart
codes=
for _ in 1 2 3; do
  get "/01/$GTIN/10/$LOT_ENC"
  codes="$codes $CODE"
  [ "$CODE" = 200 ] && break
done
check "after PostgreSQL restarts the page is served again (statuses:$codes)" '[ "$CODE" = 200 ] && [ "$(header ETag)" != "" ]'

# Per-station status.
get "/hub/v1/status"
check "the status API refuses without its token" '[ "$CODE" = 401 ]'
get "/hub/v1/status" -H "Authorization: Bearer wrong-token-wrong-token"
check "and with a wrong one" '[ "$CODE" = 401 ]'
get "/hub/v1/status" -H "Authorization: Bearer s3cret-status-token"
A_SEQ=$(sqlite3 "$T/A/station.db" 'SELECT max(seq) FROM events' 2>/dev/null || echo 0)
check "status lists both stations with their seq, head, gaps and quarantine" '[ "$CODE" = 200 ] && [ "$(json "[(s[\"name\"], s[\"last_seq\"] == s[\"contiguous_seq\"], s[\"head\"][\"seq\"] == s[\"last_seq\"], s[\"gaps\"], s[\"quarantined\"]) for s in d[\"stations\"]]")" = "[('"'"'Shed A'"'"', True, True, [], 0), ('"'"'Shed B'"'"', True, True, [], 0)]" ]'
check "A's last seq is its log's" '[ "$(json "d[\"stations\"][0][\"last_seq\"]")" = "$A_SEQ" ]'
# A gap at B (seq N+1 never sent, N+2 sent) and A's records sent as B: both shown.
export PACKTRACE_DATA=$T/B
B_SEQ=$(sqlite3 "$T/B/station.db" 'SELECT max(seq) FROM events')
must "$BIN" batch hold SHARED --reason "sample"
must "$BIN" batch release SHARED
must "$POST" "$T/B" "$URL" $((B_SEQ + 2))
HUB_POST_SIGNER=$T/B "$POST" "$T/A" "$URL" >"$T/forged.out" 2>&1
check "A's records signed by B are quarantined" 'grep -q "\"quarantined\"" "$T/forged.out"'
get "/hub/v1/status" -H "Authorization: Bearer s3cret-status-token"
check "status shows B's gap and its quarantined events" '[ "$(json "[(s[\"gaps\"], s[\"quarantined\"] > 0, s[\"contiguous_seq\"], s[\"last_seq\"]) for s in d[\"stations\"] if s[\"name\"] == \"Shed B\"][0]")" = "([[$((B_SEQ + 1)), $((B_SEQ + 1))]], True, $B_SEQ, $((B_SEQ + 2)))" ]'
get "/hub/status"
check "the status page" '[ "$CODE" = 200 ] && grep -q "hub-status.js" "$T/b"'

tap_finish
