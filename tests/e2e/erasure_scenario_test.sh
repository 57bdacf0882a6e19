#!/usr/bin/env bash
# A member asks to be erased (GDPR article 17), end to end with the real timeledgerd, CLI and
# timeledger-verify: `timeledger account erase` destroys their name, card number and the notes of
# their entries; afterwards no file of the data directory holds any of them (the write-ahead log
# and the table files included), nor does a backup made afterwards, while balances, statements
# ("an erased member"), the period report's figures and verification are as before.
#
# Usage: erasure_scenario_test.sh PATH/TO/timeledgerd PATH/TO/timeledger PATH/TO/timeledger-verify
#          PATH/TO/files_holding
set -uo pipefail
if [[ $# -ne 4 ]]; then
  echo "usage: $0 PATH/TO/timeledgerd PATH/TO/timeledger PATH/TO/timeledger-verify" \
    "PATH/TO/files_holding" >&2
  exit 2
fi
SERVER_BIN=$(realpath "$1")
CLI_BIN=$(realpath "$2")
VERIFY_BIN=$(realpath "$3")
FILES_HOLDING_BIN=$(realpath "$4")
source "$(dirname "$0")/harness.sh"

readonly NAME="Erin O'Neill-Quarrie"
readonly CARD="40009876"
readonly PHONE="+44 20 7946 0321"
readonly EMAIL="erin.oneill@example.org"
readonly NOTE="Erin mended the bike of Bob"
readonly OWN_NOTE="Erin paid for the soup"
readonly OTHER_NOTE="Alice dug the allotment"

# files_holding TEXT DIR: the files under DIR that hold TEXT, one a line: read raw, and the
# RocksDB table files also decoded (their blocks are compressed).
files_holding() {
  "$FILES_HOLDING_BIN" "$2" "$1" || true
}

# held_nowhere WHAT DIR VALUE...: checks for each VALUE that no file under DIR holds it.
held_nowhere() {
  local what=$1 dir=$2 value found
  shift 2
  for value in "$@"; do
    found=$(files_holding "$value" "$dir")
    if [[ -z $found ]]; then
      pass "$what holds \"$value\" after the erasure"
    else
      fail "$what holds \"$value\" after the erasure" "$found"
    fi
  done
}

# must ARGS...: runs the CLI and stops the test if it fails (set-up steps).
must() {
  run "$@"
  if [[ $RC -ne 0 ]]; then
    fail "set-up: timeledger $*"
    finish erasure_scenario_test
  fi
}

start_server
must bank create hall --name "Riverside Hall"
must account open hall erin --kind person --name "$NAME"
must account open hall bob --kind person --name "Bob Lee"
must account open hall alice --kind person --name "Alice Brown"
must account set-card hall erin --number "$CARD"
expect 0 "a coordinator gives erin's phone and email" "Phone: +\\+44 20 7946 0321" \
  "Email: +erin.oneill@example.org" -- \
  account change hall erin --phone "$PHONE" --email "$EMAIL"
must entry record hall --id e1 --from bob --to erin --minutes 60 --note "$NOTE"
must entry record hall --id e2 --from erin --to bob --minutes 30 --note "$OWN_NOTE"
must entry record hall --id e3 --from bob --to alice --minutes 45 --note "$OTHER_NOTE"
TODAY=$(date -u +%F)
run --json report hall --from "$TODAY" --to "$TODAY"
cp "$WORK/out" "$WORK/report-before.json"

# The search sees them before: they are in the write-ahead log.
for value in "$NAME" "$CARD" "$NOTE" "$PHONE" "$EMAIL"; do
  if [[ -n $(files_holding "$value" "$DATA_DIR") ]]; then
    pass "before the erasure the data directory holds \"$value\""
  else
    fail "before the erasure the data directory holds \"$value\""
  fi
done

# The member asks first what is held about them (GDPR article 15).
expect 0 "everything held about erin is exported into a new folder" \
  "^Wrote what bank hall holds about $NAME \\(erin\\) to " '2 entries' '[0-9]+ facts of the journal' \
  -- export member hall erin --out "$WORK/erin-before"
if python3 - "$WORK/erin-before" "$NAME" "$CARD" "$NOTE" "$OWN_NOTE" "$OTHER_NOTE" "$PHONE" <<'PY'
import csv, json, os, sys
folder, name, card, note, own_note, other_note, phone = sys.argv[1:8]
member = json.load(open(os.path.join(folder, "member.json")))
assert member["account"]["displayName"] == name, member["account"]
assert member["account"]["phone"] == phone, member["account"]
assert member["card"]["cardNumber"] == card, member["card"]
assert "pinHash" not in json.dumps(member)
notes = sorted(row["entry"]["note"] for row in member["entries"])
assert notes == sorted([note, own_note]), notes
rows = list(csv.DictReader(open(os.path.join(folder, "entries.csv"), encoding="utf-8-sig")))
assert [(r["entry_id"], r["minutes"], r["balance_after_minutes"]) for r in rows] == \
    [("e1", "60", "60"), ("e2", "-30", "30")], rows
records = [json.loads(line) for line in open(os.path.join(folder, "records.jsonl"))]
types = [r["type"] for r in records]
assert types == ["account_opened", "card_set", "contact_set", "entry", "entry"], types
text = open(os.path.join(folder, "records.jsonl")).read()
assert name in text and card in text and other_note not in text
for path in ("member.json", "entries.csv", "records.jsonl"):
    assert os.stat(os.path.join(folder, path)).st_mode & 0o077 == 0, path
PY
then pass "the export holds erin's account, card, entries with notes and journal facts, no one else's"
else fail "the export holds erin's account, card, entries with notes and journal facts, no one else's"; fi
expect 1 "an export into a folder that holds files is refused" 'is not empty' \
  -- export member hall erin --out "$WORK/erin-before"

expect 2 "an erasure without --reason is refused before anything is sent" '--reason' \
  -- account erase hall erin
expect 1 "an unknown account is refused, naming it" 'ACCOUNT_NOT_FOUND' \
  -- account erase hall nobody --reason "SAR-17"
expect 0 "erin's personal data is erased, and the files compacted" \
  '^Erased the personal data of erin: name, card \(number and PIN\), notes of their entries, phone number and email\.$' \
  'no longer hold the erased values' 'Backups made before now still hold' \
  -- account erase hall erin --reason "erasure request SAR-17 of 2 Dec"

expect 0 "erin's account keeps its balance and reads as an erased member" \
  '^an erased member \(erin\)' 'Balance: +30 minutes' -- account get hall erin
expect 0 "bob's statement shows erin as an erased member, his other lines as they were" \
  'an erased member \(erin\)' 'Alice Brown \(alice\)' -- statement hall bob
expect 0 "an export after the erasure still gives erin's entries" '2 entries' \
  -- export member hall erin --out "$WORK/erin-after"
found=$("$FILES_HOLDING_BIN" "$WORK/erin-after" "$NAME"; "$FILES_HOLDING_BIN" "$WORK/erin-after" "$CARD")
if [[ -z $found ]] && grep -q '"personal_data_erased"' "$WORK/erin-after/records.jsonl" &&
   grep -qE '"personalDataErased": ?true' "$WORK/erin-after/member.json"; then
  pass "and holds neither the name nor the card, but the erasure"
else
  fail "and holds neither the name nor the card, but the erasure" "$found"
fi
run --json entry get hall --id e1
if [[ $RC -eq 0 ]] && python3 -c '
import json, sys
entry = json.load(open(sys.argv[1]))
assert entry.get("note", "") == "" and entry.get("noteErased") is True, entry' "$WORK/out"; then
  pass "the note of erin's entry reads as erased"
else
  fail "the note of erin's entry reads as erased"
fi
run --json report hall --from "$TODAY" --to "$TODAY"
if [[ $RC -eq 0 ]] && python3 - "$WORK/report-before.json" "$WORK/out" <<'PY'
import json, sys
before, after = (json.load(open(p))["current"] for p in sys.argv[1:3])
assert before == after, (before, after)
assert int(after["totalMinutes"]) == 135, after["totalMinutes"]
PY
then pass "the period report's figures are unchanged"
else fail "the period report's figures are unchanged"; fi
expect 0 "the ledger verifies after the erasure" 'OK' -- audit verify hall

held_nowhere "no file of the data directory" "$DATA_DIR" "$NAME" "$CARD" "$NOTE" "$OWN_NOTE" \
  "$PHONE" "$EMAIL"
if [[ -n $(files_holding "$OTHER_NOTE" "$DATA_DIR") ]]; then
  pass "alice's note, which was not erin's, is still held"
else
  fail "alice's note, which was not erin's, is still held"
fi

must backup --dir after-erasure
held_nowhere "no file of a backup made after the erasure" "$DATA_DIR/backups/after-erasure" \
  "$NAME" "$CARD" "$NOTE" "$OWN_NOTE" "$PHONE" "$EMAIL"
stop_server

check_command 0 "the backup verifies offline" 'bank hall: OK' \
  "$VERIFY_BIN" --backup-dir "$DATA_DIR/backups/after-erasure"
check_command 0 "so does the data directory" 'bank hall: OK' "$VERIFY_BIN" --data-dir "$DATA_DIR"

finish erasure_scenario_test
