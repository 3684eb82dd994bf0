#!/usr/bin/env bash
# test-driver-browser.sh: the driver's page in Debian's Chromium driven by playwright-core
# (driver-browser.mjs) against the real `packtrace run` on loopback: the login link, a load
# opened, scans injected as decoded payloads, an offline scan replayed once when the
# connection returns, a refusal for a held batch, and a label photo decoded in the page.
# A screenshot is left in the build directory.  Skips (77) without chromium, node or npm,
# or when npm cannot install playwright-core; never downloads a browser.
set -u
BIN=${PACKTRACE_BUILD:?}/station/packtrace
HERE=$(dirname "$0")
[ -x /usr/bin/chromium ] || { echo "1..0 # SKIP /usr/bin/chromium missing (apt-get install chromium)"; exit 77; }
command -v node >/dev/null && command -v npm >/dev/null || { echo "1..0 # SKIP node or npm missing"; exit 77; }

export NPM_DIR=$PACKTRACE_BUILD/npm-tools
if [ ! -f "$NPM_DIR/node_modules/playwright-core/package.json" ]; then
  mkdir -p "$NPM_DIR"
  if ! PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 timeout 300 npm install --silent --no-audit --no-fund \
      --prefix "$NPM_DIR" playwright-core@1.49.1 >"$NPM_DIR/install-playwright-driver.log" 2>&1; then
    echo "1..0 # SKIP npm could not install playwright-core (see $NPM_DIR/install-playwright-driver.log)"
    exit 77
  fi
fi

must() {
  "$@" >"$T/step.out" 2>&1 || { echo "# set-up step failed: $*"; sed 's/^/#   /' "$T/step.out"; exit 1; }
}

T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
GTIN=09506000134352
must "$BIN" init
for lot in OK1 OK2 OK3 HELD1; do
  must "$BIN" batch new --product Oranges --gtin $GTIN --lot $lot
done
must "$BIN" batch hold HELD1 --reason "residue check"
must "$BIN" label OK3 --template pallet --format png -o "$T/OK3.png"
must "$BIN" driver add --name "Wang Lei"
TOKEN=$("$BIN" driver token 1 --json | jq -r .token)
HOST=$(sed -n 's/^public_host=//p' "$PACKTRACE_DATA/station.ini")

"$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
server=$!
for _ in $(seq 50); do
  url=$(grep -o 'http://[0-9.:]*' "$T/run.out" 2>/dev/null | head -1)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "# server did not start"; sed 's/^/#   /' "$T/run.err"; exit 1; }
OPTOKEN=$(sed -n 's/^operator_token=//p' "$PACKTRACE_DATA/station.ini")
timeout 150 node "$HERE/driver-browser.mjs" "$url" "$TOKEN" "https://$HOST/01/$GTIN/10/" \
  "$T/OK3.png" "$PACKTRACE_BUILD" "$OPTOKEN"
