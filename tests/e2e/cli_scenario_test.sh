#!/usr/bin/env bash
# End-to-end test of the staff CLI against the real server.
#
# Usage: cli_scenario_test.sh PATH/TO/timeledgerd PATH/TO/timeledger
#
# Starts timeledgerd on a free loopback port with a fresh data directory, then plays a
# coordinator's day through the real `timeledger` binary: a bank, two people and an
# organisation; Alice gives Bob an hour and a half of gardening; balances and statements;
# an idempotent retry and a reused key; a reversal, and a second reversal refused; bad input of
# every kind; an unreachable server. Then it stops the server with SIGTERM, starts it again on
# the same data directory, and checks that everything is still there.
#
# Each check prints "ok" or "FAIL" with what it saw; the last line counts them. Exits 0 only if
# every check passed. The server and the data directory are always cleaned up.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 PATH/TO/timeledgerd PATH/TO/timeledger" >&2
  exit 2
fi
for binary in "$1" "$2"; do
  if [[ ! -x "$binary" ]]; then
    echo "Bail out! not an executable: $binary (build timeledgerd and timeledger first)"
    exit 1
  fi
done
SERVER_BIN=$(realpath "$1")
CLI_BIN=$(realpath "$2")

source "$(dirname "$0")/harness.sh"
readonly DATE='[0-9]{1,2} [A-Z][a-z]{2} [0-9]{4}'

start_server
echo "# timeledgerd at $ADDRESS, data in $DATA_DIR"

# --- Help and usage ----------------------------------------------------------------------------
expect 0 "--help lists the commands" 'entry record' 'statement' -- --help
expect 0 "entry record --help says that --id makes retries safe" 'makes retries safe' \
  -- entry record --help
run_at "$ADDRESS"
check 2 "no command at all is a usage error"

# --- A bank, two people and an organisation ----------------------------------------------------
expect 0 "create the bank" 'Created bank Holy Cross Centre \(hcct\)' \
  'Time zone: +Europe/London' 'Community pool: +pool' \
  -- bank create hcct --name "Holy Cross Centre"
expect 1 "creating the same bank twice is refused" "$REFUSAL" 'code: ALREADY_EXISTS' \
  -- bank create hcct --name "Holy Cross Centre"
expect 0 "get the bank" '^Holy Cross Centre \(hcct\)$' 'Accounts: +1$' \
  -- bank get hcct
expect 0 "open Alice, a member and volunteer" 'Opened an account for Alice Brown \(alice\)' \
  'Kind: +person \(member, volunteer\)' 'Balance: 0 minutes' \
  -- account open hcct alice --kind person --roles member,volunteer --name "Alice Brown"
expect 0 "open Bob" 'Opened an account for Bob Smith \(bob\)' \
  -- account open hcct bob --kind person --name "Bob Smith"
expect 0 "open the centre, an organisation" 'Kind: +organisation' \
  -- account open hcct centre --kind organisation --name "Holy Cross Centre Trust"
expect 1 "opening the same account twice is refused" "$REFUSAL" 'code: ALREADY_EXISTS' \
  -- account open hcct bob --kind person --name "Bob Smith"
expect 0 "list the accounts, pool included" '^alice +Alice Brown +person' '^bob +Bob Smith' \
  '^centre +Holy Cross Centre Trust +organisation' '^pool ' '^4 accounts in bank hcct\.$' \
  -- account list hcct
expect 0 "bank list shows the bank" '^hcct +Holy Cross Centre +Europe/London +4 +0$' \
  -- bank list

# --- Alice gives Bob 90 minutes of gardening: Bob pays, Alice earns ---------------------------
expect 0 "record Alice's 90 minutes of gardening for Bob" '^Recorded entry [0-9]+ \(exchange\)\.$' \
  'Alice Brown \(alice\) gave 1 hour 30 minutes of gardening to Bob Smith \(bob\)\.' \
  'Alice Brown \(alice\): +1 hour 30 minutes$' 'Bob Smith \(bob\): +-1 hour 30 minutes$' \
  -- entry record hcct --from bob --to alice --minutes 90 --activity gardening --id garden-1
