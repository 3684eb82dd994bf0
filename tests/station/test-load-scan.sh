#!/usr/bin/env bash
# test-load-scan.sh: `packtrace run` with a loading file camera whose footage carries five QR
# codes in every frame (qroverlay, case-sensitive): a Digital Link of one of the station's
# batches, the same batch on another host, an unknown lot of this host, a held batch, and
# garbage.  The batch goes on the load open at the camera's dock exactly once however often it
# is read, the held batch is refused once and the refusal recorded, the unknown lot is recorded
# as a refusal naming no batch, and the camera's counters in GET /api/v1/cameras say what was
# read; the loading event names the dock camera's footage around the scan, [scan - 5 s,
# scan + 5 s], pending while it is recorded, and once the window is closed a signed follow-up
# record links the cut clip (its SHA-256, a decodable MP4 covering the window, served by the
# clips route).  Once the load is closed, the camera reads nothing more.  Exit 77 (skip) when a
# GStreamer element is missing.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
for e in videotestsrc qroverlay zbar x264enc h264parse splitmuxsink matroskamux matroskademux concat qtdemux; do
  if ! gst-inspect-1.0 --exists "$e" 2>/dev/null; then
    echo "# SKIP: GStreamer element $e is missing"
    exit 77
  fi
done
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$T"' EXIT
DATA=$T/data
export PACKTRACE_DATA=$DATA

sql() { sqlite3 "$DATA/station.db" "$1"; }
wait_for() {
  local end=$((SECONDS + $1))
  while [ $SECONDS -lt $end ]; do eval "$2" && return 0; sleep 0.2; done
  eval "$2"
}

"$BIN" init >/dev/null || { echo "Bail out! init failed"; exit 1; }
sed -i 's|^min_free_bytes=.*|min_free_bytes=0|' "$DATA/station.ini"
for p in Oranges Kiwi; do
  "$BIN" batch new --product $p --gtin 09506000134352 >/dev/null || { echo "Bail out! batch new"; exit 1; }
done
"$BIN" batch hold 2 --reason "residue check" >/dev/null || { echo "Bail out! batch hold"; exit 1; }
GOOD=$("$BIN" batch show 1 --json | jq -r '.. | .digital_link? // empty' | head -1)
HELD=$("$BIN" batch show 2 --json | jq -r '.. | .digital_link? // empty' | head -1)
LOT1=$("$BIN" batch show 1 --json | jq -r '.. | .lot? // empty' | head -1)
LOT2=$("$BIN" batch show 2 --json | jq -r '.. | .lot? // empty' | head -1)
check "the batches have Digital Links of this station" \
  '[[ "$GOOD" == https://trace.example.coop/01/09506000134352/10/$LOT1* && "$HELD" == *"/10/$LOT2"* ]]'
FOREIGN=${GOOD/trace.example.coop/other.example.org}
UNKNOWN="https://trace.example.coop/01/09506000134352/10/NOSUCHLOT"

# 6 s of an empty dock, then five codes in every frame for 2 s, at the loading camera's
# 1280x720: the first scan comes 6 s after the camera starts, so the whole evidence window
# around it is recorded.
qr() { echo "qroverlay data=\"$1\" case-sensitive=true pixel-size=5 x=$2 y=$3"; }
CAPS=video/x-raw,width=1280,height=720,framerate=25/1,format=I420
gst-launch-1.0 -q concat name=c ! videoconvert ! x264enc key-int-max=25 tune=zerolatency ! \
  h264parse ! matroskamux ! filesink location="$T/dock.mkv" \
  videotestsrc num-buffers=150 pattern=smpte ! $CAPS ! c. \
  videotestsrc num-buffers=50 pattern=smpte ! $CAPS ! \
  $(qr "$GOOD" 2 3) ! $(qr "$FOREIGN" 36 3) ! $(qr "$UNKNOWN" 70 3) ! \
  $(qr "$HELD" 2 52) ! $(qr "hello, not a link" 36 52) ! videoconvert ! c. \
  >/dev/null 2>"$T/gen.err"
check "footage with QR codes written" '[ -s "$T/dock.mkv" ]' || cat "$T/gen.err"

cat >>"$DATA/station.ini" <<EOF

[camera dockcam]
role=loading
source=file:$T/dock.mkv
segment_seconds=1
dock=dock-1
EOF
"$BIN" load new --plate "AB 123" --seal S-1 --dock dock-1 >/dev/null
check "a load is open at dock-1" '[ "$("$BIN" load show 1 --json | jq -r .state)" = open ]'

