#!/usr/bin/env bash
# End-to-end test of qualifications, activities and offers through the staff CLI and the real
# server: the worked example of README.md.
#
# Usage: qualification_scenario_test.sh PATH/TO/timeledgerd PATH/TO/timeledger
#
# A member cannot earn for cooking the day-centre lunch without food hygiene; she buys the course
# with credits (it shows in progress), a member of staff awards her the qualification with its
# reward, and then she earns for cooking. Awards are staff only, never for oneself, safe to
# repeat, and a second award of a valid qualification pays nothing. Everything verifies and
# survives a restart.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 PATH/TO/timeledgerd PATH/TO/timeledger" >&2
  exit 2
fi
SERVER_BIN=$(realpath "$1")
CLI_BIN=$(realpath "$2")
source "$(dirname "$0")/harness.sh"

start_server
expect 0 "a bank is created" -- bank create hcct --name "Holy Cross Centre"
expect 0 "alice, a member, gets an account" -- account open hcct alice --kind person --name "Alice Brown"
expect 0 "sam, staff, gets an account" -- account open hcct sam --kind person --roles member,staff \
  --name "Sam Patel"
expect 0 "the centre gets an account" -- account open hcct centre --kind organisation --name Centre
make_token coordinator hcct sam
make_token coordinator hcct alice

# The catalogue.
expect 0 "a qualification is defined" 'Qualification food-hygiene-2 .* version 1' \
  -- --token-file "$WORK/sam.token" qualification define hcct food-hygiene-2 --title "Food hygiene, level 2" \
  --reward-from centre --reward 2h --valid-days 1095 --renewal-reward 1h --awarding-body Highfield
expect 0 "an activity that needs it is defined" 'Activity cook-lunch' \
  -- --token-file "$WORK/sam.token" activity define hcct cook-lunch --title "Cooking the day-centre lunch" \
  --category kitchen --requires food-hygiene-2
expect 0 "a course that leads to it is defined" 'Offer hygiene-course' \
  -- --token-file "$WORK/sam.token" offer define hcct hygiene-course --title "Food hygiene course" --price 3h --to centre \
  --leads-to food-hygiene-2
expect 2 "a price that is not an amount of time is a usage error" 'not an amount of time' \
  -- --token-file "$WORK/sam.token" offer define hcct bad-offer --title "Bad" --price soon --to centre
expect 1 "a free offer is refused, naming the field" 'INVALID_MINUTES' 'price_minutes' \
  -- --token-file "$WORK/sam.token" offer define hcct bad-offer --title "Bad" --price 0 --to centre
expect 1 "an activity needing an unknown qualification is refused" 'QUALIFICATION_NOT_FOUND' \
  -- --token-file "$WORK/sam.token" activity define hcct serve-lunch --title "Serving" --requires no-such
expect 0 "the offers are listed" 'hygiene-course' '3 hours to centre, leads to food-hygiene-2' \
  -- catalogue list hcct offer

# Before the course: cooking is refused, naming what is missing.
expect 1 "cooking the lunch is refused without food hygiene" 'QUALIFICATION_REQUIRED' \
  'missing: food-hygiene-2' \
  -- entry record hcct --kind award --from centre --to alice --minutes 2h --activity cook-lunch \
  --id lunch-1

# The course, paid in credits.
expect 0 "alice buys the course with credits" 'Bought hygiene-course' \
  'food-hygiene-2 is now in progress' \
  -- --token-file "$WORK/alice.token" offer redeem hcct alice hygiene-course --id course-alice
expect 0 "buying it again with the same key writes nothing" 'Already bought' \
  -- --token-file "$WORK/alice.token" offer redeem hcct alice hygiene-course --id course-alice
expect 0 "her record shows it in progress" 'food-hygiene-2 +in progress' \
  -- qualification list hcct alice

# The award with its reward.
expect 1 "a member who is not staff cannot award" 'STAFF_ONLY' \
  -- --token-file "$WORK/alice.token" qualification award hcct alice food-hygiene-2 --id cert-1 \
  --evidence "certificate 1001" --verified-by "Sam Patel"
expect 1 "staff cannot award themselves" 'SELF_AWARD' \
  -- --token-file "$WORK/sam.token" qualification award hcct sam food-hygiene-2 --id cert-0 \
  --evidence "certificate 1000" --verified-by "Sam Patel"
expect 0 "sam awards alice the qualification with its reward" 'attained food-hygiene-2' \
  'Reward: 2 hours from Centre \(centre\)' 'Alice Brown \(alice\) now has -1 hour' \
  -- --token-file "$WORK/sam.token" qualification award hcct alice food-hygiene-2 --id cert-1 \
  --evidence "certificate 1001" --verified-by "Sam Patel"
expect 0 "the same award again writes nothing" 'already recorded; nothing new' \
  -- --token-file "$WORK/sam.token" qualification award hcct alice food-hygiene-2 --id cert-1 \
  --evidence "certificate 1001" --verified-by "Sam Patel"
expect 0 "a second award of a valid qualification pays nothing and says so" 'pays nothing' \
  'now has -1 hour' \
  -- --token-file "$WORK/sam.token" qualification award hcct alice food-hygiene-2 --id cert-2 \
  --evidence "certificate 1002" --verified-by "Sam Patel"
expect 0 "the reward is an entry of its own kind" 'qualification reward' \
  -- entry get hcct --id award-cert-1

# After the award: cooking earns.
expect 0 "now cooking the lunch earns" 'Recorded entry' \
  -- entry record hcct --kind award --from centre --to alice --minutes 2h --activity cook-lunch \
  --id lunch-1
expect 0 "her record shows it valid" 'food-hygiene-2 +valid' -- qualification list hcct alice
expect 0 "she is among its holders" 'Alice Brown \(alice\) +valid' \
  -- qualification holders hcct food-hygiene-2
expect 0 "the ledger verifies, awards and rewards included" '^Bank hcct: OK' -- audit verify
expect 0 "the period report counts the qualification attained" \
  '1 person attained 1 qualification in this period\.' '^attained +1$' \
  -- report hcct --from "$(date -u -d yesterday +%F)" --to "$(date -u -d tomorrow +%F)"

# Retired, never deleted.
expect 0 "the course is retired" 'Retired hygiene-course' -- catalogue retire hcct offer hygiene-course
expect 1 "a retired offer is not sold" 'OFFER_RETIRED' \
  -- --token-file "$WORK/alice.token" offer redeem hcct alice hygiene-course --id course-again
expect 0 "it stays in the catalogue" 'Food hygiene course \(retired\)' \
  -- catalogue list hcct offer --retired

stop_server
start_server
expect 0 "after a restart her qualification is still valid" 'food-hygiene-2 +valid' \
  -- qualification list hcct alice
expect 0 "after a restart the ledger verifies" '^Bank hcct: OK' -- audit verify
stop_server

finish qualification_scenario_test
