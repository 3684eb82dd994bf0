#!/usr/bin/env bash
# test-web-browser.sh: the consumer page and the operator dashboard in Debian's Chromium driven by playwright-core
# (web-browser.mjs) against the real `packtrace run` on loopback, on a station that has rotated
# its key while its batches were open.  Screenshots of the page
# in zh and en are left in the build directory.  Skips (77) without chromium, node or npm,
# or when npm cannot install playwright-core; never downloads a browser.
set -u
BIN=${PACKTRACE_BUILD:?}/station/packtrace
HERE=$(dirname "$0")
. "$(dirname "$0")/../npm-tools.sh"
playwright_tools

T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
GTIN=09506000134352
must "$BIN" init
new_batch() {
  must "$BIN" batch new --product Oranges --gtin $GTIN --variety Navel --origin CN \
    --grower "Li farm" --harvest-date 2026-11-20 --quantity 1200 --lot "$1"
}
new_batch OK1
must "$BIN" event add OK1 --step inspecting --disposition conformant --note "call 13800138000"
must "$BIN" event add OK1 --step packing --at 2026-11-25T09:00:00Z
# An evidence clip for OK1, cut by `event add --camera` from a short recorded segment (made
# here with GStreamer, registered as a closed segment of camera "testcam").
CLIP=
if gst-inspect-1.0 --exists x264enc 2>/dev/null && gst-inspect-1.0 --exists matroskamux 2>/dev/null; then
  mkdir -p "$T/data/recordings/testcam"
  SEG=$T/data/recordings/testcam/seg1.mkv
  must gst-launch-1.0 -q videotestsrc pattern=ball num-buffers=100 \
    ! video/x-raw,width=320,height=240,framerate=25/1 ! x264enc bitrate=200 key-int-max=25 \
    ! h264parse ! matroskamux ! filesink location="$SEG"
  S=$(($(date +%s) - 60))
  must sqlite3 "$T/data/station.db" "INSERT INTO segments (camera, path, start_ns, end_ns, bytes, state)
    VALUES ('testcam', '$SEG', $S * 1000000000, ($S + 4) * 1000000000, $(stat -c %s "$SEG"), 'closed');"
  must "$BIN" event add OK1 --step picking --camera testcam \
    --from "$(date -u -d @$((S + 1)) +%FT%TZ)" --to "$(date -u -d @$((S + 3)) +%FT%TZ)"
  # The clip of a step with an operator's note is private: no player, and the Digital Link
  # does not serve it.
  must "$BIN" event add OK1 --step shipping --camera testcam --note "truck 赣B12345" \
    --from "$(date -u -d @$((S + 1)) +%FT%TZ)" --to "$(date -u -d @$((S + 3)) +%FT%TZ)"
  CLIP=1
fi
# ROT1 has events on both sides of a key rotation, a private one (redacted in the public
# bundle) among those after it; every batch below is signed by the new key.
new_batch ROT1
must "$BIN" event add ROT1 --step inspecting --disposition conformant
must "$BIN" key rotate
must "$BIN" event add ROT1 --step packing --note "after the rotation"
must "$BIN" event add ROT1 --step shipping
new_batch TAMPER1
must "$BIN" event add TAMPER1 --step inspecting --disposition conformant
new_batch RECALL1
must "$BIN" batch recall RECALL1 --reason "residue"
# A grading of OK1, closed with its signed inspecting event, so the page draws its grade
# distribution (the page shows the grade that event states).
must sqlite3 "$T/data/station.db" "
INSERT INTO gradings (batch_id, profile, declared_class, mm_per_px, model_version, opened_ns)
  VALUES (1, 'orange-unece', 'I', 0.3, 'test', 1);
INSERT INTO graded_fruit (grading_id, graded_ns, source, class, diameter_mm, length_mm, weight_g,
  ripe_fraction, green_fraction, defect_count, defect_area_mm2, defect_largest_mm2,
  defect_longest_mm, views, rule, confidence)
SELECT 1, value, 'test', CASE WHEN value < 7 THEN 'I' WHEN value < 9 THEN 'Extra' ELSE 'II' END,
  70, 70, 200, 1, 0, 0, 0, 0, 0, 1, 'test', 1 FROM generate_series(1, 10);"
must "$BIN" grade close OK1
# Someone with file access rewrites TAMPER1's inspection as non-conformant -> conformant swap.
must sqlite3 "$T/data/station.db" "
DROP TRIGGER events_append_only_update;
UPDATE events SET body = replace(CAST(body AS TEXT), '\"conformant\"', '\"non_conformant\"')
WHERE batch_id = (SELECT id FROM batches WHERE lot = 'TAMPER1') AND step = 'inspecting';"

# The dashboard's operator signs in with a user account.
OP_PW="shed day 2026 ok"
must sh -c "echo '$OP_PW' | '$BIN' user add shed-op --role operator"

"$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
server=$!
for _ in $(seq 50); do
  url=$(grep -o 'http://[0-9.:]*' "$T/run.out" 2>/dev/null | head -1)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "# server did not start"; sed 's/^/#   /' "$T/run.err"; exit 1; }

timeout 240 node "$HERE/web-browser.mjs" "$url" "/01/$GTIN/10/OK1?13=261125" \
  "/01/$GTIN/10/TAMPER1" "/01/$GTIN/10/RECALL1" "$PACKTRACE_BUILD" shed-op "$OP_PW" "$CLIP" \
  "/01/$GTIN/10/ROT1"