"$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
PID=$!
wait_for 60 'grep -q http:// "$T/run.out"'
URL=$(grep -o 'http://[^ ]*' "$T/run.out")
# Camera and batch reads need credentials: the operator token of station.ini.
AUTH="Authorization: Bearer $(sed -n 's/^operator_token=//p' "$PACKTRACE_DATA/station.ini")"
check "station runs" '[ -n "$URL" ]'
batches() { "$BIN" load show 1 --json | jq '.batches | length'; }
wait_for 25 '[ "$(batches)" -ge 1 ]'
check "the camera put the batch on the load" '[ "$(batches)" = 1 ]'
cam() { curl -s -H "$AUTH" "$URL/api/v1/cameras" | jq ".cameras[] | select(.name == \"dockcam\") | .$1"; }
# The codes keep passing the camera while the evidence window closes: repeated reads must
# add nothing.
reads=$(cam qr_read)
SHOW=$("$BIN" load show 1 --json)
check "the batch on the load is the good one, by the camera" \
  '[ "$(jq -r ".batches[0].lot + \" \" + .batches[0].source" <<<"$SHOW")" = "$LOT1 dockcam" ]'
check "exactly one loading event" '[ "$(sql "SELECT count(*) FROM events WHERE step = '"'loading'"'")" = 1 ]'
check "the event says the camera loaded it" \
  '[ "$("$BIN" batch show 1 --json | jq -r "[.. | objects | select(.bizStep? == \"loading\") | .\"pt:loadedBy\"] | .[0]")" = dockcam ]'
EV=$("$BIN" batch show 1 --json | jq "[.. | objects | select(.bizStep? == \"loading\")] | .[0]")
ADDED=$(jq -r .batches[0].added <<<"$SHOW")
check "its evidence is the dock camera around the scan (pending while it records)" \
  '[ "$(jq -r "[.\"pt:camera\", .\"pt:evidencePending\", .\"pt:clipFrom\" < \"$ADDED\", .\"pt:clipTo\" > \"$ADDED\"] | map(tostring) | join(\" \")" <<<"$EV")" = "dockcam true true true" ]'
ms() { date -u -d "$1" +%s%3N; }
SCAN=$(ms "$(jq -r .eventTime <<<"$EV")")
WFROM=$(ms "$(jq -r '."pt:clipFrom"' <<<"$EV")")
WTO=$(ms "$(jq -r '."pt:clipTo"' <<<"$EV")")
check "the evidence window is [scan - 5 s, scan + 5 s]" \
  '[ $((SCAN - WFROM)) = 5000 ] && [ $((WTO - SCAN)) = 5000 ]'
EVID=$(jq -r .eventID <<<"$EV")
followups() { sql "SELECT count(*) FROM events WHERE step = 'sensor_reporting'"; }
wait_for 25 '[ "$(followups)" -ge 1 ]'
check "after the window closes, one follow-up record" '[ "$(followups)" = 1 ]'
check "nothing is left pending" '[ "$(sql "SELECT count(*) FROM evidence_pending")" = 0 ]'
LOG=$("$BIN" batch show 1 --json)
FU=$(jq "[.event_list[].event | select(.bizStep == \"sensor_reporting\")] | .[0]" <<<"$LOG")
N=$(jq "[.event_list[].event.bizStep] | index(\"sensor_reporting\") + 1" <<<"$LOG")
check "the follow-up names the loading event and the dock camera" \
  '[ "$(jq -r "[.\"pt:evidenceFor\", .\"pt:camera\", .\"pt:loadId\"] | map(tostring) | join(\" \")" <<<"$FU")" = "$EVID dockcam 1" ]'
CLIP=$(sql "SELECT path FROM clips WHERE batch_id = 1")
HASH=$(jq -r '."pt:clipSha256"' <<<"$FU")
check "the clip file's SHA-256 is the signed one" '[ -n "$CLIP" ] && [ "$(sha256sum "$CLIP" | cut -d" " -f1)" = "$HASH" ]'
check "the clip covers the window" \
  '[ $(ms "$(jq -r ".\"pt:clipFrom\"" <<<"$FU")") -le $WFROM ] && [ $(ms "$(jq -r ".\"pt:clipTo\"" <<<"$FU")") -ge $((WTO - 100)) ]'
