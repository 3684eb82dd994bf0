#!/usr/bin/env bash
# test-attach.sh: a batch's product photo and certificates as signed evidence, against the real
# CLI and `packtrace run` on loopback: `batch attach` and POST .../attachments (admin only)
# store a JPEG, a PNG and a PDF; a photo comes back re-encoded and bounded, with no EXIF (a
# phone's portrait turned upright first); bad files (text, a truncated JPEG or PDF, a PDF as a
# photo, an oversize file), a bad kind or date, an unknown lot and the same file twice are
# refused with a clear error and leave no file and no event; the signed event names the file's
# SHA-256, type, kind, title, issuer and dates, and the public bundle carries it (a private one
# redacted); /evidence/SHA serves the file with its Content-Type, ETag, Cache-Control, 304 and
# Range 206, a private or unknown one 404; `audit` passes; a corrected attachment leaves the
# page.  Skips (77) without GStreamer's jpegenc and pngenc (they make the test images).
set -u
[ -n "${PT_DEBUG:-}" ] && set -x
HERE=$(dirname "$0")
. "$HERE/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
for e in jpegenc pngenc videotestsrc; do
  gst-inspect-1.0 --exists "$e" 2>/dev/null || { echo "1..0 # SKIP GStreamer element $e is missing"; exit 77; }
done
T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
GTIN=09506000134352
must() { "$@" >"$T/step.out" 2>&1 || { echo "Bail out! $* -- $(tail -3 "$T/step.out")"; exit 1; }; }
must "$BIN" init
sed -i 's/^demo=auto$/demo=off/' "$PACKTRACE_DATA/station.ini"
must "$BIN" batch new --product Oranges --gtin $GTIN --lot ATT1 --quantity 10
must gst-launch-1.0 -q videotestsrc num-buffers=1 pattern=smpte ! video/x-raw,width=2400,height=1800 \
  ! jpegenc ! filesink location="$T/photo.jpg"
must gst-launch-1.0 -q videotestsrc num-buffers=1 pattern=ball ! video/x-raw,width=600,height=800 \
  ! pngenc ! filesink location="$T/gi.png"
python3 "$HERE/make-pdf.py" "Residue test: none detected" >"$T/report.pdf" || { echo "Bail out! make-pdf.py"; exit 1; }
sha() { sha256sum "$1" | cut -c1-64; }
files() { find "$T/data/evidence/attachments" -type f 2>/dev/null | wc -l; }
events() { sqlite3 "$T/data/station.db" "SELECT count(*) FROM events WHERE batch_id = 1"; }

# The CLI.
expect 0 "batch attach --photo: a JPEG" "$BIN" batch attach ATT1 --photo "$T/photo.jpg" --json
P_SHA=$(jq -r .sha256 "$T/out")
P_FILE=$T/data/$(jq -r .path "$T/out")
check "the photo is kept under its SHA-256, re-encoded to a long edge of 1280" \
  '[ "$(sha "$P_FILE")" = "$P_SHA" ] && [ "$(jq .width "$T/out")" = 1280 ] && [ "$(jq .height "$T/out")" = 960 ] && [ "$(jq -r .mediaType "$T/out")" = image/jpeg ] && ! cmp -s "$P_FILE" "$T/photo.jpg"'
expect 0 "batch attach --certificate: a PDF with kind, titles, issuer and dates" \
  "$BIN" batch attach ATT1 --certificate "$T/report.pdf" --kind residue-test --title "Residue test report" \
  --title-zh "农药残留检测报告" --issuer "Ganzhou Inspection Lab" --issued 2026-11-20 --valid-until 2027-05-20 --json
C_SHA=$(jq -r .sha256 "$T/out")
check "a PDF is kept as sent, under its SHA-256" '[ "$C_SHA" = "$(sha "$T/report.pdf")" ] && [ "$(jq -r .mediaType "$T/out")" = application/pdf ]'
expect 0 "batch attach --certificate --private: a PNG, kept from the public" \
  "$BIN" batch attach ATT1 --certificate "$T/gi.png" --kind gi-mark --title "GI mark" --private --json
