# tap.sh: TAP output for the shell tests (sourced).  They set T to a temporary folder
# first; expect() keeps the last command's output in $OUT and $ERR.
fails=0
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
  n=$((n + 1))
  fails=$((fails + 1))
  echo "not ok $n - $1"
  [ $# -gt 1 ] && printf '#   %s\n' "$2"
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# check DESCRIPTION CONDITION: CONDITION is evaluated; its text is shown when it fails, and
# check's status is 1 then, so `check ... || echo "#   what was seen"` adds the evidence.
check() {
  if eval "$2"; then
    ok "$1"
  else
    not_ok "$1" "$2"
    return 1
  fi
}
# expect CODE DESCRIPTION CMD...: runs CMD and checks its exit status.
expect() {
  local want=$1 what=$2
  shift 2
  "$@" >"$T/out" 2>"$T/err"
  local got=$?
  OUT=$(cat "$T/out")
  ERR=$(cat "$T/err")
  if [ "$got" = "$want" ]; then ok "$what"; else not_ok "$what" "exit $got, wanted $want: $ERR"; fi
}
# run_station: starts `$BIN run` on a free loopback port, its output in $T/run.out and
# $T/run.err; sets server (its pid) and url, or bails out when it has not started in 10 s.
run_station() {
  # Emptied here, not only by the child's redirection: a restart must never read the
  # previous server's address before the new process has opened the file.
  : >"$T/run.out"
  "$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
  server=$!
  url=
  for _ in $(seq 100); do
    url=$(grep -o 'http://[0-9.:]*' "$T/run.out" 2>/dev/null | head -1)
    [ -n "$url" ] && return 0
    sleep 0.1
  done
  echo "Bail out! server did not start: $(cat "$T/run.err")"
  exit 1
}
# tap_finish: the plan line; the script's status says whether all passed.
tap_finish() {
  echo "1..$n"
  [ "$fails" = 0 ]
}
