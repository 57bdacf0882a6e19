#!/usr/bin/env bash
# End-to-end test of transport security with the real binaries.
#
# Usage: tls_scenario_test.sh PATH/TO/timeledgerd PATH/TO/timeledger PATH/TO/timeledger-kiosk \
#                             PATH/TO/make_test_certs
#
# timeledgerd refuses plaintext on 0.0.0.0 and a key that does not match its certificate; then
# it serves mTLS on a free loopback port, and the CLI talks to it with its certificate given by
# options or by the environment, and is refused without one, in plaintext, or with a CA file
# that does not exist. The kiosk refuses a missing CA file before it starts.
set -euo pipefail

if [[ $# -ne 4 ]]; then
  echo "usage: $0 PATH/TO/timeledgerd PATH/TO/timeledger PATH/TO/timeledger-kiosk" \
    "PATH/TO/make_test_certs" >&2
  exit 2
fi
for binary in "$@"; do
  if [[ ! -x "$binary" ]]; then
    echo "Bail out! not an executable: $binary"
    exit 1
  fi
done
SERVER_BIN=$(realpath "$1")
CLI_BIN=$(realpath "$2")
KIOSK_BIN=$(realpath "$3")
CERTS_BIN=$(realpath "$4")

source "$(dirname "$0")/harness.sh"

CERTS="$WORK/certs"
mkdir -p "$CERTS"
"$CERTS_BIN" "$CERTS"
TLS_SERVER=(--tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key")
CLIENT=(--tls-ca "$CERTS/ca.pem" --tls-cert "$CERTS/client.pem" --tls-key "$CERTS/client.key")

# server_refuses DESCRIPTION REGEX ARGS...: timeledgerd with ARGS exits 1 at once, saying REGEX.
server_refuses() {
  local description=$1 pattern=$2 status=0
  shift 2
  timeout 30 "$SERVER_BIN" --data-dir "$DATA_DIR" "$@" >"$WORK/out" 2>"$WORK/err" || status=$?
  if [[ $status -eq 1 ]] && grep -qE -- "$pattern" "$WORK/err"; then
    pass "$description"
  else
    RC=$status OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err") LAST_ARGS="(timeledgerd) $*"
    fail "$description" "expected exit code 1 and: $pattern"
  fi
}

server_refuses "timeledgerd refuses plaintext on 0.0.0.0 and names --insecure-plaintext" \
  'refusing to serve plaintext on 0\.0\.0\.0:.*--insecure-plaintext' --listen 0.0.0.0:50999
server_refuses "timeledgerd refuses a key that does not match its certificate" \
  'private key in .*client\.key does not match the certificate' \
  --listen 127.0.0.1:50999 --tls-cert "$CERTS/server.pem" --tls-key "$CERTS/client.key"
server_refuses "timeledgerd names a certificate file that does not exist" \
  'cannot read the TLS certificate file .*absent\.pem' \
  --listen 127.0.0.1:50999 --tls-cert "$CERTS/absent.pem" --tls-key "$CERTS/server.key"

# Starts timeledgerd with mTLS required on a free loopback port, as harness.sh's start_server.
start_mtls_server() {
  local attempt tenths port
  for ((attempt = 1; attempt <= START_ATTEMPTS_MAX; attempt++)); do
    port=$((20000 + RANDOM % 40000))
    if port_in_use "$port"; then continue; fi
    SERVER_LOG="$WORK/server-$(date +%s%N).log"
    "$SERVER_BIN" --listen "127.0.0.1:$port" --data-dir "$DATA_DIR" "${TLS_SERVER[@]}" \
      --tls-client-ca "$CERTS/ca.pem" --tls-require-client-cert >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    for ((tenths = 0; tenths < START_WAIT_TENTHS; tenths++)); do
      if grep -q "listening on" "$SERVER_LOG"; then
        ADDRESS="127.0.0.1:$port"
        export TIMELEDGER_TOKEN_FILE="$DATA_DIR/admin.token"
        return 0
      fi
      if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
      sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
    echo "# timeledgerd did not start on port $port:"
    sed 's/^/#   /' "$SERVER_LOG"
  done
  echo "Bail out! could not start timeledgerd after $START_ATTEMPTS_MAX attempts"
  exit 1
}

start_mtls_server
echo "# timeledgerd at $ADDRESS over mTLS, data in $DATA_DIR"
if grep -q "listening on 127.0.0.1:.* over TLS, client certificates required (mTLS)" \
  "$SERVER_LOG"; then
  pass "timeledgerd says that it serves mTLS"
else
  fail "timeledgerd says that it serves mTLS" "its log:" "$(cat "$SERVER_LOG")"
fi

expect 0 "the CLI with the CA and its certificate creates a bank" 'hcct' \
  -- "${CLIENT[@]}" bank create hcct --name "Holy Cross Centre"
expect 0 "the CLI with the CA and its certificate lists the banks" '^hcct +Holy Cross Centre' \
  -- bank list "${CLIENT[@]}"

LAST_ARGS="(TIMELEDGER_TLS_CA, _CERT, _KEY) bank list"
RC=0
TIMELEDGER_TLS_CA="$CERTS/ca.pem" TIMELEDGER_TLS_CERT="$CERTS/client.pem" \
  TIMELEDGER_TLS_KEY="$CERTS/client.key" "$CLI_BIN" --server "$ADDRESS" bank list \
  >"$WORK/out" 2>"$WORK/err" || RC=$?
OUT=$(cat "$WORK/out")
ERR=$(cat "$WORK/err")
check 0 "the CLI takes its TLS files from the environment" '^hcct +Holy Cross Centre'

# A partner's token bound to its certificate (docs/SECURITY.md): works with that certificate,
# and a copy of it is refused with another certificate of the same CA.
OTHER_PARTNER=(--tls-ca "$CERTS/ca.pem" --tls-cert "$CERTS/second-client.pem"
  --tls-key "$CERTS/second-client.key")
expect 0 "the CLI opens the centre's account" 'Kind: +organisation' \
  -- "${CLIENT[@]}" account open hcct centre --kind organisation --name "Holy Cross Centre Trust"
expect 0 "token create --bind-cert binds a token to the certificate's subject" \
  '^Bound to client certificates of subject CN=partner-a\.$' \
  -- "${CLIENT[@]}" token create --role partner --bank hcct --name till --account centre \
  --bind-cert "$CERTS/client.pem" --out "$WORK/till.token"
expect 0 "the bound token works with its certificate" '^You are till, partner of hcct' \
  -- "${CLIENT[@]}" --token-file "$WORK/till.token" whoami
expect 1 "the bound token is refused with another certificate" 'CERTIFICATE_MISMATCH' \
  'presented_subject: CN=partner-b' \
  -- "${OTHER_PARTNER[@]}" --token-file "$WORK/till.token" whoami

expect 3 "the CLI without a client certificate is refused" 'cannot reach timeledgerd' \
  -- --tls-ca "$CERTS/ca.pem" bank list
expect 3 "the CLI with another CA's certificate is refused" 'cannot reach timeledgerd' \
  -- --tls-ca "$CERTS/ca.pem" --tls-cert "$CERTS/other-client.pem" \
  --tls-key "$CERTS/other-client.key" bank list
expect 3 "the CLI trusting another CA is refused, and says it is about TLS" \
  'cannot reach timeledgerd' '\(TLS: .*--tls-ca' \
  -- --tls-ca "$CERTS/other-ca.pem" --tls-cert "$CERTS/client.pem" \
  --tls-key "$CERTS/client.key" bank list
expect 3 "the CLI in plaintext is refused" 'cannot reach timeledgerd' -- bank list
expect 2 "the CLI names a CA file that does not exist, before any call" \
  'cannot read the TLS CA file .*absent\.pem' -- --tls-ca "$CERTS/absent.pem" bank list
expect 2 "the CLI refuses a client key that does not match its certificate" \
  'does not match the client certificate' \
  -- --tls-ca "$CERTS/ca.pem" --tls-cert "$CERTS/client.pem" --tls-key "$CERTS/server.key" \
  bank list
expect 2 "the CLI refuses a client certificate without its key" 'needs its private key' \
  -- --tls-cert "$CERTS/client.pem" bank list

LAST_ARGS="(timeledger-kiosk) --server $ADDRESS --tls-ca absent.pem"
RC=0
timeout 30 "$KIOSK_BIN" --listen 127.0.0.1:0 --server "$ADDRESS" --tls-ca "$CERTS/absent.pem" \
  --token-file "$WORK/kiosk.token" \
  >"$WORK/out" 2>"$WORK/err" || RC=$?
OUT=$(cat "$WORK/out")
ERR=$(cat "$WORK/err")
check 2 "the kiosk names a CA file that does not exist, before it serves" \
  'cannot read the TLS CA file .*absent\.pem'

stop_server
finish tls_scenario_test
