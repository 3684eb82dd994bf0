#!/usr/bin/env bash
# test-cli.sh: the packtrace command line as a newcomer uses it, on a temporary
# data directory: exit codes (0/1/2), one-line errors, nothing written on bad
# input, export + verify + a flipped byte, audit, a locked database, a read-only
# and a missing data directory.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data

count_events() { sqlite3 "$PACKTRACE_DATA/station.db" 'SELECT count(*) FROM events'; }

expect 0 "--help" "$BIN" --help
expect 2 "no command is a usage error" "$BIN"
expect 2 "unknown command is a usage error" "$BIN" frobnicate
expect 1 "batch list before init fails" "$BIN" batch list
check "missing data directory is named" '[[ "$ERR" == *"does not exist"*"packtrace init"* ]]'

expect 0 "init" "$BIN" init
check "init prints station id and public key" '[[ "$OUT" == *"station id"* && "$OUT" == *"public key"* ]]'
check "secret key is mode 0600" '[ "$(stat -c %a "$PACKTRACE_DATA/keys/station.key")" = 600 ]'
secret=$(cat "$PACKTRACE_DATA/keys/station.key")
check "secret key never printed" '[[ "$OUT" != *"${secret:0:32}"* ]]'
check "station.ini documents its keys" 'grep -q "^# Host of the GS1 Digital Link" "$PACKTRACE_DATA/station.ini"'
expect 1 "second init refuses to overwrite" "$BIN" init
expect 0 "key show" "$BIN" key show
check "key show prints 64 hex digits" '[[ "$OUT" =~ ^[0-9a-f]{64}$ ]]'

expect 0 "batch new" "$BIN" batch new --json --product Oranges --gtin 9506000134352 \
  --variety Navel --origin CN --grower "Li farm" --harvest-date 2026-11-20 --pack-date 2026-11-25 \
  --quantity 1200 --uom KGM
check "batch new prints id" '[ "$(echo "$OUT" | jq -r .id)" = 1 ]'
check "gtin is 14 digits" '[ "$(echo "$OUT" | jq -r .gtin)" = 09506000134352 ]'
check "lot is generated" '[ "$(echo "$OUT" | jq -r .lot)" = PT2611250001 ]'
check "digital link" '[ "$(echo "$OUT" | jq -r .digital_link)" = "https://trace.example.coop/01/09506000134352/10/PT2611250001?13=261125" ]'
expect 0 "batch new, text output, default pack date" "$BIN" batch new --product Kiwi --gtin 09506000134352
check "text output names the lot" '[[ "$OUT" == *"lot           PT$(date +%y%m%d)000"[12]* ]]'

before=$(count_events)
expect 1 "wrong check digit refused" "$BIN" batch new --product X --gtin 09506000134353
check "says which digit was expected" '[[ "$ERR" == *"expected 2"* ]]'
check "error is one line" '[ "$(echo "$ERR" | wc -l)" = 1 ]'
expect 1 "lot outside GS1 set refused" "$BIN" batch new --product X --gtin 09506000134352 --lot "A B"
expect 1 "lot over 20 characters refused" "$BIN" batch new --product X --gtin 09506000134352 --lot 123456789012345678901
expect 1 "impossible date refused" "$BIN" batch new --product X --gtin 09506000134352 --harvest-date 2026-02-30
expect 1 "harvest after pack refused" "$BIN" batch new --product X --gtin 09506000134352 --harvest-date 2026-11-26 --pack-date 2026-11-25
expect 2 "missing --gtin is a usage error" "$BIN" batch new --product X
expect 2 "non-numeric quantity is a usage error" "$BIN" batch new --product X --gtin 09506000134352 --quantity lots
expect 1 "unknown step refused" "$BIN" event add 1 --step grading
check "lists allowed steps" '[[ "$ERR" == *"allowed: accepting"*"inspecting"* ]]'
expect 1 "bad --at refused" "$BIN" event add 1 --step packing --at "yesterday"
expect 1 "a public note over 1,000 bytes refused" "$BIN" event add 1 --step packing \
  --public-note "$(printf 'x%.0s' $(seq 1001))"
