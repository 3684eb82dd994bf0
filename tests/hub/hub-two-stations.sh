# hub-two-stations.sh: the set-up of the hub's serving tests (sourced after tap.sh's caller
# has set HERE): a throwaway PostgreSQL (pg-fixture.sh), two real stations made with the real
# CLI (never started: the hub must not need them), registered at a real `packtrace hub serve`,
# their logs sent through the hub's real ingest by hub-post (the signed protocol).
#
#   Shed A: LOT ('A/B%7', printed as A%2FB%257) and SHARED;  Shed B: SHARED and RC1 (recalled)
#
# Sets BIN, POST, T (a temp folder), GTIN, LOT, LOT_ENC, A_ID, B_ID, URL (the hub), hub (its
# pid); everything is stopped and removed at exit.
BIN=${PACKTRACE_BUILD:?}/station/packtrace
POST=$PACKTRACE_BUILD/tests/hub/hub-post
. "$HERE/pg-fixture.sh"
T=$(mktemp -d)
hub=
cleanup() {
  [ -n "$hub" ] && kill "$hub" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$T"
  pg_fixture_stop
}
must() {
  "$@" >"$T/step.out" 2>&1 || {
    echo "Bail out! set-up step failed: $* -- $(tail -5 "$T/step.out")"
    exit 1
  }
}
pg_fixture_start
trap cleanup EXIT
chmod 755 "$T"
GTIN=09506000134352
LOT='A/B%7'
LOT_ENC='A%2FB%257'

# Two sheds of one co-op; LOT and SHARED at A, SHARED and RC1 at B.
station() {
  export PACKTRACE_DATA=$T/$1
  must "$BIN" init
  sed -i 's/^demo=auto$/demo=off/' "$PACKTRACE_DATA/station.ini"
}
station A
must "$BIN" batch new --product Oranges --gtin $GTIN --variety Navel --origin CN \
  --grower "Li farm" --harvest-date 2026-11-20 --lot "$LOT"
must "$BIN" batch new --product Oranges --gtin $GTIN --lot SHARED
station B
must "$BIN" batch new --product Oranges --gtin $GTIN --lot SHARED
must "$BIN" batch new --product Oranges --gtin $GTIN --grower "Wu farm" --lot RC1
must "$BIN" batch recall RC1 --reason "glass found"

export PACKTRACE_HUB_DSN=$PT_HUB_DSN
must "$BIN" hub migrate
must "$BIN" hub station add "Shed A" --key-file "$T/A/keys/station.pub"
must "$BIN" hub station add "Shed B" --key-file "$T/B/keys/station.pub"
A_ID=$("$BIN" hub station list --json | python3 -c 'import json,sys; print([s["station"] for s in json.load(sys.stdin) if s["name"]=="Shed A"][0])')
B_ID=$("$BIN" hub station list --json | python3 -c 'import json,sys; print([s["station"] for s in json.load(sys.stdin) if s["name"]=="Shed B"][0])')
cat >"$T/hub.ini" <<EOF
[hub]
key_dir=$T/hub-key
public_host=trace.example.coop
status_token=s3cret-status-token
EOF
"$BIN" hub serve --config "$T/hub.ini" --port 0 --port-file "$T/port" >"$T/hub.log" 2>&1 &
hub=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
[ -s "$T/port" ] || {
  echo "Bail out! hub did not start: $(cat "$T/hub.log")"
  exit 1
}
URL=http://127.0.0.1:$(cat "$T/port")
must "$POST" "$T/A" "$URL"
must "$POST" "$T/B" "$URL"