GARDEN_SEQ=$(sed -n 's/^Recorded entry \([0-9][0-9]*\).*/\1/p' <<<"$OUT")
GARDEN_SEQ=${GARDEN_SEQ:-0}
expect 0 "Alice's balance is +1 hour 30 minutes" '^  Balance: 1 hour 30 minutes$' \
  '^  Earned: +1 hour 30 minutes$' '^  Spent: +0 minutes$' '^  Status: +active$' \
  -- account get hcct alice
expect 0 "Bob's balance is -1 hour 30 minutes" '^  Balance: -1 hour 30 minutes$' \
  '^  Spent: +1 hour 30 minutes$' \
  -- account get hcct bob
expect 0 "Alice's statement shows the entry and the running balance" \
  '^Statement for Alice Brown \(alice\), bank hcct$' \
  "^ *$GARDEN_SEQ +$DATE +exchange +Bob Smith \\(bob\\) +gardening +\\+1 hour 30 minutes +1 hour 30 minutes\$" \
  'Closing balance: 1 hour 30 minutes$' \
  -- statement hcct alice
expect 0 "Bob's statement shows what he paid" \
  "^ *$GARDEN_SEQ +$DATE +exchange +Alice Brown \\(alice\\) +gardening +-1 hour 30 minutes +-1 hour 30 minutes\$" \
  'Closing balance: -1 hour 30 minutes$' \
  -- statement hcct bob
expect 0 "--json prints the account as JSON" '"balanceMinutes": "90"' '"displayName": "Alice Brown"' \
  -- account get hcct alice --json

# --- Idempotent retries -----------------------------------------------------------------------
expect 0 "retrying with the same --id returns the same entry" \
  "^Entry $GARDEN_SEQ was already recorded with this key; nothing new was written\.$" \
  -- entry record hcct --from bob --to alice --minutes 90 --activity gardening --id garden-1
expect 0 "... and writes nothing" '^  Entries: +1$' -- bank get hcct
expect 0 "... so Alice still has 1 hour 30 minutes" '^  Balance: 1 hour 30 minutes$' \
  -- account get hcct alice
expect 1 "the same --id with other minutes is refused" "$REFUSAL" 'code: ALREADY_EXISTS' \
  -- entry record hcct --from bob --to alice --minutes 60 --activity gardening --id garden-1
expect 0 "get the entry by its number" "^Entry $GARDEN_SEQ in bank hcct: exchange\$" \
  '^  Key: +garden-1$' '^  Activity: +gardening$' \
  -- entry get hcct "$GARDEN_SEQ"
expect 0 "get the entry by its key" "^Entry $GARDEN_SEQ in bank hcct: exchange\$" \
  -- entry get hcct --id garden-1

# --- Reversal ---------------------------------------------------------------------------------
expect 0 "reverse the gardening entry" "^Reversed entry $GARDEN_SEQ by recording entry [0-9]+\.\$" \
  'Alice Brown \(alice\): +0 minutes$' 'Bob Smith \(bob\): +0 minutes$' \
  -- entry reverse hcct "$GARDEN_SEQ" --note "recorded on the wrong slip"
REVERSAL_SEQ=$(sed -n 's/^Reversed entry [0-9]* by recording entry \([0-9][0-9]*\).*/\1/p' <<<"$OUT")
REVERSAL_SEQ=${REVERSAL_SEQ:-0}
expect 0 "Alice is back to 0" '^  Balance: 0 minutes$' -- account get hcct alice
expect 0 "Bob is back to 0" '^  Balance: 0 minutes$' -- account get hcct bob
expect 0 "the same reverse command again is a safe retry" \
  "^Entry $GARDEN_SEQ was already reversed by entry $REVERSAL_SEQ; nothing new was written\.\$" \
  -- entry reverse hcct "$GARDEN_SEQ" --note "recorded on the wrong slip"
