#!/usr/bin/env bash
# run-fuzz.sh [MESON TEST ARGS...]: builds the libFuzzer targets with clang in their own
# build dir (PACKTRACE_FUZZ_BUILD, default build-fuzz/) and runs suite 'fuzz': every
# checked-in seed once, then each target for PT_FUZZ_SECONDS (default 20) from its corpus;
# the results land in BUILD/meson-logs/testlog.json.
#   PT_FUZZ_SECONDS=180 tests/fuzz/run-fuzz.sh --num-processes 1   # the longer run
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${PACKTRACE_FUZZ_BUILD:-build-fuzz}
if [ ! -f "$BUILD/build.ninja" ]; then
  CC=clang meson setup "$BUILD" -Dfuzz=true --buildtype=debugoptimized
fi
rm -f "$BUILD/meson-logs/testlog.json"
# Only the targets, every one meson defines (a new one needs no line here): the rest of the
# tree is built (and tested) by the other builds.
ninja -C "$BUILD" build.ninja
mapfile -t targets < <(ninja -C "$BUILD" -t targets all |
  sed -n 's/^\(tests\/[a-z]*\/fuzz-[a-z0-9-]*\): .*/\1/p' | sort -u)
ninja -C "$BUILD" "${targets[@]}"
meson test -C "$BUILD" --no-rebuild --suite fuzz --print-errorlogs --num-processes 2 "$@"
