#!/usr/bin/env bash
# test-flood.sh: one client cannot take the station down.  Cases, each bounded to seconds and
# a fixed number of connections (loopback answers on all of 127/8, so the clients come from
# several 127.0.0.x addresses):
#  - 260 connections from 26 addresses trickle one header byte a second: /healthz, a public
#    page and the driver API answer every time (within 2 s), and each trickler is cut off at
#    the header deadline ([http] header_timeout_s=3), although its idle timer never runs out;
#  - 80 connections from one address: those over the per-address limit (64) are closed at
#    once;
#  - 100 sign-ins at once from 20 addresses, one in ten for the admin (argon2id each, also
#    for unknown names): the same three still answer every time within 2 s, and the sign-ins
#    get 401, 429 or 503 (with Retry-After), never a stall;
#  - afterwards the admin signs in from another address: the flood's failures count per
#    (name, address), so they did not lock the admin out;
#  - a sign-in POST from a foreign Origin or Referer is refused with 403 (login CSRF); the
#    station's own origin and a client that sends neither (curl, scripts) sign in;
#  - out-of-range header_timeout_s, hash_threads and hash_queue stop the station at start.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill -9 "$server" 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
"$BIN" init >/dev/null || { echo "Bail out! init"; exit 1; }
# The template of an older station has no header_timeout_s: then it goes after timeout_s.
sed -i '/^header_timeout_s=/d; s|^timeout_s=.*|timeout_s=10\nheader_timeout_s=3|; s|^demo=.*|demo=off|' \
  "$PACKTRACE_DATA/station.ini"
PW='flood-test-password-1'
echo "$PW" | "$BIN" user add admin --role admin >/dev/null || { echo "Bail out! user add"; exit 1; }
"$BIN" driver add --name "Flood Test" >/dev/null || { echo "Bail out! driver add"; exit 1; }
DRIVER=$("$BIN" driver token 1 --json | jq -r .token)
run_station
check "station starts" '[ -n "$url" ]'

python3 - "$url" "$DRIVER" >"$T/result" <<'PY'
import json, socket, sys, threading, time
from urllib.parse import urlparse
u = urlparse(sys.argv[1])
driver = sys.argv[2].encode()
addr = (u.hostname, u.port)

def request(raw, src="127.0.0.1", timeout=5.0):
    """Sends @raw from @src; returns (status line, headers text, seconds) or (None, why, s)."""
    t = time.monotonic()
    try:
        s = socket.socket()
        s.settimeout(timeout)
        s.bind((src, 0))
        s.connect(addr)
        s.sendall(raw)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
    except OSError as e:
        return None, str(e), time.monotonic() - t
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    return head.split("\r\n", 1)[0], head, time.monotonic() - t

def get(path, src="127.0.0.1", extra=b""):
    return request(b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n%s\r\n" % (path, extra),
                   src)

def sign_in(name, password, src, extra=b""):
    body = json.dumps({"name": name, "password": password}).encode()
    return request(b"POST /api/v1/session HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n"
                   b"Content-Type: application/json\r\n%sContent-Length: %d\r\n\r\n%s"
                   % (addr[0].encode(), addr[1], extra, len(body), body), src, timeout=30)

class Prober(threading.Thread):
    """GETs /healthz, /driver (a public page) and the driver API (a phone's token, within
    its rate of 5 a second) every 0.25 s until stopped."""
    def __init__(self):
        super().__init__()
        self.seen, self.stop = [], False
    def run(self):
        while not self.stop:
            for path in (b"/healthz", b"/driver"):
                status, _, took = get(path)
                self.seen.append((status, took))
            status, _, took = get(b"/api/v1/driver/me", extra=b"Authorization: Bearer %s\r\n" % driver)
            self.seen.append((status, took))
            time.sleep(0.25)
    def report(self, name):
        bad = [s for s, t in self.seen if not s or " 200 " not in s + " "]
        worst = max((t for _, t in self.seen), default=-1)
        print("%s probes %d bad %d worst %.3f" % (name, len(self.seen), len(bad), worst))

