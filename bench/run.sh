#!/usr/bin/env bash
# The whole comparison in one command: builds timeledgerd and the load generator (Release), starts a
# fresh server on a temp data dir, opens the bench accounts, measures the transport's ceiling,
# durable RecordEntry, durable RecordEntries batches and GetAccount, runs the PostgreSQL peer
# (../shared/peers/postgres/run.sh) at the same concurrencies, and prints one table of absolute
# figures, ratios and the targets of issue 7. docs/PERFORMANCE.md explains the figures.
#
#   bench/run.sh              full run (BENCH_SECONDS=10 per measurement, 10,000 accounts)
#   bench/run.sh --smoke      CI's check that the benchmark still runs: 1 s each, 2,000 accounts,
#                             no PostgreSQL; fails only if a workload had errors, never on timings
#   bench/run.sh --large      also fills a bank of 1,000,000 accounts and 10,000,000 entries,
#                             restarts the server on it, and measures again (slow: tens of minutes)
#   options: --build-dir DIR (default build-bench); --no-build (use the binaries in DIR as they are)
#
# Environment: BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_ACCOUNTS, BENCH_BATCH_CONCURRENCY (16),
# BENCH_CLIENT_THREADS (1), BENCH_CHANNELS (1), BENCH_POSTGRES=0 to skip the peer, BENCH_SERVER
# (a timeledgerd binary other than the one built), BENCH_LARGE_ACCOUNTS, BENCH_LARGE_ENTRIES,
# BENCH_CATCHUP_ENTRIES (entries added before the change feed's catch-up, default 0: it reads
# what the run recorded; the exchange plan holds 944 entries per account, so 10,000,000 needs
# BENCH_ACCOUNTS=14000, and the catch-up waits for the server to settle after the fill).
# Raw key=value figures, the table and the server's log go to bench/results/ (not committed).
# Exit status: 0 when every workload ran without errors; 1 otherwise, or when the server could not
# start; 2 on a usage error. Timings never fail the run.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
mode=full
build_dir=$repo/build-bench
build=1
large=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --smoke) mode=smoke ;;
    --large) large=1 ;;
    --build-dir) build_dir=$(realpath -m "$2"); shift ;;
    --no-build) build=0 ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
    *) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [[ $mode == smoke ]]; then
  seconds=${BENCH_SECONDS:-1}
  warmup=${BENCH_WARMUP_SECONDS:-0.2}
  accounts=${BENCH_ACCOUNTS:-2000}
  postgres=0
else
  seconds=${BENCH_SECONDS:-10}
  warmup=${BENCH_WARMUP_SECONDS:-2}
  accounts=${BENCH_ACCOUNTS:-10000}
  postgres=${BENCH_POSTGRES:-1}
fi
batch_concurrency=${BENCH_BATCH_CONCURRENCY:-16}
client_threads=${BENCH_CLIENT_THREADS:-1}
channels=${BENCH_CHANNELS:-1}
large_accounts=${BENCH_LARGE_ACCOUNTS:-1000000}
large_entries=${BENCH_LARGE_ENTRIES:-10000000}

say() { echo "bench: $*" >&2; }

# --- build -----------------------------------------------------------------------------------
if [[ $build == 1 ]]; then
  if [[ ! -f $build_dir/CMakeCache.txt ]]; then
    say "configuring $build_dir (Release)"
    cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DTIMELEDGER_BUILD_TESTS=OFF >/dev/null
  fi
  targets=(timeledger-loadgen)
  [[ -n ${BENCH_SERVER:-} ]] || targets+=(timeledgerd)
  say "building ${targets[*]} in $build_dir"
  ninja -C "$build_dir" "${targets[@]}" >/dev/null
fi
server_bin=${BENCH_SERVER:-$build_dir/services/timeledgerd}
loadgen=$build_dir/bench/timeledger-loadgen
for bin in "$server_bin" "$loadgen"; do
  [[ -x $bin ]] || { say "missing $bin (build it, or drop --no-build)"; exit 1; }
done
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt" 2>/dev/null ||
  true)

