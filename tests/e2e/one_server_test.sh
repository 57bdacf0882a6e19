#!/usr/bin/env bash
# End-to-end test of "one server per ledger and per port" (issue 25, points 1 and 3), with the
# real timeledgerd, CLI and scripts/run.sh.
#
# Usage: one_server_test.sh PATH/TO/timeledgerd PATH/TO/timeledger PATH/TO/scripts/run.sh
#
# A second timeledgerd on a port in use, or on a data directory in use, refuses to start, says
# which in plain words and exits non-zero, and the first server keeps every call; run.sh exits
# non-zero when its server does; --restore-from restores, verifies and exits without listening
# (serving only with --serve).
set -euo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: $0 PATH/TO/timeledgerd PATH/TO/timeledger PATH/TO/scripts/run.sh" >&2
  exit 2
fi
SERVER_BIN=$(realpath "$1")
CLI_BIN=$(realpath "$2")
RUN_SH=$(realpath "$3")
source "$(dirname "$0")/harness.sh"

readonly REFUSE_WAIT_TENTHS=200  # how long a refused start may take to exit

# refused_start DESCRIPTION REGEX ARGS...: runs timeledgerd with ARGS, which must exit non-zero
# within the wait, with a line of its output matching REGEX.
refused_start() {
  local description=$1 pattern=$2 tenths status=0
  shift 2
  local log="$WORK/refused-$(date +%s%N).log"
  "$SERVER_BIN" "$@" >"$log" 2>&1 &
  local pid=$!
  for ((tenths = 0; tenths < REFUSE_WAIT_TENTHS; tenths++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null || true
    fail "$description" "it was still running after $((REFUSE_WAIT_TENTHS / 10)) s" "$(cat "$log")"
    return 0
  fi
  wait "$pid" || status=$?
  if [[ $status -eq 0 ]]; then
    fail "$description" "it exited 0" "$(cat "$log")"
  elif ! grep -qE -- "$pattern" "$log"; then
    fail "$description" "no line matches: $pattern" "$(cat "$log")"
  else
    pass "$description"
  fi
}

free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" || { echo "$port"; return; }
  done
}

start_server
expect 0 "a bank is created on the first server" -- bank create hcct --name "Holy Cross"

refused_start "a second server on the same address refuses to start, and says so" \
  "cannot listen on $ADDRESS: another program \(another timeledgerd\?\) already listens there" \
  --listen "$ADDRESS" --data-dir "$WORK/second"
refused_start "a second server on the same data directory refuses to start, and says so" \
  "the ledger at .* is in use by another timeledgerd \\(pid $SERVER_PID," \
  --listen "127.0.0.1:$(free_port)" --data-dir "$DATA_DIR"

all_first=1
for attempt in 1 2 3 4 5 6 7 8; do
  run bank list
  if [[ $RC -ne 0 ]] || ! grep -q hcct <<<"$OUT"; then all_first=0; fi
done
if [[ $all_first == 1 ]]; then
  pass "every call still reaches the first server"
else
  fail "every call still reaches the first server"
fi

# A restore is not a second server: it restores, verifies and exits, leaving the port alone.
expect 0 "a backup is made" -- backup
restore_log="$WORK/restore.log"
status=0
"$SERVER_BIN" --restore-from "$DATA_DIR/backups" --data-dir "$WORK/restored" \
  --listen "$ADDRESS" >"$restore_log" 2>&1 || status=$?
if [[ $status -eq 0 ]] && grep -q "restored and verified into $WORK/restored" "$restore_log" &&
    grep -q "bank hcct: OK" "$restore_log"; then
  pass "--restore-from restores, verifies and exits 0"
else
  fail "--restore-from restores, verifies and exits 0" "exit $status" "$(cat "$restore_log")"
fi
if grep -q "listening on" "$restore_log"; then
  fail "the restore did not listen" "$(cat "$restore_log")"
else
  pass "the restore did not listen"
fi
expect 0 "the first server still serves" 'hcct' -- bank list

# Served on a port of its own, the restored ledger names its own token, not the CLI's default.
stop_server
served_port=$(free_port)
served_log="$WORK/served.log"
"$SERVER_BIN" --data-dir "$WORK/restored" --listen "127.0.0.1:$served_port" >"$served_log" 2>&1 &
served=$!
for ((tenths = 0; tenths < 150; tenths++)); do
  grep -q "listening on" "$served_log" 2>/dev/null && break
  sleep 0.1
done
if grep -q "give it to the CLI with --token-file $WORK/restored/admin.token" "$served_log"; then
  pass "the restored ledger's server says how the CLI finds its admin token"
else
  fail "the restored ledger's server says how the CLI finds its admin token" "$(cat "$served_log")"
fi
TIMELEDGER_TOKEN_FILE="$WORK/restored/admin.token" run_at "127.0.0.1:$served_port" bank list
check 0 "the restored ledger is served with that token" 'hcct'
kill -TERM "$served"
wait "$served" || true

# run.sh ends non-zero when its server cannot start: here its port is taken.
start_server
run_log="$WORK/run.log"
status=0
TIMELEDGER_SKIP_BUILD=1 TIMELEDGER_BUILD_DIR=$(dirname "$(dirname "$SERVER_BIN")") \
  TIMELEDGER_LISTEN="$ADDRESS" \
  TIMELEDGER_KIOSK_LISTEN="127.0.0.1:$(free_port)" TIMELEDGER_DATA_DIR="$WORK/run-data" \
  timeout 600 "$RUN_SH" >"$run_log" 2>&1 || status=$?
if [[ $status -ne 0 && $status -ne 124 ]] && grep -q "already listens there" "$run_log"; then
  pass "run.sh exits non-zero ($status) when its server cannot start"
else
  fail "run.sh exits non-zero when its server cannot start" "exit $status" "$(tail -20 "$run_log")"
fi
stop_server

# And 0 after a clean stop by SIGTERM or SIGINT, once it runs, also as a background job of this
# (non-interactive) script, which starts it with SIGINT ignored.
for stop_signal in TERM INT; do
  run_log="$WORK/run-clean-$stop_signal.log"
  TIMELEDGER_SKIP_BUILD=1 TIMELEDGER_BUILD_DIR=$(dirname "$(dirname "$SERVER_BIN")") \
    TIMELEDGER_LISTEN="127.0.0.1:$(free_port)" TIMELEDGER_KIOSK_LISTEN="127.0.0.1:$(free_port)" \
    TIMELEDGER_DATA_DIR="$WORK/run-clean-$stop_signal" "$RUN_SH" >"$run_log" 2>&1 &
  run_pid=$!
  for ((tenths = 0; tenths < 300; tenths++)); do
    grep -q "kiosk.*http" "$run_log" 2>/dev/null && grep -q "listening on" "$run_log" && break
    sleep 0.1
  done
  kill -"$stop_signal" "$run_pid"
  status=0
  for ((tenths = 0; tenths < 300; tenths++)); do
    kill -0 "$run_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$run_pid" 2>/dev/null; then
    fail "run.sh in the background stops on SIG$stop_signal" "still running after 30 s" \
      "$(tail -20 "$run_log")"
    pkill -KILL -P "$run_pid" 2>/dev/null || true
    kill -KILL "$run_pid" 2>/dev/null || true
  fi
  wait "$run_pid" || status=$?
  if [[ $status -eq 0 ]] && grep -q "stopped cleanly" "$run_log"; then
    pass "run.sh in the background exits 0 after a clean stop by SIG$stop_signal"
  else
    fail "run.sh in the background exits 0 after a clean stop by SIG$stop_signal" "exit $status" \
      "$(tail -20 "$run_log")"
  fi
done

finish one_server_test