check "... named in the error" '[[ "$ERR" == *"public note"* ]]'
check "nothing written by refused commands" '[ "$(count_events)" = "$before" ]'

expect 0 "event add" "$BIN" event add 1 --step inspecting --disposition conformant --note "by eye" --at 2026-11-25T08:00:00+08:00
expect 0 "event add with quantity" "$BIN" event add PT2611250001 --step packing --quantity 50 --uom KGM
expect 0 "hold" "$BIN" batch hold 1 --reason "mould found"
expect 1 "hold twice refused" "$BIN" batch hold 1 --reason again
expect 0 "release" "$BIN" batch release 1
expect 2 "recall without reason is a usage error" "$BIN" batch recall 1
expect 0 "recall" "$BIN" batch recall 1 --reason "residue"
expect 0 "show --json" "$BIN" batch show 1 --json
check "show has 6 events, status recalled" '[ "$(echo "$OUT" | jq ".event_list | length")" = 6 ] && [ "$(echo "$OUT" | jq -r .status)" = recalled ]'
check "hand event time kept in UTC" '[ "$(echo "$OUT" | jq -r ".event_list[1].event_time")" = "2026-11-25T00:00:00.000Z" ]'
expect 0 "batch list" "$BIN" batch list --json
check "list has 2 batches" '[ "$(echo "$OUT" | jq ".batches | length")" = 2 ]'
expect 1 "show unknown batch" "$BIN" batch show 99

# A correction is a new record (errorDeclaration), never an UPDATE.
body_before=$(sqlite3 "$PACKTRACE_DATA/station.db" 'SELECT body FROM events WHERE seq = 2')
expect 0 "record the corrected packing event" "$BIN" event add 1 --step packing --quantity 48 --json
fixed_id=$(echo "$OUT" | jq -r .event_id)
expect 0 "declare event 3 in error" "$BIN" event correct 1 --event 3 --reason incorrect_data --corrected-by "$fixed_id"
expect 1 "declaring it twice is refused" "$BIN" event correct 1 --event 3 --reason incorrect_data
expect 1 "unknown reason refused" "$BIN" event correct 1 --event 2 --reason oops
expect 1 "event out of range refused" "$BIN" event correct 1 --event 99 --reason did_not_occur
expect 0 "show after correction" "$BIN" batch show 1 --json
check "declaration repeats the eventID and names the correction" '[ "$(echo "$OUT" | jq -r ".event_list[7].event.eventID")" = "$(echo "$OUT" | jq -r ".event_list[2].event.eventID")" ] && [ "$(echo "$OUT" | jq -r ".event_list[7].event.errorDeclaration.correctiveEventIDs[0]")" = "$fixed_id" ]'
check "the declaration is queued for sync under a key of its own" '[ "$(sqlite3 "$PACKTRACE_DATA/station.db" "SELECT count(*) FROM outbox WHERE key GLOB '"'"'urn:uuid:*#errorDeclaration'"'"'")" = 1 ]'
check "original record untouched" '[ "$(sqlite3 "$PACKTRACE_DATA/station.db" "SELECT body FROM events WHERE seq = 2")" = "$body_before" ]'

expect 0 "export bundle" "$BIN" export 1 --format bundle -o "$T/b.json"
expect 0 "export epcis" "$BIN" export 1 -o "$T/e.json"
check "epcis has the events" '[ "$(jq ".epcisBody.eventList | length" "$T/e.json")" = 8 ]'
expect 0 "verify untouched bundle" "$BIN" verify "$T/b.json"
check "prints valid" '[[ "$OUT" == valid:* ]]'
pub=$("$BIN" key show)
expect 0 "verify with --key" "$BIN" verify "$T/b.json" --key "$pub"
expect 1 "verify with another key" "$BIN" verify "$T/b.json" --key "$(echo "$pub" | tr 0-9a-f 1-9a-f0)"
expect 0 "verify --json" "$BIN" verify --json "$T/b.json"
check "verify --json lists each event's Event Hash ID, as the proofs do" '[ "$(echo "$OUT" | jq -c .hash_ids)" = "$(jq -c "[.proofs[].hashId]" "$T/b.json")" ] && [ "$(echo "$OUT" | jq ".hash_ids | length")" = 8 ]'
check "the EPCIS export lists the same IDs" '[ "$(jq -c ".[\"pt:eventHashIds\"]" "$T/e.json")" = "$(echo "$OUT" | jq -c .hash_ids)" ]'
check "a correction's hash ID differs from its original's" '[ "$(jq "[.proofs | group_by(.eventID)[] | select(length == 2) | .[0].hashId != .[1].hashId] | .[0]" "$T/b.json")" = true ]'
h3=$(echo "$OUT" | jq -r '.hash_ids[2]')
expect 0 "verify --event finds an event by its hash ID" "$BIN" verify "$T/b.json" --event "$h3"
check "and names its position" '[[ "$OUT" == "valid: event 3 "* ]]'
expect 1 "verify --event with an ID not in the bundle" "$BIN" verify "$T/b.json" --event "ni:///sha-256;$(printf '0%.0s' {1..64})?ver=CBV2.0"
check "says so" '[[ "$ERR" == *"no event with hash ID"* ]]'

