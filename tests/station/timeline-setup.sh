# timeline-setup.sh: the station the recordings timeline tests review (sourced by
# test-timeline.sh and test-timeline-browser.sh after tap.sh; needs BIN, T and must()).  `packtrace run`
# records a loading camera "dock1" (test source, 320x240 at 10 fps, each frame's capture time
# burned in as a QR code at the top left, 3 s segments, so that each plays masked in two
# pieces, 2 s and 1 s; the two right-hand corners blurred by a privacy mask, one rectangle in
# pixels, one in percent of the frame), then:
#   TL1 is put on load 1 at dock1 by the API: a loading event whose clip is cut from dock1
#       once its window is recorded (pt-evidence-followup.h);
#   TL2 gets an inspecting event with a clip of dock1 by the CLI;
#   the station is stopped and started again: a gap "station stopped" between two spans.
# timeline_station leaves URL, OPTOKEN, AUTH, server (the run's pid), RESTART_NS, FIRST_EXIT
# (the first run's exit status; its stderr in $T/run1.err).
timeline_station() {
  for e in videotestsrc x264enc h264parse splitmuxsink matroskamux matroskademux mp4mux zbar; do
    gst-inspect-1.0 --exists "$e" 2>/dev/null || { echo "1..0 # SKIP GStreamer element $e is missing"; exit 77; }
  done
  for tool in jq sqlite3 curl; do
    command -v $tool >/dev/null || { echo "1..0 # SKIP $tool is missing"; exit 77; }
  done
  export PACKTRACE_DATA=$T/data
  must "$BIN" init
  sed -i 's/^demo=auto$/demo=off/; s/^min_free_bytes=.*/min_free_bytes=0/' "$PACKTRACE_DATA/station.ini"
  cat >>"$PACKTRACE_DATA/station.ini" <<INI

[camera dock1]
role=loading
source=test
segment_seconds=3
width=320
height=240
fps=10
timestamp_overlay=qr
privacy_mask=240,0,80,60;75%,75%,25%,25%
privacy_mask_style=blur
INI
  must "$BIN" batch new --product Oranges --gtin 09506000134352 --lot TL1 --quantity 10
  must "$BIN" batch new --product Oranges --gtin 09506000134352 --lot TL2 --quantity 10
  OPTOKEN=$(sed -n 's/^operator_token=//p' "$PACKTRACE_DATA/station.ini")
  AUTH="Authorization: Bearer $OPTOKEN"
  timeline_run
  tl_wait 30 '[ "$(tl_sql "SELECT count(*) FROM segments WHERE state = '"'closed'"'")" -ge 1 ]' ||
    { echo "Bail out! dock1 does not record: $(tail -3 "$T/run.err")"; exit 1; }
  must curl -sf -H "$AUTH" -d '{"plate":"SH 1","seal":"S-1","dock":"dock1"}' "$URL/api/v1/loads"
  must curl -sf -H "$AUTH" -d '{"batch":"TL1"}' "$URL/api/v1/loads/1/batches"
  # The loading's clip window ends 5 s after the scan: cut once that footage is closed.
  tl_wait 30 '[ "$(tl_sql "SELECT count(*) FROM evidence_pending")" = 0 ]' ||
    { echo "Bail out! the loading clip was not cut"; exit 1; }
  # A window inside footage already closed (a loaded box closes segments late; the clock's
  # last seconds may still be recording).
  local end
  end=$(tl_sql "SELECT max(end_ns) / 1000000000 FROM segments WHERE camera = 'dock1' AND state = 'closed'")
  must "$BIN" event add TL2 --step inspecting --camera dock1 --from "$(date -u -d @$((end - 2)) +%FT%TZ)" \
    --to "$(date -u -d @$((end - 1)) +%FT%TZ)"
  tl_wait 30 '[ "$(tl_sql "SELECT count(*) FROM segments WHERE state = '"'closed'"'")" -ge 4 ]' ||
    { echo "Bail out! dock1 did not record 4 segments before the restart"; exit 1; }
  kill "$server"
  wait "$server" 2>/dev/null
  FIRST_EXIT=$?
  server=
  cp "$T/run.err" "$T/run1.err"
  sleep 1
  RESTART_NS=$(date +%s%N)
  timeline_run
  tl_wait 30 '[ "$(tl_sql "SELECT count(*) FROM segments WHERE state = '"'closed'"' AND start_ns > $RESTART_NS")" -ge 3 ]' ||
    { echo "Bail out! dock1 does not record after the restart"; exit 1; }
}

timeline_run() {
  run_station
  URL=$url
}
tl_sql() { sqlite3 -cmd ".timeout 5000" "$PACKTRACE_DATA/station.db" "$1"; }
tl_wait() {
  local end=$((SECONDS + $1))
  while [ $SECONDS -lt $end ]; do eval "$2" && return 0; sleep 0.2; done
  eval "$2"
}