expect 1 "reversing the entry a second time is refused" "$REFUSAL" 'code: FAILED_PRECONDITION' \
  -- entry reverse hcct "$GARDEN_SEQ" --id second-undo
expect 1 "a reversal cannot itself be reversed" "$REFUSAL" \
  -- entry reverse hcct "$REVERSAL_SEQ" --id undo-the-undo
expect 0 "the statement shows the entry, its reversal and the balance back at 0" \
  "^ *$GARDEN_SEQ +$DATE +exchange \\(reversed\\) +Bob Smith \\(bob\\) +gardening +\\+1 hour 30 minutes +1 hour 30 minutes\$" \
  "^ *$REVERSAL_SEQ +$DATE +reversal of $GARDEN_SEQ +Bob Smith \\(bob\\) +gardening +-1 hour 30 minutes +0 minutes\$" \
  '^2 entries\. Closing balance: 0 minutes$' \
  -- statement hcct alice
expect 0 "entry get shows what reversed it" "^  Reversed by: entry $REVERSAL_SEQ\$" \
  -- entry get hcct "$GARDEN_SEQ"

# --- Other kinds, dates, generated keys -------------------------------------------------------
YESTERDAY=$(date -u -d yesterday +%Y-%m-%dT10:00:00Z)
expect 0 "the centre awards Alice 2h15m for yesterday's lunch shift" \
  'Alice Brown \(alice\) was credited 2 hours 15 minutes for lunch shift by Holy Cross Centre Trust \(centre\)\.' \
  'Holy Cross Centre Trust \(centre\): +-2 hours 15 minutes$' \
  -- entry record hcct --kind award --from centre --to alice --minutes 2h15m \
  --activity "lunch shift" --occurred-at "$YESTERDAY" --id slip-0042
expect 0 "an entry without --id gets a key, printed for safe retries" \
  '^Entry key: cli-[0-9a-f]{32} ' 'Bob Smith \(bob\): +-45 minutes$' \
  -- entry record hcct --from bob --to alice --minutes 0:45 --occurred-at "$(date -u +%F)"
GENERATED_KEY=$(sed -n 's/^Entry key: \(cli-[0-9a-f]*\) .*/\1/p' <<<"$OUT")
expect 0 "retrying with the printed key records nothing new" 'was already recorded' \
  -- entry record hcct --from bob --to alice --minutes 0:45 --occurred-at "$(date -u +%F)" \
  --id "${GENERATED_KEY:-missing}"
expect 0 "entry list shows every entry, oldest first" '^ *1 +' 'exchange \(reversed\)' \
  'award' '^4 entries\.$' \
  -- entry list hcct
expect 0 "entry list --limit stops early" '^Showing the oldest 2; there are more' \
  -- entry list hcct --limit 2
expect 0 "entry list --account shows the balance after each entry" 'Balance after' \
  '3 hours$' -- entry list hcct --account alice

# --- Suspending and closing -------------------------------------------------------------------
expect 0 "suspend Bob" 'Status: +suspended' -- account suspend hcct bob --reason "away until March"
expect 1 "a suspended account cannot pay" '\(ACCOUNT_SUSPENDED\)$' \
  -- entry record hcct --from bob --to alice --minutes 30 --id while-suspended
expect 0 "reactivate Bob" 'is active again' '^  Status: +active$' -- account reactivate hcct bob
expect 0 "open and close Carol, who has nothing" 'Opened an account' \
  -- account open hcct carol --kind person --name "Carol Jones"
expect 0 "... closing her account" 'is closed' '^  Status: +closed' \
  -- account close hcct carol --reason "moved away"
expect 1 "an account with a balance cannot be closed" "$REFUSAL" -- account close hcct alice

# --- Bad input ---------------------------------------------------------------------------------
expect 1 "zero minutes is refused by the server" "$REFUSAL" 'code: INVALID_ARGUMENT' \
  -- entry record hcct --from bob --to alice --minutes 0 --id zero
