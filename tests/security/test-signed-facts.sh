#!/usr/bin/env bash
# test-signed-facts.sh: what the station shows and decides about a batch is what was signed.
# Cases, each against a real station (real SQLite file, real HTTP on loopback with curl):
#  - the batches row edited by hand (product, grower, origin, harvest date): `audit` names the
#    batch, field, row value and signed value and exits 1; the consumer page and the batch API
#    carry the signed values with facts_verified false, never the edited ones;
#  - a recalled batch's row set back to 'active': load add (CLI and API) and label printing
#    are refused with the signed status and reason; hold cannot turn the recall into a hold;
#  - `audit` runs SQLite's integrity check, refuses a zero-length or schema-less station.db
#    (once: "intact: 0 events"), and runs on a read-only copy of the data directory as an
#    unprivileged user (once: "unable to open database file");
#  - lot "3" with a batch whose id is 3: hold, show, load add and the API take the lot;
#    "#3" names the id;
#  - a batch held or recalled after it was loaded: load close (CLI and API) is refused naming
#    the batch, its signed status and reason; load remove takes it off (signed), then the
#    load closes without a departing event for it.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
GTIN=09506000134352

"$BIN" init >/dev/null || { echo "Bail out! init failed"; exit 1; }
sed -i 's/^demo=auto$/demo=off/' "$PACKTRACE_DATA/station.ini"
TOKEN=$(sed -n 's/^operator_token=//p' "$PACKTRACE_DATA/station.ini")
AUTH="Authorization: Bearer $TOKEN"
sql() { sqlite3 "$PACKTRACE_DATA/station.db" "$1"; }
new_batch() {
  "$BIN" batch new --product Oranges --gtin $GTIN --variety Navel --origin CN --grower "Li farm" \
    --harvest-date 2026-11-20 --lot "$1" >/dev/null || { echo "Bail out! batch new $1"; exit 1; }
}
# Ids 1..5: EDIT1, RECALL1, ID3 (id 3), 3 (the lot "3", id 4), LATE1.
for lot in EDIT1 RECALL1 ID3 3 LATE1; do new_batch "$lot"; done
check "lot 3 is batch id 4" '[ "$(sql "SELECT id FROM batches WHERE lot = '"'3'"'")" = 4 ]'

expect 0 "audit of an untouched station passes" "$BIN" audit

# --- the row edited by hand --------------------------------------------------------------
sql "UPDATE batches SET product = 'Gold kiwi', grower = 'Other farm', origin = 'NZ',
     harvest_date = '2026-11-23' WHERE lot = 'EDIT1'"
expect 1 "audit fails on an edited batch row" "$BIN" audit
check "names batch, field, row and signed value" \
  '[[ "$OUT" == *"batch EDIT1 (id 1): product is '"'Gold kiwi'"' in the batches row but '"'Oranges'"' in its signed events"* ]]'
for field in grower origin harvest_date; do
  check "names $field" '[[ "$OUT" == *"batch EDIT1 (id 1): '"$field"' is"* ]]'
done

run_station
page() { curl -s -H 'Accept: application/json' "$url/01/$GTIN/10/$1"; }
P=$(page EDIT1)
check "consumer page shows the signed product" '[ "$(jq -r .product <<<"$P")" = Oranges ]'
check "consumer page shows the signed grower and origin" \
  '[ "$(jq -r "[.grower, .origin, .harvest_date] | join(\",\")" <<<"$P")" = "Li farm,CN,2026-11-20" ]'
check "consumer page says its facts are not verified" '[ "$(jq -r .facts_verified <<<"$P")" = false ]'
check "and names the fields" '[ "$(jq -r ".fact_warnings | join(\",\")" <<<"$P")" = "product,origin,grower,harvest_date" ]'
check "the edited values are nowhere on the page" '! grep -q "Gold kiwi\|Other farm" <<<"$P"'
HTML=$(curl -s "$url/01/$GTIN/10/EDIT1")
check "nor in its HTML" '! grep -q "Gold kiwi\|Other farm" <<<"$HTML"'
A=$(curl -s -H "$AUTH" "$url/api/v1/batches/EDIT1")
check "batch API shows the signed product" '[ "$(jq -r .product <<<"$A")" = Oranges ]'
check "batch API lists the mismatch" \
  '[ "$(jq -r ".fact_mismatches[] | select(.field == \"product\") | [.row, .signed] | join(\"|\")" <<<"$A")" = "Gold kiwi|Oranges" ]'
P=$(page RECALL1)
check "an untouched batch's page is verified" '[ "$(jq -r .facts_verified <<<"$P")" = true ]'
expect 0 "the label of the edited batch describes the signed product" "$BIN" label EDIT1 --json
check "  (Oranges, not the row's Gold kiwi)" \
  '[[ "$OUT" == *Oranges* ]] && [[ "$OUT" != *"Gold kiwi"* ]]'
S=$(curl -s -H "$AUTH" "$url/api/v1/search?lot=EDIT1")
check "the buyer search lists the signed product" \
  '[ "$(jq -r ".batches[0].product" <<<"$S")" = Oranges ] && ! grep -q "Gold kiwi" <<<"$S"'
