#!/usr/bin/env bash
# How long `timeledger import` takes to move a large bank in (issue: 1,000,000 entries in at most
# 60 s). Writes a bank's generic files (accounts.csv with ACCOUNTS accounts, entries.csv with
# ENTRIES exchanges spread over six years), starts a fresh timeledgerd on a temp data dir (durable,
# as always), creates the bank and times the import end to end: reading and checking the files,
# opening the accounts, recording every entry as imported, and comparing every balance. Then it
# times the same import again (which records nothing) and verifies the bank.
#
#   bench/import.sh [--build-dir DIR]     (default build; the binaries must be built)
#
# Environment: IMPORT_ENTRIES (1000000), IMPORT_ACCOUNTS (2000), IMPORT_POSTGRES=0 to skip the
# peer. The peer (../shared/peers/postgres/run.sh) is the ledger TimeOverflow keeps, whose own
# TransferImporter saves one transfer per transaction: its durable transfers per second at one
# client give the time the same rows would take it. Prints key=value figures and the load
# average; writes them to bench/results/<time>-import.txt (not committed).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$repo/build
if [[ ${1:-} == --build-dir ]]; then build_dir=$(realpath "$2"); fi
entries=${IMPORT_ENTRIES:-1000000}
accounts=${IMPORT_ACCOUNTS:-2000}
server_bin=$build_dir/services/timeledgerd
cli_bin=$build_dir/clients/cli/timeledger
for bin in "$server_bin" "$cli_bin"; do
  [[ -x $bin ]] || { echo "error: $bin is not built" >&2; exit 2; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/timeledger-import-bench.XXXXXX")
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill -KILL "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

python3 - "$work" "$entries" "$accounts" <<'EOF'
import random, sys, datetime
work, entries, accounts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(5)
with open(f"{work}/accounts.csv", "w") as out:
    out.write("account_id,name,kind,joined_on\n")
    for i in range(accounts):
        out.write(f"p{i},Person {i},person,2019-0{1 + i % 9}-1{i % 10}\n")
start = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc).timestamp()
span = 6 * 365 * 86400
with open(f"{work}/entries.csv", "w") as out:
    out.write("entry_id,occurred_at,kind,from_account_id,to_account_id,minutes,activity,note\n")
    lines = []
    for n in range(entries):
        a = rng.randrange(accounts)
        b = rng.randrange(accounts - 1)
        b = b + 1 if b >= a else b
        when = datetime.datetime.fromtimestamp(start + rng.randrange(span), datetime.timezone.utc)
        lines.append(f"x{n},{when.strftime('%Y-%m-%dT%H:%M:%SZ')},exchange,p{a},p{b},"
                     f"{rng.choice((15, 30, 45, 60, 90, 120))},gardening,\n")
        if len(lines) == 100000:
            out.writelines(lines)
            lines = []
    out.writelines(lines)
EOF
ls -l "$work"/*.csv | awk '{print "# " $5 " bytes " $9}'

port=$((20000 + RANDOM % 40000))
"$server_bin" --listen "127.0.0.1:$port" --data-dir "$work/data" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 150); do grep -q "listening on" "$work/server.log" && break; sleep 0.1; done
export TIMELEDGER_TOKEN_FILE=$work/data/admin.token
cli=("$cli_bin" --server "127.0.0.1:$port")
"${cli[@]}" bank create moved --name "Moved in" >/dev/null

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s.%N)
"${cli[@]}" import generic --bank moved "$work/accounts.csv" "$work/entries.csv" >"$work/first.out"
t1=$(date +%s.%N)
"${cli[@]}" import generic --bank moved "$work/accounts.csv" "$work/entries.csv" >"$work/second.out"
t2=$(date +%s.%N)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
"${cli[@]}" audit verify moved >"$work/verify.out"
t3=$(date +%s.%N)

kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
peer=""
if [[ ${IMPORT_POSTGRES:-1} != 0 && -x $repo/../shared/peers/postgres/run.sh ]]; then
  peer=$(SECONDS_PER_RUN=10 "$repo/../shared/peers/postgres/run.sh" 1 2>/dev/null |
         sed -n 's/^peer_postgres_transfer_tps_c1=//p' || true)
fi

mkdir -p "$repo/bench/results"
result=$repo/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-import.txt
{
  echo "import_entries=$entries"
  echo "import_accounts=$accounts"
  echo "import_seconds=$(echo "$t1 - $t0" | bc)"
  echo "import_entries_per_s=$(echo "$entries / ($t1 - $t0)" | bc)"
  echo "import_again_seconds=$(echo "$t2 - $t1" | bc)"
  echo "verify_seconds=$(echo "$t3 - $t2" | bc)"
  if [[ -n $peer ]]; then
    echo "peer_postgres_transfer_tps_c1=$peer"
    echo "peer_postgres_import_seconds=$(echo "$entries / $peer" | bc)"
  fi
  echo "load_before=$load_before"
  echo "load_after=$load_after"
  echo "cpus=$(nproc)"
  grep -E "^Recorded|agrees" "$work/first.out" | sed 's/^/# first: /'
  grep -E "^Recorded|agrees" "$work/second.out" | sed 's/^/# again: /'
  sed 's/^/# /' "$work/verify.out" | tail -2
} | tee "$result"
