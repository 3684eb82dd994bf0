#!/usr/bin/env bash
# bench-wakeups.sh PACKTRACE [OTHER_PACKTRACE]: how often the idle demo station's threads
# wake up, per thread, against bare GStreamer recordings of the same footage.  The station
# records its three demo cameras with nothing else to do (the demo load closed from the
# command line, no grading open, nobody watching, no hub); a thread that polls on a clock
# shows up here as a steady rate while a thread that waits on events shows none.  A wake-up
# is a context switch of the thread (voluntary + involuntary, /proc/PID/task/*/status),
# counted over WINDOW seconds after a warm-up; the baseline is gst-launch-1.0 recording the
# same three files in real time (as bench-idle.sh), whose streaming threads wake per buffer;
# the demo files last 20 s, so it is counted over BARE_WINDOW seconds after 2 s.
# The demo's cameras rotate a segment every 10 s, and each rotation is work (files, hashes,
# rows); the same station without cameras, with a webhook connector (so sync runs) and
# nothing to do, shows what is left when nothing happens at all: a poll on a clock there is
# a steady rate.  With OTHER_PACKTRACE (main's binary, say) both are measured in the same
# run, alternating, RUNS times; the medians (min-max) of the totals are printed, then each
# thread of the last run, busiest first.  Not part of the test suite: nothing is asserted
# (tests/station/test-idle.sh asserts the camera-less figure).
set -u
BIN=${1:?packtrace binary}
OTHER=${2:-}
RUNS=${RUNS:-3}
WARMUP=${WARMUP:-8}
WINDOW=${WINDOW:-20}
BARE_WINDOW=${BARE_WINDOW:-15}
TOP=${TOP:-25}
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$T"' EXIT
TCK=$(getconf CLK_TCK)

# snapshot PID: one line per thread: "tid switches utime+stime name".
snapshot() {
  local d tid
  for d in /proc/"$1"/task/*; do
    tid=${d##*/}
    awk -v tid="$tid" -v statf="$d/stat" '
      /^Name:/ { name = $2 }
      /^voluntary_ctxt_switches:/ { n += $2 }
      /^nonvoluntary_ctxt_switches:/ { n += $2 }
      END {
        if ((getline line < statf) > 0) {
          sub(/^.*\) /, "", line); split(line, f, " "); cpu = f[12] + f[13]
        }
        if (name != "") printf "%s %d %d %s\n", tid, n, cpu, name
      }' "$d/status" 2>/dev/null
  done
}

# measure PID OUT SECONDS: per-thread wake-ups/s and CPU over SECONDS into OUT ("name rate
# cpu% threads"), and "total_rate cpu% own_rate" into $T/sum, own being the threads that are
# not GStreamer streaming threads (whose names are element:pad).  The callers run in this
# shell, not in a pipe's subshell: each must have stopped its process before the next starts
# (one `run` per data directory).
measure() {
  snapshot "$1" >"$T/a"
  sleep "$3"
  snapshot "$1" >"$T/b"
  # A thread born during the window counts from zero; one that ended is not seen.
  awk -v w="$3" -v t="$TCK" -v out="$2" '
    NR == FNR { n0[$1] = $2; c0[$1] = $3; next }
    { r = ($2 - n0[$1]) / w; c = ($3 - c0[$1]) * 100 / t / w
      key = $4; rate[key] += r; cpu[key] += c; cnt[key]++; total += r; ctot += c
      if (key !~ /:/) own += r }
    END {
      for (k in rate) printf "%s %.1f %.1f %d\n", k, rate[k], cpu[k], cnt[k] > out
      printf "%.1f %.1f %.1f\n", total, ctot, own
    }' "$T/a" "$T/b" >"$T/sum"
}

station() { # station BIN OUT: wake-ups of `BIN run` on a copy of the demo data, its load
  # closed.  A copy: once a load with the demo's lots departed, later loads get none and
  # cannot be closed, so every run starts from the state after the first start.
  local id
  rm -rf "$T/run"
  cp -a "$T/data" "$T/run"
  "$1" run --data "$T/run" --listen 127.0.0.1:0 >/dev/null 2>&1 &
  PID=$!
  sleep "$WARMUP"
  # A load with no lot on it cannot be closed: closed once a scan put one on it.
  id=$("$1" load list --data "$T/run" | awk '$2 == "open" { print $1; exit }')
  for _ in $(seq 60); do
    [ -z "$id" ] || "$1" load close "$id" --data "$T/run" >/dev/null 2>&1 && break
    sleep 0.5
  done
  sleep 2
  measure "$PID" "$2" "$WINDOW"
  kill -TERM "$PID"
  wait "$PID" 2>/dev/null
  PID=
}

quiet() { # quiet BIN OUT: wake-ups/s of `BIN run` with no camera and a connector, nothing to do
  "$1" run --data "$T/quiet" --listen 127.0.0.1:0 >/dev/null 2>&1 &
  PID=$!
  sleep 5
  measure "$PID" "$2" "$WINDOW"
  kill -TERM "$PID"
  wait "$PID" 2>/dev/null
  PID=
}

