#!/usr/bin/env bash
# test-slow-client.sh: clients that open a connection and send half a request never hold the
# station up: with [http] timeout_s=2, 50 of them hang while a normal GET still answers at
# once, and each is dropped by the server after about the timeout (not before, not never).
# They come from five addresses (127.0.0.2 to .6), under the per-address connection limit.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$T"' EXIT
DATA=$T/data
"$BIN" init --data "$DATA" >/dev/null || { echo "not ok - init"; exit 1; }
sed -i 's|^timeout_s=.*|timeout_s=2|; s|^demo=.*|demo=off|' "$DATA/station.ini"
check "timeout_s is in the station.ini template" 'grep -q "^timeout_s=2" "$DATA/station.ini"'
"$BIN" run --data "$DATA" --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
PID=$!
for _ in $(seq 100); do grep -q http:// "$T/run.out" && break; sleep 0.1; done
URL=$(grep -o 'http://[^ ]*' "$T/run.out")
check "station starts" '[ -n "$URL" ]'

python3 - "$URL" >"$T/result" <<'PY'
import socket, sys, time
from urllib.parse import urlparse
u = urlparse(sys.argv[1])
addr = (u.hostname, u.port)

def normal_get():
    t = time.monotonic()
    s = socket.create_connection(addr, timeout=5)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    s.close()
    return data.split(b"\r\n", 1)[0], time.monotonic() - t

slow = []
start = time.monotonic()
for i in range(50):
    s = socket.create_connection(addr, timeout=10, source_address=("127.0.0.%d" % (2 + i // 10), 0))
    s.sendall(b"GET /api/v1/station HTTP/1.1\r\nHost: x\r\nX-Half: ")  # never finished
    slow.append(s)
status, took = normal_get()
print("during", status.decode(), "%.3f" % took)
# Each slow client: when did the server close it?
closed = []
for s in slow:
    try:
        data = s.recv(4096)
        closed.append((time.monotonic() - start, data == b"" or data.startswith(b"HTTP/1.1 4")))
    except ConnectionResetError:
        closed.append((time.monotonic() - start, True))
    except socket.timeout:
        closed.append((None, False))
    s.close()
ok = [t for t, c in closed if c and t is not None]
print("dropped", len(ok), "of", len(slow))
print("first %.2f last %.2f" % (min(ok) if ok else -1, max(ok) if ok else -1))
status, took = normal_get()
print("after", status.decode(), "%.3f" % took)
PY
sed 's/^/# /' "$T/result"
during=$(sed -n 's/^during //p' "$T/result")
check "a normal GET answers while 50 slow clients hang" '[[ "$during" == "HTTP/1.1 200 OK "* ]] && awk "BEGIN{exit !(${during##* } < 1.0)}"'
check "all 50 slow clients are dropped" 'grep -q "^dropped 50 of 50" "$T/result"'
read -r _ first _ last < <(grep '^first' "$T/result")
check "... after the 2 s timeout, not before" 'awk "BEGIN{exit !($first >= 1.5 && $last < 6)}"'
check "the station still answers afterwards" 'grep -q "^after HTTP/1.1 200 OK" "$T/result"'
kill -TERM "$PID"
wait "$PID"
RC=$?
PID=
check "the station stops cleanly" '[ "$RC" = 0 ]'
tap_finish
