#!/usr/bin/env bash
# bench-flood.sh: /healthz latency (p50 and p99, ms) while one client tries to take the
# station down: with no load, under a slow-client flood (260 connections from 26 loopback
# addresses, each sending one header byte a second and reconnecting when dropped), under a
# sign-in flood (20 addresses posting wrong passwords back to back, rate limits raised so
# that every one reaches the argon2id pool), and under both.  Each condition runs 3 rounds
# of 4 s; the figures are the medians of the rounds.  The goal: p99 under 50 ms while both
# floods run.  Probes are sequential GETs on new connections from 127.0.0.1, 20 a second.
set -eu
BIN=${1:?packtrace binary}
T=$(mktemp -d)
SERVER=
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
"$BIN" init >/dev/null
sed -i 's/^demo=auto/demo=off/; s/^login_per_minute=.*/login_per_minute=600/; s/^login_burst=.*/login_burst=100/' \
  "$PACKTRACE_DATA/station.ini"
echo 'flood-bench-password-1' | "$BIN" user add admin --role admin >/dev/null
"$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
SERVER=$!
for _ in $(seq 50); do grep -q http:// "$T/run.out" 2>/dev/null && break; sleep 0.1; done
URL=$(grep -o 'http://[^ ]*' "$T/run.out")

python3 - "$URL" <<'PY'
import json, socket, statistics, sys, threading, time
from urllib.parse import urlparse
u = urlparse(sys.argv[1])
addr = (u.hostname, u.port)
ROUNDS, SECONDS = 3, 4.0

def healthz():
    t = time.monotonic()
    try:
        s = socket.create_connection(addr, timeout=10)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        ok = data.startswith(b"HTTP/1.1 200")
    except OSError:
        ok = False
    return (time.monotonic() - t) * 1000, ok

class Slow(threading.Thread):
    """260 trickling connections, reopened when the station drops them."""
    def __init__(self):
        super().__init__(daemon=True)
        self.stop = False
    def open(self, i):
        s = socket.socket()
        s.bind(("127.0.0.%d" % (10 + i // 10), 0))
        s.settimeout(1)
        try:
            s.connect(addr)
            s.sendall(b"GET /api/v1/station HTTP/1.1\r\n")
            s.setblocking(False)
            return s
        except OSError:
            s.close()
            return None
    def run(self):
        socks = [self.open(i) for i in range(260)]
        while not self.stop:
            for i, s in enumerate(socks):
                try:
                    if s is None:
                        raise OSError
                    try:
                        if s.recv(4096) == b"":
                            raise OSError
                    except BlockingIOError:
                        pass
                    s.send(b"X")
                except OSError:
                    if s:
                        s.close()
                    socks[i] = self.open(i)
            time.sleep(1)
        for s in socks:
            if s:
                s.close()

class SignIns(threading.Thread):
    """One address posting wrong passwords back to back."""
    def __init__(self, i):
        super().__init__(daemon=True)
        self.i, self.stop, self.n = i, False, 0
    def run(self):
        body = json.dumps({"name": "admin", "password": "wrong-password-%d" % self.i}).encode()
        req = (b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
               b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        while not self.stop:
            try:
                s = socket.socket()
                s.bind(("127.0.0.%d" % (40 + self.i), 0))
                s.settimeout(30)
                s.connect(addr)
                s.sendall(req)
                while s.recv(4096):
                    pass
                s.close()
                self.n += 1
            except OSError:
                time.sleep(0.05)

def measure(name, slow, signin):
    threads = []
    if slow:
        threads.append(Slow())
    if signin:
        threads += [SignIns(i) for i in range(20)]
    for t in threads:
        t.start()
    time.sleep(1.5 if threads else 0)  # let the floods build up
    p50s, p99s, failed, n = [], [], 0, 0
    for _ in range(ROUNDS):
        lat = []
        end = time.monotonic() + SECONDS
        while time.monotonic() < end:
            ms, ok = healthz()
            lat.append(ms)
            failed += not ok
            time.sleep(0.05)
        lat.sort()
        n += len(lat)
        p50s.append(lat[len(lat) // 2])
        p99s.append(lat[min(len(lat) - 1, int(len(lat) * 0.99))])
    for t in threads:
        t.stop = True
    for t in threads:
        t.join(timeout=35)
    signins = sum(t.n for t in threads if isinstance(t, SignIns))
    extra = ", %d sign-ins answered" % signins if signin else ""
    print("%-22s p50 %7.2f ms  p99 %7.2f ms  (%d probes, %d failed%s; p99 rounds: %s)"
          % (name, statistics.median(p50s), statistics.median(p99s), n, failed, extra,
             " ".join("%.1f" % p for p in p99s)))
    sys.stdout.flush()
    time.sleep(1)

print("/healthz latency, medians of %d rounds of %.0f s:" % (ROUNDS, SECONDS))
measure("no load", False, False)
measure("slow-client flood", True, False)
measure("sign-in flood", False, True)
measure("both floods", True, True)
PY
