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
# check DESCRIPTION CONDITION: CONDITION is evaluated; its text is shown when it fails.
check() { if eval "$2"; then ok "$1"; else not_ok "$1" "$2"; fi; }
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
# tap_finish: the plan line; the script's status says whether all passed.
tap_finish() {
  echo "1..$n"
  [ "$fails" = 0 ]
}