# --- results ---------------------------------------------------------------------------------
results_dir=$repo/bench/results
mkdir -p "$results_dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)-$mode
kv=$results_dir/$stamp.kv
table=$results_dir/$stamp.table
server_log=$results_dir/$stamp.server.log
: >"$kv"
put() { echo "$1=$2" >>"$kv"; }

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
put meta_mode "$mode"
put meta_date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
put meta_git_rev "$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
put meta_build_type "${build_type:-unknown}"
put meta_nproc "$(nproc)"
put meta_cpu "${cpu_model:-unknown}"
put meta_mem_gib "$(awk '/MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)"
put meta_seconds "$seconds"
put meta_warmup_seconds "$warmup"
put meta_accounts "$accounts"
put meta_client_threads "$client_threads"
put meta_channels "$channels"
# Other processes on the machine distort every figure; the load average says how much there was.
put meta_loadavg_start "$(cut -d ' ' -f 1-3 /proc/loadavg)"

# --- server ----------------------------------------------------------------------------------
free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  return 1
}

data_dir=$(mktemp -d /tmp/timeledger-bench.XXXXXX)
server_pid=
failures=0

# start_server KEY: starts timeledgerd on $data_dir, waits for "listening on", and records how long
# that took as KEY_ready_ms. Exits the script if the server does not come up within 60 s.
start_server() {
  local key=$1 start_ns
  port=$(free_port) || { say "no free port"; exit 1; }
  target=127.0.0.1:$port
  say "starting $server_bin on $target, data dir $data_dir"
  start_ns=$(date +%s%N)
  echo "--- $key: $server_bin --listen $target --data-dir $data_dir" \
    "--watch-streams-per-token 32" >>"$server_log"
  # The watch workload's 16 watchers share the admin token: more streams than the default 8.
  "$server_bin" --listen "$target" --data-dir "$data_dir" --watch-streams-per-token 32 \
    >>"$server_log" 2>&1 &
  server_pid=$!
  # The load generator acts as the admin whose token timeledgerd writes on first start.
  export TIMELEDGER_TOKEN_FILE="$data_dir/admin.token"
  for _ in $(seq 1 1200); do
    # The log holds every start of this run: wait for one more "listening on" than before.
    if [[ $(grep -c "listening on" "$server_log" || true) -gt $starts ]]; then
      starts=$((starts + 1))
      put "${key}_ready_ms" $(( ($(date +%s%N) - start_ns) / 1000000 ))
      return 0
    fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  say "server did not become ready; its log:"; sed 's/^/  /' "$server_log" >&2
  exit 1
}
starts=0

# stop_server [KEY]: records the server's peak RSS as KEY_peak_rss_kib, sends SIGTERM, and records
# how long it took to exit as KEY_stop_ms (SIGKILL after 30 s).
stop_server() {
  local key=${1:-} stop_ns
  [[ -n $server_pid ]] || return 0
  if [[ -n $key && -r /proc/$server_pid/status ]]; then
    put "${key}_peak_rss_kib" "$(awk '/^VmHWM/ {print $2}' "/proc/$server_pid/status")"
  fi
  stop_ns=$(date +%s%N)
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$server_pid" 2>/dev/null; then
    say "server did not exit 30 s after SIGTERM; killing it"
    kill -KILL "$server_pid" 2>/dev/null || true
    failures=$((failures + 1))
  fi
  wait "$server_pid" 2>/dev/null || true
  [[ -z $key ]] || put "${key}_stop_ms" $(( ($(date +%s%N) - stop_ns) / 1000000 ))
  server_pid=
}
cleanup() { stop_server; rm -rf "$data_dir"; }

# settle_server KEY: waits (3 minutes at most) until the server uses under 5 % of a core over a
# second, as after its compactions, and records how long that took as KEY_settle_ms.
settle_server() {
  local key=$1 start_ns ticks before after
  start_ns=$(date +%s%N)
  ticks=$(getconf CLK_TCK)
  for _ in $(seq 1 180); do
    [[ -r /proc/$server_pid/stat ]] || break
    before=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
    sleep 1
    after=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
    (( (after - before) * 20 < ticks )) && break
  done
  put "${key}_settle_ms" $(( ($(date +%s%N) - start_ns) / 1000000 ))
}
trap cleanup EXIT