G_SHA=$(jq -r .sha256 "$T/out")
check "a certificate image is re-encoded as JPEG" '[ "$(jq -r .mediaType "$T/out")" = image/jpeg ] && [ "$(jq -r .private "$T/out")" = true ]'

# A phone's portrait: the same photo stored on its side with Exif orientation 6 (an APP1
# segment after the SOI marker).  The re-encoded JPEG carries no Exif, so it is turned upright
# before it is encoded, on another lot so the page checks below keep their photo.
must "$BIN" batch new --product Oranges --gtin $GTIN --lot ATT2 --quantity 5
{ head -c 2 "$T/photo.jpg"
  printf '\xff\xe1\x00\x22Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00'
  tail -c +3 "$T/photo.jpg"; } >"$T/portrait.jpg"
expect 0 "batch attach --photo: a portrait phone photo" "$BIN" batch attach ATT2 --photo "$T/portrait.jpg" --json
check "kept upright: 960 wide, 1280 high" '[ "$(jq .width "$T/out")" = 960 ] && [ "$(jq .height "$T/out")" = 1280 ]'

# Refusals: a clear error, no file and no event left.
N_FILES=$(files)
N_EVENTS=$(events)
printf 'not an image at all\n' >"$T/text.jpg"
head -c 20000 "$T/photo.jpg" >"$T/cut.jpg"
head -c 400 "$T/report.pdf" >"$T/cut.pdf"
head -c $((16 * 1024 * 1024 + 1)) /dev/zero >"$T/huge.jpg"
expect 1 "a text file named .jpg is refused" "$BIN" batch attach ATT1 --photo "$T/text.jpg"
check "  ... saying it is not a JPEG or PNG" '[[ "$ERR" == *"not a JPEG or PNG"* ]]'
expect 1 "a truncated JPEG is refused" "$BIN" batch attach ATT1 --photo "$T/cut.jpg"
check "  ... saying it is truncated" '[[ "$ERR" == *"truncated"* ]]'
expect 1 "a truncated PDF is refused" "$BIN" batch attach ATT1 --certificate "$T/cut.pdf" --kind organic --title x
check "  ... saying it is not a readable PDF" '[[ "$ERR" == *"not a readable PDF"* ]]'
expect 1 "a PDF is not a photo" "$BIN" batch attach ATT1 --photo "$T/report.pdf"
expect 1 "an oversize file is refused before it is read" "$BIN" batch attach ATT1 --photo "$T/huge.jpg"
check "  ... naming the limit" '[[ "$ERR" == *"at most 16777216"* ]]'
expect 1 "an unknown kind is refused" "$BIN" batch attach ATT1 --certificate "$T/report.pdf" --kind tasty --title x
expect 1 "a day that does not exist is refused" "$BIN" batch attach ATT1 --certificate "$T/report.pdf" --kind other --title x --valid-until 2027-02-30
expect 1 "valid until before issued is refused" "$BIN" batch attach ATT1 --certificate "$T/report.pdf" --kind other --title x --issued 2027-01-02 --valid-until 2027-01-01
expect 1 "an unknown lot is refused" "$BIN" batch attach NOSUCH --photo "$T/photo.jpg"
check "  ... naming it" '[[ "$ERR" == *NOSUCH* ]]'
expect 1 "the same file twice on a batch is refused" "$BIN" batch attach ATT1 --certificate "$T/report.pdf" --kind other --title again
expect 2 "a certificate without --title is a usage error" "$BIN" batch attach ATT1 --certificate "$T/report.pdf" --kind other
check "refusals leave no file and no event" '[ "$(files)" = "$N_FILES" ] && [ "$(events)" = "$N_EVENTS" ]'

# The signed events.
"$BIN" batch show ATT1 --json >"$T/show.json"
check "the photo's event is signed, naming its SHA-256 (bizStep inspecting, OBSERVE)" \
  'jq -e --arg s "$P_SHA" "[.event_list[] | select(.event[\"pt:attachments\"][0].sha256 == \$s) | .event | select(.action == \"OBSERVE\" and (.bizStep | endswith(\"inspecting\")))] | length == 1" "$T/show.json" >/dev/null'
