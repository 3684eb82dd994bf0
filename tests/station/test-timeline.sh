#!/usr/bin/env bash
# test-timeline.sh: the recordings timeline API against the real `packtrace run` on loopback,
# recording a real test camera (timeline-setup.sh: 3 s segments, a loading and an inspecting
# event filmed by it, a stop and start of the station):
#   GET /api/v1/timeline: two recorded spans (the segments merged) with the restart's gap
#     "station stopped" exactly between them, both events marked (the loading with its load),
#     the retention in force (segment length, evidence days, the oldest segment kept) and the
#     camera's privacy mask; a
#     segment retention deleted breaks its span and shows with its reason;
#   GET /api/v1/timeline/at: the camera is masked, so it plays in pieces of 2 s: an instant in
#     a segment gives it, the piece holding it and the offset into that, with the next piece
#     (of the same segment, or the next segment's first); an instant in the gap gives the first
#     segment after the restart; after everything recorded, 404;
#   GET /api/v1/timeline/segments/{id}: the recording of a masked camera is refused (409,
#     naming its pieces); .../pieces/{k} is piece k masked (MP4, kept in DATA/clips/masked,
#     naming its segment and mask, 2 s long, the two pieces as long as the segment), the
#     recording untouched, byte ranges (206, 416), a piece past the last 404, a deleted
#     segment 404, ids that are not ids 404;
#   POST /api/v1/timeline/export: a clip whose SHA-256 is the file's that the link serves,
#     masked, its comment naming its segments and the mask;
#   both runs stop with status 0 and no sanitizer report;
#   bad input: no camera, an unknown camera, a window over 26 h, to before from, an export
#     over 30 min, an export name of another form; no credentials 401.
# Skips (77) without the GStreamer elements, jq, sqlite3 or curl.
set -u
HERE=$(dirname "$0")
. "$HERE/../tap.sh"
. "$HERE/timeline-setup.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
T=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
must() { "$@" >"$T/step.out" 2>&1 || { echo "Bail out! $* -- $(tail -3 "$T/step.out")"; exit 1; }; }
timeline_station

iso() { date -u -d "@$1" +%FT%T.%3NZ; }
# ns -> seconds with 3 decimals, for date -d @
secs() { awk -v n="$1" 'BEGIN {printf "%.3f", n / 1e9}'; }
get() { curl -s -o "$T/body" -w '%{http_code}' -H "$AUTH" "$URL$1"; }
NOW=$(date +%s)
FROM=$(iso $((NOW - 3600)))
TO=$(iso $((NOW + 3600)))
check "GET /api/v1/timeline answers 200" '[ "$(get "/api/v1/timeline?camera=dock1&from=$FROM&to=$TO")" = 200 ]'
cp "$T/body" "$T/day.json"
day() { jq -r "$1" "$T/day.json"; }
# pj FILE EXPR: EXPR of the JSON in FILE as d, by Python: jq reads integers as doubles, and
# nanosecond times need all 19 digits.
pj() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
dayns() { pj "$T/day.json" "$1"; }
check "two recorded spans (before and after the restart): $(day '[.spans[] | .segments] | join(" + ")') segments" \
  '[ "$(day ".spans | length")" = 2 ] && [ "$(day ".spans[0].segments")" -ge 4 ] && [ "$(day ".spans[1].segments")" -ge 3 ]'
check "the later span is still recording" '[ "$(day ".spans[1].recording")" = true ] && [ "$(day ".spans[0].recording")" = false ]'
check "one gap, \"station stopped\"" \
  '[ "$(day "[.gaps[] | select(.kind == \"gap\")] | length")" = 1 ] && [ "$(day ".gaps[0].reason")" = "station stopped" ]'
check "the gap runs from the first span's end to the second's start" \
  '[ "$(dayns "d[\"gaps\"][0][\"from_ns\"]")" = "$(dayns "d[\"spans\"][0][\"to_ns\"]")" ] && [ "$(dayns "d[\"gaps\"][0][\"to_ns\"]")" = "$(dayns "d[\"spans\"][1][\"from_ns\"]")" ]'
