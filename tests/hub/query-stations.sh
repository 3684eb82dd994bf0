#!/usr/bin/env bash
# query-stations.sh DIR_A DIR_B: the two stations the hub's reader tests sync (test-hub-query.c),
# made with the real CLI.  A is the buyer portal's station (tests/station/buyer-setup.sh: four
# batches, two gradings, a hold, a recall, a load to each of two buyers); B is a second shed
# with one graded batch of another grower and variety.  Needs PACKTRACE_BUILD and
# PT_TEST_FRUITGEN.
set -euo pipefail
BIN=${PACKTRACE_BUILD:?}/station/packtrace
GEN=${PT_TEST_FRUITGEN:?}
must() {
  "$@" >"$T/step.out" 2>&1 || { echo "set-up step failed: $*" >&2; cat "$T/step.out" >&2; exit 1; }
}
T=$1
mkdir -p "$T"
. "$(dirname "$0")/../station/buyer-setup.sh"
buyer_station

T=$2
mkdir -p "$T/img"
export PACKTRACE_DATA=$T/data
must "$BIN" init
sed -i 's/^demo=auto/demo=off/' "$T/data/station.ini"
must "$BIN" batch new --product Apples --gtin $GTIN_B --variety Gala --grower "Hill orchard" \
  --pack-date 2026-11-06 --lot APL-B1
must "$GEN" "$T/img"
must "$BIN" grade --batch APL-B1 "$T/img/good.png" "$T/img/defect.png" "$T/img/good.png"
must "$BIN" grade close APL-B1
must "$BIN" batch hold APL-B1 --reason "bruising"
must "$BIN" batch release APL-B1
