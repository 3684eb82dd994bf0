#!/usr/bin/env bash
# test-buyer.sh: the buyer portal's API under the real `packtrace run`, driven with curl:
# credentials, a search by each criterion on batches made with the CLI (buyer-setup.sh), the
# summary a buyer gets (the signed verdict, state, loads and destinations, never a driver's
# phone), CSV parsed back (byte order mark, quoting, formula cells neutralised), the views
# across batches (counts by week, grower and facet), bad parameters (400), SQL text and LIKE
# wildcards in every field (nothing extra, no error), a batch's loads and clips (SHA-256 of
# the served file), and a downloaded bundle that `packtrace verify` accepts.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
GEN=${PT_TEST_FRUITGEN:?}
T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
must() {
  "$@" >"$T/step.out" 2>&1 || { echo "Bail out! set-up step failed: $*"; sed 's/^/#   /' "$T/step.out"; exit 1; }
}
. "$(dirname "$0")/buyer-setup.sh"
buyer_station
buyer_run

# get PATH [CURL-ARGS...]: the answer's status in $CODE, body in $BODY, headers in $T/headers.
get() {
  local path=$1
  shift
  CODE=$(curl -s -m 10 -o "$T/body" -D "$T/headers" -w '%{http_code}' "$@" "$url$path")
  BODY=$(cat "$T/body")
}
auth=(-H "Authorization: Bearer $TOKEN")
# lots QUERY: the lots a search finds, newest first, space-separated.
lots() {
  get "/api/v1/search?$1" "${auth[@]}"
  [ "$CODE" = 200 ] || { echo "HTTP $CODE: $BODY"; return; }
  echo "$BODY" | jq -r '[.batches[].lot] | join(" ")'
}
ALL="PEA-004 APL-003 ORA_002 ORA-001"

# --- credentials ---
for path in "/api/v1/search" "/api/v1/search?format=csv" "/api/v1/batches/1/clips" "/api/v1/batches/ORA-001/loads"; do
  get "$path"
  check "$path without credentials: 401" '[ "$CODE" = 401 ] && grep -qi "^WWW-Authenticate: Bearer" "$T/headers"'
done
get "/api/v1/search" -H "Authorization: Bearer wrong-$TOKEN"
check "a wrong token: 401" '[ "$CODE" = 401 ]'
get "/api/v1/search" "${auth[@]}" -X POST -d '{}'
check "POST on the search: 405" '[ "$CODE" = 405 ] && grep -qi "^Allow: GET, HEAD" "$T/headers"'
get "/buyer"
check "/buyer is the portal page, with its CSP" '[ "$CODE" = 200 ] && [[ "$BODY" == *"/static/buyer.js"* ]] && grep -qi "^Content-Security-Policy: default-src .none." "$T/headers"'
get "/static/buyer.js"
check "its script is served" '[ "$CODE" = 200 ] && grep -qi "^Content-Type: text/javascript" "$T/headers"'

# --- each criterion ---
check "no criterion: every batch, newest first" '[ "$(lots "")" = "$ALL" ]'
check "lot substring" '[ "$(lots "lot=ora")" = "ORA_002 ORA-001" ]'
check "lot exact" '[ "$(lots "lot=ORA-001")" = "ORA-001" ]'
check "GTIN-14" '[ "$(lots "gtin=$GTIN_A")" = "ORA_002 ORA-001" ]'
check "GTIN-13 of the same key" '[ "$(lots "gtin=${GTIN_B#0}")" = "PEA-004 APL-003" ]'
check "grower substring, any case" '[ "$(lots "grower=LI%20FA")" = "ORA-001" ]'
check "grower with an apostrophe" '[ "$(lots "grower=O%27Brien")" = "PEA-004" ]'
check "pack date range" '[ "$(lots "from=2026-10-03&to=2026-11-05")" = "APL-003 ORA_002 ORA-001" ]'
check "pack date from" '[ "$(lots "from=2026-11-06")" = "PEA-004" ]'
check "pack date to (inclusive)" '[ "$(lots "to=2026-10-03")" = "ORA-001" ]'
check "harvest date range (batches without one never match)" '[ "$(lots "date=harvest&from=2026-10-05&to=2026-12-31")" = "ORA_002" ]'
TODAY=$(date -u +%F)
check "registration date" '[ "$(lots "date=created&from=$TODAY&to=$TODAY")" = "$ALL" ] && [ -z "$(lots "date=created&to=2000-01-01")" ]'
check "grade Extra: the batch declared Extra" '[ "$(lots "grade=Extra")" = "ORA-001" ]'
check "a non-conformant class I batch of mostly Extra fruit never matches grade=Extra" \
  '[ "$(lots "grade=I")" = "ORA_002" ] && [[ " $(lots "grade=Extra") " != *" ORA_002 "* ]]'
