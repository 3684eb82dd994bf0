#!/usr/bin/env bash
# bench-hub-serve.sh PACKTRACE HUB_POST: the hub's resolver and consumer page under wrk on
# loopback, with many events in PostgreSQL, against nginx serving static files of the same
# sizes in the same run.
#
# A real station's batch (made with the CLI, sent through the hub's real ingest by hub-post) is
# the one measured; BENCH_HUB_EVENTS (default 1,000,000) more events of a real event's shape
# (its stored body and columns, new ids and hashes, 20 per batch, over the 24 months before it)
# are made in SQL from generate_series, not signed one by one (each month a table attached as
# its partition once full): the resolver reads indexes, and what it finds at this size is
# what is measured.  Prints the database size per million events, req/s
# medians of 3 runs, p99, and the ratio to nginx (goal: 0.5x or more, p99 under 10 ms), plus
# the revalidation (If-None-Match: 304) a CDN in front would send.  The page and JSON are
# served from the hub's page cache after the first view (pt-hub-cache.h); BENCH_HUB_BASELINE,
# a packtrace binary of an earlier build (e.g. main's), is measured in the same run on the
# same database and key as "before".
#
# BENCH_HUB_REPLICA=1 also measures a second hub whose read_dsn is a streaming replica: the
# cluster listens on a loopback TCP port, pg_basebackup -R copies it over that port before the
# bulk load (which then reaches the replica as WAL, as a production load would), and the
# replica is measured once it has replayed everything.  A hub on a replica keeps a page cache
# too, lag-safe (an answer is kept only once the replica has replayed past the primary's
# position at the batch's last notification, pt-hub-cache.h).
set -eu
BIN=${1:?packtrace binary}
POST=${2:?hub-post binary}
N=${BENCH_HUB_EVENTS:-1000000}
HERE=$(dirname "$0")
command -v wrk >/dev/null || { echo "SKIP: wrk missing (apt-get install wrk)"; exit 0; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "SKIP: nginx missing (apt-get install nginx-light)"; exit 0; }
export PG_FIXTURE_DURABLE=1
# Checkpoints spaced for the bulk load (PostgreSQL's default max_wal_size is 1 GB).
export PG_FIXTURE_OPTS=${PG_FIXTURE_OPTS:-"-c max_wal_size=8GB -c checkpoint_timeout=30min"}
REPLICA=${BENCH_HUB_REPLICA:-0}
[ "$REPLICA" = 1 ] && export PG_FIXTURE_TCP=1
. "$HERE/../hub/pg-fixture.sh"
pg_fixture_start
T=$(mktemp -d)
HUB=
RHUB=
BASE=
NGINX_PID=
trap '[ -n "$HUB" ] && kill $HUB 2>/dev/null; [ -n "$RHUB" ] && kill $RHUB 2>/dev/null; [ -n "$BASE" ] && kill $BASE 2>/dev/null; [ -n "$NGINX_PID" ] && kill $NGINX_PID 2>/dev/null; rm -rf "$T"; pg_fixture_stop' EXIT
chmod 755 "$T" # nginx workers run as nobody and must read the files
export PACKTRACE_DATA=$T/data PACKTRACE_HUB_DSN=$PT_HUB_DSN
GTIN=09506000134352
"$BIN" init >/dev/null
sed -i 's/^demo=auto/demo=off/' "$PACKTRACE_DATA/station.ini"
"$BIN" batch new --product Oranges --gtin $GTIN --variety Navel --origin CN --grower "Li farm" \
  --harvest-date 2026-11-20 --quantity 1200 --lot BENCH1 >/dev/null
for s in inspecting packing storing loading; do "$BIN" event add BENCH1 --step $s >/dev/null; done
"$BIN" hub migrate >/dev/null
"$BIN" hub station add "Shed 1" --key-file "$PACKTRACE_DATA/keys/station.pub" >/dev/null
printf '[hub]\nkey_dir=%s/hub-key\n' "$T" >"$T/hub.ini"
if [ "$REPLICA" = 1 ]; then
  pg_fixture_replica_start
  echo "replica: pg_basebackup -R over 127.0.0.1:$PG_PORT, hot standby on its own socket"
fi
"$BIN" hub serve --config "$T/hub.ini" --port 0 --port-file "$T/port" 2>"$T/hub.err" &
HUB=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
URL=http://127.0.0.1:$(cat "$T/port")
"$POST" "$PACKTRACE_DATA" "$URL" >/dev/null

