# buyer-video-setup.sh: the station whose loads buyers watch (sourced by test-buyer-video.sh
# and test-buyer-video-browser.sh; needs BIN, T and must()).  `packtrace run` records:
#   dock1  the loading camera of dock "dock1": a test source burning each frame's UTC ms in as
#          a QR code (timestamp_overlay=qr), 1 s segments, so a closed load's recording is
#          readable a second or two after its window ends
#   dock7  the loading camera of dock "dock7", an RTSP source nobody serves: always down
#   pick1  a picking camera that names dock1 as its dock too: never a buyer's to watch
# Batches BV1 and BV2; accounts: buyer A (API key KEY_A and user buyer-a, GLN_A), buyer B
# (KEY_B and user buyer-b, GLN_B), an unscoped buyer (KEY_ALL), the operator token (OPTOKEN).
# bv_station leaves URL, server (the run's pid) and those; bv_sql runs a query on station.db.
GLN_A=4012345000115
GLN_B=4012345000122
BUYER_PW="buyer video 2026"

bv_station() {
  for e in videotestsrc x264enc h264parse splitmuxsink matroskamux matroskademux mp4mux \
    hlssink2 mpegtsmux tsdemux; do
    gst-inspect-1.0 --exists "$e" 2>/dev/null || { echo "1..0 # SKIP GStreamer element $e is missing"; exit 77; }
  done
  for tool in jq sqlite3 curl zbarimg; do
    command -v $tool >/dev/null || { echo "1..0 # SKIP $tool is missing"; exit 77; }
  done
  export PACKTRACE_DATA=$T/data
  # A port nobody listens on: dock7's camera stays down, reconnecting.
  DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  must "$BIN" init
  sed -i 's/^demo=auto$/demo=off/; s/^min_free_bytes=.*/min_free_bytes=0/' "$PACKTRACE_DATA/station.ini"
  cat >>"$PACKTRACE_DATA/station.ini" <<INI

[camera dock1]
role=loading
source=test:smpte
segment_seconds=1
width=320
height=240
fps=15
timestamp_overlay=qr
live_idle_seconds=3

[camera dock7]
role=loading
source=rtsp://127.0.0.1:$DEAD/none

[camera pick1]
role=picking
dock=dock1
source=test:ball
segment_seconds=10
width=160
height=120
fps=5
INI
  must "$BIN" batch new --product Oranges --gtin 09506000134352 --lot BV1 --quantity 10
  must "$BIN" batch new --product Oranges --gtin 09506000134352 --lot BV2 --quantity 10
  KEY_A=$("$BIN" apikey add buyer-a-key --role buyer --scope $GLN_A --json | jq -r .key)
  KEY_B=$("$BIN" apikey add buyer-b-key --role buyer --scope $GLN_B --json | jq -r .key)
  KEY_ALL=$("$BIN" apikey add buyer-all-key --role buyer --json | jq -r .key)
  must sh -c "echo '$BUYER_PW' | '$BIN' user add buyer-a --role buyer --scope $GLN_A"
  must sh -c "echo '$BUYER_PW' | '$BIN' user add buyer-b --role buyer --scope $GLN_B"
  OPTOKEN=$(sed -n 's/^operator_token=//p' "$PACKTRACE_DATA/station.ini")
  run_station
  URL=$url
  # Recorded for longer than the margin before a load opens: its window starts in footage.
  bv_wait 40 '[ "$(bv_sql "SELECT count(*) FROM segments WHERE camera = '"'dock1'"' AND state = '"'closed'"'")" -ge 7 ]' ||
    { echo "Bail out! dock1 does not record: $(tail -3 "$T/run.err")"; exit 1; }
}

bv_sql() { sqlite3 -cmd ".timeout 5000" "$PACKTRACE_DATA/station.db" "$1"; }
bv_wait() {
  local end=$((SECONDS + $1))
  while [ $SECONDS -lt $end ]; do eval "$2" && return 0; sleep 0.2; done
  eval "$2"
}
# bv_op METHOD PATH [BODY]: an operator's request; its body on stdout, fails on an HTTP error.
bv_op() {
  curl -sf -m 20 -X "$1" -H "Authorization: Bearer $OPTOKEN" ${3:+-d "$3"} "$URL$2"
}