check "  and says its facts are not verified" '[ "$(jq -r ".batches[0].facts_verified" <<<"$S")" = false ]'
CSV=$(curl -s -H "$AUTH" "$url/api/v1/search?lot=EDIT1&format=csv")
check "  in CSV too" '[[ "$CSV" == $'"'"'\xef\xbb\xbf'"'"'"id,lot,gtin,product"* ]] && [[ "$CSV" == *Oranges* ]] && [[ "$CSV" != *"Gold kiwi"* ]]'
check "the label route draws it too (200)" \
  '[ "$(curl -s -o /dev/null -w "%{http_code}" -H "$AUTH" "$url/api/v1/batches/EDIT1/label?format=svg")" = 200 ]'

# --- a recall undone in the row -------------------------------------------------------------
"$BIN" batch recall RECALL1 --reason "glass found" >/dev/null || { echo "Bail out! recall"; exit 1; }
sql "UPDATE batches SET status = 'active', status_reason = NULL WHERE lot = 'RECALL1'"
"$BIN" load new --plate "AB 123" --seal S-1 >/dev/null || { echo "Bail out! load new"; exit 1; }
loading() { sql "SELECT count(*) FROM events e JOIN batches b ON b.id = e.batch_id WHERE b.lot = '$1' AND e.step = 'loading'"; }
expect 1 "load add refuses a recalled batch whose row says active" "$BIN" load add 1 RECALL1
check "with the signed status and reason" '[[ "$ERR" == *"batch RECALL1 is recalled: glass found"* ]]'
CODE=$(curl -s -o "$T/body" -w '%{http_code}' -H "$AUTH" -d '{"batch":"RECALL1"}' "$url/api/v1/loads/1/batches")
check "the API refuses it too (409)" '[ "$CODE" = 409 ] && grep -q "recalled: glass found" "$T/body"'
check "no loading event was signed for it" '[ "$(loading RECALL1)" = 0 ]'
CODE=$(curl -s -o "$T/body" -w '%{http_code}' -H "$AUTH" \
  -d '{"batches":["RECALL1"],"printer":"127.0.0.1:1"}' "$url/api/v1/print-jobs")
check "its label is not queued for printing (409)" '[ "$CODE" = 409 ] && grep -q "recalled" "$T/body"'
expect 1 "nor rendered to a file by the CLI" "$BIN" label RECALL1 -o "$T/recall1.png"
check "  saying it is recalled, and no file" '[[ "$ERR" == *"recalled"* ]] && [ ! -e "$T/recall1.png" ]'
check "nor drawn by the label route (409)" \
  '[ "$(curl -s -o /dev/null -w "%{http_code}" -H "$AUTH" "$url/api/v1/batches/RECALL1/label")" = 409 ]'
expect 1 "hold cannot turn the signed recall into a hold" "$BIN" batch hold RECALL1 --reason x
check "says it is recalled" '[[ "$ERR" == *"RECALL1 is recalled"* ]]'
P=$(page RECALL1)
check "the page shows the signed recall" '[ "$(jq -r .status <<<"$P")" = recalled ]'

# --- lot "3" and the batch with id 3 --------------------------------------------------------
expect 0 "batch hold 3 holds the lot 3" "$BIN" batch hold 3 --reason "lot three"
check "lot 3 is held" '[ "$(sql "SELECT status FROM batches WHERE lot = '"'3'"'")" = held ]'
check "the batch with id 3 is not" '[ "$(sql "SELECT status FROM batches WHERE id = 3")" = active ]'
expect 0 "#3 names the id" "$BIN" batch show '#3' --json
check "batch show #3 is lot ID3" '[ "$(jq -r .lot <<<"$OUT")" = ID3 ]'
expect 0 "batch show 3 is the lot" "$BIN" batch show 3 --json
check "batch show 3 is lot 3" '[ "$(jq -r .lot <<<"$OUT")" = 3 ]'
CODE=$(curl -s -o "$T/body" -w '%{http_code}' -H "$AUTH" -d '{"reason":"x"}' "$url/api/v1/batches/3/release")
check "the API's /batches/3 is the lot 3" '[ "$CODE" = 200 ] && [ "$(jq -r .lot "$T/body")" = 3 ]'
CODE=$(curl -s -o "$T/body" -w '%{http_code}' -H "$AUTH" -d '{"batch":"3"}' "$url/api/v1/loads/1/batches")
check "the load API's batch 3 is the lot 3" '[ "$CODE" = 201 ] && [ "$(jq -r .lot "$T/body")" = 3 ]'
CODE=$(curl -s -o "$T/body" -w '%{http_code}' -H "$AUTH" -d '{"batch":"#3"}' "$url/api/v1/loads/1/batches")
check "the load API's #3 is the id" '[ "$CODE" = 201 ] && [ "$(jq -r .lot "$T/body")" = ID3 ]'
expect 1 "#99 is no batch" "$BIN" batch show '#99'

