#!/usr/bin/env bash
# bench-consumer.sh PACKTRACE: the consumer page (HTML) and its JSON (Accept:
# application/json) of one batch with wrk on loopback, against nginx serving static files of
# the same sizes in the same run (Debian's nginx, started here on a loopback port with its
# own config and prefix).  Prints req/s medians of 3 runs, the ratio to nginx (goal: 0.5x or
# more), p99 latency and the page's first-view bytes as transferred.
set -eu
BIN=${1:?packtrace binary}
command -v wrk >/dev/null || { echo "SKIP: wrk missing (apt-get install wrk)"; exit 0; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "SKIP: nginx missing (apt-get install nginx)"; exit 0; }
T=$(mktemp -d)
SERVER=
NGINX_PID=
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; [ -n "$NGINX_PID" ] && kill $NGINX_PID 2>/dev/null; rm -rf "$T"' EXIT
chmod 755 "$T" # nginx workers run as nobody and must read the files
export PACKTRACE_DATA=$T/data
GTIN=09506000134352
"$BIN" init >/dev/null
# The public routes' per-address limit would answer most of wrk's requests with 429: off.
sed -i -e 's/^demo=auto/demo=off/' -e 's/^public_per_second=.*/public_per_second=0/' \
  "$PACKTRACE_DATA/station.ini"
grep -q '^public_per_second=0$' "$PACKTRACE_DATA/station.ini" ||
  { echo "FAILED: cannot turn off the public rate limit"; exit 1; }
"$BIN" batch new --product Oranges --gtin $GTIN --variety Navel --origin CN --grower "Li farm" \
  --harvest-date 2026-11-20 --quantity 1200 --lot BENCH1 >/dev/null
for s in inspecting packing storing loading; do "$BIN" event add BENCH1 --step $s >/dev/null; done
"$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
SERVER=$!
for _ in $(seq 50); do grep -q http:// "$T/run.out" 2>/dev/null && break; sleep 0.1; done
URL=$(grep -o 'http://[^ ]*' "$T/run.out")
PAGE="/01/$GTIN/10/BENCH1"

# nginx: the same bytes as static files, two workers as the station has two HTTP threads.
mkdir -p "$T/nginx/html" "$T/nginx/logs"
curl -sf -H 'Accept: text/html' "$URL$PAGE" -o "$T/nginx/html/page.html"
curl -sf -H 'Accept: application/json' "$URL$PAGE" -o "$T/nginx/html/page.json"
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
  # Only for a client that asks (the gz runs below), at the station's level.
  gzip on; gzip_comp_level 1; gzip_min_length 0; gzip_types application/json;
  server { listen 127.0.0.1:$NPORT; root $T/nginx/html; }
}
EOF2
"$NGINX" -p "$T/nginx" -c "$T/nginx/nginx.conf" -g 'daemon off;' 2>"$T/nginx/start.err" &
NGINX_PID=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$NPORT/page.html" -o /dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$NPORT/page.html" -o /dev/null || { echo "FAILED: nginx did not start:"; cat "$T/nginx/start.err"; exit 1; }

# run URL ACCEPT [ENCODING]: "req/s p99_ms" of one 4 s wrk run (1 thread, 16 connections,
# keep-alive), with Accept-Encoding: ENCODING when given (what a phone's browser sends).
# Only 200s count: a run with any other status (a 429, an error page) fails the benchmark.
run() {
  wrk -t1 -c16 -d4s --latency -H "Accept: $2" ${3:+-H "Accept-Encoding: $3"} "$1" | awk '
    / 99% / { v = $2; if (v ~ /us$/) ms = v / 1000; else if (v ~ /ms$/) ms = v + 0; else ms = v * 1000 }
    /Requests\/sec/ { r = $2 }
    /Non-2xx or 3xx responses/ { bad = $NF }
    END { if (bad) { print "FAILED: " bad " responses were not 200" > "/dev/stderr"; exit 1 }
          printf "%s %.2f\n", r, ms }'
}
med() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }
lo() { printf '%s\n' "$@" | sort -g | head -1; }
hi() { printf '%s\n' "$@" | sort -g | tail -1; }
declare -A rate p99 all
for _ in 1 2 3; do
  for k in page json nginx_page nginx_json page_gz nginx_page_gz; do
    case $k in
      page) r=$(run "$URL$PAGE" text/html) ;;
      page_gz) r=$(run "$URL$PAGE" text/html gzip) ;;
      nginx_page_gz) r=$(run "http://127.0.0.1:$NPORT/page.html" text/html gzip) ;;
      json) r=$(run "$URL$PAGE" application/json) ;;
      nginx_page) r=$(run "http://127.0.0.1:$NPORT/page.html" text/html) ;;
      nginx_json) r=$(run "http://127.0.0.1:$NPORT/page.json" application/json) ;;
    esac
    rate[$k]="${rate[$k]:-} ${r% *}"
    p99[$k]="${p99[$k]:-} ${r#* }"
  done
done
for k in page json nginx_page nginx_json page_gz nginx_page_gz; do
  all[$k]="$(med ${rate[$k]}) req/s (min $(lo ${rate[$k]}) max $(hi ${rate[$k]})), p99 $(med ${p99[$k]}) ms (min $(lo ${p99[$k]}) max $(hi ${p99[$k]}))"
done
ratio() { awk "BEGIN {printf \"%.2f\", $(med ${rate[$1]}) / $(med ${rate[$2]})}"; }
echo "wrk 1 thread, 16 connections, 4 s, median of 3 runs; nginx: 2 workers, static files"
printf '%-44s %s\n' "station consumer page HTML ($(stat -c %s "$T/nginx/html/page.html") B):" "${all[page]}"
printf '%-44s %s\n' "nginx same-size static HTML:" "${all[nginx_page]}"
printf '%-44s %s\n' "station consumer JSON ($(stat -c %s "$T/nginx/html/page.json") B):" "${all[json]}"
printf '%-44s %s\n' "nginx same-size static JSON:" "${all[nginx_json]}"
printf '%-44s %s\n' "station consumer page HTML, gzip:" "${all[page_gz]}"
printf '%-44s %s\n' "nginx same-size static HTML, gzip level 1:" "${all[nginx_page_gz]}"
echo "ratio to nginx: page $(ratio page nginx_page)x, JSON $(ratio json nginx_json)x, page gzipped $(ratio page_gz nginx_page_gz)x (goal >= 0.5x)"

# First view as transferred (headers + bodies): the page, its CSS and script, the bundle the
# verified mark checks; the clip is not fetched before play.
bundle=$(sed -n 's/.*"bundle":"\([^"]*\)".*/\1/p' "$T/nginx/html/page.html" | sed 's/\\\//\//g')
total=0
for u in "$PAGE" /static/style.css /static/consumer.js /static/pt-verify.js "$bundle"; do
  n=$(curl -sf -H 'Accept: text/html' -o /dev/null -w '%{size_header} %{size_download}' "$URL$u" | awk '{print $1 + $2}')
  total=$((total + n))
done
echo "consumer page first view: $total bytes transferred (page, style.css, consumer.js, bundle; budget 102400)"
