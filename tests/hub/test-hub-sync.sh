#!/usr/bin/env bash
# test-hub-sync.sh: three real `packtrace run` stations, each with its own data folder, sync to
# one real `packtrace hub serve` on a throwaway PostgreSQL (pg-fixture.sh) through the hub
# connector: enrolment by one-time code (and the clear refusals: no filter, an unknown station,
# a wrong or used code), batches graded (evidence stills) and held on each, an outage of the
# hub (killed and started again), of PostgreSQL (the cluster stopped and started) and restarts
# of the stations, with events written during each.  On one station a record is altered in its
# database (the hub quarantines it and the queue goes on; a later restart sends nothing again),
# on another a still is overwritten after its event signed it (never sent, shown as missing).
# At the end the hub holds every event of every station once (its count is the station's, no
# gap but the altered one, no alert), its chain head is the station's, each station was
# answered for each event once, and the evidence bytes in PostgreSQL hash to what the signed
# events named.  A product photo and certificates attached on a station reach the hub, which
# serves them on its page and at /evidence/SHA with the media type their records sign (a
# private one: held, never served).
set -u
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/pg-fixture.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
GEN=${PT_TEST_FRUITGEN:?}
T=$(mktemp -d)
hub=
pids=()
cleanup() {
  [ -n "$hub" ] && kill "$hub" 2>/dev/null
  for p in "${pids[@]}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$T"
  pg_fixture_stop
}
pg_fixture_start
trap cleanup EXIT
export PACKTRACE_HUB_DSN=$PT_HUB_DSN
mkdir -p "$T/img"
"$GEN" "$T/img" >/dev/null || { echo "Bail out! pt-test-fruitgen failed"; exit 1; }
"$BIN" hub migrate >/dev/null || { echo "Bail out! hub migrate failed"; exit 1; }

port=0
start_hub() {
  rm -f "$T/hub.port"
  "$BIN" hub serve --port "$port" --port-file "$T/hub.port" >>"$T/hub.out" 2>>"$T/hub.err" &
  hub=$!
  for _ in $(seq 100); do
    [ -s "$T/hub.port" ] && port=$(cat "$T/hub.port") && return 0
    sleep 0.1
  done
  echo "Bail out! the hub did not start: $(cat "$T/hub.err")"
  exit 1
}
stop_hub() { kill "$hub"; wait "$hub" 2>/dev/null; hub=; }
pg_stop() { pg_fixture_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null; }
pg_start() {
  pg_fixture_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
    -o "-k $PG_DIR -c listen_addresses='' -c fsync=off" start >/dev/null
}
pt() { local i=$1; shift; PACKTRACE_DATA=$T/s$i "$BIN" "$@"; }
count() { sqlite3 "$T/s$1/station.db" "SELECT count(*) FROM events"; }
sid() { pt "$1" key show --json | jq -r .station_id; }
start_station() {
  PACKTRACE_DATA=$T/s$1 "$BIN" run --listen 127.0.0.1:0 >"$T/run$1.out" 2>>"$T/run$1.err" &
  pids[$1]=$!
}
stop_station() { kill "${pids[$1]}"; wait "${pids[$1]}" 2>/dev/null; pids[$1]=; }
# hub_station I FIELD: a field of `packtrace hub status --json` for station I.
hub_station() {
  "$BIN" hub status --json | jq -r --arg id "$(sid "$1")" ".stations[] | select(.station == \$id) | .$2"
}
# synced I: the hub holds station I's whole log, its head, and every piece of evidence.
# (Station 3 has QUARANTINED events the hub refused, station 2 MISSING stills it cannot send.)
QUARANTINED=0
MISSING=0
synced() {
  local events q=0 m=0
  events=$(count "$1")
  [ "$1" = 3 ] && q=$QUARANTINED
  [ "$1" = 2 ] && m=$MISSING
  [ "$(hub_station "$1" "events, .head_seq, .quarantined" | tr "\n" " ")" = "$((events - q)) $events $q " ] &&
    [ "$(pg_psql -c "SELECT count(*) FROM evidence_refs r WHERE r.station_id = '$(sid "$1")' AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.sha256 = r.sha256)")" = "$m" ]
}
wait_synced() {
  for _ in $(seq 100); do
    synced 1 && synced 2 && synced 3 && return 0
    sleep 0.2
  done
  return 1
}
grade() { # grade I BATCH: a grading with evidence stills, closed (a signed inspecting event)
  pt "$1" grade --batch "$2" "$T/img/good.png" "$T/img/defect.png" "$T/img/small.png" >/dev/null &&
    pt "$1" grade close "$2" >/dev/null
}