# --- a batch held after it was loaded --------------------------------------------------------
expect 0 "load add LATE1" "$BIN" load add 1 LATE1
"$BIN" batch hold LATE1 --reason "residue check" >/dev/null
expect 1 "load close refuses a load with a held batch" "$BIN" load close 1
check "naming the lot, signed status and reason" '[[ "$ERR" == *"batch LATE1 is held: residue check"* ]]'
CODE=$(curl -s -o "$T/body" -w '%{http_code}' -H "$AUTH" -X POST "$url/api/v1/loads/1/close")
check "the API refuses it too (409)" '[ "$CODE" = 409 ] && grep -q "LATE1 is held: residue check" "$T/body"'
check "no departing event was signed" '[ "$(sql "SELECT count(*) FROM events WHERE step = '"'departing'"'")" = 0 ]'
# The row says active, the signed record says held: still refused.
sql "UPDATE batches SET status = 'active', status_reason = NULL WHERE lot = 'LATE1'"
expect 1 "a row set back to active does not let it depart" "$BIN" load close 1
expect 0 "load remove takes it off" "$BIN" load remove 1 LATE1 --reason "held after loading"
check "with a signed unloading event" \
  '[ "$(sql "SELECT count(*) FROM events e JOIN batches b ON b.id = e.batch_id WHERE b.lot = '"'LATE1'"' AND e.step = '"'unloading'"'")" = 1 ]'
CODE=$(curl -s -o "$T/body" -w '%{http_code}' -H "$AUTH" -X DELETE "$url/api/v1/loads/1/batches/%233")
check "the API takes #3 off" '[ "$CODE" = 200 ] && [ "$(jq -r .lot "$T/body")" = ID3 ]'
expect 0 "then the load closes" "$BIN" load close 1
check "departing for lot 3 only" \
  '[ "$(sql "SELECT group_concat(b.lot) FROM events e JOIN batches b ON b.id = e.batch_id WHERE e.step = '"'departing'"'")" = 3 ]'
kill "$server" 2>/dev/null
wait "$server" 2>/dev/null
server=

# --- the database file -----------------------------------------------------------------------
sql "UPDATE batches SET product = 'Oranges', grower = 'Li farm', origin = 'CN',
     harvest_date = '2026-11-20' WHERE lot = 'EDIT1';
     UPDATE batches SET status = 'recalled', status_reason = 'glass found' WHERE lot = 'RECALL1';
     UPDATE batches SET status = 'held', status_reason = 'residue check' WHERE lot = 'LATE1'"
expect 0 "audit passes once the rows agree again" "$BIN" audit
check "says intact" '[[ "$OUT" == intact:* ]]'

# A read-only copy, owned by an unprivileged user who cannot write in it (root ignores modes).
RO=$T/ro
chmod 755 "$T"
cp -a "$PACKTRACE_DATA" "$RO"
if [ "$(id -u)" = 0 ]; then
  chown -R nobody "$RO"
  chmod -R a-w "$RO"
  as_reader() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }
else
  chmod -R a-w "$RO"
  as_reader() { "$@"; }
fi
check "the copy cannot take a -journal or -wal file" '! as_reader touch "$RO/station.db-journal" 2>/dev/null'
expect 0 "audit runs on the read-only copy" as_reader "$BIN" audit --data "$RO"
check "and finds it intact" '[[ "$OUT" == intact:* ]]'
check "and wrote nothing beside it" '[ "$(ls "$RO")" = "$(ls "$PACKTRACE_DATA")" ]'

# A damaged index: the log reads, the file does not pass SQLite's check.
BAD=$T/bad
cp -a "$PACKTRACE_DATA" "$BAD"
PAGE=$(sqlite3 "$BAD/station.db" "PRAGMA page_size")
ROOT=$(sqlite3 "$BAD/station.db" "SELECT rootpage FROM sqlite_schema WHERE name = 'events_by_batch'")
# Overwrite the cells of the index's root page, keeping its header: rows the index misses.
printf '\377%.0s' $(seq 64) | dd of="$BAD/station.db" bs=1 seek=$(((ROOT - 1) * PAGE + PAGE - 64)) conv=notrunc 2>/dev/null
expect 1 "audit fails on a file that fails the integrity check" "$BIN" audit --data "$BAD"
check "names the damage" '[[ "$OUT" == *"BREAK database file: "* ]]'

EMPTY=$T/empty
cp -a "$PACKTRACE_DATA" "$EMPTY"
: >"$EMPTY/station.db"
rm -f "$EMPTY"/station.db-*
expect 1 "audit refuses a zero-length station.db beside a key" "$BIN" audit --data "$EMPTY"
check "says it is empty" '[[ "$ERR" == *"is empty (0 bytes)"* ]]'
check "and left it empty" '[ ! -s "$EMPTY/station.db" ]'
rm -f "$EMPTY/station.db"
sqlite3 "$EMPTY/station.db" "CREATE TABLE t (x)"
expect 1 "audit refuses a station.db without the schema" "$BIN" audit --data "$EMPTY"
check "says it has no schema" '[[ "$ERR" == *"has no schema"* ]]'

tap_finish