expect 1 "giving time to oneself is refused" "$REFUSAL" 'code: INVALID_ARGUMENT' \
  -- entry record hcct --from alice --to alice --minutes 30 --id self
expect 1 "an unknown account is refused" "$REFUSAL" 'code: NOT_FOUND' \
  -- entry record hcct --from nobody --to alice --minutes 30 --id unknown
expect 1 "an unknown bank is refused" "$REFUSAL" 'code: NOT_FOUND' -- account get nowhere alice
expect 1 "a malformed bank id is refused" "$REFUSAL" 'code: INVALID_ARGUMENT' \
  -- account get "bad bank!" alice
expect 1 "an entry in the future is refused" "$REFUSAL" \
  -- entry record hcct --from bob --to alice --minutes 30 --occurred-at 2999-01-01T00:00:00Z
expect 1 "an entry that does not exist" "$REFUSAL" 'code: NOT_FOUND' -- entry get hcct 999
for bad in abc 1h75m -5 1.5h 1:5 h30; do
  expect 2 "--minutes $bad is a usage error" "^error: --minutes: '$bad' is not an amount of time" \
    -- entry record hcct --from bob --to alice --minutes "$bad"
done
expect 2 "an unknown option is named" "^error: unknown option '--bogus' for 'timeledger entry record'\$" \
  -- entry record hcct --from bob --to alice --minutes 30 --bogus
expect 2 "an option without its value is named" '^error: --minutes needs a value' \
  -- entry record hcct --from bob --to alice --minutes
expect 2 "a missing required option is named" '^error: missing --to EARNER' \
  -- entry record hcct --from bob --minutes 30
expect 2 "a missing positional is named" '^error: missing ACCOUNT' -- account get hcct
expect 2 "an unquoted name is explained" 'put that value in quotes' \
  -- account open hcct dan --kind person --name Dan Lee
expect 2 "an unknown account kind is named" "^error: --kind must be person, organisation or pool" \
  -- account open hcct dan --kind robot --name Dan
expect 2 "an unknown command is named" "^error: 'frobnicate' is not a command" -- frobnicate
expect 2 "an entry number 0 is refused" "^error: ENTRY must be an entry number from 1" \
  -- entry reverse hcct 0
expect 1 "an entry key that names no entry is refused" 'ENTRY_NOT_FOUND' -- entry reverse hcct x

# --- The server's address ----------------------------------------------------------------------
LAST_ARGS="(TIMELEDGER_SERVER=$ADDRESS) bank list"
RC=0
TIMELEDGER_SERVER="$ADDRESS" "$CLI_BIN" bank list >"$WORK/out" 2>"$WORK/err" || RC=$?
OUT=$(cat "$WORK/out")
ERR=$(cat "$WORK/err")
check 0 "TIMELEDGER_SERVER picks the server" '^hcct '
run_at 127.0.0.1:1 bank list
check 3 "an unreachable server exits 3" \
  '^error: cannot reach timeledgerd at 127\.0\.0\.1:1 — is it running\?$'

# --- Restart: everything is still there --------------------------------------------------------
OLD_ADDRESS=$ADDRESS
stop_server
run_at "$OLD_ADDRESS" account get hcct alice
check 3 "a stopped server exits 3" "^error: cannot reach timeledgerd at $OLD_ADDRESS"
start_server
echo "# timeledgerd restarted at $ADDRESS"
expect 0 "after restart Alice still has 3 hours" '^  Balance: 3 hours$' -- account get hcct alice
expect 0 "after restart Bob still has -45 minutes" '^  Balance: -45 minutes$' -- account get hcct bob
expect 0 "after restart the centre still has -2 hours 15 minutes" \
  '^  Balance: -2 hours 15 minutes$' -- account get hcct centre
expect 0 "after restart the bank has its 4 entries and 5 accounts" '^  Entries: +4$' \
  '^  Accounts: +5$' -- bank get hcct
expect 0 "after restart Alice's statement is whole" '^4 entries\. Closing balance: 3 hours$' \
  -- statement hcct alice
