# The shared harness of the end-to-end tests: a real timeledgerd on a free loopback port with a
# fresh data directory, the real CLI run against it, and checks that count "ok" and "FAIL".
#
# Source it after setting SERVER_BIN and CLI_BIN. It sets a trap that always kills the server and
# removes the work directory. Call finish at the end: it prints "N passed, M failed" and exits.

readonly START_ATTEMPTS_MAX=10   # ports tried before giving up
readonly START_WAIT_TENTHS=150   # how long one start may take, in tenths of a second
readonly STOP_WAIT_TENTHS=150    # how long SIGTERM may take to stop the server

WORK=$(mktemp -d "${TMPDIR:-/tmp}/timeledger-cli-e2e.XXXXXX")
DATA_DIR="$WORK/data"
SERVER_PID=""
SERVER_LOG=""
ADDRESS=""
PASSED=0
FAILED=0

# The last CLI run: its arguments, exit code, stdout and stderr.
LAST_ARGS=""
RC=0
OUT=""
ERR=""

cleanup() {
  if [[ -n "$SERVER_PID" ]]; then
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

pass() {
  PASSED=$((PASSED + 1))
  echo "ok   - $1"
}

# fail DESCRIPTION [DETAIL...]: counts a failure and shows the last CLI run.
fail() {
  FAILED=$((FAILED + 1))
  echo "FAIL - $1"
  shift
  for detail in "$@"; do echo "       $detail"; done
  echo "       last command: timeledger $LAST_ARGS"
  echo "       exit code: $RC"
  sed 's/^/       stdout| /' <<<"$OUT"
  sed 's/^/       stderr| /' <<<"$ERR"
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# start_server: starts timeledgerd on DATA_DIR at a free random port (with the flags in the array
# SERVER_ARGS, if the test sets it) and waits until it says "listening on". Sets SERVER_PID and
# ADDRESS. Exits the test if it cannot.
start_server() {
  local attempt tenths port
  for ((attempt = 1; attempt <= START_ATTEMPTS_MAX; attempt++)); do
    port=$((20000 + RANDOM % 40000))
    if port_in_use "$port"; then continue; fi
    SERVER_LOG="$WORK/server-$(date +%s%N).log"
    "$SERVER_BIN" --listen "127.0.0.1:$port" --data-dir "$DATA_DIR" \
      "${SERVER_ARGS[@]+"${SERVER_ARGS[@]}"}" >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    for ((tenths = 0; tenths < START_WAIT_TENTHS; tenths++)); do
      if grep -q "listening on" "$SERVER_LOG"; then
        ADDRESS="127.0.0.1:$port"
        # The CLI acts as the admin whose token timeledgerd made on first start, unless a
        # command gives --token-file.
        export TIMELEDGER_TOKEN_FILE="$DATA_DIR/admin.token"
        return 0
      fi
      if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
      sleep 0.1
    done
    # It died (most likely the port was taken meanwhile) or never became ready: try another.
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
    echo "# timeledgerd did not start on port $port:"
    sed 's/^/#   /' "$SERVER_LOG"
  done
  echo "Bail out! could not start timeledgerd after $START_ATTEMPTS_MAX attempts"
  exit 1
}

# make_token ROLE BANK NAME [OPTION...]: as the admin, makes a token for the principal NAME of
# BANK in $WORK/NAME.token (use it with --token-file). Exits the test if it cannot.
make_token() {
  local role=$1 bank=$2 name=$3
  shift 3
  run token create --role "$role" --bank "$bank" --name "$name" --out "$WORK/$name.token" "$@"
  if [[ $RC -ne 0 ]]; then
    fail "a $role token for $name is made"
    echo "Bail out! cannot make tokens"
    exit 1
  fi
}

# stop_server: SIGTERM, then checks that the server stops in time and exits cleanly.
stop_server() {
  local tenths status=0
  kill -TERM "$SERVER_PID"
  for ((tenths = 0; tenths < STOP_WAIT_TENTHS; tenths++)); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    fail "timeledgerd stops within $((STOP_WAIT_TENTHS / 10)) s of SIGTERM"
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  wait "$SERVER_PID" || status=$?
  SERVER_PID=""
  if [[ $status -eq 0 ]]; then
    pass "timeledgerd stops cleanly on SIGTERM"
  else
    fail "timeledgerd stops cleanly on SIGTERM" "exit status $status; its log:" \
      "$(cat "$SERVER_LOG")"
  fi
}

# run ARGS...: runs the CLI against the test server; sets RC, OUT and ERR.
run() {
  run_at "$ADDRESS" "$@"
}

# run_at ADDRESS ARGS...: as run, against another address.
run_at() {
  local address=$1
  shift
  LAST_ARGS="--server $address $*"
  RC=0
  "$CLI_BIN" --server "$address" "$@" >"$WORK/out" 2>"$WORK/err" || RC=$?
  OUT=$(cat "$WORK/out")
  ERR=$(cat "$WORK/err")
}

# expect CODE DESCRIPTION [REGEX...] -- ARGS...: runs the CLI with ARGS and checks its exit code
# and that each extended REGEX matches a line of stdout (exit 0) or of stderr (otherwise).
expect() {
  local code=$1 description=$2
  shift 2
  local patterns=()
  while [[ $1 != "--" ]]; do
    patterns+=("$1")
    shift
  done
  shift
  run "$@"
  check "$code" "$description" "${patterns[@]+"${patterns[@]}"}"
}

# check_command CODE DESCRIPTION REGEX COMMAND...: runs a program other than the CLI.
check_command() {
  local code=$1 description=$2 pattern=$3
  shift 3
  LAST_ARGS="(not the CLI) $*"
  RC=0
  "$@" >"$WORK/out" 2>"$WORK/err" || RC=$?
  OUT=$(cat "$WORK/out")
  ERR=$(cat "$WORK/err")
  check "$code" "$description" "$pattern"
}

# check CODE DESCRIPTION [REGEX...]: checks the last run, as expect does.
check() {
  local code=$1 description=$2
  shift 2
  if [[ $RC -ne $code ]]; then
    fail "$description" "expected exit code $code"
    return 0
  fi
  local text=$OUT
  if [[ $code -ne 0 ]]; then text=$ERR; fi
  local pattern
  for pattern in "$@"; do
    if ! grep -qE -- "$pattern" <<<"$text"; then
      fail "$description" "no line matches: $pattern"
      return 0
    fi
  done
  pass "$description"
}

# The first line of a refusal: "error: <message> (<REASON>)".
readonly REFUSAL='^error: .+ \([A-Z][A-Z_]+\)$'

# finish NAME: prints the count line and exits 0 only if every check passed.
finish() {
  echo "$1: $PASSED passed, $FAILED failed"
  [[ $FAILED -eq 0 ]]
  exit $?
}