check "verdict: conformant, non_conformant" \
  '[ "$(lots "verdict=conformant")" = "ORA-001" ] && [ "$(lots "verdict=non_conformant")" = "ORA_002" ]'
check "grade II: none declared" '[ -z "$(lots "grade=II")" ]'
check "criteria combine" '[ "$(lots "gtin=$GTIN_A&grade=I&verdict=non_conformant&from=2026-10-12")" = "ORA_002" ] && [ -z "$(lots "lot=ORA-001&grade=I")" ] && [ -z "$(lots "grade=I&verdict=conformant")" ]'
check "empty fields are no criterion (a form sends them)" '[ "$(lots "lot=&gtin=&grower=&from=&to=&grade=&verdict=")" = "$ALL" ]'

# --- the summary ---
get "/api/v1/search?lot=ORA-001" "${auth[@]}"
S=$(echo "$BODY" | jq -r '.batches[0] | [.product, .variety, .origin, .grower, .harvest_date, .pack_date, .status, .grade, (.loads[] | .destination, .destination_gln, .seal, (.closed != null))] | map(tostring) | join("|")')
check "summary: product, variety, origin, grower, dates, state, grade, loads" \
  '[ "$S" = "Oranges|Navel|CN|Li farm|2026-10-01|2026-10-03|active|Extra|Fresh Co|$GLN_A|S-0001|true" ]'
check "summary: links to the timeline, EPCIS, bundle, grading, clips" \
  '[ "$(echo "$BODY" | jq -r ".batches[0].links | [.timeline, .epcis, .bundle, .grading, .clips] | join(\" \")")" = "/api/v1/batches/1 /api/v1/batches/1/epcis /api/v1/batches/1/bundle /api/v1/batches/1/grading /api/v1/batches/1/clips" ]'
get "/api/v1/search?lot=ORA_002" "${auth[@]}"
check "the verdict as signed: declared class, conformant or not, share of fruit below the class" \
  '[ "$(echo "$BODY" | jq -c ".batches[0] | [.grade, .verdict.declared_class, .verdict.conformant, .verdict.below_class_percent, .verdict.fruit]")" = "[\"I\",\"I\",false,42.9,7]" ]'
get "/api/v1/search?gtin=$GTIN_B" "${auth[@]}"
check "held and recalled states with their reasons" \
  '[ "$(echo "$BODY" | jq -r "[.batches[] | .lot + \"|\" + .status + \"|\" + .status_reason] | join(\";\")")" = "PEA-004|recalled|label error;APL-003|held|$HOLD_REASON" ]'
get "/api/v1/search" "${auth[@]}"
check "no driver, phone or plate reaches a buyer" '[[ "$BODY" != *"138 0013"* && "$BODY" != *"AB 123"* && "$BODY" != *driver* ]]'
get "/api/v1/search?limit=2" "${auth[@]}"
P1=$(echo "$BODY" | jq -r '([.batches[].lot] | join(" ")), .more')
get "/api/v1/search?limit=2&offset=2" "${auth[@]}"
P2=$(echo "$BODY" | jq -r '([.batches[].lot] | join(" ")), .more')
check "pages: limit, offset, more" '[ "$P1" = "PEA-004 APL-003
true" ] && [ "$P2" = "ORA_002 ORA-001
false" ]'

# --- CSV ---
get "/api/v1/search?format=csv" "${auth[@]}"
cp "$T/body" "$T/all.csv"
check "format=csv: text/csv as an attachment" \
  '[ "$CODE" = 200 ] && grep -qi "^Content-Type: text/csv" "$T/headers" && grep -qi "^Content-Disposition: attachment; filename=\"packtrace-batches.csv\"" "$T/headers"'
