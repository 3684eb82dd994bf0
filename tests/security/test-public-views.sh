#!/usr/bin/env bash
# test-public-views.sh: what the public and a buyer see of a batch's record.  One batch with an
# operator's note, loaded on load 1 to buyer A (plate, seal, destination) and then on load 2 to
# buyer B.  Cases from the issue:
#   - without a credential, /api/v1/batches/{n}/bundle (n sequential) answered every event:
#     now 401; the public finds a batch by GTIN and lot only (the page names its bundle so);
#   - the public bundle and EPCIS document at the Digital Link show no note, plate, seal,
#     destination name or GLN, and the public bundle still verifies against the one signature
#     (the private events redacted: their proofs only);
#   - a buyer scoped to a GLN saw other buyers' loads in the bundle, /epcis and the timeline's
#     event_list: now only its own, and never the operator's note; its bundle verifies;
#   - an event fetched by its GS1 Event Hash ID follows the same rule;
#   - the operator's bundle has every event in clear; `export --public` is the public form.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
must() {
  "$@" >"$T/step.out" 2>&1 || { echo "Bail out! set-up step failed: $*"; sed 's/^/#   /' "$T/step.out"; exit 1; }
}
GTIN=09506000134352
GLN_A=4012345000115
GLN_B=4012345000122
must "$BIN" init
sed -i 's/^demo=auto$/demo=off/' "$PACKTRACE_DATA/station.ini"
TOKEN=$(sed -n 's/^operator_token=//p' "$PACKTRACE_DATA/station.ini")
must "$BIN" batch new --product Oranges --gtin $GTIN --pack-date 2026-10-03 --lot ORA-1
must "$BIN" event add ORA-1 --step packing --note "price 12 CNY/kg, call 13800138000"
must "$BIN" load new --plate "AB 123" --seal SEAL-A1 --destination "Fresh Co" --destination-gln $GLN_A
must "$BIN" load add 1 ORA-1
must "$BIN" load close 1
must "$BIN" load new --plate "CD 456" --seal SEAL-B2 --destination "Sun Market" --destination-gln $GLN_B
must "$BIN" load add 2 ORA-1
"$BIN" apikey add buyer-a --role buyer --scope $GLN_A --json >"$T/ka" || { echo "Bail out! apikey"; exit 1; }
"$BIN" apikey add buyer-b --role buyer --scope $GLN_B --json >"$T/kb" || { echo "Bail out! apikey"; exit 1; }
KEY_A=$(jq -r .key "$T/ka")
KEY_B=$(jq -r .key "$T/kb")
PUB=$(tr -d "\n" <"$PACKTRACE_DATA/keys/station.pub")
NOTE=13800138000
A_SECRETS=("AB 123" SEAL-A1 "Fresh Co" $GLN_A)
B_SECRETS=("CD 456" SEAL-B2 "Sun Market" $GLN_B)
run_station

# get PATH FILE [CURL ARGS]: the status.
get() { curl -s -o "$2" -w '%{http_code}' "${@:3}" "$url$1"; }
# none FILE WORD...: none of the words is in FILE.
none() {
  local f=$1 w
  shift
  for w in "$@"; do grep -qF -- "$w" "$f" && { echo "# found '$w' in $f"; return 1; }; done
  return 0
}
all() {
  local f=$1 w
  shift
  for w in "$@"; do grep -qF -- "$w" "$f" || { echo "# no '$w' in $f"; return 1; }; done
  return 0
}
redacted() { jq '[.proofs[] | select(.redacted == true)] | length' "$1"; }

# --- the public ---
check "the bundle by sequential id needs a credential: 401" '[ "$(get /api/v1/batches/1/bundle "$T/x")" = 401 ]'
check "so does /epcis by id: 401" '[ "$(get /api/v1/batches/1/epcis "$T/x")" = 401 ]'
DL="/01/$GTIN/10/ORA-1"
check "the page names its bundle by GTIN and lot" \
  '[ "$(get "$DL" "$T/page.json" -H "Accept: application/json")" = 200 ] && [ "$(jq -r .bundle "$T/page.json")" = "$DL?linkType=pt:traceBundle" ]'
check "the public bundle (200)" '[ "$(get "$DL?linkType=pt:traceBundle" "$T/pub.json")" = 200 ]'
check "it holds no note, plate, seal, destination name or GLN" \
  'none "$T/pub.json" "$NOTE" "${A_SECRETS[@]}" "${B_SECRETS[@]}"'