GAP_FROM=$(dayns 'd["gaps"][0]["from_ns"]')
GAP_TO=$(dayns 'd["gaps"][0]["to_ns"]')
check "the gap contains the restart" '[ "$GAP_FROM" -lt "$RESTART_NS" ] && [ "$GAP_TO" -gt "$RESTART_NS" ]'
check "the first span starts at the oldest segment" \
  '[ "$(dayns "d[\"spans\"][0][\"from_ns\"]")" = "$(tl_sql "SELECT min(start_ns) FROM segments")" ]'
check "the loading of TL1 is marked with its load" \
  '[ "$(day "[.events[] | select(.step == \"loading\" and .lot == \"TL1\" and .load_id == 1 and .evidence == \"clip\")] | length")" = 1 ]'
LOADING_SEQ=$(tl_sql "SELECT event_seq FROM load_batches WHERE load_id = 1")
check "... as the loading event itself (seq $LOADING_SEQ), at its time" \
  '[ "$(day ".events[] | select(.lot == \"TL1\") | .seq")" = "$LOADING_SEQ" ] && [ "$(dayns "[e[\"time_ns\"] for e in d[\"events\"] if e[\"lot\"] == \"TL1\"][0]")" = "$(tl_sql "SELECT event_time_ns FROM events WHERE seq = $LOADING_SEQ")" ]'
check "the inspecting event of TL2 is marked, without a load" \
  '[ "$(day "[.events[] | select(.step == \"inspecting\" and .lot == \"TL2\" and .load_id == null)] | length")" = 1 ]'
check "retention: 3 s segments, evidence kept 730 days, the oldest segment named" \
  '[ "$(day .retention.segment_seconds)" = 3 ] && [ "$(day .retention.evidence_days)" = 730 ] && [ "$(dayns "d[\"retention\"][\"oldest_ns\"]")" = "$(dayns "d[\"spans\"][0][\"from_ns\"]")" ]'
check "the camera's role" '[ "$(day .role)" = loading ]'
check "its privacy mask: blur, the two rectangles of station.ini (pixels, percent)" \
  '[ "$(day ".retention.privacy_mask | [.style, (.rects[] | [.x, .y, .width, .height, .unit] | map(tostring) | join(\",\"))] | join(\" \")")" = "blur 240,0,80,60,px 75,75,25,25,%" ]'

# --- an instant ---
SEG=$(tl_sql "SELECT id || '|' || start_ns || '|' || end_ns FROM segments WHERE state = 'closed' AND start_ns < $GAP_FROM ORDER BY start_ns LIMIT 1 OFFSET 1")
IFS='|' read -r SEG_ID SEG_START SEG_END <<<"$SEG"
AT_NS=$((SEG_START + 400000000))
check "an instant in segment $SEG_ID: that segment, its first piece" \
  '[ "$(get "/api/v1/timeline/at?camera=dock1&t=$(iso "$(secs $AT_NS)")")" = 200 ] && [ "$(jq .segment.id "$T/body")" = "$SEG_ID" ] && [ "$(jq .segment.piece "$T/body")" = 0 ] && [ "$(jq -r .segment.url "$T/body")" = "/api/v1/timeline/segments/$SEG_ID/pieces/0" ]'
check "... the offset into it (0.4 s)" \
  'awk -v o="$(jq .offset "$T/body")" "BEGIN {exit !(o > 0.39 && o < 0.41)}"'
check "... and next, its second piece, from 2 s into the segment" \
  '[ "$(jq .next.id "$T/body")" = "$SEG_ID" ] && [ "$(jq .next.piece "$T/body")" = 1 ] && [ "$(pj "$T/body" "d[\"next\"][\"start_ns\"]")" = "$((SEG_START + 2000000000))" ] && [ "$(pj "$T/body" "d[\"next\"][\"end_ns\"]")" = "$SEG_END" ]'
