#!/usr/bin/env bash
# test-sync-cli.sh: `packtrace sync add|list|remove|status|retry` on a temporary
# station: station.ini edited in place with its comments kept, bad input refused
# with nothing written, status of a connector whose platform never answered.
set -u
. "$(dirname "$0")/../tap.sh"
BIN=${PACKTRACE_BUILD:?}/station/packtrace
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PACKTRACE_DATA=$T/data
INI=$PACKTRACE_DATA/station.ini

"$BIN" init >/dev/null
"$BIN" batch new --product Oranges --gtin 09506000134352 >/dev/null
before=$(cat "$INI")
expect 2 "unknown type is a usage error" "$BIN" sync add x --type ftp --url http://127.0.0.1:9/
expect 1 "webhook without a secret is refused" "$BIN" sync add x --type webhook --url http://127.0.0.1:9/
check "the refusal says why" '[[ "$ERR" == *"secret"* ]]'
expect 1 "a URL that is not http(s) is refused" "$BIN" sync add x --type epcis --url ftp://host/
expect 1 "a bad filter is refused" "$BIN" sync add x --type epcis --url http://h/ --filter colour:red
expect 1 "a bad GTIN filter is refused" "$BIN" sync add x --type epcis --url http://h/ --filter gtin:123
check "nothing written on bad input" '[ "$(cat "$INI")" = "$before" ]'

expect 0 "add a webhook" "$BIN" sync add hub --type webhook --url http://127.0.0.1:9/hook \
  --secret 0123456789abcdef-secret --filter product:Oranges --from-start
expect 0 "add an EPCIS repository" "$BIN" sync add gs1 --type epcis --url http://127.0.0.1:9/epcis
expect 1 "a second connector of the same name is refused" "$BIN" sync add gs1 --type epcis --url http://h/
check "comments of station.ini are kept" 'grep -q "^# Bearer token for scripts (Authorization: Bearer TOKEN)" "$INI"'
check "station.ini stays mode 0600" '[ "$(stat -c %a "$INI")" = 600 ]'
expect 0 "list" "$BIN" sync list --json
check "list shows both" '[[ "$OUT" == *"\"hub\""* && "$OUT" == *"\"gs1\""* ]]'
expect 0 "status" "$BIN" sync status --json
check "from-start queues what was recorded before" \
  '[ "$(echo "$OUT" | grep -c "\"pending\": 1")" = 1 ] && [[ "$OUT" == *"\"pending\": 0"* ]]'
expect 1 "status of an unknown connector fails" "$BIN" sync status nope
expect 0 "retry" "$BIN" sync retry --failed
expect 1 "retry of an unknown connector fails" "$BIN" sync retry --connector nope
expect 0 "remove" "$BIN" sync remove gs1
expect 1 "remove twice fails" "$BIN" sync remove gs1
check "the section is gone" '! grep -q "sync gs1" "$INI" && grep -q "sync hub" "$INI"'
expect 0 "the station still loads" "$BIN" batch list
expect 2 "--video-relay is for a hub connector" "$BIN" sync add v --type epcis --url http://h/ --video-relay
printf '\n[sync v]\ntype=epcis\nurl=http://127.0.0.1:9/\nvideo_relay=true\n' >>"$INI"
expect 1 "video_relay on an EPCIS connector in station.ini is refused" "$BIN" sync list
check "... naming the section and the key" 'grep -q "\[sync v\] video_relay is true or false, on a connector of type hub" "$T/err"'

tap_finish