# The bulk: a second station's N events shaped like BENCH1's inspecting event, spread over
# the 24 months before BENCH1's.  Each month is filled as a plain table, then attached as the
# month's partition, which builds its indexes with one sort each instead of growing twenty
# indexes row by row.  The loader's session has the derive trigger and the foreign key checks
# off (session_replication_role): the bulk station's quality counters are not measured.
start=$(date +%s)
pg_psql >/dev/null <<EOF
SET session_replication_role = replica;
SET maintenance_work_mem = '256MB';
INSERT INTO stations (id, name, public_key) VALUES ('b0b0b0b0b0b0b0b0', 'Bulk', decode(repeat('ab', 32), 'hex'));
INSERT INTO batches (gtin, lot) SELECT '$GTIN', 'BULK' || i FROM generate_series(1, ($N + 19) / 20) i ORDER BY i;
CREATE TEMP TABLE base AS SELECT min(id) - 1 AS id FROM batches WHERE lot LIKE 'BULK%';
CREATE TEMP TABLE tpl AS SELECT * FROM events WHERE lot = 'BENCH1' AND step = 'inspecting';
CREATE TEMP TABLE months AS SELECT k, 'events_' || to_char(t0, 'YYYY_MM') AS m, t0,
    k * $N::bigint / 24 + 1 AS lo, (k + 1) * $N::bigint / 24 AS hi
  FROM generate_series(0, 23) k, LATERAL (SELECT date_trunc('month', now() AT TIME ZONE 'UTC')
    - (24 - k) * interval '1 month' AS t0) a;
-- event_keys' unique constraints and indexes are dropped and made again after the load: ten
-- million random hashes into a live B-tree is what made the old loader take 100 s a million.
CREATE TEMP TABLE keys_cons AS SELECT conname, pg_get_constraintdef(oid) AS def
  FROM pg_constraint WHERE conrelid = 'event_keys'::regclass AND contype IN ('p', 'u');
CREATE TEMP TABLE keys_idx AS SELECT indexname, indexdef FROM pg_indexes
  WHERE tablename = 'event_keys' AND indexname NOT IN (SELECT conname FROM keys_cons);
DO \$\$
DECLARE r record;
BEGIN
  FOR r IN SELECT * FROM keys_cons LOOP
    EXECUTE format('ALTER TABLE event_keys DROP CONSTRAINT %I', r.conname);
  END LOOP;
  FOR r IN SELECT * FROM keys_idx LOOP
    EXECUTE format('DROP INDEX %I', r.indexname);
  END LOOP;
END \$\$;
INSERT INTO event_keys (station_id, seq, hash, event_id, event_time, batch_id)
  SELECT 'b0b0b0b0b0b0b0b0', s, sha256(('bulk' || s)::bytea), 'urn:uuid:bulk-' || s,
    (t0 + (s - lo) * (interval '27 days' / (hi - lo + 1))) AT TIME ZONE 'UTC',
    (SELECT id FROM base) + (s - 1) / 20 + 1
  FROM months, generate_series(lo, hi) s;
DO \$\$
DECLARE r record;
BEGIN
  FOR r IN SELECT * FROM keys_cons LOOP
    EXECUTE format('ALTER TABLE event_keys ADD CONSTRAINT %I %s', r.conname, r.def);
  END LOOP;
  FOR r IN SELECT * FROM keys_idx LOOP
    EXECUTE r.indexdef;
  END LOOP;
END \$\$;
DO \$\$
DECLARE r record; made boolean;
BEGIN
  FOR r IN SELECT * FROM months ORDER BY k LOOP
    -- A month BENCH1's events made already is filled through the parent.
    made := to_regclass(r.m) IS NULL;
    IF made THEN
      EXECUTE format('CREATE TABLE %I (LIKE events INCLUDING DEFAULTS)', r.m);
    END IF;
    EXECUTE format('INSERT INTO %I (station_id, seq, event_id, hash, step, biz_step, event_type, '
      'action, disposition, event_time, record_time, batch_id, gtin, lot, biz_location, '
      'read_point, epc_classes, quantity, body, signature) '
      'SELECT k.station_id, k.seq, k.event_id, k.hash, tpl.step, tpl.biz_step, tpl.event_type, '
      'tpl.action, tpl.disposition, k.event_time, k.event_time, k.batch_id, tpl.gtin, '
      '%L || ((k.seq - 1) / 20 + 1), tpl.biz_location, tpl.read_point, tpl.epc_classes, '
      'tpl.quantity, tpl.body, tpl.signature FROM event_keys k, tpl '
      'WHERE k.station_id = %L AND k.seq BETWEEN %s AND %s ORDER BY k.seq',
      CASE WHEN made THEN r.m ELSE 'events' END, 'BULK', 'b0b0b0b0b0b0b0b0', r.lo, r.hi);
    IF made THEN
      EXECUTE format('ALTER TABLE events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
        r.m, r.t0 AT TIME ZONE 'UTC', (r.t0 + interval '1 month') AT TIME ZONE 'UTC');
    END IF;
  END LOOP;
