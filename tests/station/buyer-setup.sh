# buyer-setup.sh: the station the buyer portal tests search (sourced by test-buyer.sh and
# test-buyer-browser.sh; needs BIN, GEN (pt-test-fruitgen), T and must()).  Made with the CLI
# as a shed would:
#   ORA-001  Oranges 09506000134352, Li farm, harvest 2026-10-01, pack 2026-10-03, declared
#            Extra and graded 6 Extra (conformant); on load 1 to Fresh Co (GLN_A), departed;
#            an evidence clip (CLIP=1) when GStreamer can make one
#   ORA_002  Oranges 09506000134352, Wang 50%, harvest 2026-10-10, pack 2026-10-12, declared
#            class I and graded 4 Extra 1 II 2 out: mostly Extra fruit, yet outside class I's
#            tolerances (non-conformant); on load 2 to Sun Market (GLN_B), still loading
#   APL-003  Apples 04012345000009, a grower named like a spreadsheet formula, pack
#            2026-11-05, held with a reason holding a comma and quotes
#   PEA-004  Pears 04012345000009, O'Brien, pack 2026-11-20, recalled
# A driver's phone is on both loads: it must never reach a buyer.
GTIN_A=09506000134352
GTIN_B=04012345000009
GLN_A=4012345000115
GLN_B=4012345000122
PHONE="+86 138 0013 8000"
EVIL_GROWER='=HYPERLINK("http://evil.example/x","click")'
HOLD_REASON='residue, "check" again'

buyer_station() {
  export PACKTRACE_DATA=$T/data
  must "$BIN" init
  sed -i 's/^demo=auto/demo=off/' "$T/data/station.ini"
  must "$BIN" batch new --product Oranges --gtin $GTIN_A --variety Navel --origin CN \
    --grower "Li farm" --harvest-date 2026-10-01 --pack-date 2026-10-03 --lot ORA-001
  must "$BIN" batch new --product Oranges --gtin $GTIN_A --grower "Wang 50%" \
    --harvest-date 2026-10-10 --pack-date 2026-10-12 --lot ORA_002
  must "$BIN" batch new --product Apples --gtin $GTIN_B --grower "$EVIL_GROWER" \
    --pack-date 2026-11-05 --lot APL-003
  must "$BIN" batch new --product Pears --gtin $GTIN_B --grower "O'Brien" \
    --pack-date 2026-11-20 --lot PEA-004
  must "$BIN" batch hold APL-003 --reason "$HOLD_REASON"
  must "$BIN" batch recall PEA-004 --reason "label error"

  mkdir -p "$T/img"
  must "$GEN" "$T/img"
  must "$BIN" grade --batch ORA-001 --class Extra "$T/img/good.png" "$T/img/good.png"
  must "$BIN" grade close ORA-001
  must "$BIN" grade --batch ORA_002 --class I "$T/img/good.png" "$T/img/defect.png" "$T/img/small.png"
  must "$BIN" grade close ORA_002

  CLIP=
  if gst-inspect-1.0 --exists x264enc 2>/dev/null && gst-inspect-1.0 --exists matroskamux 2>/dev/null; then
    mkdir -p "$T/data/recordings/testcam"
    local seg=$T/data/recordings/testcam/seg1.mkv s
    must gst-launch-1.0 -q videotestsrc pattern=ball num-buffers=100 \
      ! video/x-raw,width=320,height=240,framerate=25/1 ! x264enc bitrate=200 key-int-max=25 \
      ! h264parse ! matroskamux ! filesink location="$seg"
    s=$(($(date +%s) - 60))
    must sqlite3 "$T/data/station.db" "INSERT INTO segments (camera, path, start_ns, end_ns, bytes, state)
      VALUES ('testcam', '$seg', $s * 1000000000, ($s + 4) * 1000000000, $(stat -c %s "$seg"), 'closed');"
    must "$BIN" event add ORA-001 --step picking --camera testcam \
      --from "$(date -u -d @$((s + 1)) +%FT%TZ)" --to "$(date -u -d @$((s + 3)) +%FT%TZ)"
    CLIP=1
  fi

  must "$BIN" load new --plate "AB 123" --seal S-0001 --driver-name Wang --driver-phone "$PHONE" \
    --destination "Fresh Co" --destination-gln $GLN_A
  must "$BIN" load add 1 ORA-001
  must "$BIN" load close 1
  must "$BIN" load new --plate "CD 456" --seal S-0002 --driver-phone "$PHONE" \
    --destination "Sun Market" --destination-gln $GLN_B
  must "$BIN" load add 2 ORA_002
}

# Starts `packtrace run` on loopback; sets server (pid), url and TOKEN.
buyer_run() {
  : >"$T/run.out" # before the fork: never the previous server's address
  "$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
  server=$!
  url=
  for _ in $(seq 100); do
    url=$(grep -o 'http://[0-9.:]*' "$T/run.out" 2>/dev/null | head -1)
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { echo "Bail out! server did not start"; sed 's/^/#   /' "$T/run.err"; exit 1; }
  TOKEN=$(sed -n 's/^operator_token=//p' "$T/data/station.ini")
  [ -n "$TOKEN" ] || { echo "Bail out! no operator_token in station.ini"; exit 1; }
}
