#!/usr/bin/env bash
# test-idle.sh: an idle `packtrace run` has no thread that polls (issue 17), and its workers
# still pick up what arrives.  A station without cameras, with a webhook connector (so sync
# runs) and nothing to do, is counted over IDLE_S seconds: every context switch of every
# thread (/proc/PID/task/*/status) is a wake-up, and a worker that polls on a clock shows up
# as a steady rate (before: the main loop's print and evidence ticks, the HTTP sweep and the
# scan writer, sync's 200 ms outbox poll: about 16 a second).  An idle thread is not running,
# so a loaded machine adds no involuntary switch to it: the bound holds on a busy box.  Then
# what the sleeping workers wait for: a batch made by the command line (another process) is
# delivered to the webhook, and a print job waiting for its retry is printed at its retry
# time with no commit to wake the queue; afterwards the station is idle again (no worker
# wakes itself up with its own writes).
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
T=$(mktemp -d)
PID=
HOOK_PID=
PRINTER_PID=
trap '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; [ -n "$HOOK_PID" ] && kill "$HOOK_PID" 2>/dev/null; [ -n "$PRINTER_PID" ] && kill "$PRINTER_PID" 2>/dev/null; rm -rf "$T"' EXIT
DATA=$T/data
IDLE_S=10
MAX_WAKEUPS=10 # over IDLE_S: below one a second for the whole process
wait_for() {
  local end=$((SECONDS + $1 * ${PT_TEST_TIME_SCALE:-1}))
  while [ $SECONDS -lt $end ]; do eval "$2" && return 0; sleep 0.2; done
  eval "$2"
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# snapshot: "tid name switches" per thread of the station.
snapshot() {
  local d
  for d in /proc/"$PID"/task/*; do
    awk -v tid="${d##*/}" '/^Name:/ { n = $2 } /ctxt_switches:/ { s += $2 } END { print tid, n, s }' \
      "$d/status" 2>/dev/null
  done
}
# idle_count: wake-ups over IDLE_S (a thread born meanwhile counts from zero, one that ended
# is not seen); the threads that woke go to $T/threads for the message.
idle_count() {
  snapshot >"$T/a"
  sleep "$IDLE_S"
  snapshot >"$T/b"
  awk 'NR == FNR { s[$1] = $3; next } { d = $3 - s[$1]; if (d > 0) { t += d; w[$2] += d } }
       END { for (k in w) printf "%s %d; ", k, w[k] > "/dev/stderr"; print t + 0 }' \
    "$T/a" "$T/b" 2>"$T/threads"
}

"$BIN" init --data "$DATA" >/dev/null || { echo "not ok - init"; exit 1; }
sed -i 's|^demo=.*|demo=off|' "$DATA/station.ini"
HOOK_PORT=$(free_port)
python3 -c '
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(sys.argv[2], "ab") as f:
            f.write(body + b"\n")
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()' "$HOOK_PORT" "$T/hook" &
HOOK_PID=$!
"$BIN" sync add hook --type webhook --url "http://127.0.0.1:$HOOK_PORT/" \
  --secret 0123456789abcdef0123 --data "$DATA" >/dev/null || { echo "not ok - sync add"; exit 1; }
"$BIN" run --data "$DATA" --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
PID=$!
wait_for 30 'grep -q http:// "$T/run.out"'
check "station starts" 'grep -q http:// "$T/run.out"'
sleep 2 # start-up passes (print queue, evidence, sync) are over

n_idle=$(idle_count)
check "an idle station wakes fewer than $MAX_WAKEUPS times in $IDLE_S s (all threads; got $n_idle: $(cat "$T/threads"))" \
  '[ "$n_idle" -lt "$MAX_WAKEUPS" ]'

# Written by another process: the commit wakes sync through the watch on station.db.
"$BIN" batch new --product "Navel oranges" --gtin 09506000134352 --data "$DATA" >"$T/batch" ||
  echo "# batch new failed"
BATCH=$(awk '$1 == "batch" { print $2; exit }' "$T/batch")
wait_for 10 '[ -s "$T/hook" ]'
check "a batch made from the command line reaches the webhook" 'grep -q commissioning "$T/hook"'

# A printer that is down: the command line's own attempt fails and the job waits for a
# retry, which only a deadline wakes (nothing is committed in between).
PPORT=$(free_port)
"$BIN" label "$BATCH" --template case --print "127.0.0.1:$PPORT" --data "$DATA" >"$T/label.out" 2>&1
check "the command line's attempt fails and the job waits" \
  '[ "$(sqlite3 "$DATA/station.db" "SELECT state FROM print_jobs")" = queued ]'
python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
while True:
    c, _ = s.accept()
    with open(sys.argv[2], "ab") as f:
        while True:
            d = c.recv(65536)
            if not d: break
            f.write(d)
    c.close()' "$PPORT" "$T/printed" &
PRINTER_PID=$!
wait_for 20 '[ "$(sqlite3 "$DATA/station.db" "SELECT state FROM print_jobs")" = done ]'
check "the running station prints it at its retry time" \
  '[ "$(sqlite3 "$DATA/station.db" "SELECT state FROM print_jobs")" = done ] && [ -s "$T/printed" ]'

sleep 3 # the follow-ups of the delivery and the print (and GLib's change hints) are over
n_after=$(idle_count)
check "idle again afterwards: fewer than $MAX_WAKEUPS wake-ups in $IDLE_S s (got $n_after: $(cat "$T/threads"))" \
  '[ "$n_after" -lt "$MAX_WAKEUPS" ]'

kill -TERM "$PID"
wait "$PID" 2>/dev/null
PID=
tap_finish
