#!/usr/bin/env bash
# with-pg.sh PROGRAM [ARGS...]: runs a hub test against its own throwaway PostgreSQL
# (pg-fixture.sh), with PT_HUB_DSN set; the cluster is removed at exit, pass or fail.
set -euo pipefail
. "$(dirname "$0")/pg-fixture.sh"
pg_fixture_start
status=0
"$@" || status=$?
exit $status
