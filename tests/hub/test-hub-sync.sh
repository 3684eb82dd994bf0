#!/usr/bin/env bash
# test-hub-sync.sh: three real `packtrace run` stations, each with its own data folder, sync
# their whole signed logs to one hub through the hub connector (`[sync NAME] type=hub`):
# enrolment by one-time code (and the clear refusals), batches graded (evidence stills) and
# held on each, an outage of the hub (killed, events written meanwhile, started again), an
# evidence store answering 503, and restarts of the stations with events written while they
# were stopped.  At the end every event arrived exactly once (the hub counts every copy it
# was sent), the hub verified every signature and every station chain link, each station's
# chain head is the hub's, one event the hub quarantined held nothing back, and the evidence
# bytes at the hub hash to what the events signed.
#
# The hub here is tests/hub/hub-standin.py, written from the protocol alone (signatures,
# chain links, seq order, evidence hashes, state kept across restarts).
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
GEN=${PT_TEST_FRUITGEN:?}
PY=/usr/bin/python3 # Debian's, which has python3-nacl
"$PY" -c 'import nacl.signing' 2>/dev/null || { echo "1..0 # SKIP python3-nacl missing"; exit 77; }
STANDIN=$(dirname "$0")/hub-standin.py
T=$(mktemp -d)
hub=
pids=()
cleanup() {
  [ -n "$hub" ] && kill "$hub" 2>/dev/null
  for p in "${pids[@]}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ -n "${KEEP_T:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
mkdir -p "$T/img" "$T/evidence"
"$GEN" "$T/img" >/dev/null || { echo "Bail out! pt-test-fruitgen failed"; exit 1; }

start_hub() {
  "$PY" "$STANDIN" "$T/hub.json" "$T/hub.port" --evidence-dir "$T/evidence" --quarantine-seq 4 \
    "$@" >>"$T/hub.log" 2>&1 &
  hub=$!
  for _ in $(seq 50); do
    [ -s "$T/hub.port" ] && curl -s -o /dev/null "http://127.0.0.1:$(cat "$T/hub.port")/" && return 0
    sleep 0.1
  done
  echo "Bail out! the hub stand-in did not start: $(cat "$T/hub.log")"
  exit 1
}
stop_hub() { kill "$hub"; wait "$hub" 2>/dev/null; hub=; }
# hubq PYTHON-EXPRESSION: evaluated with s = the hub's state; prints the result.
hubq() { "$PY" -c "import json,sys; s=json.load(open('$T/hub.json')); print($1)"; }
pt() { local i=$1; shift; PACKTRACE_DATA=$T/s$i "$BIN" "$@"; }
count() { sqlite3 "$T/s$1/station.db" "SELECT count(*) FROM events"; }
sid() { pt "$1" key show --json | jq -r .station_id; }

start_station() {
  local i=$1
  PACKTRACE_DATA=$T/s$i "$BIN" run --listen 127.0.0.1:0 >"$T/run$i.out" 2>>"$T/run$i.err" &
  pids[$i]=$!
}
stop_station() { kill "${pids[$1]}"; wait "${pids[$1]}" 2>/dev/null; pids[$1]=; }

# synced I: the hub holds station I's whole log (quarantined seq 4 included) and its head.
synced() {
  local id n
  id=$(sid "$1")
  n=$(count "$1")
  [ "$(hubq "len(s['stations']['$id']['events']) + len(s['stations']['$id']['quarantine'])")" = "$n" ] &&
    [ "$(hubq "(s['stations']['$id']['head'] or {}).get('seq')")" = "$n" ] &&
    [ "$(hubq "len(set(h for e in s['stations']['$id']['events'].values() for h in e['evidence']) - set(s['evidence']))")" = 0 ]
}
wait_synced() {
  for _ in $(seq 150); do
    synced 1 && synced 2 && synced 3 && return 0
    sleep 0.1
  done
  return 1
}

start_hub --code CODE-1 --code CODE-2 --code CODE-3
HUB=http://127.0.0.1:$(cat "$T/hub.port")

for i in 1 2 3; do
  pt $i init >/dev/null || exit 1
  sed -i 's/^demo=auto/demo=off/' "$T/s$i/station.ini"
done

# --- enrolment -------------------------------------------------------------------------
expect 2 "a hub connector takes no filter" pt 1 sync add hub --type hub --url "$HUB" --filter gtin:09506000134352
expect 1 "unknown station without a code is refused" pt 1 sync add hub --type hub --url "$HUB"
check "says the hub does not know the station, with its id and key" \
  '[[ "$ERR" == *"does not know station $(sid 1)"*"$(pt 1 key show)"* ]]'
expect 1 "a wrong code is refused" pt 1 sync add hub --type hub --url "$HUB" --enrol NOPE
check "says the hub refused the code" '[[ "$ERR" == *"refused the enrolment code"*"401"* ]]'
check "nothing written to station.ini" '! grep -q "^\[sync hub\]" "$T/s1/station.ini"'
for i in 1 2 3; do
  expect 0 "station $i enrols with its one-time code" pt $i sync add hub --type hub --url "$HUB" --enrol "CODE-$i"
done
check "prints the station id and public key for the admin" '[[ "$OUT" == *"station $(sid 3), public key $(pt 3 key show)"*enrolled* ]]'
expect 1 "a used code is refused" pt 1 sync add hub2 --type hub --url "$HUB" --enrol CODE-1
expect 0 "without a code, a known station is checked and added" pt 1 sync add hub2 --type hub --url "$HUB"
expect 0 "and removed again" pt 1 sync remove hub2
for i in 1 2 3; do
  # Short back-off and small requests, so outages and batching show within seconds.
  sed -i 's/^\[sync hub\]$/[sync hub]\nretry_min_ms=100\nretry_max_ms=800\nmax_batch=3/' "$T/s$i/station.ini"
done
sed -i 's/^filter=all$/filter=gtin:09506000134352/' "$T/s2/station.ini"
expect 1 "a filter written by hand is refused at load" pt 2 sync status
check "names the reason" '[[ "$ERR" == *"takes no filter"* ]]'
sed -i 's/^filter=gtin:09506000134352$/filter=all/' "$T/s2/station.ini"

# --- batches on each station, graded (evidence stills) and held -------------------------
for i in 1 2 3; do
  for _ in 1 2; do
    pt $i batch new --product Oranges --gtin 09506000134352 --grower "Farm $i" --pack-date 2026-11-25 >/dev/null || exit 1
  done
  pt $i grade --batch 1 "$T/img/good.png" "$T/img/defect.png" "$T/img/small.png" >/dev/null || exit 1
  pt $i grade close 1 >/dev/null || exit 1
  pt $i batch hold '#2' --reason "station $i check" >/dev/null || exit 1
  pt $i event add '#1' --step shipping >/dev/null || exit 1
done
for i in 1 2 3; do start_station $i; done
check "all three stations synced to the hub" wait_synced

# --- the hub goes down; the stations go on writing --------------------------------------
stop_hub
for i in 1 2 3; do
  pt $i batch release '#2' >/dev/null && pt $i event add '#1' --step packing >/dev/null || exit 1
  pt $i batch new --product Oranges --gtin 09506000134352 --pack-date 2026-11-26 >/dev/null || exit 1
done
sleep 1.5
expect 0 "sync status while the hub is down" pt 1 sync status --json
check "the hub connector shows what waits and why" \
  '[ "$(echo "$OUT" | jq ".connectors[0].pending")" -ge 1 ] && [[ "$(echo "$OUT" | jq -r ".connectors[0].last_error")" == *"no answer"* ]]'
check "and the hub's last view" '[ "$(echo "$OUT" | jq ".connectors[0].hub.view.contiguous_seq")" = 3 ]'
# Back, with its evidence store failing twice (503) before it takes anything.
start_hub --fail-evidence 2
pt 2 grade --batch 3 "$T/img/good.png" "$T/img/defect.png" >/dev/null && pt 2 grade close 3 >/dev/null || exit 1
check "every station caught up after the hub's outage" wait_synced

# --- stations restart, with events written while they were stopped ----------------------
stop_station 1
stop_station 2
pt 1 batch recall '#1' --reason "restart test" >/dev/null || exit 1
pt 2 event add '#2' --step packing >/dev/null || exit 1
start_station 1
start_station 2
check "the restarted stations caught up" wait_synced
stop_station 3
start_station 3
sleep 1
check "a restart with nothing new sends nothing" wait_synced

# --- what the hub holds -------------------------------------------------------------------
for i in 1 2 3; do
  id=$(sid "$i")
  events=$(count "$i")
  check "station $i: every event reached the hub exactly once ($events)" \
    "[ \"\$(hubq \"sorted(s['stations']['$id']['received'].items(), key=lambda kv: int(kv[0])) == [(str(k), 1) for k in range(1, $events + 1)]\")\" = True ]"
  check "station $i: signatures and chain links verified, only seq 4 quarantined" \
    "[ \"\$(hubq \"list(s['stations']['$id']['quarantine'])\")\" = \"['4']\" ]"
  check "station $i: the hub's head is the station's" \
    "[ \"\$(hubq \"s['stations']['$id']['head']['hash']\")\" = \"\$(sqlite3 $T/s$i/station.db 'SELECT hex(hash) FROM events ORDER BY seq DESC LIMIT 1' | tr A-F a-f)\" ]"
done
expect 0 "sync status" pt 1 sync status --json
check "shows the quarantined event with the hub's reason" \
  '[ "$(echo "$OUT" | jq -r ".connectors[0] | .quarantined, .failures[0].seq, .failures[0].error" | tr "\n" " ")" = "1 4 quarantined by the test " ]'
check "shows the hub's view and the cursor" \
  '[ "$(echo "$OUT" | jq ".connectors[0] | .pending, .hub.last_delivered_seq == .hub.station_seq, .hub.view.head.seq == .hub.station_seq" | tr "\n" " ")" = "0 true true " ]'
expect 0 "sync status in text" pt 1 sync status
check "text names the hub's view and the evidence" '[[ "$OUT" == *"the hub ("*"holds up to seq 3"*"quarantined 1"*"evidence: wanted 0, sent "* ]]'

stills=$(for i in 1 2 3; do sqlite3 "$T/s$i/station.db" "SELECT body FROM events WHERE step = 'inspecting'"; done |
  jq -r '."pt:evidence"[].sha256' | sort -u)
all_at_hub() { for h in $stills; do [ -f "$T/evidence/$h" ] || return 1; done; }
all_hash() { for h in $stills; do [ "$(sha256sum "$T/evidence/$h" | cut -c1-64)" = "$h" ] || return 1; done; }
check "every still the events signed is at the hub ($(echo "$stills" | wc -l) distinct)" \
  '[ "$(echo "$stills" | wc -l)" -ge 3 ] && all_at_hub'
check "the bytes at the hub hash to what the events signed" all_hash
check "no station sent a piece twice (the 503s are not stored)" \
  '[ "$(hubq "sorted(set(n for st in s[\"stations\"].values() for n in st.get(\"evidence_puts\", {}).values()))")" = "[1]" ]'
check "no station logged a failure to record state" '! grep -q "cannot record" "$T"/run*.err'

tap_finish