expect 0 "after restart the reversal link is kept" "^  Reversed by: entry $REVERSAL_SEQ\$" \
  -- entry get hcct "$GARDEN_SEQ"
expect 0 "after restart a retried key is still recognised" \
  "^Entry $GARDEN_SEQ was already recorded with this key" \
  -- entry record hcct --from bob --to alice --minutes 90 --activity gardening --id garden-1
expect 0 "after restart Carol is still closed" '^  Status: +closed' -- account get hcct carol

# --- Tokens: the admin's file, a coordinator's token, revocation -------------------------------
if [[ $(stat -c %a "$DATA_DIR/admin.token") == 600 ]]; then
  pass "timeledgerd wrote its admin token with mode 0600"
else
  fail "timeledgerd wrote its admin token with mode 0600" "$(stat -c %a "$DATA_DIR/admin.token")"
fi
saved_token_file=$TIMELEDGER_TOKEN_FILE
unset TIMELEDGER_TOKEN_FILE
expect 1 "without a token every call is refused" 'needs a token' '\(UNAUTHENTICATED\)' -- bank list
expect 2 "an unreadable token file is named" 'no-such\.token' -- --token-file "$WORK/no-such.token" bank list
TIMELEDGER_TOKEN=tl_0000000000000000_0000 expect 1 "a forged token is refused" 'UNAUTHENTICATED' -- bank list
export TIMELEDGER_TOKEN_FILE=$saved_token_file
expect 0 "the CLI is the admin by default here" '^You are admin, an admin of the whole installation\.$' -- whoami
make_token coordinator hcct dana
if [[ $(stat -c %a "$WORK/dana.token") == 600 ]]; then
  pass "token create --out writes mode 0600"
else
  fail "token create --out writes mode 0600"
fi
expect 2 "--out never overwrites a file" 'never written over' -- token create --role kiosk --bank hcct \
  --name kiosk-9 --out "$WORK/dana.token"
expect 0 "a coordinator's token names them" '^You are dana, coordinator of hcct\.$' \
  -- --token-file "$WORK/dana.token" whoami
expect 1 "a coordinator may not create banks" 'ROLE_NOT_ALLOWED' \
  -- --token-file "$WORK/dana.token" bank create elsewhere --name Elsewhere
expect 0 "a coordinator records, and is recorded" 'Recorded entry' \
  -- --token-file "$WORK/dana.token" entry record hcct --from bob --to alice --minutes 15 --id dana-1
expect 0 "the entry names its recorder" '^  Recorded: .* by dana$' -- entry get hcct --id dana-1
expect 0 "a partner token is bound to a client certificate's subject" \
  '^Bound to client certificates of subject CN=centre-till,O=Holy Cross\.$' \
  -- token create --role partner --bank hcct --name centre-till --account centre \
  --bind-subject "CN=centre-till,O=Holy Cross" --out "$WORK/centre-till.token"
expect 1 "a bound token without its certificate is refused" 'CERTIFICATE_MISMATCH' \
  -- --token-file "$WORK/centre-till.token" whoami
expect 2 "--bind-cert and --bind-subject are one or the other" 'not both' \
  -- token create --role partner --bank hcct --name centre-2 --account centre \
  --bind-cert "$WORK/none.pem" --bind-subject "CN=centre-2"
run token list --bank hcct
check 0 "the token list shows the bound subject" 'centre-till .*CN=centre-till,O=Holy Cross'
DANA_TOKEN_ID=$(awk '$2 == "dana" {print $1}' <<<"$OUT")
check 0 "the token list shows dana's token" 'dana +coordinator +hcct'
expect 0 "the token is revoked" 'is revoked' -- token revoke "$DANA_TOKEN_ID"
expect 1 "a revoked token is refused at once" 'was revoked' '\(UNAUTHENTICATED\)' \
  -- --token-file "$WORK/dana.token" whoami

