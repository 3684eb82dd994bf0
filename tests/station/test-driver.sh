#!/usr/bin/env bash
# test-driver.sh: drivers' phones end to end: `packtrace driver` (logins as QR codes, only a
# hash stored), then the driver API of a real `packtrace run` on loopback with curl: bad
# tokens (forged, expired, revoked) 401, opening and joining a load by plate and seal (never
# by plate alone; no answer names the seal; or by the operator's confirmation), scans that tick
# or are refused with the reason (held batch, batch on another open load named), resends with
# the same idempotency key answered once (also after a restart), photos (oversize 413,
# corrupt 400, a good one stored shrunk to 1600 px), a flood rate limited with every scan
# recorded once, and the loading events verifying in the signed bundle.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data

sql() { sqlite3 "$PACKTRACE_DATA/station.db" "$1"; }
GTIN=09506000134352
"$BIN" init >/dev/null || { echo "Bail out! init failed"; exit 1; }
# No demo cameras: this test does not watch them, and making their footage takes both
# cores for many seconds at the first start and holds up a stop.
sed -i 's/^demo=auto$/demo=off/' "$PACKTRACE_DATA/station.ini"
for lot in L1 L2 L3 L4 HELD1 P1 P2 P3 P4; do
  "$BIN" batch new --product Oranges --gtin $GTIN --lot $lot >/dev/null || { echo "Bail out! batch new"; exit 1; }
done
for i in $(seq 1 60); do "$BIN" batch new --product Kiwi --gtin $GTIN --lot F$i >/dev/null; done
"$BIN" batch hold HELD1 --reason "residue check" >/dev/null
HOST=$(sed -n 's/^public_host=//p' "$PACKTRACE_DATA/station.ini")
link() { echo "https://$HOST/01/$GTIN/10/$1"; }

