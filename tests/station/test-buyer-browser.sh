#!/usr/bin/env bash
# test-buyer-browser.sh: the buyer portal in Debian's Chromium driven by playwright-core
# (buyer-browser.mjs) against the real `packtrace run` on loopback, on the station of
# buyer-setup.sh: search, CSV, a batch with its clips' hashes, EPCIS and bundle downloads, the
# bundle verified with `packtrace verify`; buyers' sign-in, the GLN scope and the scan spike.  Screenshots are left in the build directory.
# Skips (77) without chromium, node or npm, or when npm cannot install playwright-core; never
# downloads a browser.
set -u
BIN=${PACKTRACE_BUILD:?}/station/packtrace
GEN=${PT_TEST_FRUITGEN:?}
HERE=$(dirname "$0")
. "$(dirname "$0")/../npm-tools.sh"
playwright_tools

T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
. "$HERE/buyer-setup.sh"
buyer_station
# People sign in with accounts: one buyer sees every batch, one only what is shipped to GLN_A.
BUYER_PW="fresh fruit 2026"
must sh -c "echo '$BUYER_PW' | '$BIN' user add buyer-all --role buyer"
must sh -c "echo '$BUYER_PW' | '$BIN' user add buyer-a --role buyer --scope $GLN_A"
# ORA-001's label was scanned a few times a day, then 60 times today (a spike: the counterfeit
# signal); ORA_002's evenly (none).
today=$(( $(date -u +%s) / 86400 ))
must sqlite3 "$T/data/station.db" "
INSERT INTO scans SELECT id, 72, 1, 2 FROM batches WHERE lot = 'ORA-001';
INSERT INTO scan_days SELECT id, $today - 4, 3 FROM batches WHERE lot = 'ORA-001';
INSERT INTO scan_days SELECT id, $today - 3, 2 FROM batches WHERE lot = 'ORA-001';
INSERT INTO scan_days SELECT id, $today - 1, 4 FROM batches WHERE lot = 'ORA-001';
INSERT INTO scan_days SELECT id, $today, 60 FROM batches WHERE lot = 'ORA-001';
INSERT INTO scans SELECT id, 30, 1, 2 FROM batches WHERE lot = 'ORA_002';
INSERT INTO scan_days SELECT id, $today - 1, 15 FROM batches WHERE lot = 'ORA_002';
INSERT INTO scan_days SELECT id, $today, 15 FROM batches WHERE lot = 'ORA_002';"
buyer_run
timeout 150 node "$HERE/buyer-browser.mjs" "$url" "$PACKTRACE_BUILD" "$TOKEN" "$BIN" "$CLIP" "$GLN_A" \
  "$BUYER_PW"