# Entries follow the load generator's exchange plan (bench/exchange_plan.h), which keeps every
# entry within the default policy's rules. Each run against a bank continues the plan where the
# last one stopped, and all are dated back from the same day.
anchor_unix_seconds=$(( $(date +%s) / 86400 * 86400 ))
declare -A next_entry=([bench]=0 [open]=0 [large]=0)
bank=bench
bank_accounts=$accounts

# measure LABEL WORKLOAD CONCURRENCY [LOADGEN FLAGS...]: runs one workload against $bank, appends
# its figures to the results as LABEL_key=value, and counts it as failed if any operation failed.
measure() {
  local label=$1 workload=$2 concurrency=$3 rc=0 out
  shift 3
  if ! kill -0 "$server_pid" 2>/dev/null; then
    say "$label: the server is gone"; put "${label}_errors" "server-exited"
    failures=$((failures + 1)); return 0
  fi
  out=$("$loadgen" --target="$target" --bank="$bank" --accounts="$bank_accounts" \
        --first_entry="${next_entry[$bank]}" --anchor_unix_seconds="$anchor_unix_seconds" \
        --threads="$client_threads" --channels="$channels" --seconds="$seconds" \
        --warmup_seconds="$warmup" --workload="$workload" --concurrency="$concurrency" "$@") ||
    rc=$?
  sed "s/^/${label}_/" <<<"$out" >>"$kv"
  put "${label}_exit" "$rc"
  if [[ $rc != 0 ]]; then failures=$((failures + 1)); fi
  local ops p99 errors issued
  issued=$(sed -n 's/^entries_issued=//p' <<<"$out")
  next_entry[$bank]=$(( ${next_entry[$bank]} + ${issued:-0} ))
  ops=$(sed -n 's/^ops_per_s=//p' <<<"$out"); p99=$(sed -n 's/^p99_us=//p' <<<"$out")
  errors=$(sed -n 's/^errors=//p' <<<"$out")
  [[ -z $ops ]] ||
    say "$(printf '%-22s %10s ops/s  p99 %9s us  errors %s' "$label" "$ops" "$p99" "${errors:-?}")"
}

# measure_followed LABEL: RecordEntry at 16 in flight, as LABEL, while 16 watchers in a load
# generator of their own (standing for the partners' systems) follow the bank's entries.
measure_followed() {
  local label=$1 out pid rc=0
  out=$(mktemp)
  "$loadgen" --target="$target" --bank="$bank" --accounts="$bank_accounts" --workload=follow \
    --watchers=16 --seconds="$seconds" --warmup_seconds="$warmup" >"$out" 2>&1 &
  pid=$!
  for _ in $(seq 1 400); do
    grep -q '^following=' "$out" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  measure "$label" record 16
  wait "$pid" || rc=$?
  sed -n "s/^\(watch_[a-z_]*=\)/${label}_follower_\1/p" "$out" >>"$kv"
  if [[ $rc != 0 ]]; then
    say "$label: the followers failed: $(tail -n 3 "$out")"; failures=$((failures + 1))
  fi
  rm -f "$out"
}

# --- the empty ledger ------------------------------------------------------------------------
if ! plan=$("$loadgen" --workload=plan-check --accounts="$accounts"); then
  say "the exchange plan is broken: $plan"; exit 1
fi
start_server server
say "setup: bank 'bench' and $accounts accounts"
measure setup setup 64
for c in 1 16 64; do measure "health_c$c" health "$c"; done
for c in 1 16 64; do measure "record_c$c" record "$c"; done
# The cost of the rules (issue 3): the same durable single entries against a bank whose policy
# switches every rule off, interleaved with the default-policy bank so that both see the same
# machine. The exchange plan keeps every entry within the rules, so both banks record them all.
say "setup: bank 'open' with every rule off"
bank=open; measure setup_open setup 64 --rules=off
for c in 1 64; do
  bank=open; measure "rules_off_c$c" record "$c"
  bank=bench; measure "rules_on_c$c" record "$c"
done
for b in 100 1000; do
  measure "batch${b}_c$batch_concurrency" record-batch "$batch_concurrency" --batch_size="$b"
