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
# Only the targets: the rest of the tree is built (and tested) by the other builds.
ninja -C "$BUILD" tests/fuzz/fuzz-digital-link tests/fuzz/fuzz-bundle-verify tests/fuzz/fuzz-http \
  tests/fuzz/fuzz-hub-events \
  tests/fuzz/fuzz-config tests/models/fuzz-grade
meson test -C "$BUILD" --no-rebuild --suite fuzz --print-errorlogs --num-processes 2 "$@"