AT2_NS=$((SEG_START + 2400000000))
check "an instant 2.4 s into it: its second piece, 0.4 s in" \
  '[ "$(get "/api/v1/timeline/at?camera=dock1&t=$(iso "$(secs $AT2_NS)")")" = 200 ] && [ "$(jq .segment.piece "$T/body")" = 1 ] && awk -v o="$(jq .offset "$T/body")" "BEGIN {exit !(o > 0.39 && o < 0.41)}"'
check "... and next, the next segment's first piece, where this one ends" \
  '[ "$(jq .next.piece "$T/body")" = 0 ] && [ "$(jq .in_gap "$T/body")" = false ] && [ "$(pj "$T/body" "d[\"next\"][\"start_ns\"]")" = "$(tl_sql "SELECT min(start_ns) FROM segments WHERE start_ns > $SEG_START AND state = '"'closed'"'")" ]'
MID_GAP=$(( (GAP_FROM + GAP_TO) / 2 ))
check "an instant in the gap: the first segment after the restart, from its start" \
  '[ "$(get "/api/v1/timeline/at?camera=dock1&t=$(iso "$(secs $MID_GAP)")")" = 200 ] && [ "$(jq .in_gap "$T/body")" = true ] && [ "$(pj "$T/body" "d[\"segment\"][\"start_ns\"]")" = "$GAP_TO" ] && [ "$(jq .offset "$T/body")" = 0 ]'
check "an instant after everything recorded: 404" \
  '[ "$(get "/api/v1/timeline/at?camera=dock1&t=$(iso $((NOW + 600)))")" = 404 ]'

# --- a segment's pieces: dock1 has a privacy mask, so they are masked ---
SEG_PATH=$(tl_sql "SELECT path FROM segments WHERE id = $SEG_ID")
check "segment $SEG_ID itself: 409, naming its pieces" \
  '[ "$(get "/api/v1/timeline/segments/$SEG_ID")" = 409 ] && jq -r .error "$T/body" | grep -q "pieces/0 to 1"'
PIECE=/api/v1/timeline/segments/$SEG_ID/pieces
check "its piece 0: 200, MP4, not the recording's bytes" \
  '[ "$(curl -s -D "$T/h" -o "$T/seg" -w "%{http_code}" -H "$AUTH" "$URL$PIECE/0")" = 200 ] && grep -qi "^content-type: video/mp4" "$T/h" && ! cmp -s "$T/seg" "$SEG_PATH"'
REND=$(ls "$PACKTRACE_DATA"/clips/masked/seg-"$SEG_ID"-p0-*.mp4 2>/dev/null | head -1)
SEG_SIZE=$(stat -c %s "$REND" 2>/dev/null || echo 0)
check "... kept in DATA/clips/masked, byte for byte" '[ -n "$REND" ] && cmp -s "$T/seg" "$REND"'
check "... which says inside it that it was cut from that segment and masked" \
  'grep -aq "cut from recorded segments: $(basename "$SEG_PATH"); privacy mask applied (blur: 240,0,80,60;75%,75%,25%,25%)" "$T/seg"'
check "... no ETag of the recording's hash" '! grep -qi "^etag:" "$T/h"'
# An MP4's video duration in seconds, from its one track's mdhd box (timescale, duration).
duration() {
  python3 -c 'import struct, sys
b = open(sys.argv[1], "rb").read(); i = b.find(b"mdhd")
v = b[i + 4]
ts, d = struct.unpack(">IQ" if v else ">II", b[i + 24:i + 36] if v else b[i + 16:i + 24])
print("%.3f" % (d / ts))' "$1" 2>/dev/null
}
curl -s -o "$T/piece1" -H "$AUTH" "$URL$PIECE/1"
D0=$(duration "$T/seg")
D1=$(duration "$T/piece1")
SEG_S=$(awk -v a="$SEG_START" -v b="$SEG_END" 'BEGIN {printf "%.3f", (b - a) / 1e9}')
check "piece 0 holds 2 s ($D0 s); with piece 1 ($D1 s) the segment's $SEG_S s, no frame twice" \
  'awk -v a="$D0" -v b="$D1" -v s="$SEG_S" "BEGIN {exit !(a > 1.85 && a < 2.15 && a + b > s - 0.25 && a + b < s + 0.15)}"'