# --- As staff say it: "Alice helped Bob"; undone by the slip's key -----------------------------
expect 0 "--helper and --helped record who gave and who received" \
  'Alice Brown \(alice\) gave 30 minutes of tea to Bob Smith \(bob\)\.' \
  -- entry record hcct --helper alice --helped bob --minutes 30 --activity tea --id slip-0901
expect 2 "--helper with --from is refused as a mix" 'not a mix' \
  -- entry record hcct --helper alice --from bob --minutes 20
expect 2 "--helper without --helped names what is missing" '^error: missing --helped PAYER' \
  -- entry record hcct --helper alice --minutes 20
expect 2 "neither pair names what is missing" '^error: missing --to EARNER and --from PAYER' \
  -- entry record hcct --minutes 20
expect 0 "an entry is reversed by its key" '^Reversed entry [0-9]+ by recording entry [0-9]+\.$' \
  -- entry reverse hcct slip-0901 --note "written on the wrong day"
expect 0 "the key's reversal again is a safe retry" 'was already reversed by entry' \
  -- entry reverse hcct slip-0901 --note "written on the wrong day"
expect 0 "an entry keyed with digits only is recorded" \
  -- entry record hcct --helper alice --helped bob --minutes 15 --activity tea --id 0001
expect 2 "a number that is also another entry's key is refused as ambiguous" \
  '^error: ENTRY 0001 is entry number 1 and also the key of entry [0-9]+; add --by-key' \
  -- entry reverse hcct 0001
expect 0 "--by-key reverses the keyed entry" '^Reversed entry [0-9]+ by recording entry' \
  -- entry reverse hcct 0001 --by-key

# --- Finding people by name ------------------------------------------------------------------
expect 0 "José García gets an account" -- account open hcct jose --kind person --name "José García"
expect 0 "Maria O'Neill gets an account" -- account open hcct maria --kind person \
  --name "Maria O'Neill"
expect 0 "a second Jose Garcia is opened, with a warning that the name is taken" \
  'Opened an account for Jose Garcia \(jose2\)' \
  -- account open hcct jose2 --kind person --name "Jose Garcia"
if grep -qE '^warning: José García \(jose\) also has this name' <<<"$ERR"; then
  pass "the warning names José García (jose)"
else
  fail "the warning names José García (jose)"
fi
expect 0 "find ignores accents and case" '^jose +José García' '^jose2 +Jose Garcia' \
  '^2 accounts in bank hcct match "JOSE garc"\.$' -- account find hcct "JOSE garc"
expect 0 "find ignores apostrophes" "^maria +Maria O'Neill" '^1 account in bank hcct match' \
  -- account find hcct oneill
expect 0 "find with no match says so" '^0 accounts in bank hcct match "nobody"\.$' \
  -- account find hcct nobody
expect 0 "a name and roles are corrected" "^Changed Maria O'Neill-Byrne \\(maria\\)\\.$" \
  -- account change hcct maria --name "Maria O'Neill-Byrne" --roles member,volunteer
expect 0 "the account shows the new name and roles" "^Maria O'Neill-Byrne \\(maria\\)$" \
  'Kind: +person \(member, volunteer\)' -- account get hcct maria
expect 2 "a change needs something to change" 'give --name, --roles, --phone or --email' \
  -- account change hcct maria
expect 1 "an organisation gets no roles" 'INVALID_ROLES' \
  -- account change hcct centre --roles staff
expect 2 "find needs a letter or digit" 'NAME must hold a letter or a digit' -- account find hcct "'?!"

# --- The bank as CSV files ---------------------------------------------------------------------
expect 0 "the bank is written as CSV files" '^Wrote bank hcct to .*: accounts\.csv \([0-9]+ accounts\), entries\.csv \([0-9]+ entries\)\.$' \
  -- export bank hcct --out "$WORK/hcct-csv"