get "/api/v1/search?lot=ORA" "${auth[@]}" -H "Accept: text/csv"
check "Accept: text/csv gives CSV too" '[ "$(tail -c +4 "$T/body" | head -c 7)" = "id,lot," ] && [ "$(grep -c ORA "$T/body")" = 2 ]'
check "CSV starts with a UTF-8 byte order mark (Excel on zh-CN Windows reads UTF-8)" \
  '[ "$(head -c 3 "$T/all.csv" | od -An -tx1 | tr -d " ")" = efbbbf ]'
get "/api/v1/search?format=json" "${auth[@]}" -H "Accept: text/csv"
check "format=json wins over Accept" '[ "$(echo "$BODY" | jq ".batches | length")" = 4 ]'
PARSED=$(python3 - "$T/all.csv" <<'EOF'
import csv, json, sys
with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:
    raw = f.read()
rows = list(csv.DictReader(raw.splitlines(True)))
print(json.dumps({"crlf": raw.count("\r\n") == len(rows) + 1, "rows": rows}))
EOF
)
csvf() { echo "$PARSED" | jq -r "$1"; }
check "CSV: a header and one row per batch, CRLF lines" '[ "$(csvf ".rows | length")" = 4 ] && [ "$(csvf .crlf)" = true ]'
check "CSV: a quoted cell with a comma and quotes reads back" '[ "$(csvf ".rows[1].status_reason")" = "$HOLD_REASON" ]'
check "CSV: a formula cell is neutralised with a quote" '[ "$(csvf ".rows[1].grower")" = "'"'"'$EVIL_GROWER" ]'
check "CSV: no cell starts a formula" '[ "$(csvf "[.rows[][] | select(test(\"^[=+@-]\"))] | length")" = 0 ]'
check "CSV: loads and destinations" '[ "$(csvf ".rows[3] | [.lot, .grade, .loads, .destinations, .destination_glns] | join(\"|\")")" = "ORA-001|Extra|1|Fresh Co|$GLN_A" ]'
check "CSV: no driver phone" '! grep -q "138 0013" "$T/all.csv"'
check "CSV: the verdict and the share below the class" '[ "$(csvf ".rows[2] | [.lot, .grade, .verdict, .below_class_percent] | join(\"|\")")" = "ORA_002|I|non_conformant|42.9" ]'

# --- the views across batches ---
get "/api/v1/buyer/stats"
check "views across batches without credentials: 401" '[ "$CODE" = 401 ]'
get "/api/v1/buyer/stats" "${auth[@]}"
stat() { echo "$BODY" | jq -r --arg f "$1" --arg w "$2" --arg g "$3" --arg k "$4" '[.rows[] | select(.[0] == $f and .[1] == $w and .[2] == $g and .[3] == $k) | .[4]] | first // "none"'; }
check "views: batches per ISO week (Monday) and grower" '[ "$(stat batches 2026-09-28 "Li farm" "")" = 1 ] && [ "$(stat batches 2026-10-12 "Wang 50%" "")" = 1 ]'
check "views: verdicts and fruit classes from the signed grading" \
  '[ "$(stat verdict 2026-10-12 "Wang 50%" non_conformant)" = 1 ] && [ "$(stat verdict 2026-09-28 "Li farm" conformant)" = 1 ] && [ "$(stat class 2026-10-12 "Wang 50%" Extra)" = 4 ] && [ "$(stat class 2026-10-12 "Wang 50%" out)" = 2 ]'
check "views: holds and recalls per grower" '[ "$(stat action 2026-11-02 "$EVIL_GROWER" hold)" = 1 ] && [ "$(stat action 2026-11-16 "O'"'"'Brien" recall)" = 1 ]'
get "/api/v1/buyer/stats?from=2026-10-10&grower=wang" "${auth[@]}"
check "views: dates and grower narrow" '[ "$(echo "$BODY" | jq -r "[.rows[] | .[2]] | unique | join(\",\")")" = "Wang 50%" ]'
for q in "from=2026-02-30" "gtin=123" "grade=I" "from=2026-11-02&to=2026-11-01"; do
  get "/api/v1/buyer/stats?$q" "${auth[@]}"
  check "views: bad parameter $q: 400" '[ "$CODE" = 400 ] && [ -n "$(echo "$BODY" | jq -r ".error // empty")" ]'