DEC=
for d in avdec_h264 openh264dec; do gst-inspect-1.0 --exists $d 2>/dev/null && { DEC=$d; break; }; done
# Every frame decoded; the span from the first frame's start to the last frame's end.
DUR=$(gst-launch-1.0 -v filesrc location="$CLIP" ! qtdemux ! h264parse ! ${DEC:-avdec_h264} ! \
  fakesink silent=false sync=false 2>/dev/null | grep -o 'pts: [0-9:.]*, duration: [0-9:.]*' |
  awk -F'[ :,]+' '{t = ($2 * 3600 + $3 * 60 + $4) * 1000; if (NR == 1) first = t;
                   end = t + ($7 * 3600 + $8 * 60 + $9) * 1000; n++}
                  END {if (n) printf "%d %d", end - first, n}')
set -- $DUR
MS=${1:-0} FRAMES=${2:-0}
# The cut starts at the keyframe at or before the window (one GOP, 1 s here) and may end
# within a GOP after it.
check "the clip decodes ($FRAMES frames) and lasts the window ($MS ms)" \
  '[ "$MS" -ge 9900 ] && [ "$MS" -le 13000 ] && [ "$FRAMES" -ge 247 ]'
curl -s -H "$AUTH" -o "$T/served.mp4" "$URL/api/v1/batches/1/clips/$N"
check "the clips route serves it as the follow-up's clip" '[ "$(sha256sum <"$T/served.mp4" | cut -d" " -f1)" = "$HASH" ]'
# The dock is still for 6 s of each 8 s loop: past scan_hold_ms only keyframes are decoded, and
# the codes are read from the keyframe that shows them, about 30 reads a loop.
wait_for 40 '[ "$(cam qr_read)" -gt $((reads + 40)) ]'
check "the codes are read over and over" '[ "$(cam qr_read)" -gt $((reads + 40)) ]'
check "still one batch on the load" '[ "$(batches)" = 1 ]'
SHOW=$("$BIN" load show 1 --json)
check "the held batch is refused once, with the reason" \
  '[ "$(jq "[.refusals[] | select(.lot == \"$LOT2\" and (.reason | contains(\"held: residue check\")) and .source == \"dockcam\")] | length" <<<"$SHOW")" = 1 ]'
check "the unknown lot is recorded once as naming no batch" \
  '[ "$(jq "[.refusals[] | select(.batch_id == null and (.reason | contains(\"NOSUCHLOT\")))] | length" <<<"$SHOW")" = 1 ]'
check "two refusals in all" '[ "$(jq ".refusals | length" <<<"$SHOW")" = 2 ]'
check "the held batch is not on the load" '[ "$(jq "[.batches[] | select(.lot == \"$LOT2\")] | length" <<<"$SHOW")" = 0 ]'
check "counters: one loaded" '[ "$(cam qr_loaded)" = 1 ]'
check "counters: one refused" '[ "$(cam qr_refused)" = 1 ]'
check "counters: foreign and unknown codes counted" '[ "$(cam qr_foreign)" -gt 2 ]'
check "counters: garbage counted as malformed" '[ "$(cam qr_malformed)" -gt 0 ]'
check "counters: the camera's dock" '[ "$(cam dock)" = "\"dock-1\"" ]'
check "the camera kept recording" '[ "$(cam state)" = "\"recording\"" ]'

# With no load open at its dock the camera reads nothing: a code has nowhere to go, so its
# frames are neither decoded nor scanned.  The footage shows its codes once every 8 s.  The
# station sees the close when station.db's log changes (at most 500 ms later); frames already
# queued ahead of the branch's decoder (up to 2 s of them) are still read.
"$BIN" load close 1 >/dev/null
sleep 3
shut=$(cam qr_read)
sleep 9
check "no load open at the dock: no code read for a whole loop of the footage" '[ "$(cam qr_read)" = "$shut" ]'

kill -TERM "$PID"
wait "$PID"
RC=$?
PID=
check "the station stops cleanly" '[ "$RC" = 0 ]'
check "still one loading event after the stop" '[ "$(sql "SELECT count(*) FROM events WHERE step = '"'loading'"'")" = 1 ]'
check "and one follow-up" '[ "$(followups)" = 1 ]'
check "audit intact" '"$BIN" audit >/dev/null'

tap_finish
