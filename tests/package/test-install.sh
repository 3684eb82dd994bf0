#!/usr/bin/env bash
# test-install.sh: the Debian package as a co-op's technician meets it (./run package-test,
# as root; skipped otherwise).  apt installs the .deb from $PACKTRACE_DEB_DIR; then:
# - the program, the profiles and the units are where the package says; systemd-analyze
#   accepts the units;
# - postinst made the packtrace system user, /var/lib/packtrace (0750, its own) with an
#   initialised station (demo off, key 0600 of that user) and /var/backups/packtrace (0700);
# - the service's ExecStart, run as its User= with a notify socket (this machine's PID 1 is
#   not systemd), reports READY=1, answers HTTP, pings the watchdog and stops on SIGTERM;
# - the backup unit's ExecStart, as its user, makes a backup that restores and audits intact;
# - packtrace-hub: its unit (not enabled), settings (0640 root:packtrace-hub), user and state
#   folder; against a throwaway PostgreSQL cluster its ExecStartPre, as packtrace-hub, migrates
#   the schema and its ExecStart reports READY=1, answers HTTP and stops on SIGTERM.
set -u
. "$(dirname "$0")/../tap.sh"
DEB_DIR=${PACKTRACE_DEB_DIR:-}
if [ -z "$DEB_DIR" ] || [ "$(id -u)" != 0 ]; then
  echo "1..0 # SKIP needs root and PACKTRACE_DEB_DIR (./run package-test)"
  exit 77
fi
DEB=$(ls "$DEB_DIR"/packtrace_*.deb 2>/dev/null | head -1)
[ -n "$DEB" ] || { echo "Bail out! no .deb in $DEB_DIR"; exit 1; }
T=$(mktemp -d)
chmod 755 "$T"
pid=
listener=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; [ -n "$listener" ] && kill "$listener" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
# listen SOCK LOG: a notify socket like systemd's at SOCK (any user may send), each datagram
# one line of LOG (newlines as |); sets listener to its pid.
listen() {
  python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o777)
s.settimeout(120)
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        out.write(s.recv(4096).decode().replace("\n", "|") + "\n")
' "$1" "$2" &
  listener=$!
  for _ in $(seq 50); do [ -S "$1" ] && break; sleep 0.1; done
}
UNIT=/lib/systemd/system/packtrace.service
BACKUP_UNIT=/lib/systemd/system/packtrace-backup.service

expect 0 "apt installs the package" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --reinstall "$DEB"
check "/usr/bin/packtrace runs" '/usr/bin/packtrace --version | grep -q "^packtrace "'
check "the grade profiles are installed and found" \
  '[ -f /usr/share/packtrace/profiles/orange-unece.ini ] && (cd / && /usr/bin/packtrace grade /nonexistent.jpg --profile no-such 2>&1 | grep -q "available: .*orange-unece")'
check "the service, backup service and timer units are installed" \
  '[ -f "$UNIT" ] && [ -f "$BACKUP_UNIT" ] && [ -f /lib/systemd/system/packtrace-backup.timer ]'
if command -v systemd-analyze >/dev/null; then
  expect 0 "systemd-analyze verify accepts the units" \
    systemd-analyze verify "$UNIT" "$BACKUP_UNIT" /lib/systemd/system/packtrace-backup.timer
else
  skip "systemd-analyze verify accepts the units" "no systemd-analyze"
fi
check "the service is Type=notify with a watchdog, as the packtrace user" \
  'grep -qx "Type=notify" "$UNIT" && grep -q "^WatchdogSec=" "$UNIT" && grep -qx "User=packtrace" "$UNIT"'
check "  and hardened (strict read-only system, no capabilities, only /dev/video*)" \
  'grep -qx "ProtectSystem=strict" "$UNIT" && grep -qx "CapabilityBoundingSet=" "$UNIT" && grep -qx "NoNewPrivileges=yes" "$UNIT" && grep -qx "PrivateTmp=yes" "$UNIT" && grep -qx "DevicePolicy=closed" "$UNIT" && grep -qx "DeviceAllow=char-video4linux rw" "$UNIT"'

check "postinst made the packtrace system user" \
  'id -u packtrace >/dev/null && [ "$(id -u packtrace)" -lt 1000 ]'
