#!/usr/bin/env bash
# test-load.sh: `packtrace load` on a temporary station: a truck loaded and closed, signed
# loading and departing events that the audit accepts, refusals (held, recalled, on another
# open load) recorded, repeated adds written once, bad input refused with nothing written.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data

sql() { sqlite3 "$PACKTRACE_DATA/station.db" "$1"; }

"$BIN" init >/dev/null || { echo "Bail out! init failed"; exit 1; }
sed -i 's/^gln=$/gln=4012345000115/' "$PACKTRACE_DATA/station.ini"
for p in Oranges Kiwi Lemons Limes; do
  "$BIN" batch new --product $p --gtin 09506000134352 >/dev/null || { echo "Bail out! batch new"; exit 1; }
done

expect 0 "load new" "$BIN" load new --plate "AB 123" --seal S-0001 --driver-name "Wang" \
  --driver-phone "+86 138 0013 8000" --destination "Fresh Co" --destination-gln 4012345000115 \
  --bol BOL-77 --desadv DA.9 --po PO-2026.114 --dock dock-1
check "says load 1 open" '[[ "$OUT" == "load 1 open: plate AB 123, seal S-0001, dock dock-1" ]]'
expect 1 "a second open load at the same dock is refused" "$BIN" load new --plate X --seal Y --dock dock-1
check "says the dock is taken" '[[ "$ERR" == *"dock dock-1 already has an open load"* ]]'

events=$(sql 'SELECT count(*) FROM events')
expect 0 "load add" "$BIN" load add 1 1
check "one loading event" '[ "$(sql "SELECT count(*) FROM events WHERE step = '"'loading'"'")" = 1 ]'
expect 0 "the same batch again" "$BIN" load add 1 PT$(date +%y%m%d)0001 --json
check "returns the existing item" '[ "$(jq -r .existed <<<"$OUT")" = true ]'
check "still one loading event" '[ "$(sql "SELECT count(*) FROM events WHERE step = '"'loading'"'")" = 1 ]'
expect 0 "add a second batch" "$BIN" load add 1 3

"$BIN" batch hold 2 --reason "residue check" >/dev/null
expect 1 "a held batch is refused" "$BIN" load add 1 2
check "with the reason" '[[ "$ERR" == *"is held: residue check"* ]]'
"$BIN" batch recall 4 --reason "glass" >/dev/null
expect 1 "a recalled batch is refused" "$BIN" load add 1 4
check "says recalled" '[[ "$ERR" == *"is recalled: glass"* ]]'

expect 0 "a second load" "$BIN" load new --plate "CD 456" --seal S-0002
expect 1 "a batch on another open load is refused" "$BIN" load add 2 1
check "names the other load" '[[ "$ERR" == *"already on open load 1 (plate AB 123, seal S-0001)"* ]]'

expect 0 "load show" "$BIN" load show 1 --json
check "two batches on it" '[ "$(jq ".batches | length" <<<"$OUT")" = 2 ]'
check "two refusals recorded" '[ "$(jq ".refusals | length" <<<"$OUT")" = 2 ]'
check "refusal names the held batch" '[ "$(jq -r ".refusals[0].lot" <<<"$OUT")" = "PT$(date +%y%m%d)0002" ]'
expect 0 "load show (text) lists the refusal" "$BIN" load show 2
check "the other-load refusal is on load 2" '[[ "$OUT" == *"already on open load 1"* ]]'

ev=$("$BIN" batch show 1 --json | jq '.event_list[-1].event')
check "loading event: in_transit" '[ "$(jq -r .disposition <<<"$ev")" = in_transit ]'
check "loading event: bol, desadv and po" '[ "$(jq -r "[.bizTransactionList[].type] | join(\",\")" <<<"$ev")" = bol,desadv,po ]'
check "  the purchase order as a CBV business transaction" '[ "$(jq -r ".bizTransactionList[2].bizTransaction" <<<"$ev")" = "urn:epcglobal:cbv:bt:4012345000115:PO-2026.114" ]'
check "loading event: source and destination owning parties" '[ "$(jq -r ".sourceList[0].source + \" \" + .destinationList[0].destination" <<<"$ev")" = "https://id.gs1.org/414/4012345000115 https://id.gs1.org/414/4012345000115" ]'
check "loading event: plate, seal, no driver phone" '[ "$(jq -r "[.\"pt:vehiclePlate\", .\"pt:sealNumber\"] | join(\"/\")" <<<"$ev")" = "AB 123/S-0001" ] && ! grep -qF "0013 8000" <<<"$ev" && ! grep -qi "driver" <<<"$ev"'

expect 0 "load close" "$BIN" load close 1
check "says two departing events" '[[ "$OUT" == "load 1 closed: 2 departing events" ]]'
check "two departing events" '[ "$(sql "SELECT count(*) FROM events WHERE step = '"'departing'"'")" = 2 ]'
expect 1 "closing again is refused" "$BIN" load close 1
check "says closed" '[[ "$ERR" == *"was closed at"* ]]'
expect 1 "adding to a closed load is refused" "$BIN" load add 1 1
expect 0 "after close the batch may go on another load" "$BIN" load add 2 1
expect 0 "closing frees the dock" "$BIN" load new --plate E --seal E --dock dock-1
expect 1 "an empty load cannot be closed" "$BIN" load close 3
check "says nothing departs" '[[ "$ERR" == *"nothing departs"* ]]'

before=$(sql 'SELECT count(*) FROM events'),$(sql 'SELECT count(*) FROM loads')
expect 1 "unknown load" "$BIN" load add 99 1
check "says no load 99" '[[ "$ERR" == "packtrace: no load 99" ]]'
expect 1 "unknown batch" "$BIN" load add 2 nosuchlot
expect 1 "load show of a non-number" "$BIN" load show abc
expect 1 "control character in plate" "$BIN" load new --plate $'AB\x01' --seal 1
check "says control character" '[[ "$ERR" == *"plate contains a control character"* ]]'
expect 1 "too long seal" "$BIN" load new --plate A --seal "$(printf 'S%.0s' {1..65})"
expect 1 "bad GLN" "$BIN" load new --plate A --seal 1 --destination-gln 4012345000116
check "says check digit" '[[ "$ERR" == *"check digit"* ]]'
expect 1 "bad document number" "$BIN" load new --plate A --seal 1 --bol "a b"
expect 1 "bad purchase order" "$BIN" load new --plate A --seal 1 --po "PO/1"
check "  named as the purchase order" '[[ "$ERR" == *"purchase order"* ]]'
expect 1 "bad dock" "$BIN" load new --plate A --seal 1 --dock "../x"
expect 2 "missing seal is a usage error" "$BIN" load new --plate A
expect 2 "unknown subcommand" "$BIN" load frob
check "nothing written by bad input" '[ "$(sql "SELECT count(*) FROM events"),$(sql "SELECT count(*) FROM loads")" = "$before" ]'

expect 0 "load list" "$BIN" load list --json
check "lists three loads newest first" '[ "$(jq -r "[.loads[].id] | join(\",\")" <<<"$OUT")" = 3,2,1 ]'
expect 0 "audit intact" "$BIN" audit
check "export bundle verifies" '"$BIN" export 1 --format bundle -o "$T/b.json" && "$BIN" verify "$T/b.json" >/dev/null'

tap_finish
