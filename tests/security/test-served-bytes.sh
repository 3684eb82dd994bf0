#!/usr/bin/env bash
# test-served-bytes.sh: a signed record leaves the station byte for byte, in every route.
# The issue's case: a quantity of 72.77000000000001 (what JavaScript gives when it sums six
# case weights) sent through the HTTP API is signed as is; the operator's bundle and EPCIS
# document, the public bundle and EPCIS document at the batch's Digital Link, `export`, and
# the webhook payload (to a receiver on loopback) each carry the stored record verbatim;
# `packtrace verify` accepts every bundle and the consumer page's own algorithm (the canon()
# of web-ui/pt-verify.js, run in node) gives each record's signed hash.  Also: times outside
# the plausible window (2262-04-12, a pack date of 9999-12-31) are refused with a clear error.
#
# Before the fix the served bundle said 72.77 and `verify` failed: "content does not match its
# hash (event altered)".
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
SRC=${PACKTRACE_SOURCE:?}
T=$(mktemp -d)
server=
RX=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; [ -n "$RX" ] && kill "$RX" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data

"$BIN" init >/dev/null || { echo "Bail out! init failed"; exit 1; }
sed -i 's/^demo=auto$/demo=off/' "$PACKTRACE_DATA/station.ini"
TOKEN=$(sed -n 's/^operator_token=//p' "$PACKTRACE_DATA/station.ini")

# A webhook receiver on loopback that keeps every body it is sent, byte for byte.
mkdir -p "$T/hook"
cat >"$T/rx.py" <<'PY'
import http.server, os, sys
out = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    n = 0
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        H.n += 1
        with open(os.path.join(out, '%04d.json' % H.n), 'wb') as f:
            f.write(body)
        self.send_response(200)
        self.send_header('Content-Length', '0')
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(('127.0.0.1', 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
python3 "$T/rx.py" "$T/hook" >"$T/rx.port" &
RX=$!
for _ in $(seq 50); do [ -s "$T/rx.port" ] && break; sleep 0.1; done
RXPORT=$(cat "$T/rx.port")
"$BIN" sync add hook --type webhook --url "http://127.0.0.1:$RXPORT/hook" \
  --secret 0123456789abcdef-secret --from-start >/dev/null ||
  { echo "Bail out! sync add failed"; exit 1; }

run_station
post() {
  CODE=$(curl -s -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' --data-binary "$2" "$url$1")
  BODY=$(cat "$T/body")
}
get() { curl -s -o "$2" -w '%{http_code}' "${@:3}" "$url$1"; }

# The number as JavaScript writes it: jq would round it, so the body is written by hand.
post /api/v1/batches '{"product":"Oranges","gtin":"09506000134352","pack_date":"2026-11-25","uom":"KGM","quantity":72.77000000000001}'
check "a batch of 72.77000000000001 kg is created (201)" '[ "$CODE" = 201 ]'
ID=$(jq -r .id <<<"$BODY")
LOT=$(jq -r .lot <<<"$BODY")
sqlite3 "$PACKTRACE_DATA/station.db" "SELECT body FROM events WHERE batch_id = $ID ORDER BY seq" >"$T/stored"
check "the stored record holds 72.77000000000001" 'grep -q "72.77000000000001" "$T/stored"'

DL="/01/09506000134352/10/$LOT"
check "operator bundle (200)" '[ "$(get "/api/v1/batches/$ID/bundle" "$T/api-bundle.json" -H "Authorization: Bearer $TOKEN")" = 200 ]'
check "operator EPCIS (200)" '[ "$(get "/api/v1/batches/$ID/epcis" "$T/api-epcis.json" -H "Authorization: Bearer $TOKEN")" = 200 ]'
check "public bundle at the Digital Link (200)" '[ "$(get "$DL?linkType=pt:traceBundle" "$T/public-bundle.json")" = 200 ]'
check "public EPCIS at the Digital Link (200)" '[ "$(get "$DL?linkType=gs1:epcis" "$T/public-epcis.json")" = 200 ]'
"$BIN" export "$ID" --format bundle -o "$T/export-bundle.json" 2>/dev/null
"$BIN" export "$ID" -o "$T/export-epcis.json" 2>/dev/null
for _ in $(seq 100); do grep -qs "72.77" "$T"/hook/*.json && break; sleep 0.1; done

# Every route carries each stored record verbatim.
for f in api-bundle api-epcis public-bundle public-epcis export-bundle export-epcis; do
  check "$f carries the stored record byte for byte" \
    '(while IFS= read -r rec; do grep -qF -- "$rec" "$T/$f.json" || exit 1; done <"$T/stored")'
done
check "the webhook payload carries the stored record byte for byte" \
  'grep -qsF -- "$(head -1 "$T/stored")" "$T"/hook/*.json'
check "no route says 72.77 alone" '! grep -l "72\.77[^0]" "$T"/*.json "$T"/hook/*.json'

for f in api-bundle public-bundle export-bundle; do
  expect 0 "packtrace verify accepts the $f" "$BIN" verify "$T/$f.json"
done

# The consumer page's algorithm (canon() of web-ui/pt-verify.js) on the served bundles.
cat >"$T/check.js" <<'JS'
const fs = require('fs'), crypto = require('crypto');
const src = fs.readFileSync(process.argv[2], 'utf8');
const m = src.match(/function canon\(v\) \{[\s\S]*?\n  \}\n/);
if (!m) { console.error('canon() not found in pt-verify.js'); process.exit(2); }
const canon = new Function(m[0] + '; return canon;')();
const b = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
let k = 0;
for (const p of b.proofs) {
  if (p.redacted) continue;
  const e = b.epcis.epcisBody.eventList[k++];
  const h = crypto.createHash('sha256').update(canon(e), 'utf8').digest('hex');
  if (h !== p.hash) { console.error('event ' + k + ': ' + h + ' != ' + p.hash); process.exit(1); }
}
JS
if command -v node >/dev/null; then
  for f in api-bundle public-bundle; do
    check "the page's algorithm gives each record's signed hash ($f)" \
      'node "$T/check.js" "$SRC/web-ui/pt-verify.js" "$T/$f.json"'
  done
else
  skip "the page's algorithm on the served bundles" "node is not installed"
fi

# --- the time window ---
post "/api/v1/batches/$ID/events" '{"step":"packing","at":"2262-04-12T00:00:00Z"}'
check "an event at 2262-04-12T00:00:00Z is refused (400), naming the window" \
  '[ "$CODE" = 400 ] && [[ "$BODY" == *"2000 to 2099"* ]]'
post /api/v1/batches '{"product":"Oranges","gtin":"09506000134352","pack_date":"9999-12-31"}'
check "a pack date of 9999-12-31 is refused (400), naming the window" \
  '[ "$CODE" = 400 ] && [[ "$BODY" == *"2000 to 2099"* ]]'
tap_finish