END \$\$;
ANALYZE;
EOF
held=$(pg_psql -c 'SELECT count(*) FROM event_keys')
size=$(pg_psql -c "SELECT pg_database_size('hub')")
echo "PostgreSQL: $held events held ($N loaded in $(($(date +%s) - start)) s), database" \
  "$((size / 1048576)) MB, $(awk "BEGIN {printf \"%.0f\", $size / 1048576 / ($held / 1e6)}") MB per million events"
if [ "$REPLICA" = 1 ]; then
  start=$(date +%s)
  pg_fixture_replica_wait 3600
  echo "replica: replayed the load $(($(date +%s) - start)) s after the primary committed it"
  "$BIN" hub serve --config "$T/hub.ini" --read-dsn "$PT_HUB_READ_DSN" --port 0 \
    --port-file "$T/rport" 2>"$T/rhub.err" &
  RHUB=$!
  for _ in $(seq 100); do [ -s "$T/rport" ] && break; sleep 0.1; done
  RURL=http://127.0.0.1:$(cat "$T/rport")
  curl -sf -H 'Accept: text/html' "$RURL/01/$GTIN/10/BENCH1" -o "$T/rpage.html" ||
    { echo "FAILED: the hub on the replica does not serve the page"; exit 1; }
fi

PAGE="/01/$GTIN/10/BENCH1"
KEYS="page json revalidate nginx_page nginx_json"
if [ -n "${BENCH_HUB_BASELINE:-}" ]; then
  "$BENCH_HUB_BASELINE" hub serve --config "$T/hub.ini" --port 0 --port-file "$T/port0" 2>"$T/base.err" &
  BASE=$!
  for _ in $(seq 100); do [ -s "$T/port0" ] && break; sleep 0.1; done
  BURL=http://127.0.0.1:$(cat "$T/port0")
  KEYS="$KEYS base_page base_json base_revalidate"
fi
[ "$REPLICA" = 1 ] && KEYS="$KEYS replica_page replica_json replica_revalidate"

mkdir -p "$T/nginx/html" "$T/nginx/logs"
curl -sf -H 'Accept: text/html' "$URL$PAGE" -o "$T/nginx/html/page.html"
curl -sf -H 'Accept: application/json' "$URL$PAGE" -o "$T/nginx/html/page.json"
ETAG=$(curl -sf -D - -o /dev/null "$URL$PAGE" | sed -n 's/^[Ee][Tt]ag: *\(.*\)\r$/\1/p')
chmod -R a+rX "$T/nginx/html"
NPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$T/nginx/nginx.conf" <<EOF2
worker_processes 2;
pid $T/nginx/nginx.pid;
error_log $T/nginx/logs/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $T/nginx/tmp; proxy_temp_path $T/nginx/tmp;
  fastcgi_temp_path $T/nginx/tmp; uwsgi_temp_path $T/nginx/tmp; scgi_temp_path $T/nginx/tmp;
  types { text/html html; application/json json; }
  server { listen 127.0.0.1:$NPORT; root $T/nginx/html; }
}
EOF2
"$NGINX" -p "$T/nginx" -c "$T/nginx/nginx.conf" -g 'daemon off;' 2>"$T/nginx/start.err" &
NGINX_PID=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$NPORT/page.html" -o /dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$NPORT/page.html" -o /dev/null || { echo "FAILED: nginx did not start:"; cat "$T/nginx/start.err"; exit 1; }

