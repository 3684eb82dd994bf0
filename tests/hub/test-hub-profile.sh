#!/usr/bin/env bash
# test-hub-profile.sh: a real `packtrace run` station with a [public] section, a PNG logo and
# a location syncs to a real `packtrace hub serve` on a throwaway PostgreSQL (pg-fixture.sh);
# the hub's consumer page of its lot (HTML in Chinese and English, and JSON) then says who
# packed it as the station's own page does: the co-op's name and logo (served by the hub under
# its SHA-256), the town, the hotline and the origin map.  The page is served gzipped to a
# client that takes it (the same bytes once gunzipped, from the page cache too).  A changed
# profile shows at the next view, the cached page dropped; an SVG logo with a script is
# refused by the hub with its reason (the station says so in sync status, the page keeps the
# last good profile); a profile request with a bad signature and an oversize logo are refused.
# With --browser (test hub-profile-browser) the page is also opened in Debian's Chromium: the
# co-op's name and logo show and the records verify.
set -u
HERE=$(dirname "$0")
BROWSER=${1:-}
if [ "$BROWSER" = --browser ]; then
  . "$HERE/../npm-tools.sh"
  playwright_tools
fi
. "$HERE/../tap.sh"
. "$HERE/pg-fixture.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
T=$(mktemp -d)
hub=
station=
cleanup() {
  [ -n "$hub" ] && kill "$hub" 2>/dev/null
  [ -n "$station" ] && kill "$station" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$T"
  pg_fixture_stop
}
pg_fixture_start
trap cleanup EXIT
export PACKTRACE_HUB_DSN=$PT_HUB_DSN
"$BIN" hub migrate >/dev/null || { echo "Bail out! hub migrate failed"; exit 1; }
"$BIN" hub serve --port 0 --port-file "$T/hub.port" >"$T/hub.out" 2>"$T/hub.err" &
hub=$!
for _ in $(seq 100); do [ -s "$T/hub.port" ] && break; sleep 0.1; done
HUB=http://127.0.0.1:$(cat "$T/hub.port")

pt() { PACKTRACE_DATA=$T/s "$BIN" "$@"; }
start_station() {
  PACKTRACE_DATA=$T/s "$BIN" run --listen 127.0.0.1:0 >>"$T/run.out" 2>>"$T/run.err" &
  station=$!
}
stop_station() { kill "$station"; wait "$station" 2>/dev/null; station=; }
# wait_for WHAT: up to 20 s for the condition WHAT (eval'd) to hold.
wait_for() {
  for _ in $(seq 100); do eval "$1" && return 0; sleep 0.2; done
  return 1
}

# A logo of its own: a 4x4 PNG.
python3 - "$T/logo.png" <<'EOF' || exit 1
import struct, sys, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
raw = b"".join(b"\0" + b"\xe0\x60\x10" * 4 for _ in range(4))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)) + \
    chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
EOF
LOGO=$(sha256sum <"$T/logo.png" | cut -c1-64)

pt init >/dev/null || exit 1
sed -i 's/^demo=auto/demo=off/' "$T/s/station.ini"
sed -i 's/^location=$/location=25.39,114.92/' "$T/s/station.ini"
cat >>"$T/s/station.ini" <<EOF

[public]
coop_name=Gannan Navel Orange Co-op
coop_name_zh=赣南脐橙合作社
coop_logo=$T/logo.png
town=Xinfeng, Ganzhou
town_zh=赣州市信丰县
hotline=+86 797 555 0100
EOF
code=$("$BIN" hub station enrol-code "Shed 1" --json | jq -r .code)
pt sync add hub --type hub --url "$HUB" --enrol "$code" >/dev/null || exit 1
sed -i 's/^\[sync hub\]$/[sync hub]\nretry_min_ms=100\nretry_max_ms=1000/' "$T/s/station.ini"
pt batch new --product Oranges --gtin 09506000134352 --grower "Li farm" --pack-date 2026-11-25 >/dev/null || exit 1
SID=$(pt key show --json | jq -r .station_id)
LOT=$(pt batch show "#1" --json | jq -r .lot)
PAGE="$HUB/01/09506000134352/10/$LOT"
events() { sqlite3 "$T/s/station.db" "SELECT count(*) FROM events"; }
held() { "$BIN" hub status --json | jq -r --arg id "$SID" '.stations[] | select(.station == $id) | .events'; }
start_station
check "the station syncs its events and its profile to the hub" \
  'wait_for "[ \"\$(held)\" = \"\$(events)\" ] && [ \"\$(pg_psql -c \"SELECT count(*) FROM station_profiles\")\" = 1 ]"'
check "the station says the hub holds its public profile" \
  'wait_for "grep -q \"the hub holds the station.s public profile\" \"$T/run.err\" \"$T/run.out\""'
check "the hub holds the logo bytes under their SHA-256" \
  '[ "$(pg_psql -c "SELECT encode(sha256(data), '\''hex'\'') || '\'' '\'' || media_type FROM profile_logos")" = "$LOGO image/png" ]'