# 1. The slow-client flood.
prober = Prober()
prober.start()
tricklers = []
start = time.monotonic()
for i in range(260):
    s = socket.socket()
    s.bind(("127.0.0.%d" % (10 + i // 10), 0))
    s.settimeout(2)
    try:
        s.connect(addr)
        s.sendall(b"GET /api/v1/station HTTP/1.1\r\n")
    except OSError:
        s.close()
        s = None
    tricklers.append([s, None])
while time.monotonic() - start < 7:
    for t in tricklers:
        if t[0] is None or t[1] is not None:
            continue
        try:
            t[0].setblocking(False)
            try:
                if t[0].recv(4096) == b"":
                    t[1] = time.monotonic() - start
                    continue
            except BlockingIOError:
                pass
            t[0].sendall(b"X")
        except OSError:
            t[1] = time.monotonic() - start
    time.sleep(1)
closed = [t[1] for t in tricklers if t[1] is not None]
print("tricklers 260 closed %d last %.2f first %.2f"
      % (len(closed), max(closed, default=-1), min(closed, default=-1)))
for t in tricklers:
    if t[0]:
        t[0].close()
prober.stop = True
prober.join()
prober.report("slow")

# 2. One address opens 80 connections and sends nothing.
held = []
for _ in range(80):
    s = socket.socket()
    s.bind(("127.0.0.99", 0))
    s.connect(addr)
    held.append(s)
time.sleep(0.5)
refused = 0
for s in held:
    s.setblocking(False)
    try:
        if s.recv(1) == b"":
            refused += 1
    except BlockingIOError:
        pass
    except OSError:
        refused += 1
    s.close()
print("one address 80 refused %d" % refused)

# 3. The sign-in flood.
time.sleep(0.5)
prober = Prober()
prober.start()
codes = []
def flood(i):
    name = "admin" if i % 10 == 0 else "guest%d" % i
    status, head, _ = sign_in(name, "not-the-password-%d" % i, "127.0.0.%d" % (40 + i % 20))
    retry = "retry-after:" in head.lower()
    codes.append((status.split(" ")[1] if status else "none") + ("+retry" if retry else ""))
threads = [threading.Thread(target=flood, args=(i,)) for i in range(100)]
for t in threads:
    t.start()
for t in threads:
    t.join()
prober.stop = True
prober.join()
prober.report("signin")
print("signin codes " + " ".join("%s=%d" % (c, codes.count(c)) for c in sorted(set(codes))))
PY
sed 's/^/# /' "$T/result"
read -r _ _ _ closed _ last _ first < <(grep '^tricklers' "$T/result")
check "every trickling connection is cut off at the header deadline" \
  '[ "$closed" = 260 ] && awk "BEGIN{exit !($last < 6)}"'
check "... not before it" '[ -n "$first" ] && awk "BEGIN{exit !($first >= 2.5)}"'
read -r _ _ probes _ bad _ worst < <(grep '^slow probes' "$T/result")
check "/healthz, /driver and the driver API answer 200 within 2 s every time during the slow-client flood" \
  '[ "$probes" -gt 20 ] && [ "$bad" = 0 ] && awk "BEGIN{exit !($worst < 2)}"'
read -r _ _ _ _ refused < <(grep '^one address' "$T/result")
check "one address's connections over the per-address limit are closed at once" \
  '[ "${refused:-0}" -ge 10 ] && [ "$refused" -le 16 ]'
read -r _ _ probes _ bad _ worst < <(grep '^signin probes' "$T/result")
check "/healthz, /driver and the driver API answer 200 within 2 s every time during the sign-in flood" \
  '[ "$probes" -gt 4 ] && [ "$bad" = 0 ] && awk "BEGIN{exit !($worst < 2)}"'
codes=$(sed -n 's/^signin codes //p' "$T/result")
check "sign-ins in the flood get 401, 429 or 503 with Retry-After" \
  '! tr " " "\n" <<<"$codes" | grep -vqE "^(401|429\+retry|503\+retry)="'

login() { # login ORIGIN_HEADER...: the status of the admin's sign-in from 127.0.0.1
  curl -s -o /dev/null -w '%{http_code}' "$@" -H 'Content-Type: application/json' \
    -d "{\"name\":\"admin\",\"password\":\"$PW\"}" "$url/api/v1/session"
}
check "the flood did not lock the admin out from another address" '[ "$(login)" = 200 ]'
check "a sign-in from a foreign Origin is refused (login CSRF)" \
  '[ "$(login -H "Origin: https://evil.example")" = 403 ]'
check "... and one with a foreign Referer and no Origin" \
  '[ "$(login -H "Referer: https://evil.example/page")" = 403 ]'
check "the station's own origin signs in" '[ "$(login -H "Origin: $url")" = 200 ]'
body=$(curl -s -H 'Origin: https://evil.example' -H 'Content-Type: application/json' \
  -d "{\"name\":\"admin\",\"password\":\"$PW\"}" "$url/api/v1/session")
check "the 403 does not echo the password" '[[ "$body" != *"$PW"* ]]'

kill -TERM "$server"
wait "$server"
rc=$?
server=
check "the station stops cleanly" '[ "$rc" = 0 ]'

# The new settings are checked at start.
for bad in header_timeout_s=0 hash_threads=0 hash_queue=100000; do
  key=${bad%%=*}
  sed -i "s|^$key=.*|$bad|" "$PACKTRACE_DATA/station.ini"
  grep -q "^$bad\$" "$PACKTRACE_DATA/station.ini" || echo "$bad" >>"$PACKTRACE_DATA/station.ini"
  err=$(timeout 10 "$BIN" run --listen 127.0.0.1:0 2>&1 >/dev/null)
  check "[http] $bad is refused at start, naming the key" '[[ "$err" == *"$key"* ]]'
  sed -i "/^$key=/d" "$PACKTRACE_DATA/station.ini"
done
tap_finish
