# pg-fixture.sh: a throwaway PostgreSQL for one test, sourced by the hub tests.
#
#   . "$PACKTRACE_SOURCE/tests/hub/pg-fixture.sh"
#   pg_fixture_start            # exports PT_HUB_DSN (a Unix socket in a temp dir) and PG_DIR
#   ...                         # the cluster is stopped and removed at exit, pass or fail
#
# initdb into a temp dir, start on a Unix socket in that dir (no TCP port: nothing to collide
# with other tests), create database "hub".  PostgreSQL refuses to run as root: as root the
# cluster belongs to the `postgres` user.  Exits 77 (skip) only when PostgreSQL is not
# installed; `./run test` installs it, so in CI these tests run.
# Tuned for tests: fsync off (a crash loses the throwaway cluster anyway), small buffers;
# PG_FIXTURE_DURABLE=1 (benchmarks) keeps PostgreSQL's durable defaults instead.
# PG_FIXTURE_OPTS: more server options (-c name=value ...), e.g. a bulk loader's max_wal_size.
#
#   pg_fixture_replica_start    # with PG_FIXTURE_TCP=1 (the primary also listens on a loopback
#                               # TCP port, $PG_PORT): a streaming replica, copied by
#                               # pg_basebackup -R over that port, started on its own socket;
#                               # exports PT_HUB_READ_DSN and PG_REPLICA_DIR
#   pg_fixture_replica_wait 10  # until the replica has replayed what the primary had written

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

pg_fixture_as() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_fixture_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_fixture_stop() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ]; then
    [ -d "$PG_DIR/replica" ] &&
      pg_fixture_as "$PG_BIN/pg_ctl" -D "$PG_DIR/replica" -m immediate -w stop >/dev/null 2>&1
    pg_fixture_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}

pg_fixture_start() {
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    echo "# PostgreSQL is not installed (apt-get install postgresql): skipping" >&2
    exit 77
  fi
  PG_DIR=$(mktemp -d /tmp/pt-pg.XXXXXX)
  chmod 755 "$PG_DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DIR"
  trap 'pg_fixture_stop' EXIT
  pg_fixture_as "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres -E UTF8 --no-locale \
    --no-sync >"$PG_DIR/initdb.log" 2>&1 || {
    cat "$PG_DIR/initdb.log" >&2
    return 1
  }
  # PG_FIXTURE_TCP=1: a loopback TCP port beside the socket, what a replica streams from.
  PG_PORT=5432
  local listen="''"
  if [ "${PG_FIXTURE_TCP:-0}" = 1 ]; then
    PG_PORT=$(pg_fixture_free_port)
    listen=127.0.0.1
  fi
  local opts="-k $PG_DIR -c listen_addresses=$listen -c port=$PG_PORT -c max_connections=40"
  if [ "${PG_FIXTURE_DURABLE:-0}" != 1 ]; then
    opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    opts="$opts -c shared_buffers=32MB"
  fi
  opts="$opts ${PG_FIXTURE_OPTS:-}"
  local as=""
  [ "$(id -u)" -eq 0 ] && as="runuser -u postgres --"
  # For tests that restart the server under a running hub (sh -c "$PG_FIXTURE_STOP").
  export PG_FIXTURE_STOP="$as $PG_BIN/pg_ctl -D $PG_DIR/data -m fast -w stop"
  export PG_FIXTURE_START="$as $PG_BIN/pg_ctl -D $PG_DIR/data -l $PG_DIR/server.log -w -t 30 \
-o \"$opts\" start"
  pg_fixture_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
    -o "$opts" start >/dev/null || {
    cat "$PG_DIR/server.log" >&2
    return 1
  }
  pg_fixture_as "$PG_BIN/createdb" -h "$PG_DIR" -p "$PG_PORT" -U postgres hub
  export PG_DIR PG_PORT
  export PT_HUB_DSN="host=$PG_DIR port=$PG_PORT user=postgres dbname=hub"
}

# pg_fixture_replica_start: a hot standby of the fixture's cluster, copied by pg_basebackup over
# loopback TCP (initdb's pg_hba.conf lets 127.0.0.1 replicate; wal_level is replica by default)
# and streaming from it; reads only, on a socket of its own in $PG_DIR.
pg_fixture_replica_start() {
  PG_REPLICA_DIR=$PG_DIR/replica
  pg_fixture_as "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U postgres \
    -D "$PG_REPLICA_DIR" -R -X stream -c fast --no-sync >"$PG_DIR/basebackup.log" 2>&1 || {
    cat "$PG_DIR/basebackup.log" >&2
    return 1
  }
  PG_REPLICA_PORT=$(pg_fixture_free_port)
  local opts="-k $PG_DIR -c listen_addresses='' -c port=$PG_REPLICA_PORT -c max_connections=40"
  opts="$opts -c hot_standby=on ${PG_FIXTURE_OPTS:-}"
  pg_fixture_as "$PG_BIN/pg_ctl" -D "$PG_REPLICA_DIR" -l "$PG_DIR/replica.log" -w -t 60 \
    -o "$opts" start >/dev/null || {
    cat "$PG_DIR/replica.log" >&2
    return 1
  }
  export PG_REPLICA_DIR PG_REPLICA_PORT
  export PT_HUB_READ_DSN="host=$PG_DIR port=$PG_REPLICA_PORT user=postgres dbname=hub"
}

# pg_fixture_replica_wait SECONDS: until the replica has replayed the primary's WAL as of now;
# fails after SECONDS.  The position is the WAL *inserted* so far, not pg_current_wal_lsn():
# with synchronous_commit=off (the fixture's default) a commit returns before its WAL record
# is written, so the written position can still be short of the last commit and a replica
# that has replayed up to it may not yet see that transaction.
pg_fixture_replica_wait() {
  local lsn i
  lsn=$(pg_psql -c 'SELECT pg_current_wal_insert_lsn()')
  for i in $(seq $(($1 * 10))); do
    [ "$("$PG_BIN/psql" -X -q -At -h "$PG_DIR" -p "$PG_REPLICA_PORT" -U postgres -d hub -c \
      "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn")" = t ] && return 0
    sleep 0.1
  done
  echo "# the replica did not replay up to $lsn in $1 s" >&2
  return 1
}

# psql on the fixture's database: pg_psql -c 'SELECT ...'
pg_psql() {
  "$PG_BIN/psql" -X -q -At -h "$PG_DIR" -p "$PG_PORT" -U postgres -d hub -v ON_ERROR_STOP=1 "$@"
}
