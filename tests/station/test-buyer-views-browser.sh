#!/usr/bin/env bash
# test-buyer-views-browser.sh: what a buyer decides from, in Debian's Chromium driven by
# playwright-core (buyer-views-browser.mjs) against the real `packtrace run` on loopback, on
# the station of buyer-setup.sh: the signed verdict and its filter, the words in Chinese and
# English, the verified mark, a batch's own address, the CSV's byte order mark, the views
# across batches, no 401 polling when signed out, and axe-core on every state in both
# languages.  Screenshots (phone and desktop, zh and en) are left in the build directory.
# Skips (77) without chromium, node or npm, or when npm cannot install playwright-core; never
# downloads a browser.  axe-core is reported as skipped when npm cannot install it.
set -u
BIN=${PACKTRACE_BUILD:?}/station/packtrace
GEN=${PT_TEST_FRUITGEN:?}
HERE=$(dirname "$0")
. "$(dirname "$0")/../npm-tools.sh"
playwright_tools
(npm_tools node_modules/axe-core/package.json axe-core@4.10.2) >/dev/null 2>&1
AXE=$NPM_DIR/node_modules/axe-core/axe.min.js
[ -f "$AXE" ] || AXE=

T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
. "$HERE/buyer-setup.sh"
buyer_station
BUYER_PW="fresh fruit 2026"
must sh -c "echo '$BUYER_PW' | '$BIN' user add buyer-all --role buyer"
buyer_run
timeout 240 node "$HERE/buyer-views-browser.mjs" "$url" "$PACKTRACE_BUILD" "$BUYER_PW" "$AXE"
