#!/usr/bin/env bash
# test-consumer-browser.sh: the consumer page as a shopper's phone opens it, in Debian's
# Chromium driven by playwright-core (consumer-browser.mjs) against the real `packtrace run` on
# loopback: rendered on the server in zh and en (Accept-Language, the switch and its cookie),
# without JavaScript too; words instead of codes, the grade as shares, the story in event-time
# order with the operator's public note (a page whose note differs from the signed one loses
# its mark), the co-op's name, town, hotline and scan count from station.ini's [public] and the
# scans table; the recall banner, the unknown-lot warning and its counter in /metrics; Open
# Graph meta, the favicon, the first view's weight, axe-core with no violation; the lot's photo
# (shown, its bytes checked against the signed hash) and certificates (listed, each checked
# against its record: a title altered on its way loses the mark, as does a swapped photo).
# Screenshots
# of each state at 390x844 and 1280x800 in both languages are left in the build directory
# (consumer-STATE-LANG-SIZE.png).  Skips (77) without chromium, node or npm; never downloads a
# browser.
set -u
BIN=${PACKTRACE_BUILD:?}/station/packtrace
HERE=$(dirname "$0")
. "$(dirname "$0")/../npm-tools.sh"
playwright_tools
(npm_tools node_modules/axe-core/package.json axe-core@4.10.2) >/dev/null 2>&1
AXE=$NPM_DIR/node_modules/axe-core/axe.min.js
[ -f "$AXE" ] || AXE=

T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
GTIN=09506000134352
must "$BIN" init
# No demo cameras: this test watches none, and making their footage at the first start takes
# both cores for many seconds and holds up the stop.
sed -i 's/^demo=auto$/demo=off/' "$PACKTRACE_DATA/station.ini"
cat >"$T/logo.svg" <<'SVG'
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="14" fill="#f08a1c"/></svg>
SVG
cat >>"$T/data/station.ini" <<INI
[public]
coop_name=Gannan Navel Orange Co-op
coop_name_zh=赣南脐橙合作社
coop_logo=$T/logo.svg
town=Xinfeng, Ganzhou
town_zh=赣州市信丰县
hotline=+86 797 555 0100
INI
must "$BIN" batch new --product Oranges --gtin $GTIN --variety Navel --origin CN \
  --grower "Li farm" --harvest-date 2026-11-20 --quantity 1200 --lot OK1
must "$BIN" event add OK1 --step packing --at 2026-11-25T09:00:00Z \
  --public-note "Packed by hand the morning after picking / 采摘次日清晨手工包装"
# Recorded after the packing, happened before it: the story shows it first.
must "$BIN" event add OK1 --step receiving --at 2026-11-21T08:00:00Z
# A grading of OK1 declared class I with 3 of 10 fruit below it: outside the tolerance.
must sqlite3 "$T/data/station.db" "
INSERT INTO gradings (batch_id, profile, declared_class, mm_per_px, model_version, opened_ns)
  VALUES (1, 'orange-unece', 'I', 0.3, 'test', 1);
INSERT INTO graded_fruit (grading_id, graded_ns, source, class, diameter_mm, length_mm, weight_g,
  ripe_fraction, green_fraction, defect_count, defect_area_mm2, defect_largest_mm2,
  defect_longest_mm, views, rule, confidence)
SELECT 1, value, 'test', CASE WHEN value <= 6 THEN 'Extra' WHEN value <= 7 THEN 'I' ELSE 'II' END,
  70, 70, 200, 1, 0, 0, 0, 0, 0, 1, 'test', 1 FROM generate_series(1, 10);"
must "$BIN" grade close OK1
# The lot's photo and two certificates, as an operator attaches them.
must gst-launch-1.0 -q videotestsrc num-buffers=1 pattern=smpte ! video/x-raw,width=1600,height=1200 \
  ! jpegenc ! filesink location="$T/photo.jpg"
must gst-launch-1.0 -q videotestsrc num-buffers=1 pattern=ball ! video/x-raw,width=600,height=800 \
  ! pngenc ! filesink location="$T/gi.png"
python3 "$HERE/make-pdf.py" "Pesticide residue: none detected" >"$T/report.pdf"
must "$BIN" batch attach OK1 --photo "$T/photo.jpg"
must "$BIN" batch attach OK1 --certificate "$T/report.pdf" --kind residue-test \
  --title "Residue test report" --title-zh "赣州农残检测报告" --issuer "Ganzhou Inspection Lab" \
  --issued 2026-11-24 --valid-until 2027-05-24
must "$BIN" batch attach OK1 --certificate "$T/gi.png" --kind gi-mark --title "Gannan navel orange GI" \
  --title-zh "赣南脐橙地理标志"
must "$BIN" batch new --product Oranges --gtin $GTIN --variety Navel --origin CN \
  --grower "Li farm" --harvest-date 2026-11-20 --quantity 800 --lot RECALL1
must "$BIN" batch recall RECALL1 --reason "pesticide residue above the limit"
# OK1's label was looked up 41 times before, the first on 26 November.
must sqlite3 "$T/data/station.db" "INSERT INTO scans (batch_id, count, first_ns, last_ns)
  VALUES (1, 41, 1795651200000000000, 1795651200000000000);"
TOKEN=$(sed -n 's/^operator_token=//p' "$T/data/station.ini")

"$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
server=$!
for _ in $(seq 50); do
  url=$(grep -o 'http://[0-9.:]*' "$T/run.out" 2>/dev/null | head -1)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "# server did not start"; sed 's/^/#   /' "$T/run.err"; exit 1; }

PT_AXE=$AXE PT_TOKEN=$TOKEN timeout 240 node "$HERE/consumer-browser.mjs" "$url" \
  "/01/$GTIN/10/OK1" "/01/$GTIN/10/RECALL1" "/01/$GTIN/10/NOSUCHLOT" "$PACKTRACE_BUILD"
