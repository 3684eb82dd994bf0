#!/usr/bin/env bash
# test-epcis-schema.sh: the station's EPCIS export validated against GS1's EPCIS 2.0
# JSON schema (shared/data/epcis/) with ajv, GS1's own recipe.  Skips (77) without
# the shared data or when npm cannot install ajv.
set -u
BIN=${PACKTRACE_BUILD:?}/station/packtrace
SCHEMA=${PACKTRACE_SHARED:-}/data/epcis/EPCIS-JSON-Schema.json
[ -f "$SCHEMA" ] || { echo "1..0 # SKIP no $SCHEMA"; exit 77; }
. "$(dirname "$0")/../npm-tools.sh"
npm_tools node_modules/.bin/ajv ajv-cli@5.0.0 ajv-formats@3.0.1
AJV="$NPM_DIR/node_modules/.bin/ajv"


T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
must "$BIN" init
sed -i 's/^gln=$/gln=4012345000115/' "$T/data/station.ini"
must "$BIN" batch new --product Oranges --gtin 09506000134352 --variety Navel --origin CN \
  --grower "Li farm" --harvest-date 2026-11-20 --quantity 1200.5
must "$BIN" event add 1 --step inspecting --disposition conformant --note "visual"
must "$BIN" event add 1 --step packing --quantity 40 --uom KGM --at 2026-11-25T09:00:00Z
# A printed label (the encoding event), sent to a one-job loopback printer.
coproc PRINTER { python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
while c.recv(65536):
    pass
c.close()'; }
# bash unsets PRINTER_PID once the coprocess exits: keep a copy.
printer_pid=$PRINTER_PID
read -r -t 10 port <&"${PRINTER[0]}" || { echo "# loopback printer did not start"; exit 1; }
must "$BIN" label 1 --print "127.0.0.1:$port"
wait "$printer_pid"
must "$BIN" batch hold 1 --reason "check"
must "$BIN" batch release 1
must "$BIN" batch recall 1 --reason "residue"
must "$BIN" event correct 1 --event 3 --reason did_not_occur
must "$BIN" batch new --product Kiwi --gtin 9506000134352
# A truck: the loading and departing events with documents, source and destination.
must "$BIN" load new --plate "AB 123" --seal S-1 --destination "Fresh Co" \
  --destination-gln 4012345000115 --bol BOL-77 --desadv DA.9 --po PO-5 --dock dock-1
must "$BIN" load add 1 2
must "$BIN" load close 1
must "$BIN" batch new --product Limes --gtin 9506000134352
must "$BIN" load new --plate "CD 456" --seal S-2
must "$BIN" load add 2 3
must "$BIN" load close 2
# A lot of GS1's character set that URIs treat specially, its events in the shed's own zone.
sed -i 's|^time_zone=UTC$|time_zone=Asia/Shanghai|' "$T/data/station.ini"
must "$BIN" batch new --product Pears --gtin 9506000134352 --lot "A/B%1-x&Q'?" \
  --harvest-date 2026-11-20
must "$BIN" event add 4 --step packing --at 2026-11-25T08:30:00-03:30

fails=0
n=0
validate() {
  n=$((n + 1))
  if "$AJV" validate -c ajv-formats -s "$SCHEMA" -d "$2" >"$T/ajv.out" 2>&1; then
    [ "$3" = valid ] && echo "ok $n - $1" || { echo "not ok $n - $1 (accepted)"; fails=$((fails + 1)); }
  else
    [ "$3" = invalid ] && echo "ok $n - $1" || { echo "not ok $n - $1"; sed 's/^/# /' "$T/ajv.out"; fails=$((fails + 1)); }
  fi
}

"$BIN" export 1 -o "$T/batch1.json" 2>/dev/null
"$BIN" export 2 -o "$T/batch2.json" 2>/dev/null
validate "batch with every kind of station event validates" "$T/batch1.json" valid
validate "loaded and departed batch validates" "$T/batch2.json" valid
"$BIN" export 3 -o "$T/batch3.json" 2>/dev/null
validate "a load without documents or destination GLN validates" "$T/batch3.json" valid
"$BIN" export 4 -o "$T/batch4.json" 2>/dev/null
validate "a lot with '/', '%', '&', '?' and offsets other than +00:00 validate" "$T/batch4.json" valid
"$BIN" export 1 --format bundle -o "$T/bundle.json" 2>/dev/null
jq '.epcis' "$T/bundle.json" >"$T/bundle-epcis.json"
validate "the bundle's EPCIS document validates" "$T/bundle-epcis.json" valid
# The check can fail: a document missing a required field is refused.
jq 'del(.epcisBody.eventList[0].eventTimeZoneOffset)' "$T/batch1.json" >"$T/broken.json"
validate "a document without eventTimeZoneOffset is refused" "$T/broken.json" invalid
n=$((n + 1))
if [ "$(jq '[.epcisBody.eventList[].bizStep] | join(",")' -r "$T/batch1.json")" = commissioning,inspecting,packing,encoding,holding,holding,holding,packing ]; then echo "ok $n - eight events exported, the print and the correction among them"; else echo "not ok $n - eight events exported, the print and the correction among them"; fails=$((fails + 1)); fi
n=$((n + 1))
if [ "$(jq -r '[.epcisBody.eventList[].bizStep] | join(",")' "$T/batch2.json")" = commissioning,loading,departing ]; then echo "ok $n - loading and departing exported"; else echo "not ok $n - loading and departing exported"; fails=$((fails + 1)); fi
echo "1..$n"
[ $fails = 0 ]