start_hub
HUB=http://127.0.0.1:$port
for i in 1 2 3; do
  pt $i init >/dev/null || exit 1
  sed -i 's/^demo=auto/demo=off/' "$T/s$i/station.ini"
done

# --- enrolment, and what is refused -------------------------------------------------------
expect 2 "a hub connector takes no filter" pt 1 sync add hub --type hub --url "$HUB" --filter gtin:09506000134352
expect 1 "a station the hub does not know, without a code, is refused" pt 1 sync add hub --type hub --url "$HUB"
check "says so, with the station id and key for the admin" \
  '[[ "$ERR" == *"does not know station $(sid 1)"*"$(pt 1 key show)"* ]]'
expect 1 "a wrong code is refused" pt 1 sync add hub --type hub --url "$HUB" --enrol NOT-A-CODE
check "says the hub refused the code" '[[ "$ERR" == *"refused the enrolment code"* ]]'
check "nothing was written to station.ini" '! grep -q "^\[sync hub\]" "$T/s1/station.ini"'
for i in 1 2 3; do
  code=$("$BIN" hub station enrol-code "Shed $i" --json | jq -r .code)
  expect 0 "station $i enrols at the hub with a one-time code" pt $i sync add hub --type hub --url "$HUB" --enrol "$code"
  sed -i 's/^\[sync hub\]$/[sync hub]\nretry_min_ms=100\nretry_max_ms=1000\nmax_batch=4/' "$T/s$i/station.ini"
done
check "prints the station id and public key" '[[ "$OUT" == *"station $(sid 3), public key $(pt 3 key show)"*enrolled* ]]'
pt 4 init >/dev/null || exit 1
expect 1 "a used code is refused to another station" pt 4 sync add hub --type hub --url "$HUB" --enrol "$code"
expect 0 "an enrolled station is checked and added without a code" pt 1 sync add hub2 --type hub --url "$HUB"
expect 0 "and removed" pt 1 sync remove hub2
sed -i 's/^filter=all$/filter=gtin:09506000134352/' "$T/s2/station.ini"
expect 1 "a filter written into station.ini by hand is refused at load" pt 2 sync status
check "names the reason" '[[ "$ERR" == *"takes no filter"* ]]'
sed -i 's/^filter=gtin:09506000134352$/filter=all/' "$T/s2/station.ini"
expect 0 "the hub lists the three stations" "$BIN" hub status --json
check "three stations, none holding anything yet" '[ "$(echo "$OUT" | jq "[.stations[] | .events] | add, length" | tr "\n" " ")" = "0 3 " ]'

for i in 1 2 3; do
  for _ in 1 2 3; do
    pt $i batch new --product Oranges --gtin 09506000134352 --grower "Farm $i" --pack-date 2026-11-25 >/dev/null || exit 1
  done
  grade $i 1 || exit 1
  pt $i batch hold 2 --reason "station $i check" >/dev/null || exit 1
done
# Station 1 also packs a pallet, takes a case off and repacks a lot: Aggregation and
# Transformation events, which the hub must verify and file under their lots like the rest.
sed -i 's/^gs1_company_prefix=$/gs1_company_prefix=0614141/' "$T/s1/station.ini"
{ pt 1 pallet new && pt 1 pallet add 006141410000000012 "#1" --cases 4 &&
  pt 1 pallet remove 006141410000000012 "#1" --cases 1 &&
  pt 1 batch repack "#3" --into HUB-R1=1 --into HUB-R2=2; } >/dev/null || exit 1
