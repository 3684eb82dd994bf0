#!/usr/bin/env bash
# test-gs1-lot.sh: lots with characters of GS1's 82-character set that mean something in a
# URI ('/', '%', '&', '?', '\'') through the whole station: batch new, the API's
# digital_link, the EPCIS epcClass, the printed QR read back by zbarimg, the consumer page
# the QR opens (200 for the right lot) and a driver's scan of the printed link.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
"$BIN" init >/dev/null || { echo "Bail out! init failed"; exit 1; }
# No demo cameras: this test does not watch them, and making their footage takes both
# cores for many seconds at the first start and holds up a stop.
sed -i 's/^demo=auto$/demo=off/' "$PACKTRACE_DATA/station.ini"

GTIN=09506000134352
LOTS=('A/B%1-x' "LOT&7?Q'x" 'P:1;2=3<4>5(6)7*8+9,')
ENC=('A%2FB%251-x' 'LOT%267%3FQ%27x' 'P%3A1%3B2%3D3%3C4%3E5%286%297%2A8%2B9%2C')
for i in 0 1 2; do
  id=$((i + 1))
  expect 0 "batch new --lot ${LOTS[$i]}" "$BIN" batch new --json --product Oranges --gtin $GTIN \
    --lot "${LOTS[$i]}" --pack-date 2026-11-25
  check "lot ${LOTS[$i]} kept as given" '[ "$(jq -r .lot <<<"$OUT")" = "${LOTS[$i]}" ]'
  LINK[$i]="https://trace.example.coop/01/$GTIN/10/${ENC[$i]}?13=261125"
  check "digital_link of ${LOTS[$i]} percent-encodes the lot" \
    '[ "$(jq -r .digital_link <<<"$OUT")" = "${LINK[$i]}" ]'
  expect 0 "export $id" "$BIN" export $id -o "$T/e$id.json"
  check "every epcClass of ${LOTS[$i]} is the encoded link" \
    '[ "$(jq -r "[.. | .epcClass? // empty] | unique | join(\" \")" "$T/e$id.json")" = "https://id.gs1.org/01/$GTIN/10/${ENC[$i]}" ]'
  if command -v zbarimg >/dev/null; then
    expect 0 "label $id" "$BIN" label $id --template pallet --format png -o "$T/l$id.png"
    check "the printed QR of ${LOTS[$i]} reads back as the encoded link" \
      'zbarimg --quiet --raw "$T/l$id.png" 2>/dev/null | grep -qxF "${LINK[$i]}"'
  else
    skip "label $id" "zbarimg not installed"
    skip "QR of ${LOTS[$i]}" "zbarimg not installed"
  fi
done
check "the 20-character lot is 20 characters" '[ ${#LOTS[2]} = 20 ]'
expect 1 "a lot outside the 82-character set is still refused" "$BIN" batch new --product X \
  --gtin $GTIN --lot 'A B'
expect 1 "a 21-character lot is still refused" "$BIN" batch new --product X --gtin $GTIN \
  --lot 'ABCDEFGHIJKLMNOPQRSTU'
expect 0 "a lot of '..' parts is a lot too" "$BIN" batch new --json --product X --gtin $GTIN \
  --lot '../x' --pack-date 2026-11-25
DOTLINK=$(jq -r .digital_link <<<"$OUT")

"$BIN" driver add --name "Wang Lei" >/dev/null
DTOK=$("$BIN" driver token 1 --json | jq -r .token)
run_station

for i in 0 1 2; do
  path=${LINK[$i]#https://trace.example.coop}
  CODE=$(curl -s --path-as-is -H 'Accept: application/json' -o "$T/page" -w '%{http_code}' "$url$path")
  check "the printed link of ${LOTS[$i]} opens its page (200)" \
    '[ "$CODE" = 200 ] && [ "$(jq -r .lot "$T/page")" = "${LOTS[$i]}" ]'
done
CODE=$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$url/01/$GTIN/10/A/B%251-x")
check "a raw '/' in the lot is another path, not the lot A/B%1-x (400)" '[ "$CODE" = 400 ]'
CODE=$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$url/01/$GTIN/10/LOT&7?Q'x")
check "an unencoded '&' names another lot: its product page, not the batch (303)" '[ "$CODE" = 303 ]'
CODE=$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$url/01/$GTIN/10/..%2F..%2Fstation.ini")
check "an unknown lot of '..' parts is no batch, not walked up to the product (404)" '[ "$CODE" = 404 ]'
CODE=$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$url${DOTLINK#https://trace.example.coop}")
check "the printed link of lot ../x opens its page (200)" '[ "$CODE" = 200 ]'

CODE=$(curl -s -o "$T/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $DTOK" \
  "$url/api/v1/driver/loads" -d '{"plate": "AB 123", "seal": "S-1"}')
check "the driver opens a load" '[ "$CODE" = 201 ]'
LOAD=$(jq -r '.load.id // .id' "$T/body")
jq -n --arg p "${LINK[0]}" --arg k "scan-key-1" --arg s "$(date -u +%FT%TZ)" \
  '{payload: $p, key: $k, scanned: $s}' >"$T/scan.json"
CODE=$(curl -s -o "$T/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $DTOK" \
  -H 'Content-Type: application/json' "$url/api/v1/driver/loads/$LOAD/scans" -d @"$T/scan.json")
check "the driver's scan of the printed link loads lot ${LOTS[0]}" \
  '[ "$CODE" = 201 ] && [ "$(jq -r .lot "$T/body")" = "${LOTS[0]}" ]'
kill "$server"
wait "$server" 2>/dev/null
server=
tap_finish