done

# --- bad parameters ---
for q in "gtin=123" "gtin=09506000134353" "gtin=abc" "from=2026-02-30" "from=20261001" "to=2026-1-01" \
  "from=2026-11-02&to=2026-11-01" "grade=A" "grade=out" "verdict=maybe" "date=shipped" "limit=0" "limit=100000" "offset=-1" \
  "format=xml" "colour=red" "lot=$(printf 'a%%01b')" "grower=$(head -c 201 /dev/zero | tr '\0' x)"; do
  get "/api/v1/search?$q" "${auth[@]}"
  check "bad parameter $q: 400 with a message" '[ "$CODE" = 400 ] && [ -n "$(echo "$BODY" | jq -r ".error // empty")" ]'
done
get "/api/v1/search?from=2026-02-30" "${auth[@]}"
check "the message names the field and the form" '[[ "$(echo "$BODY" | jq -r .error)" == "from must be a date YYYY-MM-DD"* ]]'

# --- SQL text and LIKE wildcards are literal in every text field ---
for v in "%" "_" "%25" "\\" "'" "' OR '1'='1" "\" OR 1=1 --" "'; DROP TABLE batches; --" "*" "[a-z]" "%_%"; do
  enc=$(jq -rn --arg v "$v" '$v | @uri')
  for field in lot grower; do
    got=$(lots "$field=$enc")
    want=
    [ "$field" = grower ] && [ "$v" = "%" ] && want=ORA_002 # "Wang 50%" holds a literal %
    [ "$field" = lot ] && [ "$v" = "_" ] && want=ORA_002    # "ORA_002" holds a literal _
    [ "$field" = grower ] && [ "$v" = "'" ] && want=PEA-004 # O'Brien
    check "$field=$v finds only what holds it literally" '[ "$got" = "$want" ]'
  done
  for field in gtin from to grade verdict date; do
    get "/api/v1/search?$field=$enc" "${auth[@]}"
    check "$field=$v is refused, not run" '[ "$CODE" = 400 ]'
  done
done
check "the batches are all still there" '[ "$(lots "")" = "$ALL" ]'

# --- a batch: loads, clips, bundle ---
get "/api/v1/batches/ORA-001/loads" "${auth[@]}"
check "a batch's loads with destinations" '[ "$(echo "$BODY" | jq -c "[.loads[] | [.id, .destination, .destination_gln, .seal]]")" = "[[1,\"Fresh Co\",\"$GLN_A\",\"S-0001\"]]" ]'
check "loads carry no driver's phone" '[[ "$BODY" != *"138 0013"* && "$BODY" != *driver* ]]'
get "/api/v1/batches/NOPE-1/loads" "${auth[@]}"
check "loads of an unknown batch: 404" '[ "$CODE" = 404 ]'
get "/api/v1/batches/ORA_002/clips" "${auth[@]}"
check "a batch without clips lists none" '[ "$CODE" = 200 ] && [ "$(echo "$BODY" | jq ".clips | length")" = 0 ]'
if [ -n "$CLIP" ]; then
  get "/api/v1/batches/ORA-001/clips" "${auth[@]}"
  SHA=$(echo "$BODY" | jq -r '.clips[0].sha256')
  CURL=$(echo "$BODY" | jq -r '.clips[0].url')
  check "the clip list gives the event, step and SHA-256" '[ "$(echo "$BODY" | jq -c "[.clips[] | [.n, .step, .camera, .expired]]")" = "[[3,\"picking\",\"testcam\",false]]" ] && [[ "$SHA" =~ ^[0-9a-f]{64}$ ]]'
  get "$CURL" "${auth[@]}"
  check "the served clip has that SHA-256" '[ "$CODE" = 200 ] && [ "$(sha256sum "$T/body" | cut -d" " -f1)" = "$SHA" ]'