for i in 1 2 3; do start_station $i; done
check "three stations synced to the hub" wait_synced
lot1=$(pt 1 batch show "#1" --json | jq -r .lot)
lot3=$(pt 1 batch show "#3" --json | jq -r .lot)
check "the hub filed station 1's two aggregations and its transformation under their lots" \
  '[ "$(pg_psql -c "SELECT string_agg(event_type || '\''/'\'' || coalesce(lot, '\''-'\''), '\'' '\'' ORDER BY seq) FROM events WHERE event_type <> '\''ObjectEvent'\''")" = "AggregationEvent/$lot1 AggregationEvent/$lot1 TransformationEvent/$lot3" ]'

# The hub goes down; the stations go on.
stop_hub
for i in 1 2 3; do
  pt $i batch release 2 >/dev/null && grade $i 3 || exit 1
done
sleep 1
expect 0 "sync status while the hub is down" pt 1 sync status --json
check "shows pending events and the reason" \
  '[ "$(echo "$OUT" | jq ".connectors[0].pending")" -ge 1 ] && [[ "$(echo "$OUT" | jq -r ".connectors[0].last_error")" == *"no answer"* ]]'
start_hub
check "every station caught up after the hub's outage" wait_synced

# PostgreSQL goes down under a running hub.
pg_stop
for i in 1 2 3; do pt $i event add 1 --step shipping >/dev/null || exit 1; done
sleep 1
expect 0 "sync status while PostgreSQL is down" pt 2 sync status --json
check "the hub's answer (503) is the last error" '[[ "$(echo "$OUT" | jq -r ".connectors[0].last_error")" == *"HTTP 503"* ]]'
pg_start
check "every station caught up after PostgreSQL's outage" wait_synced

# Stations restart, with events written while they were stopped.  On station 3 one of them is
# altered in the database (the hub must quarantine it, and take the events after it); on
# station 2 a still is overwritten after its event signed it (it must not be sent).
for i in 1 2 3; do stop_station $i; done
for i in 1 2 3; do pt $i batch recall 3 --reason "restart check" >/dev/null || exit 1; done
altered=$(count 3)
sqlite3 "$T/s3/station.db" "DROP TRIGGER events_append_only_update;
  UPDATE events SET body = replace(body, 'restart check', 'restart chECK') WHERE seq = $altered;" || exit 1
pt 3 event add 1 --step shipping >/dev/null || exit 1
QUARANTINED=1
# A still of its own (a box no other grading has, holding no fruit: its record, not graded,
# keeps the box as its still), so the hub does not hold its bytes already.
pt 2 grade --batch 2 --roi 0,0,40,540 "$T/img/defect.png" >/dev/null && pt 2 grade close 2 >/dev/null || exit 1
still=$(sqlite3 "$T/s2/station.db" "SELECT body FROM events WHERE step = 'inspecting' ORDER BY seq DESC LIMIT 1" |
  jq -r '."pt:evidence"[0].file')
printf 'not the graded picture' >"$T/s2/$still"
MISSING=1
for i in 1 2 3; do start_station $i; done
check "the restarted stations caught up" wait_synced
expect 0 "station 3's sync status" pt 3 sync status --json
check "names the quarantined event and the hub's reason; nothing pending behind it" \
  '[ "$(echo "$OUT" | jq -r ".connectors[0] | .quarantined, .pending, .failures[0].seq" | tr "\n" " ")" = "1 0 $altered " ] && [[ "$(echo "$OUT" | jq -r ".connectors[0].failures[0].error")" == *"content altered"* ]]'
check "the hub shows the gap it leaves" '[ "$(hub_station 3 "gaps | map(map(tostring) | join(\"-\")) | join(\",\")")" = "$altered-$altered" ]'
expect 0 "station 2's sync status" pt 2 sync status
check "names the still that no longer matches its signed hash" '[[ "$OUT" == *"EVIDENCE missing"*"no longer matches the SHA-256 its event signed"* ]]'
delivered3=$(pt 3 sync status --json | jq ".connectors[0].delivered")
stop_station 3
start_station 3
sleep 1.5
check "a restart past the quarantined event sends nothing again" \
  '[ "$(pt 3 sync status --json | jq ".connectors[0] | .delivered, .hub.last_delivered_seq" | tr "\n" " ")" = "$delivered3 $(count 3) " ] && synced 3'