check "it has a proof for each of the 5 events, 4 of them redacted" \
  '[ "$(jq ".proofs | length" "$T/pub.json")" = 5 ] && [ "$(redacted "$T/pub.json")" = 4 ]'
expect 0 "the public bundle verifies with the station's key" "$BIN" verify "$T/pub.json" --key "$PUB"
check "the public EPCIS document (200) holds none of them either" \
  '[ "$(get "$DL?linkType=gs1:epcis" "$T/pub-epcis.json")" = 200 ] && none "$T/pub-epcis.json" "$NOTE" "${A_SECRETS[@]}" "${B_SECRETS[@]}"'
check "the consumer page holds none of them" \
  '[ "$(get "$DL" "$T/page.html")" = 200 ] && none "$T/page.html" "$NOTE" "${A_SECRETS[@]}" "${B_SECRETS[@]}"'

# --- buyers ---
for who in A B; do
  key=KEY_$who
  mine=${who}_SECRETS[@]
  other=$([ $who = A ] && echo B || echo A)_SECRETS[@]
  check "buyer $who's bundle (200) has its own load and not the other's, nor the note" \
    '[ "$(get /api/v1/batches/1/bundle "$T/b$who.json" -H "Authorization: Bearer ${!key}")" = 200 ] && all "$T/b$who.json" "${!mine}" && none "$T/b$who.json" "${!other}" "$NOTE"'
  expect 0 "buyer $who's bundle verifies with the station's key" "$BIN" verify "$T/b$who.json" --key "$PUB"
  check "buyer $who's /epcis has its own load and not the other's" \
    '[ "$(get /api/v1/batches/1/epcis "$T/e$who.json" -H "Authorization: Bearer ${!key}")" = 200 ] && all "$T/e$who.json" "${!mine}" && none "$T/e$who.json" "${!other}" "$NOTE"'
  check "buyer $who's timeline (event_list) has its own load and not the other's" \
    '[ "$(get /api/v1/batches/1 "$T/t$who.json" -H "Authorization: Bearer ${!key}")" = 200 ] && all "$T/t$who.json" "${!mine}" && none "$T/t$who.json" "${!other}" "$NOTE" && [ "$(jq ".event_list | length" "$T/t$who.json")" = 5 ]'
done

# --- the operator and export ---
check "the operator's bundle has every event in clear" \
  '[ "$(get /api/v1/batches/1/bundle "$T/op.json" -H "Authorization: Bearer $TOKEN")" = 200 ] && all "$T/op.json" "$NOTE" "${A_SECRETS[@]}" "${B_SECRETS[@]}" && [ "$(redacted "$T/op.json")" = 0 ]'
expect 0 "the operator's bundle verifies" "$BIN" verify "$T/op.json" --key "$PUB"
# An event by its GS1 Event Hash ID: buyer A asks for the loading event of buyer B's load.
HID=$(jq -r '(.epcis.epcisBody.eventList | map(."pt:vehiclePlate" == "CD 456") | index(true)) as $i | .proofs[$i].hashId' "$T/op.json")
HID_URI=$(jq -rn --arg h "$HID" '$h | @uri')
check "buyer A gets buyer B's loading event by hash ID only as redacted" \
  '[ "$(get "/api/v1/events/$HID_URI" "$T/evA.json" -H "Authorization: Bearer $KEY_A")" = 200 ] && [ "$(jq .redacted "$T/evA.json")" = true ] && none "$T/evA.json" "${B_SECRETS[@]}"'
check "buyer B gets it in full, the stored record byte for byte" \
  '[ "$(get "/api/v1/events/$HID_URI" "$T/evB.json" -H "Authorization: Bearer $KEY_B")" = 200 ] && all "$T/evB.json" "${B_SECRETS[@]}" && grep -qF -- "$(sqlite3 "$PACKTRACE_DATA/station.db" "SELECT body FROM events WHERE hash_id = '"'"'$HID'"'"'")" "$T/evB.json"'
expect 0 "export --public writes the public form" "$BIN" export ORA-1 --format bundle --public -o "$T/exp.json"
check "which holds nothing private and verifies" \
  'none "$T/exp.json" "$NOTE" "${A_SECRETS[@]}" "${B_SECRETS[@]}" && "$BIN" verify "$T/exp.json" >/dev/null'
tap_finish
