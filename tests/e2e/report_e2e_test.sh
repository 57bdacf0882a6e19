#!/usr/bin/env bash
# End-to-end test of period reports: the real `timeledger` CLI against a real timeledgerd.
#
# Usage: report_e2e_test.sh PATH/TO/timeledgerd PATH/TO/timeledger
#
# Starts timeledgerd on a free loopback port with a fresh data directory, records two months of
# a small time bank's life through the CLI (entries backdated day by day, one reversal), then
# makes the period report in every format and checks its figures: the terminal table, --json,
# the CSV files (parsed back with Python's csv module) and the HTML page, which headless Chromium
# renders to a PNG (checked for the charts' colours) and to an A4 PDF, with no console errors.
# Also a member's statement, in English and then in the language a coordinator set for the member
# (account set-language), with the catalogue's titles; and refusals of bad input.
#
# Each check prints "ok" or "FAIL"; the last line counts them. Exits 0 if every check passed, 1
# otherwise, and 77 (skipped, for ctest) if every check passed but Chromium is not installed
# (scripts/setup.sh installs it). With TIMELEDGER_KEEP_ARTIFACTS=DIR the report files and the
# screenshot are copied to DIR. The server and the work directory are always cleaned up.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 PATH/TO/timeledgerd PATH/TO/timeledger" >&2
  exit 2
fi
SERVER_BIN=$(realpath "$1")
CLI_BIN=$(realpath "$2")

readonly CHROMIUM_TIMEOUT_S=120  # one Chromium run at most
readonly TZ_NAME=Europe/London

# The shared harness: the server on a free port, cleanup, run/expect/check, pass/fail.
source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"

# must ARGS...: runs the CLI and stops the test if it fails (setting up the scenario).
must() {
  run "$@"
  if [[ $RC -ne 0 ]]; then
    fail "setting up: timeledger $*"
    echo "Bail out! the scenario could not be set up"
    exit 1
  fi
}

# day N: the date N days ago in the bank's time zone, as 2026-07-01.
day() {
  TZ=$TZ_NAME date -d "-$1 days" +%F
}

start_server
echo "# timeledgerd at $ADDRESS, data in $DATA_DIR"

# --- A small time bank's last eight weeks -------------------------------------------------------
must bank create hcct --name "Holy Cross Centre" --time-zone "$TZ_NAME"
must account open hcct alice --kind person --roles member,volunteer --name "Alice Brown"
must account open hcct bob --kind person --name "Bob Okafor"
must account open hcct carol --kind person --roles member,staff --name "Carol Jones"
must account open hcct dev --kind person --name "Dev Patel"
must account open hcct centre --kind organisation --name "Holy Cross Centre"
must account open hcct cafe --kind organisation --name "Community café"

# id, days ago, kind, from, to, minutes, activity ("_" for a space, "-" for none).
ENTRIES=(
  "e01 50 exchange bob alice 90 gardening"
  "e02 47 award centre dev 180 cooking_lunch"
  "e03 44 exchange alice bob 60 computer_help"
  "e04 41 spend bob cafe 60 lunch"
  "e05 38 award centre alice 240 mentoring"
  "e06 33 exchange dev carol 120 cooking_lunch"
  "e07 30 exchange carol dev 45 film_night"
  "e08 26 award centre bob 120 gardening"
  "e09 21 exchange alice dev 60 computer_help"
  "e10 17 spend dev cafe 90 lunch"
  "e11 14 exchange bob carol 30 gardening"
  "e12 10 donation alice pool 60 -"
  "e13 7 grant pool bob 30 -"
  "e14 4 exchange dev alice 90 mentoring"
  "e15 2 exchange carol bob 45 gardening"
)
for line in "${ENTRIES[@]}"; do
  read -r id ago kind from to minutes activity <<<"$line"
  args=(entry record hcct --id "$id" --kind "$kind" --from "$from" --to "$to"
        --minutes "$minutes" --occurred-at "$(day "$ago")")
  if [[ $activity != "-" ]]; then args+=(--activity "${activity//_/ }"); fi
  must "${args[@]}"
done
# e15 was recorded twice by mistake: reverse e16, its copy. Within the period, it cancels.
must entry record hcct --id e16 --from carol --to bob --minutes 45 --activity gardening \
  --occurred-at "$(day 2)"