# --- the CLI ---
expect 0 "driver add" "$BIN" driver add --name "Wang Lei" --phone "+86 138 0013 8000"
check "says driver 1" '[[ "$OUT" == "driver 1 added: Wang Lei" ]]'
expect 1 "a bad phone is refused" "$BIN" driver add --name X --phone "call me"
expect 2 "--name is required" "$BIN" driver add
check "nothing else written" '[ "$(sql "SELECT count(*) FROM drivers")" = 1 ]'
expect 0 "driver token with a QR" "$BIN" driver token 1 --ttl 2h --qr "$T/login.png"
URL1=$(head -1 <<<"$OUT")
TOK1=${URL1#*#t=}
check "prints the login link with the token in the fragment" '[[ "$URL1" == "http://$HOST/driver#t=1."* ]]'
if command -v zbarimg >/dev/null; then
  check "the QR encodes the link" '[ "$(zbarimg -q --raw "$T/login.png" 2>/dev/null)" = "$URL1" ]'
else
  skip "the QR encodes the link" "zbarimg missing"
fi
check "only a hash of the token is stored" '[ "$(sql "SELECT length(hash) FROM driver_tokens")" = 32 ] && ! grep -qF "${TOK1#*.}" "$PACKTRACE_DATA/station.db"'
expect 2 "a ttl over 30 days is refused" "$BIN" driver token 1 --ttl 31d
check "with the limit" '[[ "$ERR" == *"at most 30d"* ]]'
expect 1 "a token for an unknown driver is refused" "$BIN" driver token 9
expect 0 "driver list --json" "$BIN" driver list --json
check "one valid login" '[ "$(jq ".drivers[0].active_tokens" <<<"$OUT")" = 1 ]'
"$BIN" driver add --name "Expired" >/dev/null
EXPIRED=$("$BIN" driver token 2 --ttl 1s --json | jq -r .token)
"$BIN" driver add --name "Revoked" >/dev/null
REVOKED=$("$BIN" driver token 3 --json | jq -r .token)
expect 0 "driver revoke" "$BIN" driver revoke 3
check "says one login revoked" '[[ "$OUT" == *"1 login revoked" ]]'
"$BIN" driver add --name "Li Na" >/dev/null
TOK4=$("$BIN" driver token 4 --json | jq -r .token)
"$BIN" driver add --name "Zhao Min" >/dev/null
TOK5=$("$BIN" driver token 5 --json | jq -r .token)

start() { run_station; }
stop() { kill "$server"; wait "$server" 2>/dev/null; server=; }
# call TOKEN METHOD PATH [curl args]: status in $CODE, body in $BODY.
call() {
  local tok=$1 method=$2 path=$3
  shift 3
  CODE=$(curl -s -o "$T/body" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $tok" \
    "$@" "$url$path")
  BODY=$(cat "$T/body")
}
scan() { # scan TOKEN LOAD KEY PAYLOAD
  call "$1" POST "/api/v1/driver/loads/$2/scans" -H 'Content-Type: application/json' \
    -d "{\"payload\": \"$4\", \"key\": \"$3\", \"scanned\": \"$(date -u +%FT%TZ)\"}"
}
start

# --- tokens over HTTP ---
call "$TOK1" GET /api/v1/driver/me
check "a valid token: 200 with the driver" '[ "$CODE" = 200 ] && [ "$(jq -r .driver.name <<<"$BODY")" = "Wang Lei" ]'
call "${TOK1%?}A" GET /api/v1/driver/me
[ "${TOK1: -1}" = A ] && call "${TOK1%?}B" GET /api/v1/driver/me
check "a forged token: 401 not recognised" '[ "$CODE" = 401 ] && [[ "$BODY" == *"not recognised"* ]]'
call "garbage" GET /api/v1/driver/me
check "a malformed token: 401" '[ "$CODE" = 401 ] && [[ "$BODY" == *"not a driver token"* ]]'
sleep 1.1 # its 1 s lifetime is over
call "$EXPIRED" GET /api/v1/driver/me
check "an expired token: 401 expired" '[ "$CODE" = 401 ] && [[ "$BODY" == *"expired at"* ]]'
call "$REVOKED" GET /api/v1/driver/me
check "a revoked token: 401 revoked" '[ "$CODE" = 401 ] && [[ "$BODY" == *"revoked at"* ]]'
CODE=$(curl -s -o /dev/null -w '%{http_code}' "$url/api/v1/driver/me")
check "no token: 401" '[ "$CODE" = 401 ]'
OPTOKEN=$(sed -n 's/^operator_token=//p' "$PACKTRACE_DATA/station.ini")
call "$OPTOKEN" POST /api/v1/drivers/4/token -d '{"ttl": "1h", "base": "http://10.0.0.5:8080"}'
check "the operator mints a login over HTTP" '[ "$CODE" = 201 ] && [[ "$(jq -r .url <<<"$BODY")" == "http://10.0.0.5:8080/driver#t="* ]]'
call "$TOK1" POST /api/v1/drivers/4/token
check "a driver cannot mint logins" '[ "$CODE" = 401 ]'

# --- loads ---
call "$TOK1" POST /api/v1/driver/loads -d '{"plate": "AB 123"}'
check "no seal: 400 asks for plate and seal" '[ "$CODE" = 400 ] && [[ "$BODY" == *"plate and the seal number"* ]]'
NO_LOAD_BODY=$BODY
call "$TOK1" POST /api/v1/driver/loads -d '{"plate": "AB 123", "seal": "S-1"}'
check "open a load: 201" '[ "$CODE" = 201 ] && [ "$(jq -r .joined <<<"$BODY")" = false ]'
LOAD=$(jq -r .id <<<"$BODY")
check "the load carries the driver's name" '[ "$(jq -r .driver_name <<<"$BODY")" = "Wang Lei" ]'
call "$TOK4" POST /api/v1/driver/loads -d '{"plate": "AB 123"}'
check "a second phone cannot join by plate alone: the same 400 as with no load open" \
  '[ "$CODE" = 400 ] && [ "$BODY" = "$NO_LOAD_BODY" ] && [[ "$BODY" != *S-1* ]]'
call "$TOK4" POST /api/v1/driver/loads -d '{"plate": "AB 123", "seal": "S-9"}'
check "joining with another seal: 409 that names neither seal nor load" \
  '[ "$CODE" = 409 ] && [[ "$BODY" == *"another seal number"* ]] && [[ "$BODY" != *S-1* ]] && [[ "$BODY" != *S-9* ]] && [[ "$BODY" != *"load $LOAD"* ]]'
call "$TOK4" GET "/api/v1/driver/loads/$LOAD"
check "... and leaves the phone off the load" '[ "$CODE" = 404 ]'
call "$TOK4" POST /api/v1/driver/loads -d '{"plate": "AB 123", "seal": "S-1"}'
check "a second phone joins it by plate and seal: 200" '[ "$CODE" = 200 ] && [ "$(jq -r .id <<<"$BODY")" = "$LOAD" ] && [ "$(jq -r .joined <<<"$BODY")" = true ]'
"$BIN" driver add --name "Zhao Min" >/dev/null
TOK5=$("$BIN" driver token 5 --json | jq -r .token)
call "$TOK5" POST /api/v1/drivers/5/loads -d "{\"load\": $LOAD}"
check "a phone cannot confirm its own join" '[ "$CODE" = 401 ]'
call "$OPTOKEN" POST /api/v1/drivers/5/loads -d "{\"load\": $LOAD}"
check "the operator puts a phone on a load (confirmation without the seal)" '[ "$CODE" = 200 ] && [ "$(jq -r .id <<<"$BODY")" = "$LOAD" ]'
call "$TOK5" GET "/api/v1/driver/loads/$LOAD"
check "... and that phone now sees it" '[ "$CODE" = 200 ]'
call "$OPTOKEN" POST /api/v1/drivers/5/loads -d '{"load": 999}'
check "... a load that does not exist: 404" '[ "$CODE" = 404 ]'
"$BIN" load new --plate "CD 456" --seal S-2 >/dev/null
"$BIN" load add 2 L4 >/dev/null
call "$TOK1" GET /api/v1/driver/loads/2
check "a load the phone did not join: 404" '[ "$CODE" = 404 ] && [[ "$BODY" == *"no such load on this phone"* ]]'
NOT_MINE=$BODY
call "$TOK1" GET /api/v1/driver/loads/99
check "... the same as a load that does not exist" '[ "$CODE" = 404 ] && [ "$BODY" = "$NOT_MINE" ]'

# --- scans ---
scan "$TOK1" "$LOAD" key-0001 "$(link L1)"
check "scan: 201 loaded" '[ "$CODE" = 201 ] && [ "$(jq -r .result <<<"$BODY")" = loaded ] && [ "$(jq -r .lot <<<"$BODY")" = L1 ]'
FIRST=$BODY
scan "$TOK1" "$LOAD" key-0001 "$(link L1)"
check "the same key again: the first answer" '[ "$CODE" = 201 ] && [ "$BODY" = "$FIRST" ]'
scan "$TOK1" "$LOAD" key-0002 "$(link L1)"
check "the same batch with a new key: 200 already" '[ "$CODE" = 200 ] && [ "$(jq -r .result <<<"$BODY")" = already ]'
check "one loading event for L1" '[ "$(sql "SELECT count(*) FROM events e JOIN batches b ON b.id = e.batch_id WHERE b.lot = '"'L1'"' AND e.step = '"'loading'"'")" = 1 ]'
check "loaded by the driver" '[ "$(sql "SELECT source FROM load_batches WHERE batch_id = 1")" = "driver:1" ]'
scan "$TOK1" "$LOAD" key-0003 "$(link HELD1)"
check "a held batch: 409 with the reason" '[ "$CODE" = 409 ] && [ "$(jq -r .result <<<"$BODY")" = refused ] && [[ "$BODY" == *"HELD1 is held: residue check"* ]]'
check "... and a code with parameters for the page to translate" \
  '[ "$(jq -r "[.code, .params.lot, .params.reason] | join(\"|\")" <<<"$BODY")" = "batch-held|HELD1|residue check" ]'
scan "$TOK1" "$LOAD" key-0004 "$(link L4)"
check "a batch on another open load: 409 without that load's plate or seal" \
  '[ "$CODE" = 409 ] && [[ "$BODY" == *"L4 is already on another open load"* ]] && [[ "$BODY" != *"CD 456"* ]] && [[ "$BODY" != *S-2* ]]'
check "... while the operator's record of the refusal names them" \
  '[[ "$(sql "SELECT group_concat(reason) FROM load_refusals")" == *"plate CD 456, seal S-2"* ]]'
scan "$TOK1" "$LOAD" key-0005 "https://$HOST/01/$GTIN/10/NOPE"
check "an unknown lot: 404" '[ "$CODE" = 404 ] && [[ "$BODY" == *"no batch of this station"* ]]'
scan "$TOK1" "$LOAD" key-0006 "https://other.example/01/$GTIN/10/L2"
check "another station's label: 404" '[ "$CODE" = 404 ] && [[ "$BODY" == *"another station"* ]]'
scan "$TOK1" "$LOAD" key-0007 "hello world"
check "garbage: 400 not a label, with its code" \
  '[ "$CODE" = 400 ] && [[ "$BODY" == *"not a label"* ]] && [ "$(jq -r .code <<<"$BODY")" = not-a-label ]'
# What a driver types from the label's text, or what a GS1-128 / DataMatrix transmits.
scan "$TOK1" "$LOAD" key-0101 "P1"
check "the lot alone, as printed: 201, completed by the station" '[ "$CODE" = 201 ] && [ "$(jq -r .lot <<<"$BODY")" = P1 ]'
scan "$TOK1" "$LOAD" key-0102 "$GTIN  P2"
check "GTIN and lot: 201" '[ "$CODE" = 201 ] && [ "$(jq -r .lot <<<"$BODY")" = P2 ]'
scan "$TOK1" "$LOAD" key-0103 "]C101${GTIN}13261202\u001d10P3"
check "a GS1-128 element string with FNC1: 201" '[ "$CODE" = 201 ] && [ "$(jq -r .lot <<<"$BODY")" = P3 ]'
scan "$TOK1" "$LOAD" key-0104 "(01)${GTIN}(10)P4"
check "the printed element string: 201" '[ "$CODE" = 201 ] && [ "$(jq -r .lot <<<"$BODY")" = P4 ]'
scan "$TOK1" "$LOAD" key-0105 "09506000134359 P1"
check "a GTIN with a wrong check digit: 400 not-a-label" '[ "$CODE" = 400 ] && [ "$(jq -r .code <<<"$BODY")" = not-a-label ]'
scan "$TOK1" "$LOAD" key-0106 "00000000000000 P1"
check "a lot under another GTIN: 404 unknown-batch" '[ "$CODE" = 404 ] && [ "$(jq -r .code <<<"$BODY")" = unknown-batch ]'
call "$TOK1" GET /api/v1/driver/loads
check "the open loads to join: plates, never a seal" \
  '[ "$CODE" = 200 ] && [[ "$BODY" == *"AB 123"* ]] && [[ "$BODY" == *"CD 456"* ]] && [[ "$BODY" != *S-1* ]] && [[ "$BODY" != *S-2* ]] && [ "$(jq -r ".loads[] | select(.id == $LOAD) | .joined" <<<"$BODY")" = true ]'
"$BIN" load new --plate "赣B·12345" --seal GX-7 >/dev/null
call "$TOK5" POST /api/v1/driver/loads -d '{"plate": "赣b 12345", "seal": "GX-7"}'
check "a plate typed without its dot joins the open load: 200" \
  '[ "$CODE" = 200 ] && [ "$(jq -r .plate <<<"$BODY")" = "赣B·12345" ] && [ "$(sql "SELECT count(*) FROM loads WHERE closed_ns IS NULL")" = 3 ]'
call "$TOK5" POST /api/v1/driver/loads -d '{"plate": "赣B12345", "seal": "GX-8"}'
check "... but not with another seal: 409 seal-mismatch" '[ "$CODE" = 409 ] && [ "$(jq -r .code <<<"$BODY")" = seal-mismatch ]'
scan "$TOK1" "$LOAD" short "$(link L2)"
check "a bad idempotency key: 400" '[ "$CODE" = 400 ]'
scan "$TOK1" 999 key-0008 "$(link L2)"
check "an unknown load: 404" '[ "$CODE" = 404 ]'
check "the refusals are recorded on the load" '[ "$(sql "SELECT count(*) FROM load_refusals WHERE load_id = $LOAD AND source = '"'driver:1'"'")" = 5 ]'

# A resend after a restart still gets the first answer and adds nothing.
scan "$TOK1" "$LOAD" key-0010 "$(link L2)"
check "scan L2: 201" '[ "$CODE" = 201 ]'
L2FIRST=$BODY
stop
start
scan "$TOK1" "$LOAD" key-0010 "$(link L2)"
check "after a restart the same key gets the first answer" '[ "$CODE" = 201 ] && [ "$BODY" = "$L2FIRST" ]'
check "and L2 is on the load once" '[ "$(sql "SELECT count(*) FROM load_batches WHERE batch_id = 2")" = 1 ]'

# --- photos ---
PHOTO_SHA=
head -c $((8 * 1024 * 1024 + 1)) /dev/zero >"$T/huge.jpg"
call "$TOK1" POST "/api/v1/driver/loads/$LOAD/photos?kind=plate" -H 'Content-Type: image/jpeg' \
  --data-binary @"$T/huge.jpg"
check "a photo over 8 MiB: 413" '[ "$CODE" = 413 ]'
printf '\xff\xd8\xff\xe0garbage that is no JPEG at all' >"$T/corrupt.jpg"
call "$TOK1" POST "/api/v1/driver/loads/$LOAD/photos?kind=plate" -H 'Content-Type: image/jpeg' \
  --data-binary @"$T/corrupt.jpg"
check "a corrupt photo: 400" '[ "$CODE" = 400 ] && [[ "$BODY" == *"JPEG"* ]]'
printf 'GIF89a' >"$T/gif"
call "$TOK1" POST "/api/v1/driver/loads/$LOAD/photos?kind=seal" -H 'Content-Type: image/jpeg' \
  --data-binary @"$T/gif"
check "not a JPEG: 400" '[ "$CODE" = 400 ] && [[ "$BODY" == *"not a JPEG"* ]]'
check "nothing stored for them" '[ "$(sql "SELECT count(*) FROM driver_photos")" = 0 ] && [ -z "$(ls "$PACKTRACE_DATA/evidence/photos" 2>/dev/null)" ]'
if gst-launch-1.0 -q videotestsrc num-buffers=1 pattern=smpte \
    ! video/x-raw,width=4000,height=3000 ! jpegenc quality=90 ! filesink location="$T/plate.jpg" 2>/dev/null; then
  call "$TOK1" POST "/api/v1/driver/loads/$LOAD/photos?kind=plate" -H 'Content-Type: image/jpeg' \
    --data-binary @"$T/plate.jpg"
  check "a 4000x3000 photo: 201" '[ "$CODE" = 201 ]'
  check "recorded 1600x1200" '[ "$(jq -r "\"\(.width)x\(.height)\"" <<<"$BODY")" = 1600x1200 ]'
  P=$PACKTRACE_DATA/$(jq -r .path <<<"$BODY")
  check "the stored file is a 1600x1200 JPEG" '[[ "$(file -b "$P")" == JPEG*1600x1200* ]]'
  PHOTO_SHA=$(jq -r .sha256 <<<"$BODY")
  check "its SHA-256 is the recorded one" '[ "$(sha256sum <"$P" | cut -c1-64)" = "$PHOTO_SHA" ]'
  call "$TOK1" POST "/api/v1/driver/loads/$LOAD/photos?kind=plate" -H 'Content-Type: image/jpeg' \
    --data-binary @"$T/plate.jpg"
  check "the same photo again: 200, stored once" '[ "$CODE" = 200 ] && [ "$(sql "SELECT count(*) FROM driver_photos")" = 1 ]'
else
  for what in "a 4000x3000 photo" "recorded 1600x1200" "stored file" "SHA-256" "same photo"; do
    skip "$what" "no GStreamer jpegenc to make a photo"
  done
fi

# --- a flood: 60 scans at once from one phone; each 429 is sent again after Retry-After, and
# a 503 (the database busy for a moment) again a second later, as the driver page's queue does ---
flood_one() { # KEY LOT -> "KEY STATUS RETRY_AFTER" on stdout
  local code body
  code=$(curl -s -o "$T/flood-$1" -w '%{http_code}' -H "Authorization: Bearer $TOK4" \
    -d "{\"payload\": \"$(link "$2")\", \"key\": \"flood-key-$1\"}" \
    "$url/api/v1/driver/loads/$LOAD/scans")
  echo "$1 $code $(jq -r '.retry_after // 1' "$T/flood-$1" 2>/dev/null)"
}
pending=$(seq 1 60)
n429=0
for round in $(seq 1 15); do
  [ -z "$pending" ] && break
  for i in $pending; do flood_one "$i" "F$i" & done >"$T/flood.out"
  wait $(jobs -p | grep -v "^$server\$")
  pending=$(awk '$2 == 429 || $2 == 503 {print $1}' "$T/flood.out")
  n429=$((n429 + $(awk '$2 == 429' "$T/flood.out" | wc -l)))
  awk '$2 != 429 && $2 != 201 && $2 != 200 {print "# flood scan " $0}' "$T/flood.out"
  [ -n "$pending" ] && sleep "$(awk '$2 == 429 || $2 == 503 {print $3; exit}' "$T/flood.out")"
done
# Under the sanitizers (PT_TEST_TIME_SCALE) the server answers the 60 scans slower than the
# limit refills: no flood can be made there, so the check runs in the plain build only.
if [ -n "${PT_TEST_TIME_SCALE:-}" ]; then
  skip "the flood was rate limited (429s: $n429)" "the sanitizer build is too slow to be flooded"
else
  check "the flood was rate limited (429s: $n429)" '[ "$n429" -gt 0 ]'
fi
check "every flooded scan recorded once" '[ -z "$pending" ] && [ "$(sql "SELECT count(*) FROM load_batches lb JOIN batches b ON b.id = lb.batch_id WHERE b.lot LIKE '"'F%'"'")" = 60 ]'
CODE=$(curl -s -D "$T/headers" -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK4" "$url/api/v1/driver/me")
for _ in $(seq 40); do
  [ "$CODE" = 429 ] && break
  CODE=$(curl -s -D "$T/headers" -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK4" "$url/api/v1/driver/me")
done
if [ -n "${PT_TEST_TIME_SCALE:-}" ] && [ "$CODE" != 429 ]; then
  skip "429 carries Retry-After" "the sanitizer build answers slower than the limit refills"
else
  check "429 carries Retry-After" '[ "$CODE" = 429 ] && grep -qi "^retry-after: [0-9]" "$T/headers"'
fi
call "$TOK1" GET /api/v1/driver/me
check "another phone is not limited by it" '[ "$CODE" = 200 ]'

# --- two phones opening the same truck at the same moment get one load ---
for i in 1 2 3 4 5 6; do
  curl -s -o "$T/race-$i" -H "Authorization: Bearer $([ $((i % 2)) = 0 ] && echo "$TOK1" || echo "$TOK5")" \
    -d '{"plate": "RACE 1", "seal": "RS-1"}' "$url/api/v1/driver/loads" &
done
wait $(jobs -p | grep -v "^$server\$")
check "six phones opening plate RACE 1 at once: one load, every phone on it" \
  '[ "$(cat "$T"/race-* | jq -r .id | sort -u | wc -l)" = 1 ] && [ "$(sql "SELECT count(*) FROM loads WHERE plate = '"'RACE 1'"'")" = 1 ]'
stop

# --- the signed bundle ---
expect 0 "load close" "$BIN" load close "$LOAD"
expect 0 "export L1's bundle" "$BIN" export L1 --format bundle -o "$T/L1.json"
check "the bundle has the driver's loading event" '[ "$(jq "[.. | objects | select(.\"pt:loadedBy\"? == \"driver:1\")] | length" "$T/L1.json")" -ge 1 ]'
if [ -n "$PHOTO_SHA" ]; then
  check "the departing event signs the plate photo's hash" '[ "$(jq -r "[.. | objects | select(.\"pt:photos\"?) | .\"pt:photos\"[0].sha256] | first" "$T/L1.json")" = "$PHOTO_SHA" ]'
else
  skip "the departing event signs the plate photo's hash" "no photo was made"
fi
expect 0 "packtrace verify accepts it" "$BIN" verify "$T/L1.json"
expect 0 "audit" "$BIN" audit

tap_finish
