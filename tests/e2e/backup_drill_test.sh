#!/usr/bin/env bash
# Scheduled backups and the restore drill of docs/OPERATIONS.md, with the real timeledgerd, CLI
# and timeledger-verify: --backup-every makes a backup each period and verifies it, --backups-keep
# keeps the newest N, a bad --backup-every is refused by name; the drill (stop the server, restore
# the newest backup into a new data directory, start the server there) brings back every entry.
#
# Usage: backup_drill_test.sh PATH/TO/timeledgerd PATH/TO/timeledger PATH/TO/timeledger-verify
set -uo pipefail
if [[ $# -ne 3 ]]; then
  echo "usage: $0 PATH/TO/timeledgerd PATH/TO/timeledger PATH/TO/timeledger-verify" >&2
  exit 2
fi
SERVER_BIN=$(realpath "$1")
CLI_BIN=$(realpath "$2")
VERIFY_BIN=$(realpath "$3")
source "$(dirname "$0")/harness.sh"

check_command 2 "a --backup-every below one second is refused, naming the flag" \
  '--backup-every: takes a duration of at least 1s' \
  "$SERVER_BIN" --data-dir "$WORK/never" --backup-every 10ms
check_command 2 "so is one that is not a duration" '--backup-every' \
  "$SERVER_BIN" --data-dir "$WORK/never" --backup-every daily

SERVER_ARGS=(--backup-every 2s --backups-keep 2)
start_server
expect 0 "a bank is created" -- bank create hall --name "Riverside Hall"
for person in alice bob; do
  expect 0 "$person gets an account" -- account open hall "$person" --kind person --name "${person^}"
done
expect 0 "an exchange is recorded" -- entry record hall --from bob --to alice --minutes 90 --id e1

# Three scheduled backups after the entry: each made and verified, and only two kept.
for ((tenths = 0; tenths < 300; tenths++)); do
  made=$(grep -c "scheduled backup .* made in .* and verified" "$SERVER_LOG")
  [[ $made -ge 4 ]] && break
  sleep 0.1
done
if [[ $made -ge 4 ]]; then
  pass "--backup-every 2s makes a backup every period and verifies each ($made)"
else
  fail "--backup-every 2s makes a backup every period and verifies each" "$(cat "$SERVER_LOG")"
fi
if ! grep -q "does NOT verify\|scheduled backup failed" "$SERVER_LOG"; then
  pass "no scheduled backup failed or failed to verify"
else
  fail "no scheduled backup failed or failed to verify" "$(cat "$SERVER_LOG")"
fi
run backup --list
kept=$(grep -cE '^Backup [0-9]+ ' <<<"$OUT")
if [[ $RC -eq 0 && $kept -eq 2 ]]; then
  pass "--backups-keep 2 keeps the newest two"
else
  fail "--backups-keep 2 keeps the newest two" "$kept listed"
fi
stop_server

# The drill, as docs/OPERATIONS.md writes it: restore the newest into a new directory, then serve it.
check_command 0 "the newest backup is restored and verified into a new data directory" \
  'restored and verified into' \
  "$SERVER_BIN" --restore-from "$DATA_DIR/backups" --data-dir "$WORK/restored"
check_command 0 "the restored ledger verifies offline too" 'bank hall: OK' \
  "$VERIFY_BIN" --data-dir "$WORK/restored"
cp "$DATA_DIR/admin.token" "$WORK/admin.token"
DATA_DIR="$WORK/restored"
SERVER_ARGS=()
start_server
export TIMELEDGER_TOKEN_FILE="$WORK/admin.token"
expect 0 "the restored ledger is served with alice's 90 minutes" '1 hour 30 minutes|1h ?30|90' \
  -- account get hall alice
stop_server

finish backup_drill_test
