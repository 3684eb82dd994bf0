#!/usr/bin/env bash
# fuzz-run.sh TARGET CORPUS [LIBFUZZER OPTION...]: fuzzes TARGET for PT_FUZZ_SECONDS (default
# 20) from a copy of the checked-in CORPUS (new inputs stay in a temporary folder, never in
# the source tree) and prints libFuzzer's figures.  Fails on any crash, leak, timeout or
# out-of-memory; the input that did it is kept in PT_FUZZ_ARTIFACTS (default build dir's
# fuzz-artifacts/) to become a regression seed.
set -euo pipefail
target=$1 corpus=$2
shift 2
seconds=${PT_FUZZ_SECONDS:-20}
artifacts=${PT_FUZZ_ARTIFACTS:-$(dirname "$target")/fuzz-artifacts}
mkdir -p "$artifacts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$corpus"/. "$work"/
log=$work/fuzz.log
status=0
# libFuzzer's own exit status for a finding is 77, which meson reads as a skip: ask for 1.
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=3072 -print_final_stats=1 \
  -error_exitcode=1 -timeout_exitcode=1 \
  -artifact_prefix="$artifacts/$(basename "$target")-" "$@" "$work" >"$log" 2>&1 || status=$?
# The figures: the last status line and the final stats.
grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -n 1 || true
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$log" || true
if [ "$status" != 0 ]; then
  echo "$(basename "$target"): libFuzzer exited $status; the log's end:"
  tail -n 60 "$log"
fi
exit "$status"
