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

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

pg_fixture_as() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_fixture_stop() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ]; then
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
  local opts="-k $PG_DIR -c listen_addresses='' -c max_connections=40"
  if [ "${PG_FIXTURE_DURABLE:-0}" != 1 ]; then
    opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    opts="$opts -c shared_buffers=32MB"
  fi
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
  pg_fixture_as "$PG_BIN/createdb" -h "$PG_DIR" -U postgres hub
  export PG_DIR
  export PT_HUB_DSN="host=$PG_DIR user=postgres dbname=hub"
}

# psql on the fixture's database: pg_psql -c 'SELECT ...'
pg_psql() {
  "$PG_BIN/psql" -X -q -At -h "$PG_DIR" -U postgres -d hub -v ON_ERROR_STOP=1 "$@"
}
