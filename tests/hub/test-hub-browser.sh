#!/usr/bin/env bash
# test-hub-browser.sh: the consumer pages of two stations' lots served by the hub, in Debian's
# Chromium (hub-browser.mjs), with both stations' data folders removed first: the hub serves
# and the browser verifies from what the hub holds alone.  Skips (77) without chromium, node or
# npm, as the station's browser tests do.  A long lot's page lists a bounded view of its
# records and checks the hub's view of its bundle; altered, that view loses the mark.
set -u
HERE=$(dirname "$0")
. "$HERE/../npm-tools.sh"
playwright_tools
. "$HERE/../tap.sh"
. "$HERE/hub-two-stations.sh"

# A long lot at A (121 records): its page lists a bounded number and checks the hub's view of
# its bundle (?linkType=pt:traceBundle&view=page).
export PACKTRACE_DATA=$T/A
must "$BIN" batch new --product Oranges --gtin $GTIN --grower "Li farm" --lot LONG1
must "$PACKTRACE_BUILD/tests/station/pt-test-records" "$T/A" LONG1 120
must "$POST" "$T/A" "$URL"

# The stations are gone: nothing of theirs is left to serve from.
rm -rf "$T/A" "$T/B"
timeout 120 node "$HERE/hub-browser.mjs" "$URL" "/01/$GTIN/10/$LOT_ENC" "/01/$GTIN/10/RC1" \
  "/01/$GTIN/10/LONG1"
