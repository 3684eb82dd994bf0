# npm-tools.sh: the Node tools of the tests (sourced).  Packages go into one folder of the
# build directory, $NPM_DIR, installed once; never a browser (Debian's chromium is used).
export NPM_DIR=$PACKTRACE_BUILD/npm-tools

# npm_tools MARKER PACKAGE@VERSION...: installs the packages unless MARKER (a path under
# $NPM_DIR) is there.  Tests run two at a time and share the folder, so installs take turns
# under a lock.  Exits 77 (skip) when npm is missing or cannot install them.
npm_tools() {
  local marker=$NPM_DIR/$1
  shift
  command -v node >/dev/null && command -v npm >/dev/null || {
    echo "1..0 # SKIP node or npm missing"
    exit 77
  }
  mkdir -p "$NPM_DIR"
  (
    flock 9
    [ -e "$marker" ] && exit 0
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 timeout 300 npm install --silent --no-audit --no-fund \
      --prefix "$NPM_DIR" "$@" >"$NPM_DIR/install.log" 2>&1
  ) 9>"$NPM_DIR/.install.lock" || {
    echo "1..0 # SKIP npm could not install $* (see $NPM_DIR/install.log)"
    exit 77
  }
}

# playwright_tools: Debian's chromium and playwright-core to drive it, or exit 77.
playwright_tools() {
  [ -x /usr/bin/chromium ] || {
    echo "1..0 # SKIP /usr/bin/chromium missing (apt-get install chromium)"
    exit 77
  }
  npm_tools node_modules/playwright-core/package.json playwright-core@1.49.1
}

# must CMD...: runs a set-up step (output in $T/step.out); on failure says which one, with
# its output, and ends the test.
must() {
  "$@" >"$T/step.out" 2>&1 || {
    echo "# set-up step failed: $*"
    sed 's/^/#   /' "$T/step.out"
    exit 1
  }
}