run entry get hcct --id e16 --json
E16_SEQ=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["seq"])' <<<"$OUT")
must entry reverse hcct "$E16_SEQ" --note "recorded twice"

FROM=$(day 55)
TO=$(day 0)
# The period's figures, by hand. e16 and its reversal cancel within the period.
EXCHANGED=$((90 + 60 + 120 + 45 + 60 + 30 + 90 + 45))  # 540: 9 hours member to member
TOTAL=$((EXCHANGED + 540 + 150 + 60 + 30))              # awards, spends, donation, grant: 22 hours

# --- The report on the terminal -----------------------------------------------------------------
expect 0 "the report prints the headline figures in plain words" \
  '^In plain words$' \
  '^  - Members gave each other 9 hours of their time in this period\.$' \
  '^  - 4 people took part, giving or receiving time at least once' \
  '^  - 4 people both gave and received time: 100% of those who took part\.$' \
  '^  - No qualifications were attained or renewed in this period\.$' \
  -- report hcct --from "$FROM" --to "$TO"
expect 0 "the report shows hours by kind, activity and month" \
  '^Hours by kind$' '^exchange \(member to member\) +9 hours$' \
  '^award \(awarded by an organisation\) +9 hours$' \
  '^all kinds +22 hours$' \
  '^Hours by activity$' '^gardening +4 +4 hours 45 minutes$' \
  '^Month by month$' '^Who took part$' '^Organisations$' \
  '^Holy Cross Centre \(centre\) +9 hours +0 hours$' \
  '^Balances at the end of the period$' '^Give and take$' \
  -- report hcct --from "$FROM" --to "$TO"
expect 0 "--compare adds the previous period of the same length" \
  '^Kind +This period +Previous period$' ', compared with ' \
  -- report hcct --from "$FROM" --to "$TO" --compare

# --- Periods in words --------------------------------------------------------------------------
run --json report hcct --last-quarter
if [[ $RC -eq 0 ]] && python3 - "$WORK/out" <<'PY'
import datetime, json, sys
current = json.load(open(sys.argv[1]))["current"]
today = datetime.date.today()
start = datetime.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
first = datetime.date(start.year - (start.month == 1), (start.month - 4) % 12 + 1, 1)
last = start - datetime.timedelta(days=1)
day = lambda d: datetime.date(d["year"], d["month"], d["day"])
assert (day(current["firstDay"]), day(current["lastDay"])) == (first, last), current["firstDay"]
PY
then pass "--last-quarter is the calendar quarter before this one"
else fail "--last-quarter is the calendar quarter before this one"; fi
YEAR=$(date +%Y)
expect 0 "--year is the calendar year" "^1 Jan $YEAR to 31 Dec $YEAR\$" \
  -- report hcct --year "$YEAR"
expect 0 "statement-report takes --last-month" -- statement-report hcct alice --last-month
expect 2 "two periods at once are refused" '^error: give one period' \
  -- report hcct --last-month --from "$FROM" --to "$TO"
expect 2 "a bad --year is named" '^error: --year takes a year such as 2026' -- report hcct --year 26
expect 2 "--from without --to is named" '^error: missing --to DAY' -- report hcct --from "$FROM"

run --json report hcct --from "$FROM" --to "$TO" --compare
if [[ $RC -eq 0 ]] && python3 - "$WORK/out" "$EXCHANGED" "$TOTAL" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
current = report["current"]
assert int(current["minutes"]["exchangeMinutes"]) == int(sys.argv[2]), current["minutes"]
assert int(current["totalMinutes"]) == int(sys.argv[3]), current["totalMinutes"]
assert int(current["reversalCount"]) == 1
assert int(current["members"]["activePersons"]) == 4
assert int(current["entryCount"]) == 15
assert "previous" in report
months = sum(int(m["totalMinutes"]) for m in current["months"])
assert months == int(sys.argv[3]), months
PY
then pass "--json gives the report's figures, and the months add up to the total"
else fail "--json gives the report's figures, and the months add up to the total"; fi

# --- CSV ------------------------------------------------------------------------------------------
expect 0 "--format csv writes one file per table" '^Wrote 10 CSV files to ' \
  -- report hcct --from "$FROM" --to "$TO" --compare --format csv --out "$WORK/csv"