# --- the page says who packed the lot ------------------------------------------------------
curl -s -H 'Accept: application/json' "$PAGE" >"$T/page.json"
check "JSON: the co-op, its town, hotline, location and logo" \
  '[ "$(jq -r "[.profile.coop_name, .profile.town_zh, .profile.hotline, .profile.location.lat, .profile.logo.url] | join(\"|\")" "$T/page.json")" = "Gannan Navel Orange Co-op|赣州市信丰县|+86 797 555 0100|25.39|/logo/$LOGO" ]'
curl -s -H 'Accept: text/html' -H 'Accept-Language: en' "$PAGE" >"$T/en.html"
check "HTML in English: the co-op's name and its logo from the hub in the header" \
  'grep -q "<span class=\"brand\"><img src=\"/logo/$LOGO\" alt=\"\" height=\"28\">Gannan Navel Orange Co-op" "$T/en.html"'
check "HTML in English: the town, the hotline to dial and the origin map" \
  'grep -q "Xinfeng, Ganzhou" "$T/en.html" && grep -q "href=\"tel:+86-797-555-0100\">[^<]*+86 797 555 0100" "$T/en.html" && grep -q "<svg class=\"origin-map\"" "$T/en.html"'
curl -s -H 'Accept: text/html' -H 'Accept-Language: zh-CN' "$PAGE" >"$T/zh.html"
check "HTML in Chinese: the co-op's and the town's Chinese names, the map" \
  'grep -q "height=\"28\">赣南脐橙合作社" "$T/zh.html" && grep -q "赣州市信丰县" "$T/zh.html" && grep -q "<svg class=\"origin-map\"" "$T/zh.html"'
check "the link preview (Open Graph image) is the logo" 'grep -q "og:image\" content=\"https://[^\"]*/logo/$LOGO\"" "$T/en.html"'
code=$(curl -s -o "$T/logo.got" -D "$T/logo.h" -w '%{http_code}' "$HUB/logo/$LOGO")
check "the hub serves the logo: image/png, immutable, never a document that runs scripts" \
  '[ "$code" = 200 ] && cmp -s "$T/logo.got" "$T/logo.png" && grep -qi "^Content-Type: image/png" "$T/logo.h" && grep -qi "^Cache-Control: .*immutable" "$T/logo.h" && grep -qi "^Content-Security-Policy: default-src .none.*sandbox" "$T/logo.h"'
check "a logo no profile names is not served" \
  '[ "$(curl -s -o /dev/null -w "%{http_code}" "$HUB/logo/$(printf x | sha256sum | cut -c1-64)")" = 404 ]'

# --- gzip -----------------------------------------------------------------------------------
curl -s -H 'Accept: text/html' -H 'Accept-Language: en' -H 'Accept-Encoding: gzip' -D "$T/gz.h" -o "$T/en.gz" "$PAGE"
check "the page is sent gzipped to a client that takes it, from the page cache" \
  'grep -qi "^Content-Encoding: gzip" "$T/gz.h" && grep -qi "^X-PT-Cache: hit" "$T/gz.h" && grep -qi "^Vary: Accept-Encoding" "$T/gz.h"'
check "the same bytes once gunzipped, smaller on the wire" \
  'gunzip -c "$T/en.gz" | cmp -s - "$T/en.html" && [ "$(stat -c %s "$T/en.gz")" -lt "$(stat -c %s "$T/en.html")" ]'
echo "# the English page: $(stat -c %s "$T/en.html") bytes, gzipped $(stat -c %s "$T/en.gz")"
GZTAG=$(sed -n 's/^[Ee][Tt]ag: *\(.*\)\r$/\1/p' "$T/gz.h")
check "under an ETag of its own, revalidated with 304" \
  '[[ "$GZTAG" == *-gz\" ]] && [ "$(curl -s -o /dev/null -w "%{http_code}" -H "Accept: text/html" -H "Accept-Encoding: gzip" -H "If-None-Match: $GZTAG" "$PAGE")" = 304 ]'
curl -s -H 'Accept: application/json' -H 'Accept-Encoding: gzip' -D "$T/gzj.h" -o "$T/json.gz" "$PAGE"
check "the JSON too" 'grep -qi "^Content-Encoding: gzip" "$T/gzj.h" && gunzip -c "$T/json.gz" | cmp -s - "$T/page.json"'

# --- a changed profile shows at the next view -------------------------------------------------
curl -s -D "$T/h1" -o /dev/null -H 'Accept: text/html' -H 'Accept-Language: en' "$PAGE"
check "before the change the page is a cache hit" 'grep -qi "^X-PT-Cache: hit" "$T/h1"'
TAG1=$(sed -n 's/^[Ee][Tt]ag: *\(.*\)\r$/\1/p' "$T/h1")
stop_station
sed -i 's/^coop_name=.*/coop_name=Xinfeng Orange Growers/; s/^hotline=.*/hotline=400 800 1234/' "$T/s/station.ini"
start_station
check "the changed profile reaches the hub" \
  'wait_for "[ \"\$(pg_psql -c \"SELECT profile::jsonb->>'\''coop_name'\'' FROM station_profiles\")\" = \"Xinfeng Orange Growers\" ]"'
