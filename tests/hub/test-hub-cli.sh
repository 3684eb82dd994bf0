#!/usr/bin/env bash
# test-hub-cli.sh: `packtrace hub` as an admin uses it, on a throwaway PostgreSQL
# (pg-fixture.sh): migrate (and again), station add / list / revoke / enrol-code, status,
# quarantine, serve and its health answer; bad input refused with a one-line reason and
# exit 1 or 2, nothing written.
set -u
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/pg-fixture.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
pg_fixture_start
T=$PG_DIR/t
mkdir -p "$T"
cd "$T" || exit 1
export PACKTRACE_HUB_DSN=$PT_HUB_DSN

expect 2 "hub without a subcommand is a usage error" "$BIN" hub
expect 0 "hub --help" "$BIN" hub --help
check "help lists the subcommands" '[[ "$OUT" == *serve*migrate*station*quarantine*status* ]]'
expect 1 "status before migrate fails" "$BIN" hub status
check "it says to migrate" '[[ "$ERR" == *"packtrace hub migrate"* ]]'
SCHEMA=$(sed -n 's/^#define PT_HUB_SCHEMA_VERSION //p' "${PACKTRACE_SOURCE:?}/station/hub/pt-hub-store.h")
expect 0 "migrate" "$BIN" hub migrate
check "every migration applied" '[[ "$OUT" == *"version $SCHEMA ($SCHEMA migration"* ]]'
expect 0 "migrate again" "$BIN" hub migrate
check "nothing to do the second time" '[[ "$OUT" == *"0 migrations applied"* ]]'

KEY=$(printf '%064x' 7)
expect 0 "station add" "$BIN" hub station add "Shed 1" --key "$KEY"
ID=$(echo "$OUT" | grep -o '[0-9a-f]\{16\}')
check "prints the station id" '[ ${#ID} = 16 ]'
expect 1 "the same key again is refused" "$BIN" hub station add "Shed 1b" --key "$KEY"
check "it says registered already" '[[ "$ERR" == *"registered already"* ]]'
expect 1 "a short key is refused" "$BIN" hub station add "Shed 2" --key abcd
expect 2 "no key is a usage error" "$BIN" hub station add "Shed 2"
printf '%064x\n' 9 >"$T/station.pub"
expect 0 "station add from a key file" "$BIN" hub station add "Shed 2" --key-file "$T/station.pub"
expect 0 "station list --json" "$BIN" hub station list --json
check "two stations" '[ "$(echo "$OUT" | jq length)" = 2 ]'
expect 0 "enrol-code" "$BIN" hub station enrol-code "Shed 3" --json
CODE=$(echo "$OUT" | jq -r .code)
check "a code in groups of four" '[[ "$CODE" =~ ^[A-Z2-9]{4}(-[A-Z2-9]{4}){4}$ ]]'
want=$(printf '%s' "${CODE//-/}" | sha256sum | cut -d' ' -f1)
check "only the code's SHA-256 is stored" '[ "$(pg_psql -c "SELECT encode(code_hash, '"'hex'"') FROM enrol_codes")" = "$want" ]'
expect 2 "enrol-code with a zero lifetime is a usage error" "$BIN" hub station enrol-code X --valid-hours 0
expect 0 "revoke" "$BIN" hub station revoke "$ID"
expect 1 "revoke an unknown station" "$BIN" hub station revoke 0123456789abcdef
expect 0 "status --json" "$BIN" hub status --json
check "the revoked station shows it" '[ "$(echo "$OUT" | jq -r ".stations[] | select(.station == \"$ID\") | .revoked")" = true ]'
check "no gaps, no events yet" '[ "$(echo "$OUT" | jq "[.stations[].events] | add")" = 0 ]'
expect 0 "status, text" "$BIN" hub status
check "text names the head state" '[[ "$OUT" == *"head none posted"* ]]'
expect 0 "quarantine, empty" "$BIN" hub quarantine
check "says it is empty" '[[ "$OUT" == *"quarantine is empty"* ]]'
expect 2 "quarantine --limit 0 is a usage error" "$BIN" hub quarantine --limit 0

printf '[hub]\ndsn=%s\nport=0\nbogus=1\n' "$PT_HUB_DSN" >"$T/bad.ini"
expect 1 "an unknown key in hub.ini is refused" env -u PACKTRACE_HUB_DSN "$BIN" hub status --config "$T/bad.ini"
check "it names the key" '[[ "$ERR" == *bogus* ]]'
expect 1 "no database named at all" env -u PACKTRACE_HUB_DSN "$BIN" hub status
check "it says how to name one" '[[ "$ERR" == *"--dsn"* ]]'

printf '[hub]\ndsn=%s\nlisten=127.0.0.1\nport=0\n' "$PT_HUB_DSN" >"$T/hub.ini"
env -u PACKTRACE_HUB_DSN "$BIN" hub serve --config "$T/hub.ini" --port-file "$T/port" \
  2>"$T/serve.err" &
server=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
PORT=$(cat "$T/port" 2>/dev/null)
check "serve writes its port" '[ -n "$PORT" ]'
check "health answers with the schema" '[ "$(curl -s "http://127.0.0.1:$PORT/hub/v1/health" | jq .schema)" = "$SCHEMA" ]'
check "unsigned events are refused with 401" '[ "$(curl -s -o /dev/null -w "%{http_code}" -X POST -d "{}" "http://127.0.0.1:$PORT/hub/v1/events")" = 401 ]'
check "an unknown path is 404" '[ "$(curl -s -o /dev/null -w "%{http_code}" "http://127.0.0.1:$PORT/nothing")" = 404 ]'
kill -TERM $server
wait $server
check "serve stops cleanly on SIGTERM" '[ $? = 0 ]'

tap_finish
