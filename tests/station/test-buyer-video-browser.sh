#!/usr/bin/env bash
# test-buyer-video-browser.sh: a buyer watching the loading of their load in the buyer portal
# (buyer-video-browser.mjs) in Debian's Chromium against the real `packtrace run` on loopback
# (buyer-video-setup.sh: a test camera at the dock burning its capture time in): live while
# the load is open, then, once the operator closes it, its recorded window, each frame's
# burned-in time read back from the page's <video>.  Screenshots are left in the build
# directory.  Skips (77) without chromium, node, npm or what buyer-video-setup.sh needs.
set -u
BIN=${PACKTRACE_BUILD:?}/station/packtrace
HERE=$(dirname "$0")
. "$HERE/../tap.sh"
. "$HERE/../npm-tools.sh"
playwright_tools
T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
. "$HERE/buyer-video-setup.sh"
bv_station
must bv_op POST /api/v1/loads "{\"plate\":\"SH 1\",\"seal\":\"S-1\",\"dock\":\"dock1\",\"destination\":\"Fresh Co\",\"destination_gln\":\"$GLN_A\"}"
must bv_op POST /api/v1/loads/1/batches '{"batch":"BV1"}'
# Another buyer's load: never in buyer A's list.
must bv_op POST /api/v1/loads "{\"plate\":\"SH 2\",\"seal\":\"S-2\",\"dock\":\"dock7\",\"destination_gln\":\"$GLN_B\"}"
OPENED_MS=$(( $(bv_sql "SELECT opened_ns FROM loads WHERE id = 1") / 1000000 ))
timeout 120 node "$HERE/buyer-video-browser.mjs" "$URL" buyer-a "$BUYER_PW" "$OPTOKEN" "$OPENED_MS" \
  "$PACKTRACE_BUILD"
rc=$?
[ $rc -eq 0 ] || sed 's/^/# run.err: /' "$T/run.err" | tail -20
exit $rc
