#!/usr/bin/env bash
# make-fixture.sh COMMIT OUT.sql [SCENARIO]: a station database as the program at COMMIT wrote
# it, for the upgrade test (or, with SCENARIO, a bash file run instead of the records below with
# $BIN and $PACKTRACE_DATA set, for a test that needs other records).  Builds that commit's packtrace in a temporary worktree, lets it create a
# station and record what it could record then (batches, a hold, a recall, hand-made events,
# a load where loads existed), and dumps station.db as SQL with the station's key pair in a
# comment header, so the test can rebuild the data directory exactly as that version left it.
# Run by hand when a schema version is released; the dumps are checked in.
set -euo pipefail
COMMIT=${1:?usage: make-fixture.sh COMMIT OUT.sql}
OUT=$(realpath -m "${2:?usage: make-fixture.sh COMMIT OUT.sql [SCENARIO]}")
SCENARIO=${3:+$(realpath "$3")}
ROOT=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
W=$(mktemp -d)
trap 'git -C "$ROOT" worktree remove --force "$W/src" >/dev/null 2>&1; rm -rf "$W"' EXIT
git -C "$ROOT" worktree add --detach "$W/src" "$COMMIT" >/dev/null 2>&1
meson setup "$W/build" "$W/src" --buildtype=debugoptimized >"$W/setup.log" 2>&1 ||
  { tail -20 "$W/setup.log" >&2; exit 1; }
ninja -C "$W/build" station/packtrace >"$W/build.log" 2>&1 || { tail -20 "$W/build.log" >&2; exit 1; }
BIN=$W/build/station/packtrace
export PACKTRACE_DATA=$W/data
"$BIN" init >/dev/null
sed -i 's/^demo=auto$/demo=off/' "$PACKTRACE_DATA/station.ini" 2>/dev/null || true
if [ -n "$SCENARIO" ]; then
  # shellcheck source=/dev/null
  . "$SCENARIO"
else
  for lot in UP-1 UP-2 UP-3; do
    "$BIN" batch new --product Oranges --variety Navel --origin "Gannan, CN" --grower "Co-op A" \
      --gtin 9506000134352 --lot "$lot" --quantity 120 --uom KGM >/dev/null
  done
  "$BIN" event add UP-1 --step packing --note "packed for the fixture" >/dev/null 2>&1 || true
  "$BIN" batch hold UP-2 --reason "Customer complaint: mould" >/dev/null
  "$BIN" batch recall UP-3 --reason "Pesticide residue above MRL" >/dev/null
  load=$("$BIN" load new --json --plate "AB-123" --seal "S-42" 2>/dev/null | sed -n 's/.*"id": *\([0-9]*\).*/\1/p' | head -1 || true)
  if [ -n "$load" ]; then
    "$BIN" load add "$load" UP-1 >/dev/null 2>&1 || true
    "$BIN" load close "$load" >/dev/null 2>&1 || true
  fi
fi
version=$(sqlite3 "$PACKTRACE_DATA/station.db" "PRAGMA user_version")
{
  echo "-- packtrace station.db, schema version $version, written by commit $COMMIT"
  echo "-- station.pub $(cat "$PACKTRACE_DATA/keys/station.pub")"
  echo "-- station.key $(cat "$PACKTRACE_DATA/keys/station.key")"
  echo "-- station_id $(sed -n 's/^station_id=//p;s/^id=//p' "$PACKTRACE_DATA/station.ini" | head -1)"
  sqlite3 "$PACKTRACE_DATA/station.db" .dump
} >"$OUT"
cp "$PACKTRACE_DATA/station.ini" "${OUT%.sql}.ini"
echo "$OUT: schema $version, $(sqlite3 "$PACKTRACE_DATA/station.db" "SELECT count(*) FROM events") events"
