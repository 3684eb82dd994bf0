#!/usr/bin/env bash
# make-raw-lot-fixture.sh [COMMIT] OUT.sql: a station database with the kind of event a
# schema-validating EPCIS repository refuses: written by a packtrace from before lots were
# percent-encoded in URIs (COMMIT, default 09e53b2, the parent of 77f9870), whose
# commissioning event of lot 'A/B%1-x' names the class https://id.gs1.org/01/GTIN/10/A/B%1-x,
# an invalid URI.  Behind it in the log: sound batches, a packing event and a recall, which
# must still reach the platform (test-capture-schema.sh).  Dumped as make-fixture.sh dumps
# (the key pair in the header).  Run by hand; the dump is checked in.
set -euo pipefail
if [ $# = 1 ]; then COMMIT=09e53b2; OUT=$1; else COMMIT=$1; OUT=${2:?}; fi
OUT=$(realpath -m "$OUT")
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
sed -i 's/^demo=auto$/demo=off/' "$PACKTRACE_DATA/station.ini"
"$BIN" batch new --product Oranges --gtin 09506000134352 --lot OK-1 --quantity 120 >/dev/null
"$BIN" batch new --product Oranges --gtin 09506000134352 --lot 'A/B%1-x' --quantity 80 >/dev/null
"$BIN" batch new --product Oranges --gtin 09506000134352 --lot OK-2 --quantity 60 >/dev/null
"$BIN" event add OK-1 --step packing --quantity 40 --uom KGM >/dev/null
"$BIN" batch recall OK-2 --reason "Pesticide residue above MRL" >/dev/null
version=$(sqlite3 "$PACKTRACE_DATA/station.db" "PRAGMA user_version")
{
  echo "-- packtrace station.db, schema version $version, written by commit $COMMIT"
  echo "-- station.pub $(cat "$PACKTRACE_DATA/keys/station.pub")"
  echo "-- station.key $(cat "$PACKTRACE_DATA/keys/station.key")"
  sqlite3 "$PACKTRACE_DATA/station.db" .dump
} >"$OUT"
cp "$PACKTRACE_DATA/station.ini" "${OUT%.sql}.ini"
echo "$OUT: schema $version, $(sqlite3 "$PACKTRACE_DATA/station.db" "SELECT count(*) FROM events") events"