bare() { # bare OUT: wake-ups of gst-launch-1.0 recording the three demo files in real time
  local args=() r
  for r in picking grading loading; do
    mkdir -p "$T/bare/$r"
    args+=(filesrc location="$T/data/demo/demo-$r.mkv" ! matroskademux ! h264parse ! clocksync
      ! splitmuxsink max-size-time=60000000000 muxer=matroskamux location="$T/bare/$r/%05d.mkv")
  done
  gst-launch-1.0 -q "${args[@]}" >/dev/null 2>&1 &
  PID=$!
  sleep 2
  measure "$PID" "$1" "$BARE_WINDOW"
  kill -INT "$PID"
  wait "$PID" 2>/dev/null
  PID=
  rm -rf "$T/bare"
}

# The first start makes the demo footage and the demo load.
"$BIN" init --data "$T/data" >/dev/null || exit 1
"$BIN" run --data "$T/data" --listen 127.0.0.1:0 >/dev/null 2>&1 &
PID=$!
for _ in $(seq 300); do
  [ -s "$T/data/demo/demo-loading.mkv" ] && [ -s "$T/data/demo/demo-grading.mkv" ] && break
  sleep 0.5
done
sleep 3
kill -TERM "$PID"
wait "$PID" 2>/dev/null
PID=

"$BIN" init --data "$T/quiet" >/dev/null || exit 1
sed -i 's|^demo=.*|demo=off|' "$T/quiet/station.ini"
"$BIN" sync add w --type webhook --url http://127.0.0.1:9/ --secret 0123456789abcdef0123 \
  --data "$T/quiet" >/dev/null || exit 1

this=() other=() base=() this_cpu=() other_cpu=() base_cpu=() this_own=() other_own=()
this_quiet=() other_quiet=()
for _ in $(seq "$RUNS"); do
  quiet "$BIN" "$T/this.quiet"
  read -r w c o <"$T/sum"
  this_quiet+=("$w")
  if [ -n "$OTHER" ]; then
    quiet "$OTHER" "$T/other.quiet"
    read -r w c o <"$T/sum"
    other_quiet+=("$w")
  fi
  station "$BIN" "$T/this.threads"
  read -r w c o <"$T/sum"
  this+=("$w") this_cpu+=("$c") this_own+=("$o")
  if [ -n "$OTHER" ]; then
    station "$OTHER" "$T/other.threads"
    read -r w c o <"$T/sum"
    other+=("$w") other_cpu+=("$c") other_own+=("$o")
  fi
  bare "$T/base.threads"
  read -r w c o <"$T/sum"
  base+=("$w") base_cpu+=("$c")
done
stats() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%s (%s-%s)", v[int((NR + 1) / 2)], v[1], v[NR] }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
above() { awk -v a="$(median "$@")" -v b="$(median "${base[@]}")" 'BEGIN { printf "%.1f", a - b }'; }
threads() { # threads FILE: the busiest threads, one line each
  sort -k2,2gr "$1" | head -n "$TOP" |
    awk '{ printf "    %-28s %7.1f /s  %5.1f %% cpu%s\n", $1, $2, $3, ($4 > 1 ? "  (" $4 " threads)" : "") }'
}
echo "idle demo station: wake-ups per second (context switches of all threads) over ${WINDOW} s,"
echo "median (min-max) of $RUNS, and % of one core:"
echo "  bare gst-launch recording the same three files: $(stats "${base[@]}") /s, $(median "${base_cpu[@]}") % cpu"
echo "  station ($BIN): $(stats "${this[@]}") /s = $(above "${this[@]}") /s above bare, $(median "${this_cpu[@]}") % cpu;"
echo "    its threads other than GStreamer streaming threads: $(stats "${this_own[@]}") /s"
if [ -n "$OTHER" ]; then
  echo "  station ($OTHER): $(stats "${other[@]}") /s = $(above "${other[@]}") /s above bare, $(median "${other_cpu[@]}") % cpu;"
  echo "    its threads other than GStreamer streaming threads: $(stats "${other_own[@]}") /s"
fi
echo "station without cameras, a webhook connector, nothing to do: all threads' wake-ups per second:"
echo "  $BIN: $(stats "${this_quiet[@]}") /s"
threads "$T/this.quiet" | awk '$2 > 0'
if [ -n "$OTHER" ]; then
  echo "  $OTHER: $(stats "${other_quiet[@]}") /s"
  threads "$T/other.quiet" | awk '$2 > 0'
fi
echo "per thread, last run, $BIN:"
threads "$T/this.threads"
if [ -n "$OTHER" ]; then
  echo "per thread, last run, $OTHER:"
  threads "$T/other.threads"
fi
echo "per thread, last run, bare gst-launch:"
threads "$T/base.threads"
