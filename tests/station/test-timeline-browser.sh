#!/usr/bin/env bash
# test-timeline-browser.sh: the dashboard's recordings timeline in Debian's Chromium driven by
# playwright-core (timeline-browser.mjs) against the real `packtrace run` recording a test
# camera that was stopped and started (timeline-setup.sh): the gap, the events, retention,
# a click that plays within 1 s and across a segment boundary, an export's SHA-256.  The
# screenshot (timeline.png) is left in the build directory.  Skips (77) without chromium,
# node or npm, playwright-core or the GStreamer elements; never downloads a browser.
set -u
BIN=${PACKTRACE_BUILD:?}/station/packtrace
HERE=$(dirname "$0")
. "$HERE/../tap.sh"
. "$HERE/../npm-tools.sh"
. "$HERE/timeline-setup.sh"
playwright_tools
T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
timeline_station
OP_PW="shed day 2026 ok"
must sh -c "echo '$OP_PW' | '$BIN' user add shed-op --role operator"
timeout 120 node "$HERE/timeline-browser.mjs" "$URL" shed-op "$OP_PW" "$PACKTRACE_BUILD" \
  "$PACKTRACE_DATA/station.db" "$RESTART_NS"
