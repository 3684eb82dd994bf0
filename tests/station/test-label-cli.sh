#!/usr/bin/env bash
# test-label-cli.sh: `packtrace label` as a newcomer uses it on a real batch: every
# format read back by an independent decoder (zbarimg; PDF through pdftoppm, SVG
# through rsvg-convert), --json checked against the batch and an independent voice
# pick code, station.ini supplier and Chinese fields, bad input (exit 2 / 1, nothing
# written).  Decoder checks are skipped (TAP SKIP) when a tool is missing.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
cd "$T" || exit 1

# The symbols zbarimg finds in a PNG, one per line (GS1-128 as AIs without parentheses).
zbar() { zbarimg --quiet --raw "$1" 2>/dev/null; }

# CRC-16/ARC of GTIN-14 + lot + YYMMDD modulo 10000: PTI's voice pick code, written
# here independently of labels/.
voice_code() {
  python3 -c '
import sys
crc = 0
for b in sys.argv[1].encode("ascii"):
    crc ^= b
    for _ in range(8):
        crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
print("%04d" % (crc % 10000))' "$1"
}

expect 0 "init" "$BIN" init
cat >>"$PACKTRACE_DATA/station.ini" <<'INI'
Oranges=橙子
Navel=脐橙
CN=中国
INI
sed -i -e 's/^supplier_name=$/supplier_name=Green Valley Co-op/' \
  -e 's/^supplier_address=$/supplier_address=1 Orchard Road, Ganzhou/' \
  -e 's/^pack_size=$/pack_size=15 kg carton, 64 ct/' "$PACKTRACE_DATA/station.ini"
expect 0 "batch new" "$BIN" batch new --json --product Oranges --gtin 9506000134352 \
  --variety Navel --origin CN --grower "Li farm" --harvest-date 2026-11-20 --pack-date 2026-11-25 \
  --quantity 1200 --uom KGM
LINK=$(echo "$OUT" | jq -r .digital_link)
LOT=$(echo "$OUT" | jq -r .lot)

expect 0 "label --json" "$BIN" label "$LOT" --json
J=$OUT
check "digital_link is the batch's" '[ "$(echo "$J" | jq -r .digital_link)" = "$LINK" ]'
check "element string in parentheses" '[ "$(echo "$J" | jq -r .gs1_element_string)" = "(01)09506000134352(13)261125(10)$LOT" ]'
want_code=$(voice_code "09506000134352${LOT}261125")
check "voice pick code is CRC-16/ARC mod 10000 ($want_code)" '[ "$(echo "$J" | jq -r .voice_pick_code)" = "$want_code" ]'
check "Chinese fields from [labels.zh]" '[ "$(echo "$J" | jq -r "[.product_zh, .variety_zh, .origin_zh] | join(\",\")")" = "橙子,脐橙,中国" ]'
check "supplier and pack size from [labels]" '[ "$(echo "$J" | jq -r .supplier_name)" = "Green Valley Co-op" ] && [ "$(echo "$J" | jq -r .pack_size)" = "15 kg carton, 64 ct" ]'
check "quantity in label units" '[ "$(echo "$J" | jq -r "\"\(.quantity) \(.uom)\"")" = "1200 kg" ]'
check "--json alone writes no file" '[ -z "$(ls "$T" | grep -v -e ^data$ -e ^out$ -e ^err$)" ]'

expect 0 "label, default file name" "$BIN" label "$LOT"
check "default is the pallet PNG" '[ -s "$T/$LOT-pallet.png" ] && [[ "$OUT" == "wrote $LOT-pallet.png"* ]]'
for t in pallet case; do
  expect 0 "$t png" "$BIN" label 1 --template $t --format png -o "$T/$t.png"
  expect 0 "$t png 300 dpi" "$BIN" label 1 --template $t --dpi 300 -o "$T/$t-300.png"
  expect 0 "$t pdf" "$BIN" label 1 --template $t --format pdf -o "$T/$t.pdf"
  expect 0 "$t svg" "$BIN" label 1 --template $t --format svg -o "$T/$t.svg"
