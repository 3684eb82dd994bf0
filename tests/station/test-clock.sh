#!/usr/bin/env bash
# test-clock.sh: a clock that went back does not sign.  With libfaketime (Debian's faketime)
# the program sees a clock a day behind its last signed record: `batch new` is refused with a
# clear error and leaves nothing behind; a clock 100 s behind (inside the 300 s tolerance NTP
# steps stay within) still signs; the log audits intact.
# The years a station records ([station] years, default 2000-2099): a harvest in 1900, a pack
# date in 9999 and an event in 2262 (past 64-bit nanoseconds) are refused with the setting's
# name; a station that sets 1990-2099 takes a 1995 harvest; a malformed setting stops it.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
command -v faketime >/dev/null || { echo "1..0 # SKIP faketime missing (apt-get install faketime)"; exit 77; }
# Under ASan (./run sanitize) libfaketime comes first in LD_PRELOAD, ahead of ASan's runtime.
[ -n "${ASAN_OPTIONS:-}" ] && export ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
"$BIN" init >/dev/null || { echo "Bail out! init failed"; exit 1; }
expect 0 "a batch is signed with the right clock" \
  "$BIN" batch new --product Oranges --gtin 9506000134352 --lot CLK-1
# Is libfaketime effective on this machine at all?
if [ "$(faketime -f "-1d" date +%s)" -gt "$(( $(date +%s) - 3600 ))" ]; then
  echo "1..$n # SKIP libfaketime has no effect here"
  exit 77
fi
expect 1 "with the clock a day behind the last signed record, batch new is refused" \
  faketime -f "-1d" "$BIN" batch new --product Oranges --gtin 9506000134352 --lot CLK-2
check "  saying the clock is behind the last signed record" \
  'grep -q "behind the last signed record" <<<"$ERR" && grep -q "set the clock" <<<"$ERR"'
check "  and nothing was recorded" \
  '[ "$(sqlite3 "$PACKTRACE_DATA/station.db" "SELECT count(*) FROM batches WHERE lot = '"'"'CLK-2'"'"'")" = 0 ] && [ "$(sqlite3 "$PACKTRACE_DATA/station.db" "SELECT count(*) FROM events")" = 1 ]'
expect 1 "a hold with the clock behind is refused too" \
  faketime -f "-1d" "$BIN" batch hold --reason "Customer complaint" CLK-1
expect 0 "a clock 100 s behind (within the 300 s tolerance) still signs" \
  faketime -f "-100s" "$BIN" batch new --product Oranges --gtin 9506000134352 --lot CLK-3
expect 0 "the log audits intact" "$BIN" audit

expect 1 "a harvest date in 1900 is refused" \
  "$BIN" batch new --product Oranges --gtin 9506000134352 --harvest-date 1900-01-01
check "  naming the years and the setting" 'grep -q "outside the years 2000 to 2099 (\[station\] years)" <<<"$ERR"'
expect 1 "a pack date of 9999-12-31 is refused" \
  "$BIN" batch new --product Oranges --gtin 9506000134352 --pack-date 9999-12-31
expect 1 "an event at 2262-04-12T00:00:00Z is refused" \
  "$BIN" event add CLK-1 --step packing --at 2262-04-12T00:00:00Z
sed -i 's/^years=.*/years=1990-2099/' "$PACKTRACE_DATA/station.ini"
expect 0 "with years=1990-2099 a 1995 harvest is taken" \
  "$BIN" batch new --product Oranges --gtin 9506000134352 --harvest-date 1995-05-01
sed -i 's/^years=.*/years=2099-1990/' "$PACKTRACE_DATA/station.ini"
expect 1 "years=2099-1990 stops every command" "$BIN" batch list
check "  saying what it wants" 'grep -q "\[station\] years .2099-1990. is not FIRST-LAST" <<<"$ERR"'
tap_finish