done
for c in 16 64; do measure "get_account_c$c" get-account "$c"; done
# The change feed (issue 19): delivery delay with 1 and 16 watchers of the bank's entries while
# RecordEntry runs at 16 in flight, and its throughput with 16 watchers against none, interleaved
# so that all see the same machine: watchers in the writers' own load generator (which measures
# the delay) and in one of their own, as partners' systems are; then one watcher reads the whole
# journal.
measure watch_w1_c16 watch 16 --watchers=1
for round in 1 2; do
  measure "watch_w0_c16_r$round" watch 16 --watchers=0
  measure "watch_w16_c16_r$round" watch 16 --watchers=16
  measure_followed "watch_w16p_c16_r$round"
done
if [[ ${BENCH_CATCHUP_ENTRIES:-0} -gt 0 ]]; then
  measure catchup_fill record-batch 4 --batch_size=1000 \
    --count=$(( (BENCH_CATCHUP_ENTRIES + 999) / 1000 )) --timeout_ms=60000
  # A watcher far behind reads a settled store: RocksDB compacts the fill for a minute or two, on
  # the same two cores, and a catch-up measured meanwhile measures the compaction.
  settle_server catchup
fi
measure catchup catch-up 1 --timeout_ms=600000
measure ledger stats 1

# --- the large ledger (--large): fill, restart, measure again --------------------------------
if [[ $large == 1 ]]; then
  bank=large
  bank_accounts=$large_accounts
  say "large: bank 'large' with $large_accounts accounts and $large_entries entries (takes a while)"
  measure large_setup setup 64
  measure large_fill record-batch 4 --batch_size=1000 --count=$(( (large_entries + 999) / 1000 )) \
    --timeout_ms=60000
  measure large_ledger stats 1
fi
stop_server server
# bytes_of PATTERN: the total size of the data dir's files named PATTERN.
bytes_of() { find "$data_dir" -name "$1" -printf '%s\n' | awk '{s += $1} END {print s + 0}'; }
put data_dir_bytes "$(du -sb "$data_dir" | cut -f 1)"
put data_dir_sst_bytes "$(bytes_of '*.sst')"
put data_dir_wal_bytes "$(bytes_of '*.log')"
if [[ $large == 1 ]]; then
  start_server large_server
  measure large_health_c64 health 64
  measure large_record_c1 record 1
  measure large_record_c64 record 64
  measure "large_batch1000_c$batch_concurrency" record-batch "$batch_concurrency" --batch_size=1000
  measure large_get_account_c64 get-account 64
  stop_server large_server
fi

# --- the PostgreSQL peer ---------------------------------------------------------------------
peer=$repo/../shared/peers/postgres/run.sh
if [[ $mode == smoke ]]; then
  put peer_postgres "skipped (smoke run)"
elif [[ $postgres != 1 ]]; then
  put peer_postgres "skipped (BENCH_POSTGRES=$postgres)"
elif [[ ! -x $peer ]]; then
  put peer_postgres "skipped (no $peer)"
else
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [[ $(id -u) == 0 ]]; then
    say "installing postgresql for the peer"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } \
      >/dev/null 2>&1 || say "could not install postgresql"
  fi
  say "running the PostgreSQL peer at 1, 16, 64 clients (${seconds} s each)"
  peer_rc=0
  peer_out=$(SECONDS_PER_RUN=$seconds "$peer" 1 16 64) || peer_rc=$?
  if [[ $peer_rc == 0 ]]; then
    echo "$peer_out" >>"$kv"; put peer_postgres ran
  elif [[ $peer_rc == 3 ]]; then
    put peer_postgres "skipped (PostgreSQL not installed)"
  else
    put peer_postgres "skipped (peer failed, exit $peer_rc)"
  fi
fi
put failures "$failures"

# --- the table -------------------------------------------------------------------------------
put meta_loadavg_end "$(cut -d ' ' -f 1-3 /proc/loadavg)"
awk -F= -v batch_c="$batch_concurrency" -f "$repo/bench/table.awk" "$kv" | tee "$table"
say "raw figures: $kv"
[[ $failures == 0 ]]