for i in 1 2; do
  events=$(count "$i")
  check "station $i: the hub holds its $events events once, no gap" \
    '[ "$(hub_station '"$i"' "events, .contiguous_seq, .last_seq, (.gaps | length)" | tr "\n" " ")" = "'"$events $events $events 0 "'" ]'
  check "station $i: nothing quarantined, no alert (every signature and link verified)" \
    '[ "$(hub_station '"$i"' "quarantined, .alerts" | tr "\n" " ")" = "0 0 " ]'
  check "station $i: the hub's chain head is the station's" \
    '[ "$(hub_station '"$i"' head_hash)" = "$(sqlite3 "$T/s'"$i"'/station.db" "SELECT lower(hex(hash)) FROM events ORDER BY seq DESC LIMIT 1")" ]'
  check "station $i: each event was answered for once" \
    '[ "$(pt '"$i"' sync status --json | jq ".connectors[0] | .delivered, .pending, .quarantined" | tr "\n" " ")" = "'"$events"' 0 0 " ]'
done
events=$(count 3)
check "station 3: the hub holds every event but the altered one, once, and no alert" \
  '[ "$(hub_station 3 "events, .last_seq, .head_seq, .alerts" | tr "\n" " ")" = "$((events - 1)) $events $events 0 " ]'
check "station 3: the hub's chain head is the station's" \
  '[ "$(hub_station 3 head_hash)" = "$(sqlite3 "$T/s3/station.db" "SELECT lower(hex(hash)) FROM events ORDER BY seq DESC LIMIT 1")" ]'
check "station 3: each event was answered for once" \
  '[ "$(pt 3 sync status --json | jq ".connectors[0] | .delivered, .pending, .quarantined" | tr "\n" " ")" = "$((events - 1)) 0 1 " ]'


# Station 1 loses the hub's answers (its cursor and wanted list set back, as a power loss may do
# to the sync worker's relaxed writes) while the hub loses a still's bytes: it sends again from
# its first event that names evidence, not from its first event, and the hub gets the still.
stop_station 1
first=$(sqlite3 "$T/s1/station.db" "SELECT min(seq) FROM events WHERE step = 'inspecting'")
lost=$(sqlite3 "$T/s1/station.db" "SELECT body FROM events WHERE seq = $first" | jq -r '."pt:evidence"[0].sha256')
pg_psql -c "DELETE FROM evidence WHERE sha256 = decode('$lost', 'hex')"
delivered1=$(pt 1 sync status --json | jq ".connectors[0].delivered")
sqlite3 "$T/s1/station.db" "UPDATE sync_connectors SET cursor = 0 WHERE name = 'hub'; DELETE FROM hub_evidence;"
start_station 1
check "after lost answers the hub gets back the still it lacked" wait_synced
check "and only the events from the first naming evidence went again" \
  '[ "$(pt 1 sync status --json | jq ".connectors[0].delivered")" = "$((delivered1 + $(count 1) - first + 1))" ]'

stills=$(for i in 1 2 3; do sqlite3 "$T/s$i/station.db" "SELECT body FROM events WHERE step = 'inspecting'"; done |
  jq -r '."pt:evidence"[] | select(.file != "'"$still"'") | .sha256' | sort -u)
held=$(pg_psql -c "SELECT encode(sha256, 'hex') FROM evidence WHERE sha256 = sha256(data) ORDER BY 1")
check "every still the events signed is in PostgreSQL, its bytes hashing to its name ($(echo "$stills" | wc -l))" \
  '[ -n "$stills" ] && [ "$stills" = "$held" ]'
# Evidence is served by byte range, as phones' video players ask for it (pt-range.h).
one=$(echo "$held" | head -1)
size=$(pg_psql -c "SELECT length(data) FROM evidence WHERE sha256 = decode('$one', 'hex')")
code=$(curl -s -o "$T/part" -D "$T/part.h" -w '%{http_code}' -H 'Range: bytes=0-9' "$HUB/evidence/$one")
check "evidence: Range bytes=0-9 is 206, 10 bytes, Content-Range bytes 0-9/$size" \
  '[ "$code" = 206 ] && [ "$(stat -c %s "$T/part")" = 10 ] && grep -qi "^Content-Range: bytes 0-9/$size" "$T/part.h"'