check "/var/lib/packtrace is the user's, 0750" \
  '[ "$(stat -c "%U %a" /var/lib/packtrace)" = "packtrace 750" ]'
check "  with an initialised station, demo off" \
  'grep -qx "demo=off" /var/lib/packtrace/station.ini && [ -f /var/lib/packtrace/station.db ]'
check "  whose secret key is the user's, 0600" \
  '[ "$(stat -c "%U %a" /var/lib/packtrace/keys/station.key)" = "packtrace 600" ]'
check "/var/backups/packtrace is the user's, 0700" \
  '[ "$(stat -c "%U %a" /var/backups/packtrace)" = "packtrace 700" ]'

# The service's own command line, as its own user.
exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")
user=$(sed -n 's/^User=//p' "$UNIT")
watchdog_s=$(sed -n 's/^WatchdogSec=//p' "$UNIT")
listen "$T/notify.sock" "$T/notify.log"
# The port alone is changed (any free one), so a station already on 8080 does no harm.
# shellcheck disable=SC2086
(cd / && exec setpriv --reuid="$user" --regid="$user" --init-groups env -i \
  PATH=/usr/bin:/bin NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=$((watchdog_s * 1000000)) \
  $exec_start --listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err") &
pid=$!
for _ in $(seq 600); do grep -q "^READY=1" "$T/notify.log" 2>/dev/null && break; sleep 0.1; done
check "the unit's ExecStart, as $user, reports READY=1" 'grep -q "^READY=1" "$T/notify.log"'
url=$(grep -o 'http://[0-9.:]*' "$T/run.out" | head -1)
check "  and answers HTTP" '[ -n "$url" ] && curl -sf -m 5 "$url/healthz" >/dev/null'
# (the subshell, setpriv and env each exec the next: $pid is the station itself)
check "  running as $user" '[ "$(ps -o user= -p "$pid" | tr -d " ")" = "$user" ]'
kill -TERM "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=
sleep 0.2
check "  and says STOPPING=1 when stopped" 'grep -q "^STOPPING=1" "$T/notify.log"'

backup_start=$(sed -n 's/^ExecStart=//p' "$BACKUP_UNIT")
# A machine that ran this before may already hold the 7 kept backups: the new one is the
# name that was not there before (the oldest is pruned, so the count need not grow).
ls /var/backups/packtrace >"$T/backups.before"
# shellcheck disable=SC2086
expect 0 "the backup unit's ExecStart, as $user, makes a backup" \
  setpriv --reuid="$user" --regid="$user" --init-groups $backup_start
ls /var/backups/packtrace >"$T/backups.after"
fresh=$(grep -vxF -f "$T/backups.before" "$T/backups.after" | grep '^packtrace-' | tail -1)
newest=${fresh:+/var/backups/packtrace/$fresh}
check "  in /var/backups/packtrace, a new dated folder ($fresh)" '[ -n "$newest" ] && [ -d "$newest" ]'
check "  keeping no more than the unit's --keep 7" '[ "$(grep -c "^packtrace-" "$T/backups.after")" -le 7 ]'
expect 0 "  which restores and audits intact" /usr/bin/packtrace restore --data "$T/restored" "$newest"
# --- the hub's package ---
HUB_DEB=$(ls "$DEB_DIR"/packtrace-hub_*.deb 2>/dev/null | head -1)
HUB_UNIT=/lib/systemd/system/packtrace-hub.service
expect 0 "apt installs packtrace-hub" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --reinstall "${HUB_DEB:-no packtrace-hub .deb}"
check "the hub's unit and settings are installed" '[ -f "$HUB_UNIT" ] && [ -f /etc/packtrace-hub/hub.ini ]'
check "  the settings are the hub's to read alone (0640 root:packtrace-hub)" \
  '[ "$(stat -c "%U %G %a" /etc/packtrace-hub/hub.ini)" = "root packtrace-hub 640" ]'
check "postinst made the packtrace-hub system user and /var/lib/packtrace-hub (0750)" \
  'id -u packtrace-hub >/dev/null && [ "$(id -u packtrace-hub)" -lt 1000 ] && [ "$(stat -c "%U %a" /var/lib/packtrace-hub)" = "packtrace-hub 750" ]'
check "the hub's service is Type=notify with a watchdog, as packtrace-hub, hardened" \
  'grep -qx "Type=notify" "$HUB_UNIT" && grep -q "^WatchdogSec=" "$HUB_UNIT" && grep -qx "User=packtrace-hub" "$HUB_UNIT" && grep -qx "ProtectSystem=strict" "$HUB_UNIT" && grep -qx "CapabilityBoundingSet=" "$HUB_UNIT" && grep -qx "NoNewPrivileges=yes" "$HUB_UNIT"'
check "  and not enabled by the install (its database comes first)" \
  '[ ! -e /etc/systemd/system/multi-user.target.wants/packtrace-hub.service ]'
if command -v systemd-analyze >/dev/null; then
  expect 0 "systemd-analyze verify accepts the hub's unit" systemd-analyze verify "$HUB_UNIT"
else
  skip "systemd-analyze verify accepts the hub's unit" "no systemd-analyze"
fi

kill "$listener" 2>/dev/null
wait "$listener" 2>/dev/null
listener=
# The unit's own commands, as its user, against a throwaway cluster; only the settings file
# differs (the cluster's socket, a key folder here).
. "$(dirname "$0")/../hub/pg-fixture.sh"
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; [ -n "$listener" ] && kill "$listener" 2>/dev/null; wait 2>/dev/null; pg_fixture_stop; rm -rf "$T"' EXIT
pg_fixture_start
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; [ -n "$listener" ] && kill "$listener" 2>/dev/null; wait 2>/dev/null; pg_fixture_stop; rm -rf "$T"' EXIT
hub_user=$(sed -n 's/^User=//p' "$HUB_UNIT")
install -d -o "$hub_user" -m 0750 "$T/hub-key" "$T/hub-run"
printf '[hub]\ndsn=%s\nlisten=127.0.0.1\nport=0\nkey_dir=%s\n' "$PT_HUB_DSN" "$T/hub-key" >"$T/hub.ini"
chmod 644 "$T/hub.ini"
hub_pre=$(sed -n 's/^ExecStartPre=//p' "$HUB_UNIT" | sed "s|/etc/packtrace-hub/hub.ini|$T/hub.ini|")
hub_start=$(sed -n 's/^ExecStart=//p' "$HUB_UNIT" | sed "s|/etc/packtrace-hub/hub.ini|$T/hub.ini|")
# shellcheck disable=SC2086
expect 0 "the hub unit's ExecStartPre, as $hub_user, migrates the schema" \
  setpriv --reuid="$hub_user" --regid="$hub_user" --init-groups $hub_pre
listen "$T/hub-notify.sock" "$T/hub-notify.log"
# shellcheck disable=SC2086
(cd / && exec setpriv --reuid="$hub_user" --regid="$hub_user" --init-groups env -i \
  PATH=/usr/bin:/bin NOTIFY_SOCKET="$T/hub-notify.sock" WATCHDOG_USEC=$((watchdog_s * 1000000)) \
  $hub_start --port-file "$T/hub-run/port" >"$T/hub.out" 2>"$T/hub.err") &
pid=$!
for _ in $(seq 300); do grep -q "^READY=1" "$T/hub-notify.log" 2>/dev/null && break; sleep 0.1; done
check "the hub unit's ExecStart, as $hub_user, reports READY=1" 'grep -q "^READY=1" "$T/hub-notify.log"'
hub_port=$(cat "$T/hub-run/port" 2>/dev/null)
[ -n "$hub_port" ] || echo "# the hub said: $(tail -3 "$T/hub.err")"
check "  and serves the co-op page from the database" \
  '[ -n "$hub_port" ] && [ "$(curl -s -o /dev/null -m 5 -w "%{http_code}" "http://127.0.0.1:$hub_port/coop")" = 200 ]'
check "  running as $hub_user" '[ "$(ps -o user= -p "$pid" | tr -d " ")" = "$hub_user" ]'
kill -TERM "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=
sleep 0.2
check "  and says STOPPING=1 when stopped" 'grep -q "^STOPPING=1" "$T/hub-notify.log"'
tap_finish