else
  skip "the clip list gives the event, step and SHA-256" "no H.264 encoder to make a clip"
  skip "the served clip has that SHA-256" "no H.264 encoder to make a clip"
fi
get "/api/v1/search?lot=ORA-001" "${auth[@]}"
BUNDLE=$(echo "$BODY" | jq -r '.batches[0].links.bundle')
get "$BUNDLE" "${auth[@]}"
cp "$T/body" "$T/bundle.json"
get "/api/v1/station"
KEY=$(echo "$BODY" | jq -r .public_key)
expect 0 "the downloaded bundle verifies with the station's key" "$BIN" verify "$T/bundle.json" --key "$KEY"
check "verify names the lot" '[[ "$OUT" == "valid: "*"of lot ORA-001"* ]]'
get "/api/v1/search?lot=ORA-001" "${auth[@]}"
EPCIS=$(echo "$BODY" | jq -r '.batches[0].links.epcis')
get "$EPCIS" "${auth[@]}"
check "the EPCIS document link answers JSON-LD" '[ "$CODE" = 200 ] && [ "$(echo "$BODY" | jq -r .type)" = EPCISDocument ]'

# Each server thread keeps a batch's JSON and EPCIS answers while the batch is unchanged
# (pt-text-cache.h).  Asked four times (both threads, twice each): the same bytes.  Then each
# kind of write, made by another process (the CLI beside the running station), shows in every
# next answer; and one kept answer never reaches another view: the operator's, with its note,
# is not what a scoped buyer gets.
answers() { # answers PATH N JQ [CURL-ARGS...]: JQ of N answers, one line each, in $T/answers
  local path=$1 n=$2 q=$3
  shift 3
  : >"$T/answers"
  for _ in $(seq "$n"); do
    get "$path" "$@"
    echo "$CODE $(echo "$BODY" | jq -c "$q")" >>"$T/answers"
  done
}
same() { [ "$(sort -u "$T/answers" | wc -l)" = 1 ] && [ "$(head -1 "$T/answers")" = "$1" ]; }
get /api/v1/batches/1 "${auth[@]}"
cp "$T/body" "$T/first.json"
N=$(jq '.event_list | length' "$T/first.json")
for i in 2 3 4; do get /api/v1/batches/1 "${auth[@]}"; cp "$T/body" "$T/again$i.json"; done
check "a batch asked four times: the same answer, byte for byte" \
  'cmp -s "$T/first.json" "$T/again2.json" && cmp -s "$T/first.json" "$T/again3.json" && cmp -s "$T/first.json" "$T/again4.json"'
get /api/v1/batches/1/epcis "${auth[@]}"
E=$(echo "$BODY" | jq '.epcisBody.eventList | length')
must "$BIN" event add ORA-001 --step storing --note "cold room 2, operators only" --data "$T/data"
answers /api/v1/batches/1 4 '[(.event_list | length), .event_list[-1].step]' "${auth[@]}"
check "an event the CLI adds beside the running station is in every next answer" \
  'same "200 [$((N + 1)),\"storing\"]"'
answers /api/v1/batches/1/epcis 4 '.epcisBody.eventList | length' "${auth[@]}"
check "... and in every next EPCIS document" 'same "200 $((E + 1))"'
must "$BIN" batch hold ORA-001 --reason "cache check" --data "$T/data"
answers /api/v1/batches/1 4 '.status' "${auth[@]}"
check "a hold the CLI makes shows in every next answer" 'same "200 \"held\""'
must "$BIN" batch release ORA-001 --data "$T/data"
BUYER_KEY=$("$BIN" apikey add cache-buyer --role buyer --scope $GLN_A --json --data "$T/data" | jq -r .key)
NOTE='[.event_list[] | select(.step == "storing") | .redacted, has("event")]'
answers /api/v1/batches/1 4 "$NOTE" "${auth[@]}"
check "the operator sees the note's record in full" 'same "200 [null,true]"'
answers /api/v1/batches/1 4 "$NOTE" -H "Authorization: Bearer $BUYER_KEY"
check "a buyer of GLN A asking the same batch gets it withheld, never the operator's answer" \
  'same "200 [true,false]"'

tap_finish