if python3 - "$WORK/csv" "$EXCHANGED" "$TOTAL" <<'PY'
import csv, sys, pathlib
folder = pathlib.Path(sys.argv[1])
def rows(name):
    raw = (folder / name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), name + " has no byte order mark"
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines(keepends=True)))
summary = rows("summary.csv")
assert len(summary) == 2, summary
assert int(summary[0]["total_minutes"]) == int(sys.argv[3]), summary[0]
kinds = [r for r in rows("by_kind.csv") if r["period"] == summary[0]["period"]]
assert sum(int(r["minutes"]) for r in kinds) == int(sys.argv[3])
assert next(r for r in kinds if r["kind"] == "exchange")["minutes"] == sys.argv[2]
categories = [r for r in rows("by_category.csv") if r["period"] == summary[0]["period"]]
assert sum(int(r["total_minutes"]) for r in categories) == int(sys.argv[3])
organisations = rows("organisations.csv")
assert any(r["name"] == "Community café" and r["spent_at_hours"] == "2:30" for r in organisations)
members = rows("members.csv")
assert members[0]["gave_and_received"] == "4", members[0]
PY
then pass "the CSV files parse back (Python's csv) to the same figures, UTF-8 with a BOM"
else fail "the CSV files parse back (Python's csv) to the same figures, UTF-8 with a BOM"; fi

# --- Statement ------------------------------------------------------------------------------------
expect 0 "statement-report shows opening and closing balances and the running balance" \
  '^Opening balance: 0 hours$' '^  Closing balance: 4 hours$' \
  '^  Time given: +7 hours$' \
  -- statement-report hcct alice --from "$FROM" --to "$TO"
expect 0 "statement-report --format csv writes the statement" '^Wrote the statement to ' \
  -- statement-report hcct alice --from "$FROM" --to "$TO" --format csv --out "$WORK/alice.csv"

# --- Refusals -------------------------------------------------------------------------------------
expect 2 "a day that does not exist is a usage error" "is not a day" \
  -- report hcct --from 2026-02-30 --to "$TO"
expect 2 "an unknown format is a usage error" "--format must be table, csv or html" \
  -- report hcct --from "$FROM" --to "$TO" --format pdf
expect 1 "an unknown bank is refused with its reason" '\(BANK_NOT_FOUND\)$' \
  -- report nowhere --from "$FROM" --to "$TO"
expect 1 "a period that ends before it begins is refused" '\(INVALID_PERIOD\)$' \
  -- report hcct --from "$TO" --to "$FROM"

# --- HTML, rendered by Chromium -------------------------------------------------------------------
HTML="$WORK/report.html"
expect 0 "--format html writes one page" '^Wrote the HTML report to ' \
  -- report hcct --from "$FROM" --to "$TO" --compare --format html --out "$HTML"
if grep -q 'id="chart-monthly"' "$HTML" && grep -q 'id="chart-categories"' "$HTML" &&
  ! grep -qE 'src=|href=|<script|@import|url\(' "$HTML"; then
  pass "the page has its charts inline and no external asset"
else
  fail "the page has its charts inline and no external asset"
fi

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $CHROMIUM ]]; then
  echo "# SKIP: chromium is not installed, so the HTML report was not rendered" \
    "(scripts/setup.sh installs it)"
  echo "report e2e: $PASSED passed, $FAILED failed, 1 skipped"
  [[ $FAILED -eq 0 ]] && exit 77
  exit 1
fi

chromium_run() {
  local profile
  profile=$(mktemp -d "$WORK/chromium-profile.XXXXXX")
  timeout "$CHROMIUM_TIMEOUT_S" "$CHROMIUM" --headless --no-sandbox --disable-gpu \
    --disable-background-networking --disable-component-update --disable-sync --no-first-run \
    --user-data-dir="$profile" --enable-logging=stderr --v=0 "$@"
}

chromium_run --screenshot="$WORK/report.png" --window-size=1240,1754 "file://$HTML" \
  >"$WORK/chromium-shot.out" 2>"$WORK/chromium-shot.err" || true
chromium_run --dump-dom "file://$HTML" >"$WORK/dom.html" 2>"$WORK/chromium-dom.err" || true
chromium_run --print-to-pdf="$WORK/report.pdf" --no-pdf-header-footer "file://$HTML" \
  >"$WORK/chromium-pdf.out" 2>"$WORK/chromium-pdf.err" || true

