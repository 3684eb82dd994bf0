#!/usr/bin/env bash
# test-sd-notify.sh: `packtrace run` under a Type=notify systemd unit speaks sd_notify(3) to a
# real datagram socket: READY=1 (with its URL) once it serves, WATCHDOG=1 at a third of
# $WATCHDOG_USEC while the main loop turns, STOPPING=1 on SIGTERM; without $NOTIFY_SOCKET it
# runs as before.  The socket's listener is a few lines of Python.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
command -v python3 >/dev/null || { echo "1..0 # SKIP python3 missing"; exit 77; }
T=$(mktemp -d)
server=
listener=
trap '[ -n "$server" ] && kill -9 "$server" 2>/dev/null; [ -n "$listener" ] && kill "$listener" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
"$BIN" init >/dev/null || { echo "Bail out! init failed"; exit 1; }
sed -i 's/^demo=auto$/demo=off/' "$PACKTRACE_DATA/station.ini"

python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        msg = s.recv(4096).decode()
        out.write(msg.replace("\n", "|") + "\n")
' "$T/notify.sock" "$T/notify.log" &
listener=$!
for _ in $(seq 50); do [ -S "$T/notify.sock" ] && break; sleep 0.1; done

NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=300000 run_station
for _ in $(seq 50); do grep -q READY=1 "$T/notify.log" 2>/dev/null && break; sleep 0.1; done
check "READY=1 reaches the notify socket once the station serves" 'grep -q "^READY=1" "$T/notify.log"'
check "  with MAINPID and a STATUS naming its URL" \
  'grep "^READY=1" "$T/notify.log" | grep -q "MAINPID=$server" && grep "^READY=1" "$T/notify.log" | grep -qF "$url"'
check "  and the station answers by then" 'curl -sf -m 5 "$url/healthz" >/dev/null'
sleep 1
pings=$(grep -c "^WATCHDOG=1" "$T/notify.log")
check "WATCHDOG=1 at about a third of WATCHDOG_USEC=300ms (saw $pings in ~1 s)" '[ "$pings" -ge 3 ]'
kill -TERM "$server"
wait "$server" 2>/dev/null
server=
sleep 0.2
check "STOPPING=1 on SIGTERM" 'grep -q "^STOPPING=1" "$T/notify.log"'
# Counted once that station has gone and the listener has written all it received (it may
# ping between the count above and its exit).
pings=-1
while [ "$pings" != "$(grep -c "^WATCHDOG=1" "$T/notify.log")" ]; do
  pings=$(grep -c "^WATCHDOG=1" "$T/notify.log")
  sleep 0.3
done

WATCHDOG_PID=1 NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=100000 run_station
sleep 0.5
check "a watchdog meant for another pid (WATCHDOG_PID) is not pinged by this one" \
  '[ "$(grep -c "^WATCHDOG=1" "$T/notify.log")" = "$pings" ]'
kill "$server"; wait "$server" 2>/dev/null; server=
unset NOTIFY_SOCKET
run_station
check "without NOTIFY_SOCKET the station runs as before" 'curl -sf -m 5 "$url/healthz" >/dev/null'
kill "$server"; wait "$server" 2>/dev/null; server=
tap_finish