check "the recording itself is untouched: its SHA-256 is the one recorded" \
  '[ "$(sha256sum "$SEG_PATH" | cut -d" " -f1)" = "$(tl_sql "SELECT sha256 FROM segments WHERE id = $SEG_ID")" ]'
check "a byte range: 206 with exactly those bytes" \
  '[ "$(curl -s -D "$T/h" -o "$T/part" -w "%{http_code}" -H "$AUTH" -H "Range: bytes=100-199" "$URL$PIECE/0")" = 206 ] && cmp -s "$T/part" <(tail -c +101 "$REND" | head -c 100) && grep -qi "^content-range: bytes 100-199/$SEG_SIZE" "$T/h"'
check "past its end: 416" \
  '[ "$(curl -s -o /dev/null -w "%{http_code}" -H "$AUTH" -H "Range: bytes=$SEG_SIZE-" "$URL$PIECE/0")" = 416 ]'
check "piece 2 of a 3 s segment: 404, saying it has 2" \
  '[ "$(get "$PIECE/2")" = 404 ] && jq -r .error "$T/body" | grep -q "has no piece 2 (it has 2)"'
for bad in 0 abc -1 99999 ..%2F..%2Fstation.db; do
  check "segment id \"$bad\": 404" '[ "$(get "/api/v1/timeline/segments/$bad")" = 404 ]'
done
for bad in abc -1 99999999999 1x; do
  check "piece \"$bad\": 404" '[ "$(get "$PIECE/$bad")" = 404 ]'
done

# --- export ---
EX_FROM=$(iso "$(secs $((SEG_START)))")
EX_TO=$(iso "$(secs $((SEG_START + 2500000000)))")
check "POST /api/v1/timeline/export: 201" \
  '[ "$(curl -s -o "$T/ex.json" -w "%{http_code}" -H "$AUTH" -d "{\"camera\":\"dock1\",\"from\":\"$EX_FROM\",\"to\":\"$EX_TO\"}" "$URL/api/v1/timeline/export")" = 201 ]'
EX_URL=$(jq -r .url "$T/ex.json")
check "the clip the link serves has the SHA-256 said ($(jq -r .sha256 "$T/ex.json" | cut -c1-12)...)" \
  '[ "$(curl -s -H "$AUTH" "$URL$EX_URL" | sha256sum | cut -d" " -f1)" = "$(jq -r .sha256 "$T/ex.json")" ]'
check "... and the size" '[ "$(curl -s -H "$AUTH" "$URL$EX_URL" | wc -c)" = "$(jq -r .bytes "$T/ex.json")" ]'
check "... as video/mp4 with byte ranges" \
  '[ "$(curl -s -D "$T/h" -o /dev/null -w "%{http_code}" -H "$AUTH" -H "Range: bytes=0-1" "$URL$EX_URL")" = 206 ] && grep -qi "^content-type: video/mp4" "$T/h"'
check "the export says inside it (its comment, under the SHA-256) that it was masked and what it was cut from" \
  'curl -s -H "$AUTH" "$URL$EX_URL" | grep -aq "cut from recorded segments: dock1-.*privacy mask applied (blur: 240,0,80,60;75%,75%,25%,25%)"'
check "it covers the range asked (keyframe before its start)" \
  '[ "$(date -d "$(jq -r .start "$T/ex.json")" +%s%N)" -le "$((SEG_START + 1000000))" ] && [ "$(date -d "$(jq -r .end "$T/ex.json")" +%s%N)" -ge "$((SEG_START + 2400000000))" ]'