done
expect 0 "pallet zpl, 3 copies, --json" "$BIN" label 1 --format zpl --copies 3 -o "$T/p.zpl" --json
check "--json names the file and its hash" '[ "$(echo "$OUT" | jq -r .file.sha256)" = "$(sha256sum "$T/p.zpl" | cut -d" " -f1)" ]'
check "ZPL job carries the link and 3 copies" 'grep -qF "$LINK" "$T/p.zpl" && grep -q "^^PQ3$" "$T/p.zpl" && head -1 "$T/p.zpl" | grep -q "^^XA"'
check "no temp files left" '[ -z "$(ls -a "$T" | grep tmp)" ]'

HRI_RAW="01095060001343521326112510$LOT"
if command -v zbarimg >/dev/null; then
  for t in pallet case; do
    want=$LINK
    [ $t = case ] && want=$HRI_RAW
    check "$t png decodes to $want" '[ "$(zbar "$T/$t.png")" = "$want" ]'
    check "$t png 300 dpi decodes" '[ "$(zbar "$T/$t-300.png")" = "$want" ]'
    if command -v pdftoppm >/dev/null; then
      pdftoppm -png -r 300 -singlefile "$T/$t.pdf" "$T/$t-pdf" 2>/dev/null
      check "$t pdf decodes" '[ "$(zbar "$T/$t-pdf.png")" = "$want" ]'
    else
      skip "$t pdf decodes" "pdftoppm not installed"
    fi
    if command -v rsvg-convert >/dev/null; then
      rsvg-convert --dpi-x=300 --dpi-y=300 --background-color=white -o "$T/$t-svg.png" "$T/$t.svg"
      check "$t svg decodes" '[ "$(zbar "$T/$t-svg.png")" = "$want" ]'
    else
      skip "$t svg decodes" "rsvg-convert not installed"
    fi
  done
  check "default file decodes to the link" '[ "$(zbar "$T/$LOT-pallet.png")" = "$LINK" ]'
else
  skip "decoding" "zbarimg not installed"
fi
expect 0 "-o - writes the label to stdout" "$BIN" label 1 --format svg -o -
check "stdout is the SVG" '[[ "$OUT" == *"<svg"* ]]'

# Bad input: usage errors exit 2, failures exit 1, nothing written either way.
mkdir "$T/bad" && cd "$T/bad" || exit 1
expect 2 "unknown template" "$BIN" label 1 --template box
check "says which templates" '[[ "$ERR" == *"case or pallet"* ]]'
expect 2 "unknown format" "$BIN" label 1 --format gif
expect 2 "dpi out of range" "$BIN" label 1 --dpi 20
expect 2 "copies 0" "$BIN" label 1 --copies 0 --format zpl
expect 2 "copies over the limit" "$BIN" label 1 --copies 1000 --format zpl
expect 2 "copies on a PNG" "$BIN" label 1 --copies 2 --format png
expect 2 "printer address that is not one" "$BIN" label 1 --print "a b:c"
expect 2 "no batch given" "$BIN" label
expect 1 "batch that does not exist" "$BIN" label 99
check "names it" '[[ "$ERR" == *"99"* ]] && [ "$(echo "$ERR" | wc -l)" = 1 ]'
expect 1 "lot that does not exist" "$BIN" label NOSUCHLOT --json
expect 1 "unwritable output" "$BIN" label 1 -o "$T/no/such/dir/x.png"
check "nothing written by refused commands" '[ -z "$(ls -A "$T/bad")" ]'
check "no print job was queued" '[ "$(sqlite3 "$PACKTRACE_DATA/station.db" "SELECT count(*) FROM print_jobs")" = 0 ]'
cd "$T" || exit 1
sed -i 's/^template=pallet$/template=crate/' "$PACKTRACE_DATA/station.ini"
expect 1 "bad [labels] template in station.ini" "$BIN" label 1
check "names the key" '[[ "$ERR" == *"[labels] template"* ]]'
sed -i 's/^template=crate$/template=case/' "$PACKTRACE_DATA/station.ini"
expect 0 "station.ini picks the template" "$BIN" label 1 --json
check "case by default now" '[ "$(echo "$OUT" | jq -r .template)" = case ]'

expect 0 "label jobs, empty" "$BIN" label jobs
check "says none" '[ "$OUT" = "no print jobs" ]'
expect 0 "label jobs --json" "$BIN" label jobs --json
check "empty list" '[ "$(echo "$OUT" | jq ".jobs | length")" = 0 ]'

tap_finish
