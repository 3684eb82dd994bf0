#!/usr/bin/env bash
# run-sanitize.sh [MESON TEST ARGS...]: builds the project with ASan and UBSan in its own
# build dir (PACKTRACE_SANITIZE_BUILD, default build-asan/) and runs the test suite under
# them (`meson test --setup sanitize`, see tests/meson.build): a leak of the project's own
# memory, an overrun or undefined behaviour fails the test.  Results land in
# BUILD/meson-logs/testlog-sanitize.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${PACKTRACE_SANITIZE_BUILD:-build-asan}
if [ ! -f "$BUILD/build.ninja" ]; then
  # UBSan reports abort instead of carrying on; b_lundef=false because the sanitizer
  # runtimes are linked into executables, not into the GStreamer plugin.
  meson setup "$BUILD" --buildtype=debugoptimized -Db_sanitize=address,undefined \
    -Db_lundef=false -Dc_args=-fno-sanitize-recover=undefined
fi
rm -f "$BUILD/meson-logs/testlog-sanitize.json"
meson compile -C "$BUILD"
# The pipeline suite runs here too, each test also under GStreamer's leaks tracer
# (tests/pipeline/gst-leaks.sh).  Left out, each run in the plain suite:
# - shed-day: its fault schedule is timed for the plain build (under ASan its restarts are
#   slower than the day's planned moments) and it would add about two minutes; its station
#   code runs here through the other tests.
# - station-demo-load and pipeline-qr: the dock camera must read labels in the seconds they
#   are in view; under ASan the rate-limited, motion-gated scan branch decodes too slowly
#   (each failed a reading or frame-count check in three sanitizer runs, at a different check
#   each time).
# - the browser tests (*-browser): what they add over the curl tests is the pages' scripts,
#   which the sanitizers do not see; the server routes behind the pages have curl tests of
#   their own here.  Under ASan they took 632 of the suite's 3,346 test-seconds (19%) on a
#   loaded box, 1-3 minutes each of Chromium waiting on a slow server.
# - the station's long camera runs (station-cameras, -load-scan, -gaps, -metrics,
#   -grading-run) and hub-sync: minutes of real cameras, demo footage and outages choreographed
#   in time, 315 of this suite's 1,162 test-seconds on an idle box, with CI's whole run at 25
#   of its 30 minutes.  The code they drive runs here through the pipeline suite (every camera
#   kind, kill -9 recovery, stalls, disk full, clips), the station's HTTP and CLI tests, and
#   hub-ingest, hub-keys and the sync suite.
# - upgrade-schemas: each released schema's fixture opened by today's build, 51 s under ASan
#   (CI's whole run reached 28 of its 30 minutes with the live view and timeline tests); its
#   work is SQL migrations, which the plain suite runs, and the store code they end in runs
#   here through every station test.
# - models-eval-whole: 457 real photos graded whole (14 s plain, several times that here);
#   the same whole-frame search and analysis run here on generated belts and the bobcorn
#   frames (models-synthetic, models-bobcorn), and the fuzz build fuzzes it (fuzz-grade).
# - models-eval-on-black-roi and -closeup: the light box's photos graded through one box and
#   close up, 19 s here; the same pasting and grading run here in models-eval-on-black and
#   models-eval-robust's light-box variants (CI's whole run reached 30 min 7 s with them).
EXCLUDED=(models-eval-whole models-eval-on-black-roi models-eval-on-black-closeup shed-day
  station-demo-load pipeline-qr station-cameras station-load-scan station-gaps station-metrics
  station-grading-run hub-sync upgrade-schemas)
mapfile -t tests < <(meson test -C "$BUILD" --setup sanitize --list --no-rebuild 2>/dev/null |
  sed -n 's/^packtrace:\([a-z-]*\) \/ \(.*\)$/\1 \2/p' |
  while read -r suite name; do
    [[ " ${EXCLUDED[*]} " == *" $name "* || $name == *-browser ]] && continue
    echo "$name"
  done)
meson test -C "$BUILD" --setup sanitize --no-rebuild --print-errorlogs --num-processes 2 \
  "${tests[@]}" "$@"
