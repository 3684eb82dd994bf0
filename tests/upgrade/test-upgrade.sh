#!/usr/bin/env bash
# test-upgrade.sh: every schema version this project has shipped opens in today's packtrace.
# Each fixture (fixtures/at-COMMIT.sql and .ini, made by make-fixture.sh with the program as
# it was at COMMIT) becomes a data directory as that version left it; then today's packtrace:
# - migrates it, keeping the database it had as station.db.schema-N.bak (schema N);
# - audits the whole log intact, with every event the old version signed;
# - keeps each batch's status (a recalled batch stays recalled) and its signed bundle verifies;
# - signs new events onto the old chain, and (the oldest and the newest) rotates the station's
#   key and signs more, and the log still audits across the rotation;
# every schema version before today's has its fixture, and a database from a newer packtrace (a
# higher schema version) is refused with a clear error.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
FIX=$(dirname "$0")/fixtures
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
unset PACKTRACE_DATA

"$BIN" init --data "$T/fresh" >/dev/null || { echo "Bail out! init failed"; exit 1; }
CURRENT=$(sqlite3 "$T/fresh/station.db" "PRAGMA user_version")

shopt -s nullglob
fixtures=("$FIX"/at-*.sql)
[ ${#fixtures[@]} -gt 0 ] || { echo "Bail out! no fixtures in $FIX"; exit 1; }
have=$(sed -s -n '1s/.*schema version \([0-9]*\),.*/\1/p' "${fixtures[@]}" | sort -n | uniq | tr '\n' ' ')
want=$(seq -s ' ' 1 $((CURRENT - 1)))
check "a fixture for every released schema version, 1 to $((CURRENT - 1))" '[ "$have" = "$want " ]'
[ "$have" = "$want " ] || echo "# have: $have"
for sql in "${fixtures[@]}"; do
  name=$(basename "$sql" .sql)
  version=$(sed -n '1s/.*schema version \([0-9]*\),.*/\1/p' "$sql")
  D=$T/$name
  mkdir -p "$D/keys"
  sed -n 's/^-- station.pub //p' "$sql" >"$D/keys/station.pub"
  (umask 077 && sed -n 's/^-- station.key //p' "$sql" >"$D/keys/station.key")
  cp "${sql%.sql}.ini" "$D/station.ini"
  chmod 600 "$D/station.ini"
  { cat "$sql"; echo "PRAGMA user_version = $version;"; } | sqlite3 "$D/station.db"
  events=$(sqlite3 "$D/station.db" "SELECT count(*) FROM events")

  # The first opening for writing migrates (as `run` does on an upgraded box); audit reads only.
  expect 0 "schema $version ($name): today's packtrace opens the station it left" \
    "$BIN" batch list --data "$D"
  expect 0 "  and audits its log" "$BIN" audit --json --data "$D"
  check "  intact, all $events events" \
    '[ "$(printf %s "$OUT" | jq -r .events)" = "$events" ] && [ "$(printf %s "$OUT" | jq -r .intact)" = true ]'
  check "  migrated to schema $CURRENT" \
    '[ "$(sqlite3 "$D/station.db" "PRAGMA user_version")" = "$CURRENT" ]'
  if [ "$version" != "$CURRENT" ]; then
    check "  with the old database kept as station.db.schema-$version.bak" \
      '[ "$(sqlite3 "$D/station.db.schema-$version.bak" "PRAGMA user_version")" = "$version" ] && [ "$(sqlite3 "$D/station.db.schema-$version.bak" "SELECT count(*) FROM events")" = "$events" ]'
  fi
  check "  the recalled batch is still recalled" \
    '[ "$("$BIN" batch show --json --data "$D" UP-3 2>/dev/null | jq -r .status)" = recalled ]'
  "$BIN" export --data "$D" UP-1 --format bundle -o "$D/up1.json" >/dev/null 2>&1
  expect 0 "  UP-1's signed bundle verifies" "$BIN" verify "$D/up1.json"
  expect 0 "  a new batch is signed onto the old chain" \
    "$BIN" batch new --data "$D" --product Kiwi --gtin 9506000134352 --lot "AFTER-$version"
  expect 0 "  and the log still audits intact" "$BIN" audit --data "$D"
  # A key rotation on the oldest and the newest only: it reads nothing older versions wrote
  # differently, and every fixture's commands cost test time.
  [ "$version" = 1 ] || [ "$version" = $((CURRENT - 1)) ] || continue
  expect 0 "  its key rotates" "$BIN" key rotate --data "$D"
  expect 0 "  the new key signs onto the chain" \
    "$BIN" event add --data "$D" UP-1 --step packing --note "after the key rotation"
  expect 0 "  and the log audits across the rotation" "$BIN" audit --json --data "$D"
  check "  with two keys" '[ "$(printf %s "$OUT" | jq -r .keys)" = 2 ]'
  "$BIN" export --data "$D" UP-1 --format bundle -o "$D/up1-rotated.json" >/dev/null 2>&1
  expect 0 "  UP-1's bundle verifies across it" "$BIN" verify "$D/up1-rotated.json"
done

cp -r "$T/fresh" "$T/newer"
sqlite3 "$T/newer/station.db" "PRAGMA user_version = $((CURRENT + 1))"
expect 1 "a database from a newer packtrace (schema $((CURRENT + 1))) is refused" \
  "$BIN" batch list --data "$T/newer"
check "  saying a newer packtrace wrote it" 'grep -q "a newer packtrace wrote it" <<<"$ERR"'
tap_finish