if grep -hE ':CONSOLE|Uncaught|Failed to load resource|ERR_FILE_NOT_FOUND' \
  "$WORK"/chromium-*.err >"$WORK/console.txt"; then
  fail "Chromium renders the page with no console errors" "$(cat "$WORK/console.txt")"
else
  pass "Chromium renders the page with no console errors"
fi

if grep -q '<svg id="chart-monthly"' "$WORK/dom.html" &&
  grep -q '<svg id="chart-categories"' "$WORK/dom.html" &&
  grep -q '<svg id="chart-give-and-take"' "$WORK/dom.html" &&
  [[ $(grep -o '<rect' "$WORK/dom.html" | wc -l) -ge 20 ]] &&
  grep -q 'Members gave each other 9 hours' "$WORK/dom.html"; then
  pass "Chromium's DOM holds the three charts, their bars and the headlines"
else
  fail "Chromium's DOM holds the three charts, their bars and the headlines" \
    "$(head -c 600 "$WORK/dom.html")"
fi

# The screenshot: an A4-shaped PNG in which the bars of both charts show in their colours.
if [[ -s $WORK/report.png ]] && python3 - "$WORK/report.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, chunks = 8, {}
idat = b""
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height, depth, colour = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
assert (width, height) == (1240, 1754), (width, height)
assert depth == 8 and colour in (2, 6), (depth, colour)
channels = 3 if colour == 2 else 4
raw = zlib.decompress(idat)
stride = width * channels
rows, previous, i = [], bytearray(stride), 0
for _ in range(height):
    kind = raw[i]; i += 1
    line = bytearray(raw[i:i + stride]); i += stride
    for x in range(stride):
        a = line[x - channels] if x >= channels else 0
        b = previous[x]
        c = previous[x - channels] if x >= channels else 0
        if kind == 1: line[x] = (line[x] + a) & 255
        elif kind == 2: line[x] = (line[x] + b) & 255
        elif kind == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif kind == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    previous = line
def count(rgb):
    n = 0
    for line in rows:
        for x in range(0, stride, channels):
            if all(abs(line[x + k] - rgb[k]) <= 6 for k in range(3)):
                n += 1
    return n
colours = {"given (blue)": (0x1f, 0x5f, 0x99), "received (orange)": (0xc8, 0x64, 0x1e),
           "activity (teal)": (0x2f, 0x7d, 0x6d)}
found = {name: count(rgb) for name, rgb in colours.items()}
print("# chart pixels in the screenshot:", found)
assert all(n >= 300 for n in found.values()), found
PY
then
  pass "the screenshot is A4-shaped (1240x1754) and shows the bars of the monthly and activity charts"
else
  fail "the screenshot is A4-shaped (1240x1754) and shows the bars of the monthly and activity charts"
fi

if [[ -s $WORK/report.pdf ]] && python3 - "$WORK/report.pdf" <<'PY'
import re, sys
pdf = open(sys.argv[1], "rb").read()
boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]", pdf)
assert boxes, "no page sizes"
assert all(abs(float(w) - 595.92) < 2 and abs(float(h) - 842.88) < 2 for w, h in boxes), boxes
print("# the PDF has", len(boxes), "A4 pages")
PY
then pass "Chromium prints the page on A4"
else fail "Chromium prints the page on A4"; fi

# --- The catalogue names and groups the activities --------------------------------------------
# Defined after the entries: a report reads the catalogue as it stands, so the same period's
# "Hours by activity" now shows titles grouped by category (codes it does not hold stay as they
# were recorded; free text with a space is no code).
must activity define hcct gardening --title "Help in the garden" --category "Outdoors and care"
must activity define hcct mentoring --title "Mentoring" --category "Outdoors and care"
must offer define hcct lunch --title "Lunch at the café" --price 1h --to cafe
expect 0 "hours by activity show catalogue titles, grouped by category" \
  '^Hours by activity$' \
  '^Outdoors and care \(Help in the garden, Mentoring\) +6 +10 hours 15 minutes$' \
  '^Lunch at the café +2 +2 hours 30 minutes$' '^cooking lunch +2 +5 hours$' \
  -- report hcct --from "$FROM" --to "$TO"

