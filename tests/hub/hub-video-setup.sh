# hub-video-setup.sh: a station behind NAT and the co-op hub that relays its load video
# (sourced by test-hub-video.sh and test-hub-video-browser.sh after tap.sh and pg-fixture.sh;
# needs BIN and HERE).  hv_setup leaves:
#   a throwaway PostgreSQL (pg-fixture.sh), `packtrace hub serve` on it at $HUB (pid $hub),
#   the station enrolled ($SID), `packtrace run` at $URL (pid $server) with dock1, a test
#   camera at dock "dock1" burning each frame's UTC ms in as a QR code (1 s segments) with a
#   privacy mask ($MASK, black) over part of its picture, a
#   [sync hub] connector with video_relay=true, batch HV1, the operator token $OPTOKEN, and the
#   hub's buyer tokens $TOKEN_A (GLN_A) and $TOKEN_B (GLN_B); T is the scratch folder, removed
#   at exit with both processes and the cluster.
GLN_A=4012345000115
GLN_B=4012345000122
# The bottom right of the test picture (its noise), masked black; the QR code of the capture
# time (top left) stays in view.
MASK=260,190,60,50
server=
hub=

hv_cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  [ -n "$hub" ] && kill "$hub" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$T"
  pg_fixture_stop
}
must() { "$@" >"$T/step.out" 2>&1 || { echo "Bail out! $* -- $(tail -3 "$T/step.out")"; exit 1; }; }
wait_for() {
  local end=$((SECONDS + $1))
  while [ $SECONDS -lt $end ]; do eval "$2" && return 0; sleep 0.3; done
  eval "$2"
}

hv_setup() {
  for e in videotestsrc x264enc h264parse splitmuxsink matroskamux matroskademux mp4mux hlssink2 \
    mpegtsmux tsdemux; do
    gst-inspect-1.0 --exists "$e" 2>/dev/null || { echo "1..0 # SKIP GStreamer element $e is missing"; exit 77; }
  done
  for tool in jq sqlite3 curl zbarimg; do
    command -v $tool >/dev/null || { echo "1..0 # SKIP $tool is missing"; exit 77; }
  done
  T=$(mktemp -d)
  pg_fixture_start
  trap hv_cleanup EXIT
  export PACKTRACE_DATA=$T/data PACKTRACE_HUB_DSN=$PT_HUB_DSN

  # The station.
  must "$BIN" init
  sed -i 's/^demo=auto$/demo=off/; s/^min_free_bytes=.*/min_free_bytes=0/' "$PACKTRACE_DATA/station.ini"
  printf '%s\n' '' '[camera dock1]' 'role=loading' 'source=test:smpte' 'segment_seconds=1' \
    'width=320' 'height=240' 'fps=15' 'timestamp_overlay=qr' 'live_idle_seconds=3' \
    "privacy_mask=$MASK" 'privacy_mask_style=black' \
    >>"$PACKTRACE_DATA/station.ini"
  must "$BIN" batch new --product Oranges --gtin 09506000134352 --lot HV1 --quantity 10
  OPTOKEN=$(sed -n 's/^operator_token=//p' "$PACKTRACE_DATA/station.ini")

  # The hub, the station enrolled by its key, two buyers.
  must "$BIN" hub migrate
  must "$BIN" hub station add "Shed V" --key-file "$PACKTRACE_DATA/keys/station.pub"
  SID=$("$BIN" key show --json | jq -r .station_id)
  printf '%s\n' '[hub]' "key_dir=$T/hub-key" >"$T/hub.ini"
  "$BIN" hub serve --config "$T/hub.ini" --port 0 --port-file "$T/hub.port" >"$T/hub.log" 2>&1 &
  hub=$!
  wait_for 10 '[ -s "$T/hub.port" ]' || { echo "Bail out! the hub did not start: $(cat "$T/hub.log")"; exit 1; }
  HUB=http://127.0.0.1:$(cat "$T/hub.port")
  TOKEN_A=$("$BIN" hub buyer add "Fresh Co" --gln $GLN_A | head -1)
  TOKEN_B=$("$BIN" hub buyer add "Other Co" --gln $GLN_B | head -1)
  must "$BIN" sync add hub --type hub --url "$HUB" --video-relay
  grep -A20 '^\[sync hub\]' "$PACKTRACE_DATA/station.ini" | grep -q '^video_relay=true' ||
    { echo "Bail out! sync add --video-relay did not write video_relay=true"; exit 1; }
  run_station
  URL=$url
  wait_for 10 'grep -q "video relay: buyers watch loads through the hub at $HUB" "$T/run.err"' ||
    { echo "Bail out! the video relay did not start: $(tail -3 "$T/run.err")"; exit 1; }
  wait_for 40 '[ "$(sqlite3 -cmd ".timeout 5000" "$PACKTRACE_DATA/station.db" "SELECT count(*) FROM segments WHERE camera = '"'dock1'"' AND state = '"'closed'"'")" -ge 7 ]' ||
    { echo "Bail out! dock1 does not record: $(tail -3 "$T/run.err")"; exit 1; }
}
