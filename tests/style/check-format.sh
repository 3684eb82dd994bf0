#!/usr/bin/env bash
# check-format.sh SOURCE_ROOT: every C file of ours is as the checked-in .clang-format lays
# it out (clang-format 14, Debian 12's).  Fix with: clang-format -i FILE.  TAP output.
. "$(dirname "$0")/c-files.sh" "${1:-.}"
if ! command -v clang-format >/dev/null; then
  echo "1..0 # SKIP clang-format is not installed (apt-get install clang-format)"
  exit 77
fi
c_files >"$T/files"
: >"$T/bad"
while read -r f; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || echo "$f" >>"$T/bad"
done <"$T/files"
n_files=$(wc -l <"$T/files")
if [ -s "$T/bad" ]; then
  not_ok "$n_files C files formatted" "$(wc -l <"$T/bad") not: clang-format -i $(tr '\n' ' ' <"$T/bad")"
else
  ok "$n_files C files formatted"
fi
tap_finish