run --json bank get hcct
cp "$WORK/out" "$WORK/bank.json"
run --json account list hcct
cp "$WORK/out" "$WORK/accounts.json"
if python3 - "$WORK/hcct-csv" "$WORK/bank.json" "$WORK/accounts.json" <<'PY'
import csv, json, os, sys
folder, bank, listed = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
read = lambda name: list(csv.DictReader(open(os.path.join(folder, name), encoding="utf-8-sig")))
accounts, entries = read("accounts.csv"), read("entries.csv")
assert [a["account_id"] for a in accounts] == [a["accountId"] for a in listed["accounts"]]
assert sum(int(a["balance_minutes"]) for a in accounts) == 0
by_id = {a["account_id"]: a for a in accounts}
assert by_id["jose"]["name"] == "José García" and by_id["maria"]["name"] == "Maria O'Neill-Byrne"
assert by_id["alice"]["kind"] == "person" and by_id["centre"]["kind"] == "organisation"
assert len(entries) == int(bank["entryCount"]), (len(entries), bank["entryCount"])
assert [int(e["seq"]) for e in entries] == list(range(1, len(entries) + 1))
tea = next(e for e in entries if e["entry_id"] == "slip-0901")
assert (tea["from_account_id"], tea["from_name"], tea["to_name"], tea["minutes"]) == \
    ("bob", "Bob Smith", "Alice Brown", "30"), tea
assert tea["reversed_by_seq"] != ""
balance = {a: 0 for a in by_id}
for e in entries:
    balance[e["from_account_id"]] -= int(e["minutes"])
    balance[e["to_account_id"]] += int(e["minutes"])
assert all(balance[a] == int(by_id[a]["balance_minutes"]) for a in by_id), balance
PY
then pass "accounts.csv and entries.csv hold every account and entry, and the entries give the balances"
else fail "accounts.csv and entries.csv hold every account and entry, and the entries give the balances"; fi
expect 1 "export bank refuses a folder that holds files" 'is not empty' \
  -- export bank hcct --out "$WORK/hcct-csv"
expect 0 "account list --format csv prints accounts.csv" 'account_id,name,kind,roles,status,joined_on' \
  '^jose,José García,person,member,active,' -- account list hcct --format csv
expect 0 "entry list --format csv prints entries.csv with names" \
  '^slip-0901,[0-9]+,.*,exchange,bob,Bob Smith,alice,Alice Brown,30,tea,' \
  -- entry list hcct --format csv
expect 2 "an unknown --format is named" "^error: --format must be table or csv, not 'xml'" \
  -- entry list hcct --format xml

# --- Leaving owing time, and coming back -------------------------------------------------------
run --json account get hcct bob
BOB_OWES=$(python3 -c 'import json,sys; print(-int(json.load(sys.stdin)["balanceMinutes"]))' <<<"$OUT")
expect 1 "writing off a debt needs a reason" 'reason is missing' \
  -- account close hcct bob --write-off-debt
expect 1 "the pool must have the time to take the debt on" 'OVERDRAFT_LIMIT' \
  -- account close hcct bob --write-off-debt --reason "moved abroad"
expect 0 "alice gives the pool time" \
  -- entry record hcct --kind donation --from alice --to pool --minutes "$BOB_OWES" --id give-pool
expect 0 "bob's debt is written off to the pool as he leaves" 'is closed' \
  -- account close hcct bob --write-off-debt --reason "moved abroad"
expect 0 "the write-off is an entry from the pool with the reason" \
  '^  Activity: +debt written off$' '^  Note: +moved abroad$' \
  -- entry get hcct --id closing-write-off-bob
expect 0 "bob is closed at zero" '^  Balance: 0 minutes$' '^  Status: +closed' -- account get hcct bob
expect 2 "reopening needs a reason" '^error: missing --reason TEXT' \
  -- account reopen hcct bob
expect 0 "bob, closed by mistake, is reopened" 'is open again' \
  -- account reopen hcct bob --reason "he came back"
expect 1 "an open account is not reopened" 'ACCOUNT_NOT_CLOSED' \
  -- account reopen hcct alice --reason "by mistake"
stop_server

echo "cli scenario: $PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