code=$(curl -s -o /dev/null -D "$T/part.h" -w '%{http_code}' -H "Range: bytes=$size-" "$HUB/evidence/$one")
check "evidence: a range past its end is 416, Content-Range bytes */$size" \
  '[ "$code" = 416 ] && grep -qi "^Content-Range: bytes \*/$size" "$T/part.h"'
# A product photo and certificates attached on station 1 (pt-attachment.h) travel like stills:
# the hub holds their bytes, serves the public ones with their signed media type and shows them
# on the lot's page; the private one it holds but never serves.
gst-launch-1.0 -q videotestsrc num-buffers=1 pattern=smpte ! video/x-raw,width=1600,height=1200 \
  ! jpegenc ! filesink location="$T/photo.jpg" || exit 1
python3 "$(dirname "$0")/../station/make-pdf.py" "Residue test" >"$T/report.pdf" || exit 1
pt 1 batch attach "#1" --photo "$T/photo.jpg" --json >"$T/a1" &&
  pt 1 batch attach "#1" --certificate "$T/report.pdf" --kind residue-test --title "Residue test" \
    --title-zh "农残检测" --issuer "Ganzhou Lab" --valid-until 2027-05-20 --json >"$T/a2" &&
  pt 1 batch attach "#1" --certificate "$T/img/good.png" --kind other --title "Internal audit" \
    --private --json >"$T/a3" || exit 1
P=$(jq -r .sha256 "$T/a1") C=$(jq -r .sha256 "$T/a2") X=$(jq -r .sha256 "$T/a3")
check "the attachments reached the hub, bytes and all" wait_synced
check "PostgreSQL holds the three files, each hashing to its name" \
  '[ "$(pg_psql -c "SELECT count(*) FROM evidence WHERE sha256 = sha256(data) AND encode(sha256, '\''hex'\'') IN ('\''$P'\'', '\''$C'\'', '\''$X'\'')")" = 3 ]'
code=$(curl -s -o "$T/ev" -D "$T/ev.h" -w '%{http_code}' "$HUB/evidence/$P")
check "the hub serves the photo as image/jpeg, the bytes the station signed" \
  '[ "$code" = 200 ] && grep -qi "^Content-Type: image/jpeg" "$T/ev.h" && [ "$(sha256sum <"$T/ev" | cut -c1-64)" = "$P" ]'
code=$(curl -s -o "$T/ev" -D "$T/ev.h" -w '%{http_code}' -H 'Range: bytes=0-4' "$HUB/evidence/$C")
check "the certificate as application/pdf, by Range (206)" \
  '[ "$code" = 206 ] && grep -qi "^Content-Type: application/pdf" "$T/ev.h" && [ "$(cat "$T/ev")" = "%PDF-" ]'
check "the private certificate: 404, as unknown" \
  '[ "$(curl -s -o /dev/null -w "%{http_code}" "$HUB/evidence/$X")" = 404 ]'
page="$HUB/01/09506000134352/10/$lot1?station=$(sid 1)"
check "the hub's page facts name the photo and the public certificate only" \
  '[ "$(curl -s -H "Accept: application/json" "$page" | jq -r "[.photo.sha256, .photo.url, (.certificates | map(.sha256 + \"/\" + .title_zh) | join(\",\"))] | join(\" \")")" = "$P /evidence/$P $C/农残检测" ]'
curl -s -H 'Accept-Language: zh-CN' -H 'Accept: text/html' "$page" >"$T/page.html"
check "the hub's page shows the photo and lists the certificate, in Chinese" \
  'grep -q "<figure class=\"photo\" data-n=\"[0-9]*\" data-sha=\"$P\"><img src=\"/evidence/$P\"" "$T/page.html" && grep -q "data-c=\"title\">农残检测<" "$T/page.html" && grep -q "og:image\" content=\"https://[^\"]*/evidence/$P\"" "$T/page.html"'
check "no hub error about a station request" '! grep -qi "critical\|assert" "$T/hub.err"'

tap_finish
