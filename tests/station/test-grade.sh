#!/usr/bin/env bash
# test-grade.sh: `packtrace grade` as a user runs it: still images rendered by fruitgen
# (pt-test-fruitgen), bad input (corrupt, truncated, missing image, unknown profile, zero
# calibration, malformed ROI) with nothing written, --annotate, --roi, then batch gradings:
# counts, evidence stills, the signed inspecting event with the disposition the lot
# tolerances give, verify on the bundle, and the real bobcorn frames when ../shared is there.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
GEN=${PT_TEST_FRUITGEN:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data

near() { awk -v a="$1" -v b="$2" -v e="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= e) }'; }

I=$T/img
mkdir -p "$I"
"$GEN" "$I" || { echo "Bail out! pt-test-fruitgen failed"; exit 1; }

# Still images, no station needed.
expect 0 "grade three sound oranges" "$BIN" grade --json --mm-per-px 0.3 "$I/good.png"
check "three records" '[ "$(echo "$OUT" | jq ".fruit | length")" = 3 ]'
check "all Extra" '[ "$(echo "$OUT" | jq -r "[.fruit[].class] | unique | join(\",\")")" = Extra ]'
check "diameters within 1 mm" 'near "$(echo "$OUT" | jq ".fruit[0].diameter_mm")" 66 1 && near "$(echo "$OUT" | jq ".fruit[1].diameter_mm")" 72 1 && near "$(echo "$OUT" | jq ".fruit[2].diameter_mm")" 78 1'
check "size codes from the profile" '[ "$(echo "$OUT" | jq -r "[.fruit[].size_code] | join(\",\")")" = "9,7,5" ]'
check "records the calibration and model" '[ "$(echo "$OUT" | jq -r ".mm_per_px, .model_version" | tr "\n" " ")" = "0.3 packtrace-grader/3 " ]'
expect 0 "the JPEG of the same belt" "$BIN" grade --json "$I/good.jpg"
check "JPEG gives the same classes" '[ "$(echo "$OUT" | jq -r "[.fruit[].class] | join(\",\")")" = "Extra,Extra,Extra" ]'
expect 0 "grade the defects" "$BIN" grade --json --mm-per-px 0.3 "$I/defect.png"
check "2 cm2 spot is Class II, 4 cm2 out" '[ "$(echo "$OUT" | jq -r "[.fruit[].class] | join(\",\")")" = "Extra,II,out" ]'
check "defect area within 10%" 'near "$(echo "$OUT" | jq ".fruit[1].defect_area_mm2")" 200 20 && near "$(echo "$OUT" | jq ".fruit[2].defect_area_mm2")" 400 40'
check "the deciding rule is given" '[[ "$(echo "$OUT" | jq -r ".fruit[2].rule")" == "defect area 4."*"> 2.50 cm2 for class II" ]]'
expect 0 "text output" "$BIN" grade --mm-per-px 0.3 "$I/good.png" "$I/small.png"
check "one line per fruit" '[ "$(echo "$OUT" | wc -l)" = 4 ]'
check "undersized fruit is out by size" '[[ "$(echo "$OUT" | tail -1)" == *"out"*"size 48.0 mm < minimum 53.0 mm"* ]]'
# Without a calibration nothing is sized: size never makes a fruit out.
expect 0 "no scale: the size is unknown" "$BIN" grade --json "$I/small.png"
check "no calibration recorded, size unknown" '[ "$(echo "$OUT" | jq -r ".mm_per_px, .fruit[0].size, .fruit[0].diameter_mm" | tr "\n" " ")" = "null unknown null " ]'
check "no scale: the small fruit is not out by size" '[ "$(echo "$OUT" | jq -r "[.fruit[].class] | unique | join(\",\")")" = Extra ]'
expect 0 "no scale: text says so" "$BIN" grade "$I/small.png"
check "size unknown in text" '[[ "$OUT" == *"size unknown (no scale)"* ]]'
expect 0 "no scale: defects still grade" "$BIN" grade --json "$I/defect.png"
check "no scale: 4 cm2 spot still out" '[ "$(echo "$OUT" | jq -r ".fruit[2].class")" = out ]'
expect 0 "one ROI grades one fruit" "$BIN" grade --json --roi 0,0,330,540 "$I/good.png"
check "one record" '[ "$(echo "$OUT" | jq ".fruit | length")" = 1 ]'
expect 0 "annotate" "$BIN" grade --annotate "$T/ann.png" "$I/defect.png"
check "annotation is a PNG" '[ "$(head -c 8 "$T/ann.png" | od -An -tx1 | tr -d " ")" = 89504e470d0a1a0a ]'
expect 0 "annotate several" "$BIN" grade --annotate "$T/many.png" "$I/good.png" "$I/defect.png"
check "one annotation per image" '[ -s "$T/many-1.png" ] && [ -s "$T/many-2.png" ]'
# A phone's portrait photo is stored on its side with an Exif orientation: graded as seen.
expect 0 "a portrait phone photo graded upright" "$BIN" grade --json --mm-per-px 0.3 --annotate "$T/portrait.png" "$I/portrait.jpg"
check "its three fruit top to bottom, Extra, II, out" '[ "$(echo "$OUT" | jq -r "[.fruit[].class] | join(\",\")")" = "Extra,II,out" ]'
check "the annotation is the upright view, 540 x 960" '[ "$(od -An -tu1 -j16 -N8 "$T/portrait.png" | tr -s " ")" = " 0 0 2 28 0 0 3 192" ]'
expect 0 "a box drawn on the upright view" "$BIN" grade --json --mm-per-px 0.3 --roi 30,360,480,260 "$I/portrait.jpg"
check "grades the middle fruit, class II" '[ "$(echo "$OUT" | jq -c "[.fruit[] | [.class, .roi[0], .roi[1]]]")" = "[[\"II\",30,360]]" ]'
expect 1 "a box drawn on the photo as stored is refused" "$BIN" grade --mm-per-px 0.3 --roi 660,30,280,480 "$I/portrait.jpg"
check "the error names the orientation and the way out" '[[ "$ERR" == *"outside the photo as seen upright (540x960, turned by its Exif orientation 6) but inside it as stored (960x540)"*"--orientation stored"* ]]'
expect 0 "--orientation stored grades that box" "$BIN" grade --json --orientation stored --mm-per-px 0.3 --roi 660,30,280,480 "$I/portrait.jpg"
check "the bottom fruit, out" '[ "$(echo "$OUT" | jq -r "[.fruit[].class] | join(\",\")")" = out ]'
if [ -f "$I/portrait.heic" ]; then
  expect 0 "the portrait as an iPhone's HEIC" "$BIN" grade --json --mm-per-px 0.3 --roi 30,360,480,260 "$I/portrait.heic"
  check "read upright: the box holds the middle fruit, class II" '[ "$(echo "$OUT" | jq -r "[.fruit[].class] | join(\",\")")" = II ]'
  expect 0 "the HEIC whole" "$BIN" grade --json --mm-per-px 0.3 "$I/portrait.heic"
  check "its three fruit top to bottom, Extra, II, out" '[ "$(echo "$OUT" | jq -r "[.fruit[].class] | join(\",\")")" = "Extra,II,out" ]'
else
  skip "the portrait as an iPhone's HEIC" "libheif has no HEVC encoder here"
fi
expect 2 "--orientation takes upright or stored" "$BIN" grade --orientation sideways "$I/portrait.jpg"
check "says so" '[[ "$ERR" == *"--orientation '"'"'sideways'"'"' is upright or stored"* ]]'

head -c 3000 "$I/good.jpg" >"$T/truncated.jpg"
printf 'not an image at all' >"$T/garbage.png"
expect 1 "truncated JPEG fails" "$BIN" grade "$T/truncated.jpg"
check "says truncated, one line" '[[ "$ERR" == *"truncated.jpg"*"truncated"* ]] && [ "$(echo "$ERR" | wc -l)" = 1 ]'
expect 1 "garbage fails" "$BIN" grade "$I/good.png" "$T/garbage.png"
check "names the file" '[[ "$ERR" == *"garbage.png"* ]]'
expect 1 "missing image fails" "$BIN" grade "$T/none.png"
expect 1 "unknown profile fails" "$BIN" grade --profile pear-martian "$I/good.png"
check "lists the profiles there are" '[[ "$ERR" == *"pear-martian"*"available:"*"apple-unece"*"orange-unece"* ]]'
expect 2 "zero calibration is a usage error" "$BIN" grade --mm-per-px 0 "$I/good.png"
expect 2 "negative calibration is a usage error" "$BIN" grade --mm-per-px -0.3 "$I/good.png"
expect 2 "text calibration is a usage error" "$BIN" grade --mm-per-px abc "$I/good.png"
expect 2 "malformed ROI is a usage error" "$BIN" grade --roi 1,2,3 "$I/good.png"
expect 2 "no image is a usage error" "$BIN" grade
expect 1 "ROI outside the image fails" "$BIN" grade --roi 900,500,200,200 "$I/good.png"

# Batch gradings.
"$BIN" init >/dev/null || exit 1
"$BIN" batch new --product Oranges --gtin 09506000134352 --pack-date 2026-11-25 >/dev/null || exit 1
"$BIN" batch new --product Oranges --gtin 09506000134352 --pack-date 2026-11-25 >/dev/null || exit 1
count() { sqlite3 "$PACKTRACE_DATA/station.db" "$1"; }
expect 1 "a bad image adds nothing to a batch" "$BIN" grade --batch 1 "$I/good.png" "$T/garbage.png"
check "no grading opened, no fruit" '[ "$(count "SELECT count(*) FROM gradings")" = 0 ] && [ "$(count "SELECT count(*) FROM graded_fruit")" = 0 ]'
expect 0 "grade onto batch 1" "$BIN" grade --batch 1 "$I/good.png" "$I/good.png" "$I/defect.png" "$I/small.png"
check "ten fruit recorded" '[[ "$OUT" == *"recorded 10 fruit on grading 1 of batch 1"* ]]'
expect 1 "another profile on the open grading is refused" "$BIN" grade --batch 1 --profile apple-unece "$I/good.png"
check "says close it first" '[[ "$ERR" == *"already has an open grading"* ]]'
expect 0 "grade show" "$BIN" grade show 1 --json
check "counts per class" '[ "$(echo "$OUT" | jq -c .gradeDistribution)" = "{\"Extra\":7,\"I\":0,\"II\":1,\"out\":2}" ]'
check "counts per size code" '[ "$(echo "$OUT" | jq -c .sizeDistribution)" = "{\"5\":2,\"7\":2,\"8\":3,\"9\":2,\"none\":1}" ]'
check "defect statistics" '[ "$(echo "$OUT" | jq .defects.fruitWithDefects)" = 2 ] && near "$(echo "$OUT" | jq .defects.largestAreaMm2)" 400 40'
check "three evidence stills (II, out, undersized)" '[ "$(echo "$OUT" | jq ".evidence | length")" = 3 ]'
check "stills are JPEG files under DATA/stills" '[ "$(head -c 2 "$PACKTRACE_DATA/$(echo "$OUT" | jq -r ".evidence[0]")" | od -An -tx1 | tr -d " ")" = ffd8 ]'
expect 0 "close batch 1" "$BIN" grade close 1
check "2 of 10 below Class I is over 10%: non_conformant" '[[ "$OUT" == *"10 fruit graded, non_conformant"* ]]'
expect 1 "closing twice fails" "$BIN" grade close 1
check "says no open grading" '[[ "$ERR" == *"no open grading"* ]]'

expect 0 "open batch 2 for Class I" "$BIN" grade open 2 --profile orange-unece --mm-per-px 0.3 --class I
expect 1 "opening twice fails" "$BIN" grade open 2
expect 0 "grade sound fruit onto batch 2" "$BIN" grade --batch 2 "$I/good.png" "$I/good.png" "$I/good.png" "$I/good.jpg"
expect 0 "close batch 2" "$BIN" grade close 2 --json
check "12 sound fruit: conformant" '[ "$(echo "$OUT" | jq -r .event.disposition)" = conformant ]'
check "inspecting step" '[ "$(echo "$OUT" | jq -r .event.bizStep)" = inspecting ]'
check "extensions: profile, model, calibration, count" '[ "$(echo "$OUT" | jq -r "[.event[\"pt:profile\"], .event[\"pt:modelVersion\"], .event[\"pt:mmPerPx\"], .event[\"pt:fruitCount\"]] | join(\" \")")" = "orange-unece packtrace-grader/3 0.3 12" ]'
check "quantity is the fruit count" '[ "$(echo "$OUT" | jq -r ".event.quantityList[0].quantity, .event.quantityList[0].uom" | tr "\n" " ")" = "12 H87 " ]'
expect 0 "batch 1 events" "$BIN" batch show 1 --json
check "inspecting event on batch 1 with its distribution" '[ "$(echo "$OUT" | jq -r ".event_list[-1].event.disposition, .event_list[-1].event[\"pt:gradeDistribution\"].out" | tr "\n" " ")" = "non_conformant 2 " ]'
check "evidence hashed in the event" '[ "$(echo "$OUT" | jq -r ".event_list[-1].event[\"pt:evidence\"][0].sha256" | wc -c)" = 65 ]'
expect 0 "export batch 1 bundle" "$BIN" export 1 --format bundle -o "$T/b1.json"
expect 0 "verify keeps the bundle valid" "$BIN" verify "$T/b1.json"
jq '(.epcis.epcisBody.eventList[-1]["pt:gradeDistribution"].out) = 0' "$T/b1.json" >"$T/b1-forged.json"
expect 1 "a forged grade distribution fails verify" "$BIN" verify "$T/b1-forged.json"
expect 0 "audit intact" "$BIN" audit
expect 0 "export EPCIS of batch 1" "$BIN" export 1 -o "$T/e1.json"
AJV=$PACKTRACE_BUILD/npm-tools/node_modules/.bin/ajv
SCHEMA=${PACKTRACE_SHARED:-}/data/epcis/EPCIS-JSON-Schema.json
if [ -x "$AJV" ] && [ -f "$SCHEMA" ]; then
  expect 0 "graded batch validates against the EPCIS schema" "$AJV" validate -c ajv-formats -s "$SCHEMA" -d "$T/e1.json"
else
  ok "graded batch validates against the EPCIS schema # SKIP ajv not installed (station-epcis-schema installs it)"
fi

# Real sorting-line frames (shared/data/bobcorn), when present.
BOB=${PACKTRACE_SHARED:-}/data/bobcorn
if [ -f "$BOB/LABELS.csv" ]; then
  expect 0 "bobcorn apples with defects" "$BIN" grade --json --profile apple-unece --mm-per-px 0.3 "$BOB"/first_task_C1_00000[123].png
  check "each defective apple has a defect" '[ "$(echo "$OUT" | jq "[.fruit[] | select(.partial | not) | select(.defect_count > 0) | .image] | unique | length")" = 3 ]'
  expect 0 "bobcorn russet apples" "$BIN" grade --json --profile apple-unece --mm-per-px 0.3 "$BOB"/second_task_C1_00000[45].png
  check "russet found on both" '[ "$(echo "$OUT" | jq "[.fruit[] | select(.defects | map(.kind) | index(\"russet\")) | .image] | unique | length")" = 2 ]'
  expect 0 "bobcorn kiwis" "$BIN" grade --json --profile kiwi-unece --mm-per-px 0.5 "$BOB"/final_challenge_C1_0000{06,07,08,09,10}.png
  check "kiwi 000007 has a defect" '[ "$(echo "$OUT" | jq "[.fruit[] | select(.image == \"final_challenge_C1_000007.png\") | .defect_count] | add")" -gt 0 ]'
  check "no false defect on kiwis 6, 8, 9, 10" '[ "$(echo "$OUT" | jq "[.fruit[] | select(.image != \"final_challenge_C1_000007.png\") | .defect_count] | add")" = 0 ]'
else
  ok "bobcorn frames # SKIP no $BOB (set PACKTRACE_SHARED)"
fi

tap_finish
