#!/usr/bin/env bash
# build-deb.sh OUT: the Debian package from this tree.  A copy of the tracked files (as the
# work tree has them) is laid out in OUT/packtrace-VERSION with station/packaging/debian as its
# debian/, so the top level of the tree holds no debian/ of its own; the .debs (packtrace and
# packtrace-hub) land in OUT.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:?usage: build-deb.sh OUT}
VERSION=$(sed -n "s/^ *version : '\([^']*\)'.*/\1/p" meson.build | head -1)
[ -n "$VERSION" ] || { echo "build-deb.sh: no version in meson.build" >&2; exit 1; }
SRC=$OUT/packtrace-$VERSION
rm -rf "$OUT"
mkdir -p "$SRC"
# Tracked files only: no build directories, data directories or editor files.
git ls-files -z | xargs -0 cp --parents -t "$SRC"
cp -r station/packaging/debian "$SRC/debian"
(cd "$SRC" && dpkg-buildpackage -us -uc -b >../build.log 2>&1) || {
  tail -40 "$OUT/build.log" >&2
  echo "build-deb.sh: dpkg-buildpackage failed (whole log: $OUT/build.log)" >&2
  exit 1
}
ls "$OUT"/packtrace_*.deb "$OUT"/packtrace-hub_*.deb
