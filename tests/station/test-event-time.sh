#!/usr/bin/env bash
# test-event-time.sh: when events happened.  eventTime is UTC with milliseconds; the
# eventTimeZoneOffset is the one `--at` was given in, else the station's [station]
# time_zone (IANA name or +hh:mm, default UTC) at that instant; a time without an offset is
# read in that zone.  The commissioning event is dated at harvest (or --at), not when the
# batch row was typed in, so a batch's events sort as they happened.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
INI=$PACKTRACE_DATA/station.ini
"$BIN" init >/dev/null || { echo "Bail out! init failed"; exit 1; }
# ev BATCH N FIELD: field of the N-th event (0-based) of the batch's EPCIS export.
ev() {
  "$BIN" export "$1" -o "$T/e.json" >/dev/null &&
    jq -r ".epcisBody.eventList[$2].$3" "$T/e.json"
}

check "station.ini documents [station] time_zone, UTC by default" \
  'grep -q "^# The shed.s time zone" "$INI" && grep -q "^time_zone=UTC$" "$INI"'
expect 0 "batch new with a harvest date" "$BIN" batch new --product Oranges --gtin 09506000134352 \
  --harvest-date 2026-11-20 --pack-date 2026-11-25
check "commissioning is dated at the harvest date, not now" \
  '[ "$(ev 1 0 eventTime)" = 2026-11-20T00:00:00.000Z ] && [ "$(ev 1 0 eventTimeZoneOffset)" = +00:00 ]'
expect 0 "event add --at with +08:00" "$BIN" event add 1 --step packing --at 2026-11-25T08:30:00+08:00
check "eventTime stays UTC with milliseconds" '[ "$(ev 1 1 eventTime)" = 2026-11-25T00:30:00.000Z ]'
check "eventTimeZoneOffset keeps the +08:00 given" '[ "$(ev 1 1 eventTimeZoneOffset)" = +08:00 ]'
expect 0 "event add --at in Z" "$BIN" event add 1 --step inspecting --at 2026-11-25T09:00:00Z
check "Z is +00:00" '[ "$(ev 1 2 eventTimeZoneOffset)" = +00:00 ]'
expect 0 "event add --at with -03:30" "$BIN" event add 1 --step storing --at 2026-11-25T09:00:00-03:30
check "a negative offset is kept" \
  '[ "$(ev 1 3 eventTimeZoneOffset)" = -03:30 ] && [ "$(ev 1 3 eventTime)" = 2026-11-25T12:30:00.000Z ]'
check "events sort as they happened" \
  '[ "$(jq -r "[.epcisBody.eventList[].eventTime] | . == sort" "$T/e.json")" = true ]'

sed -i 's|^time_zone=UTC$|time_zone=Asia/Shanghai|' "$INI"
expect 0 "event add without --at in Asia/Shanghai" "$BIN" event add 1 --step holding
check "the station's zone gives the offset" '[ "$(ev 1 4 eventTimeZoneOffset)" = +08:00 ]'
expect 0 "--at without an offset is read in the station's zone" \
  "$BIN" event add 1 --step shipping --at 2026-11-26T07:00:00
check "07:00 in Shanghai is 23:00 UTC the day before" \
  '[ "$(ev 1 5 eventTime)" = 2026-11-25T23:00:00.000Z ] && [ "$(ev 1 5 eventTimeZoneOffset)" = +08:00 ]'
expect 0 "batch new with a harvest date in Asia/Shanghai" "$BIN" batch new --product Kiwi \
  --gtin 09506000134352 --harvest-date 2026-11-20 --pack-date 2026-11-25
check "commissioning at the start of the harvest day there" \
  '[ "$(ev 2 0 eventTime)" = 2026-11-19T16:00:00.000Z ] && [ "$(ev 2 0 eventTimeZoneOffset)" = +08:00 ]'
expect 0 "batch new --at (received at the shed)" "$BIN" batch new --product Limes \
  --gtin 09506000134352 --at 2026-11-24T15:45:00-05:00
check "commissioning at --at, its offset kept" \
  '[ "$(ev 3 0 eventTime)" = 2026-11-24T20:45:00.000Z ] && [ "$(ev 3 0 eventTimeZoneOffset)" = -05:00 ]'

sed -i 's|^time_zone=.*|time_zone=+05:30|' "$INI"
expect 0 "a fixed offset as the zone" "$BIN" event add 3 --step packing
check "its offset on events" '[ "$(ev 3 1 eventTimeZoneOffset)" = +05:30 ]'
# A date the station's nanosecond times cannot hold is refused, not wrapped (found by fuzz-http).
expect 1 "a harvest date in 1013 is refused" "$BIN" batch new --product Oranges \
  --gtin 09506000134352 --harvest-date 1013-11-20 --pack-date 2026-11-25
check "saying which years it takes" '[[ "$ERR" == *"outside the years 2000 to 2099"* ]]'
expect 1 "event add --at in 2262 is refused" "$BIN" event add 1 --step packing --at 2262-05-01T00:00:00Z
sed -i 's|^time_zone=.*|time_zone=Mars/Olympus|' "$INI"
expect 1 "an unknown zone is refused at load" "$BIN" batch list
check "the error names the key" '[[ "$ERR" == *"[station] time_zone"* ]]'
tap_finish
