#!/usr/bin/env bash
# test-access.sh: access control on the real `packtrace run` with real curl on loopback:
# `packtrace user` and `apikey`, sign-in sessions (cookie flags, CSRF, sign-out, idle and
# absolute expiry), roles (buyers only read, scoped buyers only their loads' batches),
# revoked keys, rate limits on failed sign-ins and on public routes, HTTPS with a
# self-signed certificate made here by openssl, and the HTTP hardening of issue 8 that
# test-http.c and test-web.c do not cover (path traversal in the API's path-taking routes,
# 413 for oversize bodies, 400 for malformed JSON).
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
command -v curl >/dev/null && command -v jq >/dev/null ||
  { echo "1..0 # SKIP curl or jq missing"; exit 77; }
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
INI=$PACKTRACE_DATA/station.ini
GLN_A=4012345000115
GLN_B=9506000134352
PW="orange grove 42"

"$BIN" init >/dev/null || { echo "Bail out! init failed"; exit 1; }
sed -i 's/^demo=auto/demo=off/' "$INI"
TOKEN=$(sed -n 's/^operator_token=//p' "$INI")
set_key() { sed -i "s|^$1=.*|$1=$2|" "$INI"; }
set_key login_per_minute 600
set_key login_burst 100
for p in Oranges Kiwi; do
  "$BIN" batch new --product $p --gtin 09506000134352 >/dev/null || { echo "Bail out! batch new"; exit 1; }
done
# Batch 1 goes to buyer A's GLN, batch 2 to buyer B's.
"$BIN" load new --plate A1 --seal S1 --destination-gln $GLN_A >/dev/null &&
  "$BIN" load add 1 1 >/dev/null &&
  "$BIN" load new --plate B1 --seal S2 --destination-gln $GLN_B >/dev/null &&
  "$BIN" load add 2 2 >/dev/null || { echo "Bail out! loads"; exit 1; }

