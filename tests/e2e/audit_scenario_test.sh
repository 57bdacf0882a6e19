#!/usr/bin/env bash
# End-to-end test of "a ledger anyone can verify", with the real binaries as a user runs them.
#
# Usage: audit_scenario_test.sh timeledgerd timeledger timeledger-verify clients/verify_export.py
#
# A partner saves a digest, the bank goes on, and the partner proves client-side that an entry is
# in the ledger and that the newer ledger extends the saved one; the coordinator verifies the
# whole ledger; the journal is exported and checked by the independent Python verifier (and a
# tampered export is caught); a backup is made while the server runs, verified in place offline,
# and restored with timeledgerd --restore-from, which verifies before serving. Under the umask of
# a careless operator (022), the data directory, the backups and the restored copy stay readable
# by the server's user only, and backups are refused anywhere but inside the backup directory.
set -euo pipefail

if [[ $# -ne 4 ]]; then
  echo "usage: $0 timeledgerd timeledger timeledger-verify verify_export.py" >&2
  exit 2
fi
SERVER_BIN=$(realpath "$1")
CLI_BIN=$(realpath "$2")
VERIFY_BIN=$(realpath "$3")
VERIFY_PY=$(realpath "$4")
source "$(dirname "$0")/harness.sh"

# check_private DESCRIPTION DIR: no folder or file below DIR that others may read (links aside).
check_private() {
  local open
  open=$(find "$2" ! -type l -perm /077 -printf '%m %p\n')
  if [[ -z "$open" ]]; then
    pass "$1"
  else
    fail "$1" "readable by others:" "$open"
  fi
}

umask 022
mkdir -m 0755 "$DATA_DIR"   # as an older version, or a copy under umask 022, left it
start_server
if grep -q "was readable by other users; made it and what it holds private" "$SERVER_LOG" &&
  [[ $(stat -c %a "$DATA_DIR") == 700 ]]; then
  pass "a world-readable data directory is made 0700 at start, and the server says so"
else
  fail "a world-readable data directory is made 0700 at start, and the server says so" \
    "mode $(stat -c %a "$DATA_DIR")" "$(cat "$SERVER_LOG")"
fi
expect 0 "a bank is created" -- bank create hcct --name "Holy Cross Centre"
for person in alice bob; do
  expect 0 "$person gets an account" -- account open hcct "$person" --kind person --name "${person^}"
done
expect 0 "an exchange is recorded" -- entry record hcct --from bob --to alice --minutes 1h --id s1
expect 0 "a digest is saved" 'facts \(1 entries\)' -- audit digest hcct --out "$WORK/old.digest"
for i in 2 3 4 5 6; do
  expect 0 "exchange $i is recorded" -- entry record hcct --from alice --to bob --minutes 15 --id "s$i"
done
expect 0 "an entry is reversed" -- entry reverse hcct 2 --note "recorded twice"
expect 0 "an account is suspended" -- account suspend hcct bob
expect 0 "a newer digest is saved" -- audit digest hcct --out "$WORK/new.digest"

expect 0 "entry 1 is proved in the old digest, client-side" '^Verified: entry 1 of bank hcct' \
  -- audit verify-entry hcct 1 --digest "$WORK/old.digest"
expect 0 "entry 7 (the reversal) is proved in the new digest" '^Verified: entry 7' \
  -- audit verify-entry hcct 7 --digest "$WORK/new.digest"
expect 1 "an entry after the old digest is not in it" 'NOT_IN_DIGEST' \
  -- audit verify-entry hcct 7 --digest "$WORK/old.digest"
expect 0 "the new ledger extends the old one" 'nothing before it was changed' \
  -- audit verify-consistency "$WORK/old.digest" "$WORK/new.digest"
expect 1 "digests given the wrong way round are refused" 'give the older digest first' \
  -- audit verify-consistency "$WORK/new.digest" "$WORK/old.digest"
# A digest whose root was altered (as if the history had been rewritten since) fails the proof.
python3 - "$WORK/old.digest" "$WORK/forged.digest" <<'PY'
import json, sys
digest = json.load(open(sys.argv[1]))
root = digest["root_hash"]
digest["root_hash"] = ("0" if root[0] != "0" else "1") + root[1:]
open(sys.argv[2], "w").write(json.dumps(digest) + "\n")
PY
expect 1 "a digest with another root does not verify" 'does NOT extend' \
  -- audit verify-consistency "$WORK/forged.digest" "$WORK/new.digest"
expect 1 "an entry does not verify against another root" 'NOT proved' \
  -- audit verify-entry hcct 1 --digest "$WORK/forged.digest"

expect 0 "the server verifies everything" '^Bank hcct: OK' 'Everything verifies' -- audit verify
expect 0 "the journal is exported" -- export journal hcct --out "$WORK/hcct.jsonl"
check_command 0 "the Python verifier checks the export and the saved digest" \
  '^verified: bank hcct, 12 facts, 7 entries' \
  python3 "$VERIFY_PY" "$WORK/hcct.jsonl" --digest "$WORK/old.digest"
python3 - "$WORK/hcct.jsonl" "$WORK/tampered.jsonl" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
record = json.loads(lines[6])           # entry 2
fact = bytearray.fromhex(record["fact_hex"])
fact[-45] ^= 0x01                       # one bit of the entry's canonical bytes
record["fact_hex"] = fact.hex()
lines[6] = json.dumps(record)
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PY
check_command 1 "the Python verifier catches one changed bit" 'NOT VERIFIED: position 5' \
  python3 "$VERIFY_PY" "$WORK/tampered.jsonl"
check_command 1 "and an export older than a digest" 'facts were lost' \
  python3 "$VERIFY_PY" <(head -6 "$WORK/hcct.jsonl" | sed -E 's/"tree_size": 12/"tree_size": 5/') \
  --digest "$WORK/new.digest"

expect 0 "an online backup is made" '^Backup 1 made in' -- backup
expect 0 "bob is reactivated after the backup" -- account reactivate hcct bob
expect 0 "the backups are listed" '^Backup 1 ' -- backup --list
expect 0 "a backup goes to a folder inside the backup directory" \
  "^Backup 1 made in $DATA_DIR/backups/weekly on the server" -- backup --dir weekly
check_private "the data directory, its store and the backups are the server's user's alone" \
  "$DATA_DIR"

# Backups go nowhere else: not up with .., not through a link, not outside, not into the ledger.
# Absolute paths, as the server accepted them before; relative ones are refused alike.
mkdir "$WORK/outside"
ln -s "$WORK/outside" "$DATA_DIR/backups/link"
echo "not a directory" >"$DATA_DIR/backups/notes.txt"
expect 1 "a backup path with .. is refused" 'INVALID_BACKUP_DIR' 'rule: dot_dot' \
  -- backup --dir "$DATA_DIR/backups/../../escape"
expect 1 "a relative one too" 'rule: dot_dot' -- backup --dir ../escape
expect 1 "a backup through a symbolic link is refused" 'INVALID_BACKUP_DIR' 'rule: symlink' \
  -- backup --dir "$DATA_DIR/backups/link/nightly"
expect 1 "an absolute backup path outside the backup directory is refused" 'INVALID_BACKUP_DIR' \
  'rule: outside' -- backup --dir "$WORK/outside"
expect 1 "the live data directory is refused as a backup path" 'INVALID_BACKUP_DIR' \
  'rule: data_dir' -- backup --dir "$DATA_DIR"
expect 1 "the live store is refused as a backup path" 'rule: data_dir' \
  -- backup --dir "$DATA_DIR/ledger"
expect 1 "a file as backup path is INVALID_ARGUMENT, not UNAVAILABLE" 'INVALID_BACKUP_DIR' \
  'rule: not_a_directory' 'code: INVALID_ARGUMENT' -- backup --dir "$DATA_DIR/backups/notes.txt"
expect 1 "a 10 kB backup path is refused as such" 'INVALID_BACKUP_DIR' 'rule: too_long' \
  -- backup --dir "$DATA_DIR/backups/$(printf 'a%.0s' {1..10000})"
if [[ ${#ERR} -lt 1000 ]]; then
  pass "and the refusal does not echo the 10 kB back"
else
  fail "and the refusal does not echo the 10 kB back" "stderr is ${#ERR} bytes"
fi
if [[ -z "$(ls -A "$WORK/outside")" && ! -e "$WORK/escape" && ! -e "$DATA_DIR/meta" &&
  ! -e "$DATA_DIR/ledger/meta" ]]; then
  pass "nothing was written by the refused backups"
else
  fail "nothing was written by the refused backups" "$(ls -la "$WORK/outside" "$DATA_DIR")"
fi
rm "$DATA_DIR/backups/link" "$DATA_DIR/backups/notes.txt"
check_command 0 "the backup verifies in place, offline" 'bank hcct: OK, 12 facts' \
  "$VERIFY_BIN" --backup-dir "$DATA_DIR/backups"
check_command 1 "the live ledger is not a restore target" 'already holds a ledger' \
  "$SERVER_BIN" --restore-from "$DATA_DIR/backups" --data-dir "$DATA_DIR"
stop_server
check_command 0 "the stopped ledger verifies offline" 'bank hcct: OK, 13 facts' \
  "$VERIFY_BIN" --data-dir "$DATA_DIR"
check_command 0 "timeledgerd --verify-only agrees" ': OK$' "$SERVER_BIN" --verify-only --data-dir "$DATA_DIR"
check_command 1 "timeledgerd refuses a --backup-dir inside its live store" 'is the live data directory' \
  "$SERVER_BIN" --data-dir "$DATA_DIR" --backup-dir "$DATA_DIR/ledger/backups"

# Restore into a new data directory: verified, then served.
DATA_DIR="$WORK/restored"
RESTORE_FROM="$WORK/data/backups"
SERVER_BIN_REAL=$SERVER_BIN
SERVER_BIN="$WORK/restore-wrapper.sh"
printf '#!/bin/sh\nexec "%s" --restore-from "%s" --serve "$@"\n' "$SERVER_BIN_REAL" "$RESTORE_FROM" >"$SERVER_BIN"
chmod +x "$SERVER_BIN"
start_server
if grep -q "verified 1 bank(s), 12 facts" "$SERVER_LOG"; then
  pass "the restored copy is verified before it is served"
else
  fail "the restored copy is verified before it is served" "$(cat "$SERVER_LOG")"
fi
check_private "the restored data directory is the server's user's alone" "$DATA_DIR"
expect 0 "the restored ledger holds the backup's entries" 'Entries: 7' -- account get hcct alice
expect 0 "and bob as he was then, suspended" 'suspended' -- account get hcct bob
expect 0 "and extends the digest saved before the backup" 'nothing before it was changed' \
  -- audit verify-consistency "$WORK/old.digest" "$WORK/new.digest"
stop_server

finish audit_scenario_test