curl -s -D "$T/h2" -o "$T/en2.html" -H 'Accept: text/html' -H 'Accept-Language: en' "$PAGE"
check "the next view shows it: the cached page was dropped, the ETag changed" \
  'grep -q ">Xinfeng Orange Growers" "$T/en2.html" && grep -q "tel:400-800-1234" "$T/en2.html" && grep -qi "^X-PT-Cache: miss" "$T/h2" && ! grep -qi "^ETag: $TAG1" "$T/h2"'
check "a revalidation with the old ETag gets the new page" \
  '[ "$(curl -s -o /dev/null -w "%{http_code}" -H "Accept: text/html" -H "Accept-Language: en" -H "If-None-Match: $TAG1" "$PAGE")" = 200 ]'
sent=$(grep -c "the hub holds the station.s public profile" "$T/run.err" "$T/run.out" | awk -F: '{s += $2} END {print s}')
stop_station
start_station
sleep 2
check "an unchanged profile is not sent again at a restart" \
  '[ "$(grep -c "the hub holds the station.s public profile" "$T/run.err" "$T/run.out" | awk -F: "{s += \$2} END {print s}")" = "$sent" ]'

# --- what is refused --------------------------------------------------------------------------
stop_station
printf '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><script>alert(1)</script></svg>' >"$T/logo.svg"
sed -i "s|^coop_logo=.*|coop_logo=$T/logo.svg|" "$T/s/station.ini"
start_station
check "an SVG logo with a script is refused by the hub, the reason in the station's sync status" \
  'wait_for "pt sync status --json | jq -r .connectors[0].last_error | grep -q \"refused the station.s public profile.*HTTP 400.*SVG logo holds <script\""'
check "the hub keeps no such logo, and the page keeps the last good profile" \
  '[ "$(pg_psql -c "SELECT count(*) FROM profile_logos WHERE media_type = '\''image/svg+xml'\''")" = 0 ] && curl -s -H "Accept: application/json" "$PAGE" | jq -e ".profile.coop_name == \"Xinfeng Orange Growers\" and .profile.logo.url == \"/logo/$LOGO\"" >/dev/null'
check "the station goes on syncing its events after the refusal" \
  'pt event add 1 --step shipping >/dev/null && wait_for "[ \"\$(held)\" = \"\$(events)\" ]"'
now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
body='{"type":"packtrace-profile/1","name":"Forged","coop_name":"Forged Co-op"}'
code=$(curl -s -o "$T/forged" -w '%{http_code}' -X PUT -H "PT-Station: $SID" -H "PT-Date: $now" \
  -H "PT-Signature: $(head -c 64 /dev/zero | base64 -w0)" --data-binary "$body" "$HUB/hub/v1/profile")
check "a profile with a bad signature: 401, bad request signature, nothing stored" \
  '[ "$code" = 401 ] && jq -e ".error == \"bad request signature\"" "$T/forged" >/dev/null && [ "$(pg_psql -c "SELECT count(*) FROM station_profiles WHERE profile LIKE '\''%Forged%'\''")" = 0 ]'
head -c 70000 /dev/urandom >"$T/big.png"
code=$(curl -s -o "$T/big" -w '%{http_code}' -X PUT -H "PT-Station: $SID" -H "PT-Date: $now" \
  -H "PT-Signature: $(head -c 64 /dev/zero | base64 -w0)" --data-binary "@$T/big.png" \
  "$HUB/hub/v1/profile/logo/$(sha256sum <"$T/big.png" | cut -c1-64)")
check "an oversize logo: 413 naming the limit" \
  '[ "$code" = 413 ] && jq -e ".error | test(\"over the limit of 65536 bytes\")" "$T/big" >/dev/null'

if [ "$BROWSER" = --browser ]; then
  # The good profile back, so the browser sees a logo.
  stop_station
  sed -i "s|^coop_logo=.*|coop_logo=$T/logo.png|" "$T/s/station.ini"
  start_station
  check "the PNG logo's profile is back at the hub" \
    'wait_for "curl -s -H \"Accept: application/json\" \"$PAGE\" | jq -e \".profile.logo.url == \\\"/logo/$LOGO\\\"\" >/dev/null"'
  timeout 120 node "$HERE/hub-profile-browser.mjs" "$HUB" "/01/09506000134352/10/$LOT" "/logo/$LOGO" \
    "$PACKTRACE_BUILD/tests/hub" >"$T/browser.tap"
  while read -r line; do
    case $line in
      "ok "*) ok "${line#ok [0-9]* }" ;;
      "not ok "*) not_ok "${line#not ok [0-9]* }" "in Chromium" ;;
      "#"*) echo "$line" ;;
    esac
  done <"$T/browser.tap"
fi
check "no hub error" '! grep -qi "critical\|assert" "$T/hub.err"'

tap_finish
