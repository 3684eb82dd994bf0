#!/usr/bin/env bash
# test-consumer-view-browser.sh: a long batch's consumer page in Debian's Chromium
# (consumer-view-browser.mjs, playwright-core) against the real `packtrace run` on loopback:
# the page lists PT_PAGE_RECORDS_MAX records (the facts' records, the certificate's and the
# latest) with a line saying how many it leaves out and a link to the whole signed bundle; its
# script fetches the view of exactly those records (?linkType=pt:traceBundle&view=page), a
# bounded download built once per batch revision, and shows the mark saying what it checked,
# in zh and en; a shown record altered, the latest record dropped and a forged head each take
# the mark away; a short batch's page is as it was (every record, the whole bundle).
# PT_VIEW_RECORDS (default 300) sets the long batch's length: 10000 measures what README's
# performance table says.  Skips (77) without chromium, node or npm; never downloads a browser.
set -u
BIN=${PACKTRACE_BUILD:?}/station/packtrace
RECORDS_BIN=$PACKTRACE_BUILD/tests/station/pt-test-records
HERE=$(dirname "$0")
. "$(dirname "$0")/../npm-tools.sh"
playwright_tools
N=${PT_VIEW_RECORDS:-300}

T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
GTIN=09506000134352
must "$BIN" init
# No demo cameras: this test watches none.
sed -i 's/^demo=auto$/demo=off/' "$PACKTRACE_DATA/station.ini"
# The long batch: commissioned (1), held (2), a certificate attached (3), then N records of a
# grading run; its page's facts (identity, the hold, the certificate) come from records far
# from the latest.
must "$BIN" batch new --product Oranges --gtin $GTIN --variety Navel --origin CN \
  --grower "Li farm" --harvest-date 2026-11-20 --quantity 1200 --lot VIEW1
must "$BIN" batch hold VIEW1 --reason "waiting for the residue test"
python3 "$HERE/make-pdf.py" "Pesticide residue: none detected" >"$T/report.pdf"
must "$BIN" batch attach VIEW1 --certificate "$T/report.pdf" --kind residue-test \
  --title "Residue test report" --issuer "Ganzhou Inspection Lab" --issued 2026-11-24
must "$RECORDS_BIN" "$PACKTRACE_DATA" VIEW1 "$N"
# A short batch: every record on its page, the whole bundle checked.
must "$BIN" batch new --product Oranges --gtin $GTIN --variety Navel --origin CN \
  --grower "Li farm" --harvest-date 2026-11-20 --quantity 800 --lot SMALL1
must "$BIN" event add SMALL1 --step packing --at 2026-11-25T09:00:00Z

"$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
server=$!
for _ in $(seq 50); do
  url=$(grep -o 'http://[0-9.:]*' "$T/run.out" 2>/dev/null | head -1)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "# server did not start"; sed 's/^/#   /' "$T/run.err"; exit 1; }

PT_RECORDS=$((N + 3)) timeout 240 node "$HERE/consumer-view-browser.mjs" "$url" \
  "/01/$GTIN/10/VIEW1" "/01/$GTIN/10/SMALL1" "$PACKTRACE_DATA"
