#!/usr/bin/env bash
# End-to-end test of banks' time zones (issue 16, finding 5), with the real server and CLI.
#
# Usage: time_zone_scenario_test.sh PATH/TO/timeledgerd PATH/TO/timeledger
#
# A time zone is a name of the tz database, never a path. A bank whose zone this machine no
# longer has (here: removed from a copy of the database that TZDIR points at) is served degraded
# after a restart, reads only, with a reason that says so; every other bank is served as before.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 PATH/TO/timeledgerd PATH/TO/timeledger" >&2
  exit 2
fi
SERVER_BIN=$(realpath "$1")
CLI_BIN=$(realpath "$2")
source "$(dirname "$0")/harness.sh"

# The server and the CLI read this copy of the tz database.
export TZDIR="$WORK/zoneinfo"
cp -rL /usr/share/zoneinfo "$TZDIR"

start_server
expect 1 "a path is not a time zone" "$REFUSAL" 'INVALID_TIME_ZONE' -- \
  bank create pathzone --name "Path" --time-zone /etc/localtime
expect 1 "nor is a path that climbs out of the database" 'INVALID_TIME_ZONE' -- \
  bank create climb --name "Climb" --time-zone ../../../etc/localtime
expect 1 "nor the machine's own localtime link" 'INVALID_TIME_ZONE' -- \
  bank create local --name "Local" --time-zone localtime
expect 1 "a bank named only with spaces is refused" 'INVALID_TEXT' -- \
  bank create blank --name "   " --time-zone Europe/London

expect 0 "a bank in London is created" -- bank create camden --name "Camden" \
  --time-zone Europe/London
expect 0 "a bank in Lima is created" -- bank create lima --name "Lima" --time-zone America/Lima
for bank in camden lima; do
  for person in alice bob; do
    expect 0 "$person opens an account in $bank" -- account open "$bank" "$person" \
      --kind person --name "${person^}"
  done
  expect 0 "an exchange is recorded in $bank" -- entry record "$bank" --from bob --to alice \
    --minutes 1h --id first
done
stop_server

# The machine loses America/Lima (a tzdata upgrade, a trimmed image): the server still starts.
rm "$TZDIR/America/Lima"
start_server
if grep -q "warning: bank lima keeps time in America/Lima" "$SERVER_LOG"; then
  pass "the server says at start which bank lost its time zone"
else
  fail "the server says at start which bank lost its time zone" "$(cat "$SERVER_LOG")"
fi
expect 0 "the other bank takes entries as before" -- entry record camden --from alice --to bob \
  --minutes 30m --id second
expect 1 "the bank without its zone refuses writes, and says why" 'TIME_ZONE_MISSING' \
  'America/Lima' -- entry record lima --from alice --to bob --minutes 30m --id second
expect 0 "its balances are still read" 'Alice' -- account get lima alice
expect 0 "its entries are still listed" "1 entry" -- entry list lima
expect 1 "timeledger status says the server does not serve as it should" 'is NOT serving' -- status
if grep -q "health: NOT_SERVING: .*TIME_ZONE_MISSING" "$SERVER_LOG"; then
  pass "the server's log says why its health is NOT_SERVING"
else
  fail "the server's log says why its health is NOT_SERVING" "$(cat "$SERVER_LOG")"
fi
stop_server

# The zone comes back: so does the bank.
cp /usr/share/zoneinfo/America/Lima "$TZDIR/America/Lima"
start_server
expect 0 "with its zone back, timeledger status says it serves" 'is serving' -- status
expect 0 "with its zone back, the bank takes entries again" -- entry record lima --from alice \
  --to bob --minutes 30m --id second
stop_server

finish time_zone_scenario_test