# run URL ACCEPT [HEADER]: "req/s p99_ms" of one 4 s wrk run (1 thread, 16 connections,
# keep-alive).  A run with any status but 2xx/3xx fails the benchmark.
run() {
  wrk -t1 -c16 -d4s --latency -H "Accept: $2" ${3:+-H "$3"} "$1" | awk '
    / 99% / { v = $2; if (v ~ /us$/) ms = v / 1000; else if (v ~ /ms$/) ms = v + 0; else ms = v * 1000 }
    /Requests\/sec/ { r = $2 }
    /Non-2xx or 3xx responses/ { bad = $NF }
    END { if (bad) { print "FAILED: " bad " responses were not 2xx/3xx" > "/dev/stderr"; exit 1 }
          printf "%s %.2f\n", r, ms }'
}
med() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }
lo() { printf '%s\n' "$@" | sort -g | head -1; }
hi() { printf '%s\n' "$@" | sort -g | tail -1; }
declare -A rate p99 all
for _ in 1 2 3; do
  for k in $KEYS; do
    case $k in
      page) r=$(run "$URL$PAGE" text/html) ;;
      json) r=$(run "$URL$PAGE" application/json) ;;
      revalidate) r=$(run "$URL$PAGE" text/html "If-None-Match: $ETAG") ;;
      replica_page) r=$(run "$RURL$PAGE" text/html) ;;
      replica_json) r=$(run "$RURL$PAGE" application/json) ;;
      replica_revalidate) r=$(run "$RURL$PAGE" text/html "If-None-Match: $ETAG") ;;
      base_page) r=$(run "$BURL$PAGE" text/html) ;;
      base_json) r=$(run "$BURL$PAGE" application/json) ;;
      base_revalidate) r=$(run "$BURL$PAGE" text/html "If-None-Match: $ETAG") ;;
      nginx_page) r=$(run "http://127.0.0.1:$NPORT/page.html" text/html) ;;
      nginx_json) r=$(run "http://127.0.0.1:$NPORT/page.json" application/json) ;;
    esac
    rate[$k]="${rate[$k]:-} ${r% *}"
    p99[$k]="${p99[$k]:-} ${r#* }"
  done
done
for k in $KEYS; do
  all[$k]="$(med ${rate[$k]}) req/s (min $(lo ${rate[$k]}) max $(hi ${rate[$k]})), p99 $(med ${p99[$k]}) ms (min $(lo ${p99[$k]}) max $(hi ${p99[$k]}))"
done
ratio() { awk "BEGIN {printf \"%.2f\", $(med ${rate[$1]}) / $(med ${rate[$2]})}"; }
echo "wrk 1 thread, 16 connections, 4 s, median of 3 runs; hub: 2 HTTP threads; nginx: 2 workers, static files"
printf '%-46s %s\n' "hub consumer page HTML ($(stat -c %s "$T/nginx/html/page.html") B):" "${all[page]}"
printf '%-46s %s\n' "nginx same-size static HTML:" "${all[nginx_page]}"
printf '%-46s %s\n' "hub consumer JSON ($(stat -c %s "$T/nginx/html/page.json") B):" "${all[json]}"
printf '%-46s %s\n' "nginx same-size static JSON:" "${all[nginx_json]}"
printf '%-46s %s\n' "hub revalidation (If-None-Match: 304):" "${all[revalidate]}"
echo "ratio to nginx: page $(ratio page nginx_page)x, JSON $(ratio json nginx_json)x (goal >= 0.5x, p99 < 10 ms)"
if [ "$REPLICA" = 1 ]; then
  printf '%-46s %s\n' "hub on the replica (read_dsn), page HTML:" "${all[replica_page]}"
  printf '%-46s %s\n' "hub on the replica, JSON:" "${all[replica_json]}"
  printf '%-46s %s\n' "hub on the replica, revalidation (304):" "${all[replica_revalidate]}"
  echo "replica ratio to nginx: page $(ratio replica_page nginx_page)x, JSON $(ratio replica_json nginx_json)x"
fi
if [ -n "$BASE" ]; then
  printf '%-46s %s\n' "before (BENCH_HUB_BASELINE) page HTML:" "${all[base_page]}"
  printf '%-46s %s\n' "before JSON:" "${all[base_json]}"
  printf '%-46s %s\n' "before revalidation (304):" "${all[base_revalidate]}"
  echo "before ratio to nginx: page $(ratio base_page nginx_page)x, JSON $(ratio base_json nginx_json)x"
fi
# The page cache must have answered the runs above (X-PT-Cache: hit), or they measured renders.
cached=$(curl -s -D - -o /dev/null "$URL$PAGE" | tr -d '\r' | sed -n 's/^X-PT-Cache: *//Ip')
echo "hub page cache: $cached"
