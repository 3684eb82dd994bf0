# c-files.sh ROOT: sourced by the style checks.  Enters the source tree ROOT, brings in the
# TAP helpers and a temporary folder $T, and defines c_files, which lists the project's own
# C, one path a line: every .c and .h of the source folders, without vendored code or fuzz
# corpora.
set -u
cd "${1:-.}" || exit 1
. tests/tap.sh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

c_files() {
  find station models labels pipeline tests web-ui -name '*.[ch]' -not -path '*/vendor/*' \
    -not -path '*/corpus/*' | sort
}
