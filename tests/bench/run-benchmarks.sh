#!/usr/bin/env bash
# run-benchmarks.sh BUILD_DIR: every benchmark of the project, one after another
# (not part of the test suite: figures are printed, nothing is asserted on time).
set -u
B=${1:?build dir}
run() { echo "== $1"; shift; "$@" || echo "(failed: $?)"; echo; }
run "station core" "$B/tests/bench/bench-station"
run "buyer views across batches" "$B/tests/bench/bench-buyer-stats"
run "sync" "$B/tests/bench/bench-sync"
run "recall: impact list among 1 million events, notices to 100 recipients" \
  "$B/tests/bench/bench-recall"
run "hub ingest, 50 stations" env PG_FIXTURE_DURABLE=1 "$(dirname "$0")/../hub/with-pg.sh" \
  "$B/tests/bench/bench-hub-ingest"
run "hub resolver and consumer page vs nginx" "$(dirname "$0")/bench-hub-serve.sh" \
  "$B/station/packtrace" "$B/tests/hub/hub-post"
run "station HTTP" "$(dirname "$0")/bench-http.sh" "$B/station/packtrace"
run "consumer page vs nginx" "$(dirname "$0")/bench-consumer.sh" "$B/station/packtrace"
run "consumer page on emulated slow networks (Chromium)" "$(dirname "$0")/bench-consumer-4g.sh" \
  "$B/station/packtrace"
run "/healthz under slow-client and sign-in floods" "$(dirname "$0")/bench-flood.sh" "$B/station/packtrace"
run "live view: latency and CPU of a watched camera" "$(dirname "$0")/bench-live.sh" "$B"
run "timeline: a seek on a masked camera (pieces) vs the whole segment masked" \
  "$(dirname "$0")/bench-timeline.sh" "$B"
run "hub video relay: freshness and CPU against the station's own route" \
  "$(dirname "$0")/bench-hub-video.sh" "$B"
run "idle demo station vs bare recording" "$(dirname "$0")/bench-idle.sh" "$B/station/packtrace"
run "idle station: wake-ups per thread vs bare recording" "$(dirname "$0")/bench-wakeups.sh" \
  "$B/station/packtrace"
[ -x "$B/tests/bench/bench-rtsp-serve" ] && SUBSTREAM=${SUBSTREAM:-both} RECORD_ONLY=${RECORD_ONLY:-1} run "capacity: 1080p RTSP cameras with no frame lost: recording alone, analysis on the 1080p stream, on a substream" \
  "$(dirname "$0")/bench-capacity.sh" "$B/station/packtrace" "$B/tests/bench/bench-rtsp-serve"
[ -x "$B/tests/labels/bench-labels" ] && run "labels" "$B/tests/labels/bench-labels"
[ -x "$B/tests/models/bench-models" ] && run "models" "$B/tests/models/bench-models"
[ -x "$B/tests/pipeline/bench-pipeline" ] && run "pipeline" "$B/tests/pipeline/bench-pipeline"
[ -x "$B/tests/pipeline/bench-dwell" ] && run "dwell time of a code at the loading camera" "$B/tests/pipeline/bench-dwell"
exit 0
