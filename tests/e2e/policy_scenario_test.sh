#!/usr/bin/env bash
# End-to-end test of the reciprocity rules through the staff CLI and the real server.
#
# Usage: policy_scenario_test.sh PATH/TO/timeledgerd PATH/TO/timeledger PATH/TO/policy.example.txtpb
#
# A coordinator reads the bank's policy, checks and applies the documented example file, sees
# refusals that name the rule, switches confirmation on, and walks an exchange through pending,
# confirmation (not by whoever recorded it) and rejection; closes an account with a donation to
# the pool; and after a restart finds the policy and its history kept.
set -euo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: $0 PATH/TO/timeledgerd PATH/TO/timeledger PATH/TO/policy.example.txtpb" >&2
  exit 2
fi
SERVER_BIN=$(realpath "$1")
CLI_BIN=$(realpath "$2")
EXAMPLE=$(realpath "$3")
source "$(dirname "$0")/harness.sh"

start_server
expect 0 "a bank is created" -- bank create hcct --name "Holy Cross Centre"
for person in alice bob; do
  expect 0 "$person gets an account" -- account open hcct "$person" --kind person --name "${person^}"
done
expect 0 "carol, staff, gets an account" -- account open hcct carol --kind person \
  --roles member,staff --name Carol
expect 0 "the centre gets an account" -- account open hcct centre --kind organisation --name Centre
make_token coordinator hcct carol
make_token coordinator hcct alice

# Reading and applying the documented policy.
expect 0 "an untouched bank shows the defaults" '^# Policy of bank hcct: the defaults' \
  '^granularity \{' 'unit_minutes: 15' -- policy get hcct
expect 0 "the example policy file is valid" 'is a valid policy' -- policy validate "$EXAMPLE"
printf 'granularity { enabled: true unit_minutes: 0 }\nfloors { enabled: true person_minutes: 60 }\n' \
  >"$WORK/bad.txtpb"
expect 1 "an invalid policy lists every problem" '2 problems' 'granularity.unit_minutes' \
  'floors.person_minutes' -- policy validate "$WORK/bad.txtpb"
expect 1 "setting an invalid policy is refused whole" "$REFUSAL" 'INVALID_POLICY' \
  -- policy set hcct "$WORK/bad.txtpb"
echo 'granularity { enabled: tru }' >"$WORK/garbled.txtpb"
expect 2 "a garbled file is a usage error naming the line" 'line 1' -- policy validate "$WORK/garbled.txtpb"
expect 0 "the example policy is put in force" 'Policy version 1 is now in force' \
  -- --token-file "$WORK/carol.token" policy set hcct "$EXAMPLE"
expect 0 "the policy shows who set it" 'version 1, set by carol' 'action: TO_POOL' -- policy get hcct
expect 1 "a stale expected version is refused" 'POLICY_VERSION_MISMATCH' \
  -- policy set hcct "$EXAMPLE" --expected-version 7

# Refusals name the rule and its figures.
expect 1 "a time not in quarter hours is refused" 'GRANULARITY' \
  -- entry record hcct --from bob --to alice --minutes 50 --id g1
expect 0 "bob may receive up to his floor" -- entry record hcct --from bob --to alice --minutes 5h --id f2
expect 0 "and again to exactly -10 hours" -- entry record hcct --from bob --to carol --minutes 5h --id f3
expect 1 "one quarter hour past the floor is refused, with the figures" 'OVERDRAFT_LIMIT' \
  'limit_minutes: -600 \(-10 hours\)' \
  -- entry record hcct --from bob --to alice --minutes 15 --id f4
expect 1 "staff duty activities earn nothing for staff" 'STAFF_ON_DUTY' \
  -- entry record hcct --from centre --to carol --minutes 1h --kind award --activity reception --id d1
expect 0 "outside duty, staff earn like members" \
  -- entry record hcct --from centre --to carol --minutes 1h --kind award --activity "film night" --id d2

# An entry recorded by its own earner waits for someone else.
expect 0 "alice records time she gave carol: it waits for carol" 'Waiting for Carol \(carol\) to confirm' \
  -- --token-file "$WORK/alice.token" entry record hcct --from carol --to alice --minutes 1h --id self-1
expect 0 "it is listed as pending" 'self-1' '1 waiting' -- entry pending hcct
expect 1 "alice cannot confirm her own entry" 'SELF_CONFIRMATION' -- --token-file "$WORK/alice.token" entry confirm hcct self-1
expect 0 "carol, who pays, confirms it" 'Confirmed: recorded as entry' -- --token-file "$WORK/carol.token" entry confirm hcct self-1
expect 0 "confirming twice changes nothing" 'already confirmed' -- --token-file "$WORK/carol.token" entry confirm hcct self-1

# Confirmation of every member-to-member exchange, switched on by a policy file.
sed 's/confirmation { enabled: false/confirmation { enabled: true/' "$EXAMPLE" >"$WORK/confirm.txtpb"
expect 0 "confirmation is switched on" 'version 2' -- --token-file "$WORK/carol.token" policy set hcct "$WORK/confirm.txtpb"
expect 0 "an exchange now waits for the payer" 'Waiting for Alice \(alice\)' \
  -- entry record hcct --from alice --to carol --minutes 30m --id ex-1
expect 0 "the hold shows in the payer's account" '^  Held: +30 minutes' -- account get hcct alice
expect 0 "the payer rejects it" 'Rejected entry ex-1' -- --token-file "$WORK/alice.token" entry reject hcct ex-1 --reason "not me"
expect 1 "a rejected entry cannot be confirmed" 'PENDING_RESOLVED' -- --token-file "$WORK/alice.token" entry confirm hcct ex-1
expect 0 "nothing is waiting any more" 'No entries are waiting' -- entry pending hcct

# The history of the policy.
expect 0 "the history shows both changes" 'confirmation' -- policy history hcct

# Closing with a donation, and the expiry sweep (off in this policy).
expect 0 "carol closes her account, donating her balance" 'is closed' \
  -- account close hcct carol --donate-to-pool --reason "moving away"
expect 0 "the pool received it" -- account get hcct pool
expect 0 "the expiry sweep does nothing while expiry is off" '^0 accounts' -- expiry run hcct

stop_server
start_server
expect 0 "after restart the policy is still version 2" 'version 2, set by carol' -- policy get hcct
expect 0 "after restart the history is kept" 'confirmation' -- policy history hcct

# A tighter floor leaves people below it: a coordinator lists them.
sed 's/person_minutes: -600/person_minutes: -300/' "$EXAMPLE" >"$WORK/tighter.txtpb"
expect 0 "a floor of -5 hours is put in force" 'is now in force' -- policy set hcct "$WORK/tighter.txtpb"
run --json account list hcct --below-floor
if [[ $RC -eq 0 ]] && python3 - "$WORK/out" <<'PY'
import json, sys
listed = json.load(open(sys.argv[1])).get("accounts", [])
ids = [a["accountId"] for a in listed]
assert "bob" in ids, ids  # at -10 hours
assert all(int(a["balanceMinutes"]) < -300 and a["kind"] == "PERSON" for a in listed), listed
PY
then pass "account list --below-floor lists bob, and only people below -5 hours"
else fail "account list --below-floor lists bob, and only people below -5 hours"; fi
expect 0 "--role and --status filter too" '^carol ' '^1 account match in bank hcct\.$' \
  -- account list hcct --role staff --status closed
expect 2 "an unknown --status is named" '^error: --status must be active, suspended or closed' \
  -- account list hcct --status gone
stop_server
finish "policy scenario"
