#!/usr/bin/env bash
# test-run-hygiene.sh: the station's own guard rails around its data directory.
# - One `packtrace run` per data directory: a second one stops at once and says which process
#   holds the directory; the lock goes with its holder, even on SIGKILL.
# - A station.key that other users can read (0644, 0640) is refused with the chmod that fixes
#   it; 0600 is used.
# - Global options before the command (packtrace --data DIR init, --json), as `git -C` takes
#   them; an option there that is not global is a usage error (exit 2) naming it.
# - Every command's help, and the program's, ends with a newline.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill -9 "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
DATA=$T/data
unset PACKTRACE_DATA

# Global options before the command.
expect 0 "'packtrace --data DIR init' initialises DIR" "$BIN" --data "$DATA" init
check "  and the directory holds a key and a database" \
  '[ -f "$DATA/keys/station.key" ] && [ -f "$DATA/station.db" ]'
sed -i 's/^demo=auto$/demo=off/' "$DATA/station.ini"
expect 0 "'packtrace --json --data=DIR key show' prints JSON" "$BIN" --json --data="$DATA" key show
check "  with the station's public key" \
  'pub=$(printf %s "$OUT" | jq -r .public_key); [ ${#pub} = 64 ] && [ "$pub" = "$(cat "$DATA/keys/station.pub")" ]'
expect 2 "an option before the command that is not global is a usage error" \
  "$BIN" --data "$DATA" --listen 127.0.0.1:0 run
check "  naming it" 'grep -q -- "--listen" <<<"$ERR"'
expect 2 "'--data' without a directory is a usage error" "$BIN" --data
expect 0 "'packtrace --data DIR --help' prints the usage" "$BIN" --data "$DATA" --help
check "  on stdout" 'grep -q "^Usage: packtrace" <<<"$OUT"'

# Help ends with a newline, for the program and each command.
bad=
for c in "" init batch event export verify key audit clip label sync grade load driver \
  calibrate user apikey run; do
  # shellcheck disable=SC2086
  last=$("$BIN" $c --help 2>&1 | tail -c 1 | od -An -c | tr -d ' ')
  [ "$last" = '\n' ] || bad="$bad '${c:-packtrace}'"
done
check "every command's --help ends with a newline" '[ -z "$bad" ] || { echo "#  no newline:$bad"; false; }'

# The secret key's mode.
export PACKTRACE_DATA=$DATA
chmod 0644 "$DATA/keys/station.key"
expect 1 "a station.key readable by everyone (0644) is refused" "$BIN" key show
check "  and the error gives the chmod that fixes it" \
  'grep -q "chmod 600 $DATA/keys/station.key" <<<"$ERR" && grep -q "0644" <<<"$ERR"'
chmod 0640 "$DATA/keys/station.key"
expect 1 "a station.key readable by its group (0640) is refused" "$BIN" key show
chmod 0600 "$DATA/keys/station.key"
expect 0 "a station.key of mode 0600 is used" "$BIN" key show

# One run per data directory.
run_station
first=$server
second_start=$(date +%s%N)
expect 1 "a second 'run' on the same data directory refuses to start" \
  timeout 10 "$BIN" run --listen 127.0.0.1:0
check "  at once (under 5 s)" '[ $(( ($(date +%s%N) - second_start) / 1000000 )) -lt 5000 ]'
check "  and names the process that holds it" 'grep -q "pid $first" <<<"$ERR"'
check "  while the first keeps serving" 'curl -sf -m 5 "$url/healthz" >/dev/null'
kill -9 "$first"
wait "$first" 2>/dev/null
server=
run_station
check "after the holder is killed (SIGKILL) a new run starts" 'curl -sf -m 5 "$url/healthz" >/dev/null'
kill "$server"
wait "$server" 2>/dev/null
server=

tap_finish
