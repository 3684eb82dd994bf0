#!/usr/bin/env bash
# test-driver-browser.sh: the driver's page in Debian's Chromium driven by playwright-core
# (driver-browser.mjs) against the real `packtrace run` on loopback, once in English and once
# in Chinese: the login link, a load chosen from the trucks loading now and joined with its
# seal (plate typed without its dot), the lot typed as printed and GTIN + lot typed, a refusal
# said in the page's language from the station's code, a GS1-128 read by the live camera from
# the station's own rendered case label (Chromium's fake camera playing a .y4m made from the
# PNG), a GS1 DataMatrix rendered by bwip-js through the same camera (when npm can install
# bwip-js), that label held in view without repeated lines, the camera banner clearing, an
# offline scan and an offline photo kept over a reload and sent once the connection returns, the page reloaded
# offline from its service worker with the truck's list kept, and a new login link replacing
# the session in the same tab.  Screenshots are left in the build directory; axe-core runs on
# the page when npm can install it.  Skips (77) without chromium, node, npm or the GStreamer
# elements that make the camera file; never downloads a browser.
set -u
BIN=${PACKTRACE_BUILD:?}/station/packtrace
HERE=$(dirname "$0")
. "$(dirname "$0")/../npm-tools.sh"
playwright_tools
for e in pngdec videoscale imagefreeze y4menc videotestsrc jpegenc; do
  gst-inspect-1.0 --exists "$e" 2>/dev/null || { echo "1..0 # SKIP GStreamer element $e is missing (the fake camera)"; exit 77; }
done
(npm_tools node_modules/axe-core/package.json axe-core@4.10.2) >/dev/null 2>&1
AXE=$NPM_DIR/node_modules/axe-core/axe.min.js
[ -f "$AXE" ] || AXE=
# bwip-js renders the GS1 DataMatrix the camera is shown (the station prints none); without
# it that check is reported as skipped.
(npm_tools node_modules/bwip-js/package.json bwip-js@4.11.4) >/dev/null 2>&1
BWIP=
[ -f "$NPM_DIR/node_modules/bwip-js/package.json" ] && BWIP=1

T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
GTIN=09506000134352
must "$BIN" init
# No demo cameras: this test does not watch them, and making their footage takes both
# cores for many seconds at the first start and holds up a stop.
sed -i 's/^demo=auto$/demo=off/' "$PACKTRACE_DATA/station.ini"
must gst-launch-1.0 -q videotestsrc num-buffers=1 ! video/x-raw,width=800,height=600 ! jpegenc \
  ! filesink location="$T/plate.jpg"
for lang in en zh; do
  for lot in OK1 OK2 OK3 HELD1 CASE TYPED GTINLOT DM; do
    must "$BIN" batch new --product Oranges --gtin $GTIN --lot "$lot-$lang"
  done
  must "$BIN" batch hold "HELD1-$lang" --reason "residue check"
  must "$BIN" label "OK3-$lang" --template pallet --format png -o "$T/OK3-$lang.png"
  # The case label carries a GS1-128 only; the fake camera plays it (I420, as Chromium
  # reads a .y4m).
  must "$BIN" label "CASE-$lang" --template case --format png -o "$T/case-$lang.png"
  must gst-launch-1.0 -q filesrc location="$T/case-$lang.png" ! pngdec ! videoconvert ! videoscale \
    ! video/x-raw,format=I420,width=1216,height=608,pixel-aspect-ratio=1/1 ! imagefreeze num-buffers=25 \
    ! video/x-raw,framerate=1/1 ! y4menc ! filesink location="$T/case-$lang.y4m"
  [ -n "$BWIP" ] || continue
  # A GS1 DataMatrix of (01) GTIN and (10) lot, as another shed's printer would make it; the
  # camera then shows the case label for 25 s (read, then held in view for the repeat check)
  # and this for the next 10 s, in a loop (the frames of one .y4m after the other's: same
  # size, so one header; a frame a second keeps the file small).
  must node -e '
    const bwip = require(process.env.NPM_DIR + "/node_modules/bwip-js");
    bwip.toBuffer({ bcid: "gs1datamatrix", text: process.argv[1], scale: 12, paddingwidth: 6, paddingheight: 6,
      backgroundcolor: "FFFFFF" }).then((b) => require("fs").writeFileSync(process.argv[2], b));' \
    "(01)$GTIN(10)DM-$lang" "$T/dm-$lang.png"
  must gst-launch-1.0 -q filesrc location="$T/dm-$lang.png" ! pngdec ! videoconvert ! videoscale \
    ! video/x-raw,format=I420,width=1216,height=608,pixel-aspect-ratio=1/1 ! imagefreeze num-buffers=10 \
    ! video/x-raw,framerate=1/1 ! y4menc ! filesink location="$T/dm-$lang.y4m"
  must python3 -c '
import sys
case, dm = (open(p, "rb").read() for p in sys.argv[1:3])
head = case[:case.index(b"\n") + 1]
assert dm.startswith(head), "the two .y4m differ in size or format"
open(sys.argv[1], "wb").write(case + dm[len(head):])' "$T/case-$lang.y4m" "$T/dm-$lang.y4m"
done
# Trucks loading now, opened at the station (a Chinese plate is printed with a middle dot).
must "$BIN" load new --plate "赣B·12345" --seal GX-en
must "$BIN" load new --plate "粤A·54321" --seal GX-zh
for name in "Wang Lei" "Li Na" "Zhao Min" "Chen Jie"; do
  must "$BIN" driver add --name "$name"
done
for i in 1 2 3 4; do
  eval "TOKEN$i=\$(\"\$BIN\" driver token $i --json | jq -r .token)"
done

"$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
server=$!
for _ in $(seq 50); do
  url=$(grep -o 'http://[0-9.:]*' "$T/run.out" 2>/dev/null | head -1)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "# server did not start"; sed 's/^/#   /' "$T/run.err"; exit 1; }
OPTOKEN=$(sed -n 's/^operator_token=//p' "$PACKTRACE_DATA/station.ini")
HOST=$(sed -n 's/^public_host=//p' "$PACKTRACE_DATA/station.ini")

# Both runs count their checks on from PT_FIRST; one plan closes the output.
status=0
export PT_COUNT=$T/count PT_BASE=$url PT_OPTOKEN=$OPTOKEN PT_LINK="https://$HOST/01/$GTIN/10/" PT_GTIN=$GTIN \
  PT_OUT=$PACKTRACE_BUILD PT_AXE=$AXE PT_PHOTO=$T/plate.jpg PT_DATAMATRIX=$BWIP
echo 0 >"$T/count"
PT_LANG=en PT_TOKEN=$TOKEN1 PT_TOKEN2=$TOKEN2 PT_NAME2="Li Na" PT_PLATE="赣B·12345" PT_TYPED_PLATE="赣B12345" \
  PT_SEAL=GX-en PT_LABEL=$T/OK3-en.png PT_CAMERA=$T/case-en.y4m \
  timeout 240 node "$HERE/driver-browser.mjs" || status=1
PT_LANG=zh PT_TOKEN=$TOKEN3 PT_TOKEN2=$TOKEN4 PT_NAME2="Chen Jie" PT_PLATE="粤A·54321" PT_TYPED_PLATE="粤a 54321" \
  PT_SEAL=GX-zh PT_LABEL=$T/OK3-zh.png PT_CAMERA=$T/case-zh.y4m \
  timeout 240 node "$HERE/driver-browser.mjs" || status=1
echo "1..$(cat "$T/count")"
exit $status