# --- A member's statement in their language ------------------------------------------------------
# Bob's nine entries: the catalogue's titles, not codes, and his kiosk language once it is set.
expect 0 "a statement is in English with the catalogue's titles while no language is set" \
  '^Statement for Bob Okafor \(bob\), bank hcct$' ' exchange +Alice Brown \(alice\) +Help in the garden ' \
  ' spend +Community café \(cafe\) +Lunch at the café ' '^9 entries\. Closing balance: ' \
  -- statement hcct bob
expect 0 "a coordinator sets Bob's language to Polish" 'The kiosk speaks pl to Bob Okafor' \
  -- account set-language hcct bob --language pl
expect 0 "Bob's statement is then in Polish, plurals included" \
  '^Wyciąg: Bob Okafor \(bob\), bank hcct$' '^Nr +Data +Rodzaj +Z kim +Zajęcie +Czas +Saldo$' \
  ' wymiana +Alice Brown \(alice\) +Help in the garden +-1 godzina 30 minut ' \
  ' wydatek +Community café \(cafe\) +Lunch at the café +-1 godzina ' \
  '^9 wpisów\. Saldo końcowe: ' \
  -- statement hcct bob
if [[ $OUT == *"Closing balance"* || $OUT == *" gardening "* ]]; then
  fail "no English word and no code is left in Bob's Polish statement"
else pass "no English word and no code is left in Bob's Polish statement"; fi
expect 0 "statement-report is in Bob's language too" \
  '^Wpisy zapisane od [0-9]+ [a-zźż]+ [0-9]{4} do ' '^Saldo początkowe: 0 godzin$' \
  '^  Saldo końcowe: +' \
  -- statement-report hcct bob --from "$FROM" --to "$TO"
expect 0 "--language writes one statement in another language" \
  '^كشف حساب Bob Okafor \(bob\)، بنك hcct$' '^٩ قيود\. الرصيد الختامي: ' \
  -- statement hcct bob --language ar
# A partner reads its own account's statement, though it may not read a member's card.
make_token partner hcct cafe-till --account cafe
expect 0 "a partner's statement of its own account is written, in English" \
  '^Statement for Community café \(cafe\), bank hcct$' \
  -- --token-file "$WORK/cafe-till.token" statement hcct cafe
expect 2 "--language that statements are not written in is a usage error" \
  "is not a language statements are written in: en, bn, ar, pl" \
  -- statement hcct bob --language so
expect 0 "the statement's CSV keeps its columns and adds Bob's words" '^Wrote the statement to ' \
  -- statement-report hcct bob --from "$FROM" --to "$TO" --format csv --out "$WORK/bob.csv"
if python3 - "$WORK/bob.csv" <<'PY'
import csv, sys
raw = open(sys.argv[1], "rb").read().decode("utf-8-sig")
rows = list(csv.DictReader(raw.splitlines(keepends=True)))
lunch = next(r for r in rows if r["activity"] == "lunch")
assert lunch["kind"] == "spend" and lunch["kind_text"] == "wydatek", lunch
assert lunch["activity_title"] == "Lunch at the café", lunch
assert list(rows[0])[:7] == ["seq", "recorded_on", "occurred_on", "kind", "reverses_seq",
                             "with_account_id", "activity"], list(rows[0])
PY
then pass "the CSV has kind_text and activity_title after the columns for machines"
else fail "the CSV has kind_text and activity_title after the columns for machines"; fi
must account set-language hcct bob --clear
expect 0 "with the language cleared, the statement is in English again" \
  '^9 entries\. Closing balance: ' \
  -- statement hcct bob

if [[ -n ${TIMELEDGER_KEEP_ARTIFACTS:-} ]]; then
  mkdir -p "$TIMELEDGER_KEEP_ARTIFACTS"
  cp -r "$HTML" "$WORK/report.png" "$WORK/report.pdf" "$WORK/csv" "$WORK/alice.csv" \
    "$TIMELEDGER_KEEP_ARTIFACTS"/ 2>/dev/null || true
  run report hcct --from "$FROM" --to "$TO" --compare
  echo "$OUT" >"$TIMELEDGER_KEEP_ARTIFACTS/report.txt"
  echo "# artifacts kept in $TIMELEDGER_KEEP_ARTIFACTS"
fi

finish "report e2e"
