#!/usr/bin/env bash
# test-dashboard-browser.sh: the operator dashboard (/station) in Debian's Chromium driven by
# playwright-core (dashboard-browser.mjs) against the real `packtrace run` on loopback, with
# a station in Asia/Shanghai, a batch held on an open load, two printers in station.ini (one
# that refuses, one that prints) and fruit images graded below class by the CLI: the
# sign-in form alone while signed out, the "needs attention" strip, the refused load close,
# the driver's plate photo on the load, the batch list and form, a grading opened and
# closed with its live tolerance warning and the stills of fruit below class, printing by
# printer name with a failed job retried and cancelled, both languages.  Screenshots (1366x768, zh and en) are left in the
# build directory; axe-core is run on the page when npm can install it.  Skips (77) without
# chromium, node or npm, or when npm cannot install playwright-core; never downloads a browser.
set -u
BIN=${PACKTRACE_BUILD:?}/station/packtrace
HERE=$(dirname "$0")
. "$(dirname "$0")/../npm-tools.sh"
playwright_tools
for e in videotestsrc jpegenc; do
  gst-inspect-1.0 --exists "$e" 2>/dev/null || { echo "1..0 # SKIP GStreamer element $e is missing (the driver's photo)"; exit 77; }
done
# axe-core is optional: without it the accessibility check is reported as skipped.
(npm_tools node_modules/axe-core/package.json axe-core@4.10.2) >/dev/null 2>&1
AXE=$NPM_DIR/node_modules/axe-core/axe.min.js
[ -f "$AXE" ] || AXE=

T=$(mktemp -d)
server=
printer=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; [ -n "$printer" ] && kill "$printer" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
GTIN=09506000134352
GEN=${PT_TEST_FRUITGEN:?}
mkdir -p "$T/img"
must "$GEN" "$T/img"
must "$BIN" init
# No demo cameras: this test does not watch them, and making their footage takes both
# cores for many seconds at the first start and holds up a stop.
sed -i 's/^demo=auto$/demo=off/' "$PACKTRACE_DATA/station.ini"
sed -i 's|^time_zone=.*|time_zone=Asia/Shanghai|' "$PACKTRACE_DATA/station.ini"
# The page's grading figures are recorded here as the grading camera would: no demo camera
# (whose footage is ready within seconds) may grade into them.
sed -i 's|^demo=auto|demo=off|' "$PACKTRACE_DATA/station.ini"
grep -q '^demo=off$' "$PACKTRACE_DATA/station.ini" || { echo "Bail out! cannot turn the demo off"; exit 1; }
must "$BIN" batch new --product Oranges --gtin $GTIN --variety Navel --origin CN \
  --grower "Li farm" --harvest-date 2026-11-20 --pack-date 2026-11-25 --quantity 1200 --lot OK1
must "$BIN" batch new --product Pomelos --gtin $GTIN --grower "Chen orchard" --lot HELD1
# A grading of OK1, closed with its signed inspecting event: the list's verdict column.
must sqlite3 -cmd ".timeout 5000" "$PACKTRACE_DATA/station.db" "
INSERT INTO gradings (batch_id, profile, declared_class, mm_per_px, model_version, opened_ns)
  VALUES (1, 'orange-unece', 'I', 0.3, 'test', 1);
INSERT INTO graded_fruit (grading_id, graded_ns, source, class, diameter_mm, length_mm, weight_g,
  ripe_fraction, green_fraction, defect_count, defect_area_mm2, defect_largest_mm2,
  defect_longest_mm, views, rule, confidence)
SELECT 1, value, 'test', 'I', 70, 70, 200, 1, 0, 0, 0, 0, 0, 1, 'test', 1 FROM generate_series(1, 10);"
must "$BIN" grade close OK1
must "$BIN" batch new --product Oranges --gtin $GTIN --grower "Li farm" --lot GR1
must "$BIN" load new --plate "SH 123" --seal S-77 --driver-name "Wang Wei" --destination "Fresh Co"
must "$BIN" load add 1 OK1
must "$BIN" load add 1 HELD1
must "$BIN" batch hold HELD1 --reason "Customer complaint: mould"
must "$BIN" driver add --name "Wang Wei"
DTOKEN=$("$BIN" driver token 1 --json | jq -r .token)
must gst-launch-1.0 -q videotestsrc num-buffers=1 ! video/x-raw,width=640,height=480 ! jpegenc \
  ! filesink location="$T/plate.jpg"
OP_PW="shed day 2026 ok"
must sh -c "echo '$OP_PW' | '$BIN' user add shed-op --role operator"
must sh -c "echo '$OP_PW' | '$BIN' user add shed-admin --role admin"
# Two printers: the dock's port nobody listens on (its job retries and it is an alert), the
# office's takes every job.
PPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
OKPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
while True:
    c, _ = s.accept()
    while c.recv(65536): pass
    c.close()' "$OKPORT" &
printer=$!
cat >>"$PACKTRACE_DATA/station.ini" <<EOF

[printer dock]
address=127.0.0.1:$PPORT
label=Dock label printer
template=case
default=true

[printer office]
address=127.0.0.1:$OKPORT
EOF

"$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
server=$!
for _ in $(seq 50); do
  url=$(grep -o 'http://[0-9.:]*' "$T/run.out" 2>/dev/null | head -1)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "# server did not start"; sed 's/^/#   /' "$T/run.err"; exit 1; }
OPTOKEN=$(sed -n 's/^operator_token=//p' "$PACKTRACE_DATA/station.ini")
must curl -sf -H "Authorization: Bearer $OPTOKEN" -d '{"batches":["OK1"],"printer":"dock"}' \
  "$url/api/v1/print-jobs"

# The driver joins load 1 by its plate and photographs the plate.
must curl -sf -H "Authorization: Bearer $DTOKEN" -H 'Content-Type: application/json' \
  -d '{"plate":"SH 123","seal":"S-77"}' "$url/api/v1/driver/loads"
must curl -sf -H "Authorization: Bearer $DTOKEN" -H 'Content-Type: image/jpeg' \
  --data-binary @"$T/plate.jpg" "$url/api/v1/driver/loads/1/photos?kind=plate"

PT_PHOTO=$T/plate.jpg PT_ADMIN=shed-admin PT_DTOKEN=$DTOKEN PT_PPORT=$PPORT PT_IMG=$T/img timeout 300 node "$HERE/dashboard-browser.mjs" "$url" shed-op "$OP_PW" "$PACKTRACE_BUILD" "$OPTOKEN" \
  "$PACKTRACE_DATA/station.db" "$AXE"