check "the certificate's event names kind, titles, issuer and dates" \
  'jq -e --arg s "$C_SHA" "[.event_list[].event[\"pt:attachments\"][]? | select(.sha256 == \$s and .kind == \"residue-test\" and .title == \"Residue test report\" and .titleZh == \"农药残留检测报告\" and .issuer == \"Ganzhou Inspection Lab\" and .issued == \"2026-11-20\" and .validUntil == \"2027-05-20\" and .size == $(stat -c %s "$T/report.pdf"))] | length == 1" "$T/show.json" >/dev/null'
expect 0 "audit passes with the attachments' events" "$BIN" audit

run_station
TOKEN=$(sed -n 's/^operator_token=//p' "$T/data/station.ini")
# An admin signs in (API keys are never admins'): the session cookie and its CSRF token.
PW=attach-test-password-1
echo "$PW" | "$BIN" user add boss --role admin >/dev/null
curl -s -o "$T/login" -D "$T/h" -m 10 -X POST -d "{\"name\":\"boss\",\"password\":\"$PW\"}" "$url/api/v1/session"
COOKIE=$(grep -io 'pt_session=[0-9a-f]*' "$T/h")
CSRF=$(jq -r '.csrf_token // empty' "$T/login")

# The API: admin only, raw body, facts in the query.
post() { # QUERY FILE [BEARER]: status in $CODE, body in $T/b
  local auth=(-H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF")
  [ $# -gt 2 ] && auth=(-H "Authorization: Bearer $3")
  CODE=$(curl -s -o "$T/b" -w '%{http_code}' -m 20 -X POST "${auth[@]}" \
    -H 'Content-Type: application/octet-stream' --data-binary "@$2" "$url/api/v1/batches/ATT1/attachments?$1")
}
post role=photo "$T/gi.png" "$TOKEN"
check "POST attachments with the operator token: 403 (admins attach)" '[ "$CODE" = 403 ] && grep -q "admin" "$T/b"'
post role=photo "$T/gi.png"
check "POST attachments ?role=photo with a PNG: 201, re-encoded as JPEG" '[ "$CODE" = 201 ] && [ "$(jq -r .mediaType "$T/b")" = image/jpeg ] && [ "$(jq -r .role "$T/b")" = photo ]'
API_PHOTO=$(jq -r .sha256 "$T/b")
python3 "$HERE/make-pdf.py" "Organic certificate" >"$T/organic.pdf"
post "role=certificate&kind=organic&title=Organic%20certificate&title_zh=%E6%9C%89%E6%9C%BA%E8%AE%A4%E8%AF%81&issuer=CQC&valid_until=2027-12-31" "$T/organic.pdf"
check "POST ?role=certificate: 201 with its facts" '[ "$CODE" = 201 ] && [ "$(jq -r .titleZh "$T/b")" = 有机认证 ] && [ "$(jq -r .validUntil "$T/b")" = 2027-12-31 ]'
O_SHA=$(jq -r .sha256 "$T/b")
N_FILES=$(files)
post role=photo "$T/text.jpg"
check "POST a text file as a photo: 400 naming what is wrong" '[ "$CODE" = 400 ] && grep -q "not a JPEG or PNG" "$T/b"'
post role=certificate "$T/report.pdf"
check "POST a certificate without kind: 400" '[ "$CODE" = 400 ] && grep -q "kind" "$T/b"'
head -c $((17 * 1024 * 1024)) /dev/zero >"$T/huge.bin"
post role=photo "$T/huge.bin"
check "POST an oversize body: 413" '[ "$CODE" = 413 ]'
CODE=$(curl -s -o "$T/b" -w '%{http_code}' -m 20 -X POST -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" \
  --data-binary "@$T/photo.jpg" "$url/api/v1/batches/NOSUCH/attachments?role=photo")
check "POST to an unknown lot: 404" '[ "$CODE" = 404 ]'
check "refused uploads leave no file" '[ "$(files)" = "$N_FILES" ]'

# Serving by hash.
get() { # SHA [RANGE]: status in $CODE, headers in $T/h, body in $T/b
  CODE=$(curl -s -o "$T/b" -D "$T/h" -w '%{http_code}' -m 10 ${2:+-H "Range: $2"} "$url/evidence/$1")
}
header() { grep -i "^$1:" "$T/h" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
get "$C_SHA"
check "GET /evidence/SHA: the PDF, as application/pdf, hashing to its name" \
  '[ "$CODE" = 200 ] && [ "$(header Content-Type)" = application/pdf ] && [ "$(sha "$T/b")" = "$C_SHA" ]'
check "  ... with its ETag and a year's immutable Cache-Control, Accept-Ranges" \
  '[ "$(header ETag)" = "\"$C_SHA\"" ] && [ "$(header Cache-Control)" = "public, max-age=31536000, immutable" ] && [ "$(header Accept-Ranges)" = bytes ]'
get "$C_SHA" bytes=0-99
check "Range bytes=0-99: 206, Content-Range, exactly those bytes" \
  '[ "$CODE" = 206 ] && [ "$(header Content-Range)" = "bytes 0-99/$(stat -c %s "$T/report.pdf")" ] && cmp -s "$T/b" <(head -c 100 "$T/report.pdf")'
get "$P_SHA"
check "the photo: image/jpeg, the stored bytes" '[ "$CODE" = 200 ] && [ "$(header Content-Type)" = image/jpeg ] && [ "$(sha "$T/b")" = "$P_SHA" ]'
CODE=$(curl -s -o /dev/null -w '%{http_code}' -m 10 -H "If-None-Match: \"$P_SHA\"" "$url/evidence/$P_SHA")
check "If-None-Match with its name: 304" '[ "$CODE" = 304 ]'
get "$G_SHA"
check "a private certificate: 404, as unknown" '[ "$CODE" = 404 ]'
get "$(printf 'x' | sha256sum | cut -c1-64)"
check "an unknown hash: 404" '[ "$CODE" = 404 ]'
get "../station.ini"
check "a name that is not a hash: 404" '[ "$CODE" = 404 ]'

# The public bundle and the page's facts.
B=$(curl -s -m 10 "$url/01/$GTIN/10/ATT1?linkType=pt:traceBundle")
check "the public bundle carries the certificate's record, the private one redacted" \
  'jq -e --arg s "$C_SHA" --arg g "$G_SHA" "([.epcis.epcisBody.eventList[][\"pt:attachments\"][]?.sha256] | index(\$s) != null and index(\$g) == null) and ([.proofs[] | select(.redacted)] | length == 1)" <<<"$B" >/dev/null'
J=$(curl -s -m 10 -H 'Accept: application/json' "$url/01/$GTIN/10/ATT1")
check "the page's facts: the API's photo (the last), two public certificates in record order" \
  'jq -e --arg p "$API_PHOTO" --arg c "$C_SHA" --arg o "$O_SHA" ".photo.sha256 == \$p and .photo.source == \"product\" and .photo.url == \"/evidence/\" + \$p and ([.certificates[].sha256] == [\$c, \$o])" <<<"$J" >/dev/null'

# A wrong attachment is withdrawn by correcting its record: the page drops it, the log keeps it.
API_N=$(jq -r --arg p "$API_PHOTO" '.photo | select(.sha256 == $p) | .n' <<<"$J")
expect 0 "event correct withdraws the API's photo" "$BIN" event correct ATT1 --event "$API_N" --reason did_not_occur
J=$(curl -s -m 10 -H 'Accept: application/json' "$url/01/$GTIN/10/ATT1")
check "the page's photo is the CLI's again; the withdrawn one is still served (its record stays)" \
  'jq -e --arg p "$P_SHA" ".photo.sha256 == \$p" <<<"$J" >/dev/null && [ "$(curl -s -o /dev/null -w "%{http_code}" "$url/evidence/$API_PHOTO")" = 200 ]'
echo "1..$n"
[ "$fails" = 0 ]