# start: (re)starts the station; URL is its base address.
start() {
  # A server that died on its own is a finding: say why before its log is overwritten.
  if [ -n "$PID" ] && ! kill -0 "$PID" 2>/dev/null; then
    wait "$PID"
    echo "# the previous server exited on its own (status $?): $(tail -5 "$T/run.err")"
  fi
  [ -n "$PID" ] && { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; }
  # Emptied before the fork: the child's own redirection may come after the first look,
  # which would then find the previous server's address (seen once in CI: four 000s).
  : >"$T/run.out"
  "$BIN" run --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
  PID=$!
  URL=
  for _ in $(seq 100); do
    URL=$(grep -o 'https\?://[0-9.:]*' "$T/run.out" 2>/dev/null | head -1)
    [ -n "$URL" ] && return 0
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "# server did not start: $(cat "$T/run.err")"
  PID=
  return 1
}
# code ARGS...: curl's HTTP status; the body in $T/body, headers in $T/headers.
code() { curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' "$@"; }
# login NAME PASSWORD: signs in; COOKIE and CSRF are set from the answer.
login() {
  LOGIN_CODE=$(code -X POST -d "{\"name\":\"$1\",\"password\":\"$2\"}" "$URL/api/v1/session")
  COOKIE=$(grep -io 'pt_session=[0-9a-f]*' "$T/headers")
  CSRF=$(jq -r '.csrf_token // empty' "$T/body" 2>/dev/null)
}

# --- users and API keys on the command line ---
expect 0 "user add operator (password on stdin)" sh -c "echo '$PW' | '$BIN' user add op1 --role operator"
expect 1 "an empty password is refused" sh -c "echo '' | '$BIN' user add op2 --role operator"
check "says it is empty" '[[ "$ERR" == *"password is empty"* ]]'
expect 1 "a short password is refused" sh -c "echo 'abc123' | '$BIN' user add op2 --role operator"
check "says it is too short" '[[ "$ERR" == *"too short"* ]]'
expect 1 "a password that is the name is refused" sh -c "echo 'operator-22' | '$BIN' user add operator-22 --role operator"
expect 1 "an unknown role is refused" sh -c "echo '$PW' | '$BIN' user add op2 --role boss"
expect 1 "a scope for an operator is refused" sh -c "echo '$PW' | '$BIN' user add op2 --role operator --scope $GLN_A"
expect 1 "a GLN with a wrong check digit is refused" sh -c "echo '$PW' | '$BIN' user add b9 --role buyer --scope 4012345000116"
expect 1 "the same name twice is refused" sh -c "echo '$PW' | '$BIN' user add op1 --role operator"
expect 0 "user add scoped buyer" sh -c "echo '$PW' | '$BIN' user add buyer-a --role buyer --scope $GLN_A"
expect 0 "user list" "$BIN" user list
check "lists both users with role and scope" '[[ "$OUT" == *op1*operator* && "$OUT" == *buyer-a*buyer*$GLN_A* ]]'
check "user list never prints hashes or passwords" '[[ "$OUT" != *argon2* && "$OUT" != *"$PW"* ]]'
expect 0 "user list --json" "$BIN" user list --json
check "JSON has no hash either" '[ "$(echo "$OUT" | jq -c "[.users[] | keys] | add | unique")" = "[\"created\",\"name\",\"role\",\"scope\"]" ]'
check "the database keeps an argon2id string, not the password" \
  '[[ "$(sqlite3 "$PACKTRACE_DATA/station.db" "SELECT password_hash FROM users WHERE name = '"'op1'"'")" == \$argon2id\$* ]]'
expect 0 "apikey add buyer (all batches)" "$BIN" apikey add platform --role buyer --json
KEY_ALL=$(echo "$OUT" | jq -r .key)
expect 0 "apikey add buyer scoped to GLN A" "$BIN" apikey add buyer-a-erp --role buyer --scope $GLN_A --json
KEY_A=$(echo "$OUT" | jq -r .key)
KEY_A_ID=$(echo "$OUT" | jq -r .id)
expect 1 "an admin API key is refused" "$BIN" apikey add root --role admin
check "the keys are printed once and stored only hashed" \
  '[ -n "$KEY_ALL" ] && ! grep -qa "$KEY_ALL" "$PACKTRACE_DATA/station.db" && [ "$(sqlite3 "$PACKTRACE_DATA/station.db" "SELECT count(*) FROM api_keys WHERE length(key_hash) = 64")" = 2 ]'
expect 0 "apikey list" "$BIN" apikey list
check "apikey list shows names, not keys" '[[ "$OUT" == *platform* && "$OUT" != *"$KEY_ALL"* ]]'

start || { echo "Bail out! server"; exit 1; }

# --- sessions ---
login op1 "$PW"
check "sign-in with the right password: 200" '[ "$LOGIN_CODE" = 200 ] && [ -n "$COOKIE" ] && [ -n "$CSRF" ]'
SETC=$(grep -i '^set-cookie:' "$T/headers")
check "the cookie is HttpOnly, SameSite=Strict, Path=/" \
  '[[ "$SETC" == *"; HttpOnly"* && "$SETC" == *"; SameSite=Strict"* && "$SETC" == *"; Path=/"* ]]'
check "no Secure flag over plain HTTP" '[[ "$SETC" != *Secure* ]]'
check "the session id is stored only hashed" \
  '! grep -qa "${COOKIE#pt_session=}" "$PACKTRACE_DATA/station.db" "$PACKTRACE_DATA/station.db-wal" 2>/dev/null'
check "GET /api/v1/session says who" \
  '[ "$(code -H "Cookie: $COOKIE" "$URL/api/v1/session")" = 200 ] && [ "$(jq -r .name "$T/body")/$(jq -r .role "$T/body")" = op1/operator ]'
t0=$(date +%s%N)
c1=$(code -X POST -d '{"name":"op1","password":"wrong password 1"}' "$URL/api/v1/session")
t1=$(date +%s%N)
check "a wrong password: 401" '[ "$c1" = 401 ] && grep -q "wrong name or password" "$T/body"'
c2=$(code -X POST -d '{"name":"nobody","password":"wrong password 1"}' "$URL/api/v1/session")
t2=$(date +%s%N)
check "an unknown user: the same 401" '[ "$c2" = 401 ] && grep -q "wrong name or password" "$T/body"'
echo "# sign-in with a wrong password $(( (t1 - t0) / 1000000 )) ms, unknown user $(( (t2 - t1) / 1000000 )) ms"
check "an unknown user still costs an argon2id run (over 10 ms)" '[ $(( (t2 - t1) / 1000000 )) -gt 10 ]'
check "a sign-in body with an unknown member: 400" \
  '[ "$(code -X POST -d "{\"name\":\"op1\",\"password\":\"$PW\",\"x\":1}" "$URL/api/v1/session")" = 400 ]'

BODY='{"product":"Limes","gtin":"09506000134352"}'
check "a write with the session but no CSRF token: 403" \
  '[ "$(code -H "Cookie: $COOKIE" -d "$BODY" "$URL/api/v1/batches")" = 403 ] && grep -q X-CSRF-Token "$T/body"'
# The last character changed, never left as it was (a token ending in 0 stays valid as ...0).
WRONG_CSRF=${CSRF%?}$([ "${CSRF: -1}" = 0 ] && echo 1 || echo 0)
check "a write with a wrong CSRF token: 403" \
  '[ "$(code -H "Cookie: $COOKIE" -H "X-CSRF-Token: $WRONG_CSRF" -d "$BODY" "$URL/api/v1/batches")" = 403 ]'
check "a write without a session: 401" '[ "$(code -d "$BODY" "$URL/api/v1/batches")" = 401 ]'
check "a write with a session that does not exist: 401" \
  '[ "$(code -H "Cookie: pt_session=$(printf "%064d" 7)" -H "X-CSRF-Token: $CSRF" -d "$BODY" "$URL/api/v1/batches")" = 401 ]'
check "nothing was written by the refused requests" '[ "$(sqlite3 "$PACKTRACE_DATA/station.db" "SELECT count(*) FROM batches")" = 2 ]'
check "a write with the session and its CSRF token: 201" \
  '[ "$(code -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" -d "$BODY" "$URL/api/v1/batches")" = 201 ]'
check "reads with the session need no CSRF token" '[ "$(code -H "Cookie: $COOKIE" "$URL/api/v1/sync")" = 200 ]'
check "the operator token still works for scripts" \
  '[ "$(code -H "Authorization: Bearer $TOKEN" -X POST "$URL/api/v1/batches/3/release")" = 409 ]'

# --- buyers ---
check "batch reads need credentials: 401" '[ "$(code "$URL/api/v1/batches/1")" = 401 ]'
check "the full bundle by sequential id needs credentials: 401" '[ "$(code "$URL/api/v1/batches/1/bundle")" = 401 ]'
check "a buyer key reads the bundle by id" '[ "$(code -H "Authorization: Bearer $KEY_ALL" "$URL/api/v1/batches/1/bundle")" = 200 ]'
check "a buyer key reads a batch" '[ "$(code -H "Authorization: Bearer $KEY_ALL" "$URL/api/v1/batches/2")" = 200 ]'
check "a buyer key lists all batches" \
  '[ "$(code -H "Authorization: Bearer $KEY_ALL" "$URL/api/v1/batches")" = 200 ] && [ "$(jq ".batches | length" "$T/body")" = 3 ]'
check "a buyer cannot write: 403" \
  '[ "$(code -H "Authorization: Bearer $KEY_ALL" -d "{\"reason\":\"x\"}" "$URL/api/v1/batches/1/hold")" = 403 ] && grep -q "buyers only read" "$T/body"'
check "a buyer cannot see loads or sync: 403" \
  '[ "$(code -H "Authorization: Bearer $KEY_ALL" "$URL/api/v1/loads")" = 403 ] && [ "$(code -H "Authorization: Bearer $KEY_ALL" "$URL/api/v1/sync")" = 403 ]'
check "a scoped buyer reads a batch on a load to its GLN" \
  '[ "$(code -H "Authorization: Bearer $KEY_A" "$URL/api/v1/batches/1/epcis")" = 200 ]'
check "a scoped buyer cannot read another buyer's batch: 404 as if it did not exist" \
  '[ "$(code -H "Authorization: Bearer $KEY_A" "$URL/api/v1/batches/2")" = 404 ] && [ "$(code -H "Authorization: Bearer $KEY_A" "$URL/api/v1/batches/2/label")" = 404 ]'
check "a scoped buyer lists only its own batches" \
  '[ "$(code -H "Authorization: Bearer $KEY_A" "$URL/api/v1/batches")" = 200 ] && [ "$(jq -c "[.batches[].id]" "$T/body")" = "[1]" ]'
COOKIE_OP=$COOKIE CSRF_OP=$CSRF
login buyer-a "$PW"
check "a scoped buyer signed in reads its batch, not another's (404)" \
  '[ "$(code -H "Cookie: $COOKIE" "$URL/api/v1/batches/1")" = 200 ] && [ "$(code -H "Cookie: $COOKIE" "$URL/api/v1/batches/2")" = 404 ]'
check "a buyer's session cannot write even with its CSRF token: 403" \
  '[ "$(code -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" -X POST "$URL/api/v1/batches/1/release")" = 403 ]'
expect 0 "apikey revoke" "$BIN" apikey revoke "$KEY_A_ID"
check "a revoked key: 401" '[ "$(code -H "Authorization: Bearer $KEY_A" "$URL/api/v1/batches/1")" = 401 ]'
check "an unknown Bearer token: 401" '[ "$(code -H "Authorization: Bearer ptk_nothing" "$URL/api/v1/batches/1")" = 401 ]'

# --- sign-out and user removal ---
check "sign-out without the CSRF token: 403" '[ "$(code -H "Cookie: $COOKIE_OP" -X DELETE "$URL/api/v1/session")" = 403 ]'
check "sign-out: 200, the cookie is cleared" \
  '[ "$(code -H "Cookie: $COOKIE_OP" -H "X-CSRF-Token: $CSRF_OP" -X DELETE "$URL/api/v1/session")" = 200 ] && grep -qi "^set-cookie: pt_session=;.*Max-Age=0" "$T/headers"'
check "the ended session: 401" '[ "$(code -H "Cookie: $COOKIE_OP" "$URL/api/v1/sync")" = 401 ] && grep -q "sign in again" "$T/body"'
expect 0 "user remove" "$BIN" user remove buyer-a
check "a removed user's session ends at once: 401" '[ "$(code -H "Cookie: $COOKIE" "$URL/api/v1/batches/1")" = 401 ]'
expect 1 "removing an unknown user fails" "$BIN" user remove buyer-a

# --- users and API keys from the dashboard: admins only ---
check "an operator's session may not list users: 403" \
  '[ "$(code -H "Authorization: Bearer $TOKEN" "$URL/api/v1/users")" = 403 ] && grep -q "needs the admin role" "$T/body"'
echo "$PW" | "$BIN" user add boss --role admin >/dev/null
login boss "$PW"
COOKIE_ADM=$COOKIE CSRF_ADM=$CSRF
adm() { code -H "Cookie: $COOKIE_ADM" -H "X-CSRF-Token: $CSRF_ADM" "$@"; }
check "an admin lists the users, never a password hash" \
  '[ "$(adm "$URL/api/v1/users")" = 200 ] && jq -e ".users | map(.name) | index(\"boss\")" "$T/body" >/dev/null && ! grep -q argon2 "$T/body"'
check "an admin adds a user: 201" \
  '[ "$(adm -X POST -d "{\"name\":\"op9\",\"role\":\"operator\",\"password\":\"$PW\"}" "$URL/api/v1/users")" = 201 ]'
login op9 "$PW"
check "... who can sign in" '[ "$LOGIN_CODE" = 200 ]'
COOKIE_OP9=$COOKIE
check "a short password is refused with the reason: 400" \
  '[ "$(adm -X POST -d "{\"name\":\"op8\",\"role\":\"operator\",\"password\":\"abc\"}" "$URL/api/v1/users")" = 400 ]'
check "without the CSRF token: 403" \
  '[ "$(code -H "Cookie: $COOKIE_ADM" -X POST -d "{\"name\":\"op8\",\"role\":\"operator\",\"password\":\"$PW\"}" "$URL/api/v1/users")" = 403 ]'
check "an admin cannot remove their own user: 409" '[ "$(adm -X DELETE "$URL/api/v1/users/boss")" = 409 ]'
check "removing a user: 200, and their session ends" \
  '[ "$(adm -X DELETE "$URL/api/v1/users/op9")" = 200 ] && [ "$(code -H "Cookie: $COOKIE_OP9" "$URL/api/v1/sync")" = 401 ]'
check "an admin makes an API key, shown once: 201" \
  '[ "$(adm -X POST -d "{\"name\":\"hub\",\"role\":\"buyer\"}" "$URL/api/v1/apikeys")" = 201 ]'
KEY_H=$(jq -r .key "$T/body") KEY_H_ID=$(jq -r .id "$T/body")
check "... which works" '[ "$(code -H "Authorization: Bearer $KEY_H" "$URL/api/v1/batches")" = 200 ]'
check "the key list names it, never the key" \
  '[ "$(adm "$URL/api/v1/apikeys")" = 200 ] && jq -e ".keys[] | select(.id == $KEY_H_ID and .revoked == null)" "$T/body" >/dev/null && ! grep -qF "$KEY_H" "$T/body"'
check "an admin key is refused: 400" \
  '[ "$(adm -X POST -d "{\"name\":\"root\",\"role\":\"admin\"}" "$URL/api/v1/apikeys")" = 400 ]'
check "revoking it: 200, and it stops working" \
  '[ "$(adm -X DELETE "$URL/api/v1/apikeys/$KEY_H_ID")" = 200 ] && [ "$(code -H "Authorization: Bearer $KEY_H" "$URL/api/v1/batches")" = 401 ]'

# --- HTTP hardening: traversal, oversize bodies, malformed JSON ---
for path in "/api/v1/batches/..%2F..%2Fstation.ini/clips/1" "/api/v1/batches/1/clips/..%2F..%2Fstation.ini" \
  "/api/v1/batches/..%2Fstation.db" "/api/v1/batches/%2e%2e/label" "/api/v1/loads/..%2F1" \
  "/api/v1/batches/1/clips/1%00" "/01/09506000134352/10/..%2F..%2Fstation.ini"; do
  c=$(code -H "Authorization: Bearer $TOKEN" "$URL$path")
  check "traversal $path: $c, nothing of the data directory" \
    '[[ "$c" =~ ^40[04]$ ]] && ! grep -q -e operator_token -e "SQLite format" "$T/body"'
done
head -c 200000 /dev/zero | tr '\0' ' ' >"$T/big"
check "an oversize sign-in body: 413" '[ "$(code --data-binary @"$T/big" "$URL/api/v1/session")" = 413 ]'
check "an oversize chunked body (no Content-Length): 413" \
  '[ "$(code -H "Authorization: Bearer $TOKEN" -H "Transfer-Encoding: chunked" --data-binary @"$T/big" "$URL/api/v1/loads")" = 413 ]'
for route in /api/v1/session /api/v1/loads /api/v1/sync/retry /api/v1/batches/1/events; do
  check "malformed JSON to $route: 400" \
    '[ "$(code -H "Authorization: Bearer $TOKEN" -d "{\"plate\":" "$URL$route")" = 400 ] && jq -e .error "$T/body" >/dev/null'
done

# --- failed sign-ins are rate-limited (one per 5 s here, a burst of 2: on a loaded box an
# argon2 check takes up to a second, and at one a second the third would find a new token) ---
set_key login_per_minute 12
set_key login_burst 2
start || { echo "Bail out! server"; exit 1; }
c1=$(code -X POST -d '{"name":"op1","password":"wrong password 1"}' "$URL/api/v1/session")
c2=$(code -X POST -d '{"name":"op1","password":"wrong password 2"}' "$URL/api/v1/session")
c3=$(code -X POST -d '{"name":"op1","password":"wrong password 3"}' "$URL/api/v1/session")
RETRY=$(grep -i '^retry-after:' "$T/headers" | tr -dc 0-9)
check "two failed sign-ins (401), then 429 with Retry-After" '[ "$c1$c2$c3" = 401401429 ] && [ -n "$RETRY" ] && [ "$RETRY" -ge 1 ]'
c4=$(code -X POST -d "{\"name\":\"op1\",\"password\":\"$PW\"}" "$URL/api/v1/session")
check "the right password is refused too while limited" '[ "$c4" = 429 ]'
sleep "${RETRY:-1}.2"
login op1 "$PW"
check "after the wait the right password signs in" '[ "$LOGIN_CODE" = 200 ]'

# --- sessions expire: idle, then absolute ---
set_key session_idle_s 1
start || { echo "Bail out! server"; exit 1; }
login op1 "$PW"
check "a fresh session works" '[ "$(code -H "Cookie: $COOKIE" "$URL/api/v1/sync")" = 200 ]'
sleep 2.2
check "idle longer than session_idle_s: 401" '[ "$(code -H "Cookie: $COOKIE" "$URL/api/v1/sync")" = 401 ]'
check "GET /api/v1/session: 401 once expired" '[ "$(code -H "Cookie: $COOKIE" "$URL/api/v1/session")" = 401 ]'
set_key session_idle_s 3600
# 4 s: the second use comes about 1.5 s after sign-in, so a loaded box (two tests at once, a
# slow argon2) still has 2.5 s of margin before the session's end, and the last use 4.5 s in.
set_key session_max_s 4
start || { echo "Bail out! server"; exit 1; }
sleep 1.1
login op1 "$PW"
ok1=$(code -H "Cookie: $COOKIE" "$URL/api/v1/sync")
sleep 1.5
ok2=$(code -H "Cookie: $COOKIE" "$URL/api/v1/sync")
sleep 3
last=$(code -H "Cookie: $COOKIE" "$URL/api/v1/sync")
check "a session used all along still ends after session_max_s (sign-in $LOGIN_CODE, uses $ok1 $ok2, then $last)" \
  '[ "$ok1$ok2$last" = 200200401 ]'
set_key session_max_s 43200

# --- public routes are rate-limited per client address ---
set_key public_per_second 1
set_key public_burst 3
start || { echo "Bail out! server"; exit 1; }
# One curl on one connection, so the five requests come well inside the second a token takes
# to come back, however loaded the box is.
codes=$(curl -s -D "$T/headers" -w '%{http_code}' -o /dev/null -o /dev/null -o /dev/null \
  -o /dev/null -o /dev/null "$URL/healthz" "$URL/healthz" "$URL/healthz" "$URL/healthz" \
  "$URL/01/09506000134352/10/X")
check "public routes: 3 at once, then 429 with Retry-After" '[ "${codes:0:12}" = 200200200429 ] && grep -qi "^retry-after: 1" "$T/headers"'
check "the consumer page shares the address's limit: 429" '[ "${codes:12:3}" = 429 ]'
check "routes with credentials are not the public limit" '[ "$(code -H "Authorization: Bearer $TOKEN" "$URL/api/v1/batches/1")" = 200 ]'
set_key public_per_second 50
set_key public_burst 100

# --- HTTPS ---
# The start-up checks below need the data directory to themselves: one run per directory.
[ -n "$PID" ] && { kill "$PID"; wait "$PID" 2>/dev/null; PID=; }
if command -v openssl >/dev/null; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$PACKTRACE_DATA/tls.key" -out "$PACKTRACE_DATA/tls.crt" 2>"$T/openssl.err"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=other \
    -keyout "$T/other.key" -out "$T/other.crt" 2>>"$T/openssl.err"
  set_key tls_cert tls.crt
  set_key tls_key "$T/other.key"
  expect 1 "a key that does not belong to the certificate stops the start" "$BIN" run --listen 127.0.0.1:0
  check "says so, naming the files" '[[ "$ERR" == *"tls.crt"*"does not belong to the certificate"* ]]'
  set_key tls_key missing.key
  expect 1 "a missing key file stops the start" "$BIN" run --listen 127.0.0.1:0
  check "names the missing file" '[[ "$ERR" == *"tls_key"*"missing.key"* ]]'
  set_key tls_key ""
  expect 1 "a certificate without a key stops the start" "$BIN" run --listen 127.0.0.1:0
  check "says both are needed" '[[ "$ERR" == *"both tls_cert and tls_key"* ]]'
  set_key tls_key tls.key
  start || { echo "Bail out! TLS server"; exit 1; }
  check "the station says https://" '[[ "$URL" == https://127.0.0.1:* ]]'
  check "HTTPS with the station's certificate: 200" \
    '[ "$(code --cacert "$PACKTRACE_DATA/tls.crt" "$URL/healthz")" = 200 ]'
  check "a client that does not trust the certificate is refused" '! curl -s -o /dev/null "$URL/healthz"'
  check "plain HTTP on the TLS port gets no answer" \
    '[ "$(curl -s -m 5 -o /dev/null -w "%{http_code}" "http://${URL#https://}/healthz")" = 000 ]'
  LOGIN_CODE=$(code --cacert "$PACKTRACE_DATA/tls.crt" -X POST -d "{\"name\":\"op1\",\"password\":\"$PW\"}" "$URL/api/v1/session")
  check "over HTTPS the session cookie is Secure" '[ "$LOGIN_CODE" = 200 ] && grep -qi "^set-cookie: pt_session=.*; Secure" "$T/headers"'
else
  skip "HTTPS" "openssl missing (apt-get install openssl)"
fi

tap_finish
