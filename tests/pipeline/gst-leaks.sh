#!/usr/bin/env bash
# gst-leaks.sh PROGRAM [ARGS...]: runs a pipeline test with GStreamer's leaks tracer and fails
# it when GStreamer objects (elements, pads, buffers, caps, events ...) are still alive when the
# program calls gst_deinit() at exit (pt_test_init() arranges that; test-packgrade calls it at
# the end of main).  Every test of tests/pipeline runs through it, in every build and setup.
# The tracer's records go to one log per process (GST_DEBUG_FILE with %p); only the test
# program's own log is checked: its children are GStreamer's tools (gst-launch-1.0) or the
# recorder that test-kill9 kills.  The program's exit status and stdout (TAP) are passed
# through; a leak makes the status 1.
set -u
dir=$(mktemp -d "${TMPDIR:-/tmp}/pt-gst-leaks-XXXXXX")
trap 'rm -rf "$dir"' EXIT

# Alive at exit for reasons outside the project, filtered by type name only:
#   (none so far)
ALLOWED_TYPES=()

# GST_INIT:4 logs "deinitialized GStreamer": proof that the tracer had its say.
GST_TRACERS=leaks GST_DEBUG="${GST_DEBUG:+$GST_DEBUG,}GST_TRACER:7,GST_INIT:4" \
  GST_DEBUG_NO_COLOR=1 GST_DEBUG_FILE="$dir/%p.log" "$@" &
pid=$!
wait "$pid"
status=$?

# The debug output the caller asked for (GST_DEBUG) still reaches stderr.
if [ -n "${GST_DEBUG:-}" ]; then
  cat "$dir"/*.log >&2 2>/dev/null
fi
# Records look like: "... GST_TRACER :0:: object-alive, type-name=(string)GstBuffer,
# address=(gpointer)0x..., description=(string)..., ref-count=(uint)1, trace=(string);"
log="$dir/$pid.log"
alive=$(grep -a 'object-alive, type-name=[^,]*, address=(gpointer)0x' "$log" 2>/dev/null || true)
for type in "${ALLOWED_TYPES[@]}"; do
  alive=$(printf '%s\n' "$alive" | grep -v "type-name=(string)$type," || true)
done
alive=$(printf '%s\n' "$alive" | sed '/^$/d')
if [ "$status" = 0 ] && ! grep -qa 'gst_deinit: deinitialized GStreamer' "$log" 2>/dev/null; then
  echo "gst-leaks: $1 exited without gst_deinit(): the leaks tracer never reported" >&2
  status=1
fi
if [ -n "$alive" ]; then
  echo "gst-leaks: $(printf '%s\n' "$alive" | wc -l) GStreamer object(s) alive at gst_deinit():" >&2
  printf '%s\n' "$alive" | sed 's/.*object-alive, /  /' | cut -c1-300 >&2
  [ "$status" = 0 ] && status=1
fi
exit "$status"