# --- what is refused ---
code() { curl -s -o "$T/body" -w '%{http_code}' -H "$AUTH" "$@"; }
check "no camera: 400" '[ "$(code "$URL/api/v1/timeline?from=$FROM&to=$TO")" = 400 ]'
check "an unknown camera: 404" '[ "$(code "$URL/api/v1/timeline?camera=nope&from=$FROM&to=$TO")" = 404 ]'
check "a window over 26 h: 400" '[ "$(code "$URL/api/v1/timeline?camera=dock1&from=$(iso $((NOW - 200000)))&to=$TO")" = 400 ]'
check "to before from: 400" '[ "$(code "$URL/api/v1/timeline?camera=dock1&from=$TO&to=$FROM")" = 400 ]'
check "a time that is not RFC 3339: 400" '[ "$(code "$URL/api/v1/timeline/at?camera=dock1&t=yesterday")" = 400 ]'
check "an export over 30 min: 400" \
  '[ "$(code -d "{\"camera\":\"dock1\",\"from\":\"$FROM\",\"to\":\"$TO\"}" "$URL/api/v1/timeline/export")" = 400 ]'
check "an export body with another key: 400" \
  '[ "$(code -d "{\"camera\":\"dock1\",\"from\":\"$EX_FROM\",\"to\":\"$EX_TO\",\"path\":\"/etc\"}" "$URL/api/v1/timeline/export")" = 400 ]'
check "an export name of another form: 400" '[ "$(code "$URL/api/v1/timeline/exports/station.db")" = 400 ]'
check "a name that climbs out of the folder: 404 (no route matches)" \
  '[ "$(code "$URL/api/v1/timeline/exports/..%2Fstation.db")" = 404 ]'
check "an export that is not there: 404" '[ "$(code "$URL/api/v1/timeline/exports/00000000000000000000000000000000.mp4")" = 404 ]'
check "no credentials: 401" \
  '[ "$(curl -s -o /dev/null -w "%{http_code}" "$URL/api/v1/timeline?camera=dock1&from=$FROM&to=$TO")" = 401 ]'

# --- a segment retention deleted ---
# The second run goes on recording while the checks above run, and a busy machine may cut
# a gap of its own into that meanwhile (a CI run once saw 4 spans here, not 3): the spans
# are counted just before the deletion, which adds one.
get "/api/v1/timeline?camera=dock1&from=$FROM&to=$TO" >/dev/null
SPANS=$(jq ".spans | length" "$T/body")
echo "# before the deletion: $SPANS spans, gaps $(jq -c '[.gaps[] | [.kind, .reason]]' "$T/body")"
tl_sql "UPDATE segments SET state = 'deleted', reason = 'retention: over quota_bytes' WHERE id = $SEG_ID"
check "a deleted segment's file and pieces: 404" '[ "$(get "/api/v1/timeline/segments/$SEG_ID")" = 404 ] && [ "$(get "$PIECE/0")" = 404 ]'
get "/api/v1/timeline?camera=dock1&from=$FROM&to=$TO" >/dev/null
echo "# after it: $(jq ".spans | length" "$T/body") spans, gaps $(jq -c '[.gaps[] | [.kind, .reason]]' "$T/body")"
check "it breaks its span in two ($SPANS spans before) and shows with its reason" \
  '[ "$(jq ".spans | length" "$T/body")" = $((SPANS + 1)) ] && [ "$(jq -r "[.gaps[] | select(.kind == \"deleted\")][0].reason" "$T/body")" = "retention: over quota_bytes" ]'
check "an instant in it plays from the next segment" \
  '[ "$(get "/api/v1/timeline/at?camera=dock1&t=$(iso "$(secs $AT_NS)")")" = 200 ] && [ "$(jq .in_gap "$T/body")" = true ] && [ "$(jq .segment.id "$T/body")" != "$SEG_ID" ]'

# --- both runs stop cleanly: under the sanitizers a leak or an overrun is a report and a
# non-zero exit ---
kill "$server"
wait "$server" 2>/dev/null
SECOND_EXIT=$?
server=
sanitizer_report() { grep -E "ERROR: (Address|Leak)Sanitizer|runtime error" "$1"; }
check "the first run stopped cleanly (exit $FIRST_EXIT)" '[ "$FIRST_EXIT" = 0 ] && ! sanitizer_report "$T/run1.err"'
check "the second run, which served the timeline, stopped cleanly (exit $SECOND_EXIT)" \
  '[ "$SECOND_EXIT" = 0 ] && ! sanitizer_report "$T/run.err"'
tap_finish
