#!/usr/bin/env bash
# test-hub-video-browser.sh: a buyer watching the loading of their load on the co-op hub's page
# (hub-video-browser.mjs) in Debian's Chromium, the station behind NAT relaying its video
# through the hub (hub-video-setup.sh: a real hub on a throwaway PostgreSQL, a real station
# with a test camera at the dock burning its capture time in): live while the load is open,
# then its recorded window once the operator closes it, each frame's burned-in time read
# back.  Screenshots are left in the build directory.  Skips (77) without chromium, node,
# npm, PostgreSQL or what hub-video-setup.sh needs.
set -u
BIN=${PACKTRACE_BUILD:?}/station/packtrace
HERE=$(dirname "$0")
. "$HERE/../tap.sh"
. "$HERE/../npm-tools.sh"
playwright_tools
. "$HERE/pg-fixture.sh"
. "$HERE/hub-video-setup.sh"
hv_setup
curl -sf -m 20 -X POST -H "Authorization: Bearer $OPTOKEN" -d "{\"plate\":\"HV 1\",\"seal\":\"S-9\",\"dock\":\"dock1\",\"destination\":\"Fresh Co\",\"destination_gln\":\"$GLN_A\"}" "$URL/api/v1/loads" >/dev/null &&
  curl -sf -m 20 -X POST -H "Authorization: Bearer $OPTOKEN" -d '{"batch":"HV1"}' "$URL/api/v1/loads/1/batches" >/dev/null ||
  { echo "Bail out! the load could not be opened"; exit 1; }
OPENED_MS=$(( $(sqlite3 "$PACKTRACE_DATA/station.db" "SELECT opened_ns FROM loads WHERE id = 1") / 1000000 ))
# The hub knows the load once the station's sync has sent its loading event.
wait_for 30 '[ "$(curl -s -m 5 -H "Authorization: Bearer $TOKEN_A" "$HUB/api/v1/buyer/loads" | jq ".loads | length")" = 1 ]' ||
  { echo "Bail out! the hub never heard of the load"; exit 1; }
timeout 200 node "$HERE/hub-video-browser.mjs" "$HUB" "$URL" "$TOKEN_A" "$TOKEN_B" "$OPTOKEN" "$OPENED_MS" \
  "$PACKTRACE_BUILD"
rc=$?
[ $rc -eq 0 ] || { sed 's/^/# run.err: /' "$T/run.err" | tail -20; sed 's/^/# hub.log: /' "$T/hub.log" | tail -10; }
exit $rc