# Flip one byte inside an event's note: verify names the event.
sed 's/by eye/by eyf/' "$T/b.json" >"$T/flip.json"
expect 1 "flipped byte fails" "$BIN" verify "$T/flip.json"
check "names the event" '[[ "$ERR" == *"event 2"*"altered"* ]]'
# Remove an event (and its proof).
jq -c 'del(.epcis.epcisBody.eventList[2]) | del(.proofs[2])' "$T/b.json" >"$T/cut.json"
expect 1 "removed event fails" "$BIN" verify "$T/cut.json"
head -c 1000 "$T/b.json" >"$T/trunc.json"
expect 1 "truncated bundle fails" "$BIN" verify "$T/trunc.json"
check "says malformed" '[[ "$ERR" == *"malformed"* ]]'
expect 1 "missing bundle fails" "$BIN" verify "$T/none.json"

expect 0 "audit intact" "$BIN" audit
check "audit counts" '[[ "$OUT" == "intact: 9 events in 2 batches, 0 breaks" ]]'
cp "$PACKTRACE_DATA/station.db" "$T/backup.db"
sqlite3 "$PACKTRACE_DATA/station.db" "DROP TRIGGER events_append_only_update; UPDATE events SET body = replace(body, 'mould', 'mold') WHERE seq = 5"
expect 1 "audit finds altered event" "$BIN" audit
check "audit names seq 5" '[[ "$OUT" == *"seq 5"*"altered"* ]]'
cp "$T/backup.db" "$PACKTRACE_DATA/station.db"
rm -f "$PACKTRACE_DATA/station.db-wal" "$PACKTRACE_DATA/station.db-shm"

# A locked database: another writer holds the lock longer than the busy timeout.
sed -i 's/^busy_timeout_ms=.*/busy_timeout_ms=200/' "$PACKTRACE_DATA/station.ini"
before=$(count_events)
(echo "BEGIN IMMEDIATE;"; sleep 2; echo "COMMIT;") | sqlite3 "$PACKTRACE_DATA/station.db" &
locker=$!
sleep 0.5
expect 1 "locked database fails cleanly" "$BIN" batch new --product X --gtin 09506000134352
check "says locked" '[[ "$ERR" == *"locked"* ]]'
wait $locker
check "nothing written while locked" '[ "$(count_events)" = "$before" ]'

# A read-only data directory (as an unprivileged user, since root ignores modes).
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
  RO=$T/ro
  cp -r "$PACKTRACE_DATA" "$RO"
  chmod -R a+rX "$T"
  # Owned by that user (the secret key stays private to it), with no write bit anywhere.
  chown -R 65534:65534 "$RO"
  chmod 555 "$RO"
  chmod 444 "$RO/station.db" "$RO/station.ini"
  chmod 400 "$RO/keys/station.key"
  expect 1 "read-only data directory fails cleanly" setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN" batch new --data "$RO" --product X --gtin 09506000134352
  check "says read-only or not writable" '[[ "$ERR" == *"read-only"* || "$ERR" == *"writable"* || "$ERR" == *"cannot open"* ]]'
  chmod 755 "$RO"
else
  ok "read-only data directory # SKIP needs root and setpriv"
fi

tap_finish
