#!/usr/bin/env bash
# check-format.sh SOURCE_ROOT: every C file of ours is as the checked-in .clang-format lays
# it out (clang-format 14, Debian 12's).  Fix with: clang-format -i FILE.  TAP output.
. "$(dirname "$0")/c-files.sh" "${1:-.}"
if ! command -v clang-format >/dev/null; then
  echo "1..0 # SKIP clang-format is not installed (apt-get install clang-format)"
  exit 77
fi
c_files >"$T/files"
# Fifty files a process, two at a time: one process per file cost 20-30 s on a busy box.
xargs -d '\n' -n 50 -P 2 clang-format --dry-run --Werror <"$T/files" >/dev/null 2>"$T/errors"
rc=$?
grep -E '^[^:]+:[0-9]+:[0-9]+: error:' "$T/errors" | cut -d: -f1 | sort -u >"$T/bad"
n_files=$(wc -l <"$T/files")
if [ ! -s "$T/bad" ] && [ "$rc" != 0 ]; then
  not_ok "$n_files C files formatted" "clang-format failed: $(head -c 500 "$T/errors")"
elif [ -s "$T/bad" ]; then
  not_ok "$n_files C files formatted" "$(wc -l <"$T/bad") not: clang-format -i $(tr '\n' ' ' <"$T/bad")"
else
  ok "$n_files C files formatted"
fi
tap_finish
