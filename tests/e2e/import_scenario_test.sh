#!/usr/bin/env bash
# A centre moves in from TimeOverflow, end to end with the real timeledgerd and CLI: 500 members
# and 20,000 transfers written exactly as TimeOverflow writes them (tests/e2e/timeoverflow_files.py),
# in both of its forms, are imported with every balance as TimeOverflow had it; a dry run writes
# nothing; the same import twice records nothing more; a file with broken rows is refused whole,
# each row named by its line; the bank exported and imported again gives the same balances and
# entries; a spreadsheet of balances and joining days gives opening balances against the pool.
# Every bank verifies afterwards.
#
# Usage: import_scenario_test.sh PATH/TO/timeledgerd PATH/TO/timeledger
set -uo pipefail
if [[ $# -ne 2 ]]; then
  echo "usage: $0 PATH/TO/timeledgerd PATH/TO/timeledger" >&2
  exit 2
fi
SERVER_BIN=$(realpath "$1")
CLI_BIN=$(realpath "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/harness.sh"

MEMBERS=${TO_MEMBERS:-500}
TRANSFERS=${TO_TRANSFERS:-20000}
export TO_MEMBERS=$MEMBERS TO_TRANSFERS=$TRANSFERS

# must ARGS...: runs the CLI and stops the test if it fails (set-up steps).
must() {
  run "$@"
  if [[ $RC -ne 0 ]]; then
    fail "set-up: timeledger $*"
    finish import_scenario_test
  fi
}

# entry_count BANK: the bank's number of entries.
entry_count() {
  run --json bank get "$1"
  python3 -c 'import json,sys; print(int(json.load(sys.stdin).get("entryCount", 0)))' <<<"$OUT"
}

# balances_match BANK FORM_DIR IDS: every member's balance in the ledger is the one the generator
# expects; IDS is "numbers" (ids m-<uid>) or the file of the import's printed output, whose "Ids
# made" lines give uid -> id.
balances_match() {
  local bank=$1 dir=$2 ids=$3
  run account list "$bank" --format csv
  printf '%s\n' "$OUT" >"$dir/ledger.csv"
  python3 - "$dir/expected.json" "$dir/ledger.csv" "$ids" <<'EOF'
import csv, json, sys
expected = json.load(open(sys.argv[1]))
ledger = {row["account_id"]: int(row["balance_minutes"])
          for row in csv.DictReader(open(sys.argv[2], encoding="utf-8-sig"))}
if sys.argv[3] == "numbers":
    id_of = {uid: f"m-{uid}" for uid in expected["members"]}
else:
    id_of = {}
    for line in open(sys.argv[3], encoding="utf-8"):
        if " -> " in line and line.startswith("  "):
            id_of[line.split()[0]] = line.rsplit(" -> ", 1)[1].strip()
wrong = [uid for uid, minutes in expected["members"].items()
         if ledger.get(id_of.get(uid)) != minutes]
if ledger.get("centre") != expected["organisation"]:
    wrong.append("the organisation")
if len(id_of) != len(expected["members"]) or wrong:
    print(f"{len(id_of)} ids; differ: {wrong[:10]}")
    sys.exit(1)
print(f"{len(id_of)} members and the organisation as TimeOverflow had them")
EOF
}

start_server

for form in report importer; do
  dir="$WORK/$form"
  mkdir -p "$dir"
  python3 "$HERE/timeoverflow_files.py" "$form" "$dir/members.csv" "$dir/transfers.csv" "$dir" 11
  bank="to-$form"
  must bank create "$bank" --name "Banc de Temps ($form)"
  ids_flag=()
  [[ $form == importer ]] && ids_flag=(--ids numbers)

  expect 0 "a dry run of TimeOverflow's $form files says what it would make" \
    "Accounts: $((MEMBERS + 1)) to open" "Entries: $TRANSFERS to record as imported" \
    "Would open:" -- \
    import timeoverflow --bank "$bank" "$dir/members.csv" "$dir/transfers.csv" --dry-run \
    "${ids_flag[@]+"${ids_flag[@]}"}"
  count=$(entry_count "$bank")
  check_command 0 "the dry run wrote nothing ($count entries)" '^0$' echo "$count"

  expect 0 "TimeOverflow's $form files are imported with every balance as in the files" \
    "Recorded $TRANSFERS entries \\(0 there already\\)" "Every balance agrees with the files" -- \
    import timeoverflow --bank "$bank" "$dir/members.csv" "$dir/transfers.csv" \
    "${ids_flag[@]+"${ids_flag[@]}"}"
  printf '%s\n' "$OUT" >"$dir/import.out"
  if [[ $form == report ]]; then
    check_command 0 "two members of the same name get two ids, and names keep their accents" \
      "-> .*-2$" grep -E -- "-> .*-2$" "$dir/import.out"
  fi
  ids_source=$([[ $form == importer ]] && echo numbers || echo "$dir/import.out")
  if out=$(balances_match "$bank" "$dir" "$ids_source"); then
    pass "the generator's balances, computed apart, are the ledger's ($form): $out"
  else
    fail "the generator's balances, computed apart, are the ledger's ($form)" "$out"
  fi
  if [[ $form == report ]]; then
    check_command 0 "amounts in hours with two decimals are rounded to the minute, and counted" \
      "Rounded to the minute: [1-9][0-9]* rows" cat "$dir/import.out"
  else
    check_command 0 "amounts in seconds that are not whole minutes are rounded, and counted" \
      "Rounded to the minute: [1-9][0-9]* rows" cat "$dir/import.out"
  fi

  expect 0 "the same import twice records nothing more" \
    "Accounts: 0 to open, $((MEMBERS + 1)) in the bank already" \
    "Recorded 0 entries \\($TRANSFERS there already\\)" "Every balance agrees" -- \
    import timeoverflow --bank "$bank" "$dir/members.csv" "$dir/transfers.csv" \
    "${ids_flag[@]+"${ids_flag[@]}"}"
  count=$(entry_count "$bank")
  check_command 0 "the bank holds $TRANSFERS entries after two imports ($count)" "^$TRANSFERS\$" \
    echo "$count"
  expect 0 "the imported bank verifies ($form)" "OK" -- audit verify "$bank"
done

# Members keep the phone and email TimeOverflow had for them (the report form's Phone, Email).
run account list to-report --format csv
check_command 0 "members' phone numbers and emails come in as their contact details" \
  '600 000 0[0-9][0-9],user[0-9]+@example.org' echo "$OUT"

# Imported entries keep their dates and say they were imported.
expect 0 "an imported entry keeps its date from years back" "20(1[4-9]|2[0-6])" -- \
  entry get to-report 1
run --json entry get to-report 1
check_command 0 "the entry says it was imported" '"imported": true' echo "$OUT"

# A file with broken rows is refused whole, each row named by its line.
dir="$WORK/broken"
mkdir -p "$dir"
python3 "$HERE/timeoverflow_files.py" report "$dir/members.csv" "$dir/transfers.csv" "$dir" 12
python3 - "$dir/transfers.csv" <<'EOF'
import sys
path = sys.argv[1]
lines = open(path, encoding="utf-8").read().split("\n")
# line 17: a member TimeOverflow does not know; line 42: a quantity that is no number; line 99: a
# date that is no date (each line holds one transfer: the generator writes no line ends in fields)
cells = lines[16].split(",")
lines[16] = lines[16].replace(f",{cells[2]},", ",9999,", 1) if cells[2] != "0" else \
    lines[16].replace(",0,", ",9999,", 1)
lines[41] = lines[41].rsplit(",", 1)[0] + ",a lot"
lines[98] = "yesterday" + lines[98][len("2020-01-01 00:00:00 +0200"):]
open(path, "w", encoding="utf-8").write("\n".join(lines))
EOF
must bank create broken --name "Broken files"
expect 1 "a transfers file with broken rows is refused whole, each row by its line" \
  "3 rows cannot be imported, so nothing was written" "transfers.csv line 17: .*9999" "transfers.csv line 42: .*a lot" \
  "transfers.csv line 99: the date" -- \
  import timeoverflow --bank broken "$dir/members.csv" "$dir/transfers.csv"
run account list broken --format csv
check_command 0 "nothing of the refused files is in the bank (the pool alone)" '^1$' \
  bash -c "grep -c '^[a-z]' <<<'$(tail -n +2 <<<"$OUT")'"
count=$(entry_count broken)
check_command 0 "no entry of the refused files was recorded" '^0$' echo "$count"

# Round trip: the bank exported as the generic files and imported into a new bank.
must export bank to-report --out "$WORK/export"
must bank create again --name "Round trip"
expect 0 "the generic files of an export import into a new bank" \
  "Recorded $TRANSFERS entries" "Every balance agrees with the files" -- \
  import generic --bank again "$WORK/export/accounts.csv" "$WORK/export/entries.csv"
# accounts_of BANK FILE: each account as a line (the generic columns, names included).
accounts_of() {
  must account list "$1" --format csv
  python3 -c 'import csv, sys
for row in sorted(csv.reader(sys.stdin)): print("|".join(row))' <<<"$OUT" >"$2"
}
accounts_of to-report "$WORK/accounts-before"
accounts_of again "$WORK/accounts-after"
check_command 0 "the round trip gives every account its balance, kind, roles and joining day" \
  '^$' diff "$WORK/accounts-before" "$WORK/accounts-after"
must export bank again --out "$WORK/export-again"
# The entries as recorded (seq, kind, accounts, minutes, dates, activity, note): the same.
for f in export export-again; do
  python3 - "$WORK/$f/entries.csv" >"$WORK/$f.entries" <<'EOF'
import csv, sys
for row in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")):
    print(row["occurred_at"], row["kind"], row["from_account_id"], row["to_account_id"],
          row["minutes"], row["activity"], row["note"], sep="|")
EOF
done
check_command 0 "the round trip gives the same entries" '^$' \
  diff <(sort "$WORK/export.entries") <(sort "$WORK/export-again.entries")
expect 0 "the bank imported again verifies" "OK" -- audit verify again

# A spreadsheet of members with balances and the day they joined: opening balances.
cat >"$WORK/balances.csv" <<'EOF'
name,joined_on,balance_minutes
Maria O'Neill,2019-03-04,150
José García,2021-11-30,-45
Maria O'Neill,2020-01-01,0
EOF
must bank create sheet --name "From a spreadsheet"
expect 0 "a spreadsheet of balances imports as opening balances against the pool" \
  "maria-oneill$" "maria-oneill-2$" "jose-garcia$" "2 opening balances" \
  "Every balance agrees with the files" -- \
  import generic --bank sheet "$WORK/balances.csv"
expect 0 "a member moved in shows the day she joined" "4 Mar 2019" -- \
  account get sheet maria-oneill
expect 0 "the pool gave and took the opening balances" "Balance: *-1 hour 45 minutes" -- \
  account get sheet pool
run --json entry get sheet --id opening-balance-maria-oneill
check_command 0 "the opening balance is an imported grant from the pool" \
  '"kind": "GRANT"' echo "$OUT"
# Moved-in members are members since they joined, not new this month: the period report of this
# month counts them at its end and none as new.
run --json report sheet --from "$(date -u +%Y-%m-01)" --to "$(date -u +%F)"
check_command 0 "this month's report counts the moved-in members, none of them as new" \
  '^3 0$' python3 -c 'import json, sys
members = json.load(sys.stdin)["current"]["members"]
print(int(members.get("personsAtPeriodEnd", 0)), int(members.get("newPersons", 0)))' <<<"$OUT"
expect 0 "the bank with opening balances verifies" "OK" -- audit verify sheet

stop_server
finish import_scenario_test
