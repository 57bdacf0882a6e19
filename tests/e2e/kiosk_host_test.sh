#!/usr/bin/env bash
# End-to-end test of the kiosk's host allowlist, Origin check and transport, with the real
# timeledgerd and timeledger-kiosk, and curl as the browser.
#
# Usage: kiosk_host_test.sh PATH/TO/timeledgerd PATH/TO/timeledger PATH/TO/timeledger-kiosk \
#                           PATH/TO/make_test_certs
#
# A request naming a foreign Host (a page rebound to 127.0.0.1) is refused with 421 and does
# nothing: five sign-ins with a wrong PIN through it leave the card unlocked. A POST without the
# kiosk's own Origin is refused with 403. The kiosk refuses plain HTTP on 0.0.0.0 unless
# --insecure-plaintext (then it warns), serves HTTPS with a certificate made at test time, keeps
# its limits over HTTPS, and names bad certificate files before anything listens.
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
if ! command -v curl >/dev/null; then
  echo "Bail out! curl is missing (scripts/setup.sh installs it)"
  exit 1
fi
SERVER_BIN=$(realpath "$1")
CLI_BIN=$(realpath "$2")
KIOSK_BIN=$(realpath "$3")
CERTS_BIN=$(realpath "$4")

source "$(dirname "$0")/harness.sh"

KIOSK_PID=""
KIOSK_LOG=""
KIOSK_PORT=""
stop_kiosk() {
  if [[ -n "$KIOSK_PID" ]]; then
    kill -TERM "$KIOSK_PID" 2>/dev/null || true
    wait "$KIOSK_PID" 2>/dev/null || true
    KIOSK_PID=""
  fi
}
trap 'stop_kiosk; cleanup' EXIT

CERTS="$WORK/certs"
mkdir -p "$CERTS"
"$CERTS_BIN" "$CERTS"
HTTPS=(--https-cert "$CERTS/server.pem" --https-key "$CERTS/server.key")

start_server
echo "# timeledgerd at $ADDRESS, data in $DATA_DIR"
run bank create hall --name "Riverside Hall"
run account open hall carl --kind person --name "Carl Evans"
run account set-card hall carl --number 1003
run account set-pin hall carl --pin 1111
make_token kiosk hall hall-kiosk
KIOSK_ARGS=(--server "$ADDRESS" --bank hall --token-file "$WORK/hall-kiosk.token")

# start_kiosk LISTEN_HOST ARGS...: starts the kiosk on LISTEN_HOST at a free port with ARGS and
# waits until it says where it is. Sets KIOSK_PID, KIOSK_PORT and KIOSK_LOG.
start_kiosk() {
  local listen_host=$1 attempt tenths port
  shift
  for ((attempt = 1; attempt <= START_ATTEMPTS_MAX; attempt++)); do
    port=$((20000 + RANDOM % 40000))
    if port_in_use "$port"; then continue; fi
    KIOSK_LOG="$WORK/kiosk-$(date +%s%N).log"
    "$KIOSK_BIN" --listen "$listen_host:$port" "${KIOSK_ARGS[@]}" "$@" >"$KIOSK_LOG" 2>&1 &
    KIOSK_PID=$!
    for ((tenths = 0; tenths < START_WAIT_TENTHS; tenths++)); do
      if grep -q "is on" "$KIOSK_LOG"; then
        KIOSK_PORT=$port
        return 0
      fi
      if ! kill -0 "$KIOSK_PID" 2>/dev/null; then break; fi
      sleep 0.1
    done
    stop_kiosk
    echo "# the kiosk did not start on port $port:"
    sed 's/^/#   /' "$KIOSK_LOG"
  done
  echo "Bail out! could not start the kiosk after $START_ATTEMPTS_MAX attempts"
  exit 1
}

# kiosk_refuses DESCRIPTION REGEX LISTEN_HOST ARGS...: the kiosk with ARGS exits non-zero at once,
# saying REGEX on stderr, and nothing listens on its port.
kiosk_refuses() {
  local description=$1 pattern=$2 listen_host=$3 status=0
  shift 3
  local port=$((20000 + RANDOM % 40000))
  LAST_ARGS="(timeledger-kiosk) --listen $listen_host:$port $*"
  timeout 30 "$KIOSK_BIN" --listen "$listen_host:$port" "${KIOSK_ARGS[@]}" "$@" \
    >"$WORK/out" 2>"$WORK/err" || status=$?
  RC=$status OUT=$(cat "$WORK/out") ERR=$(cat "$WORK/err")
  if [[ $status -ne 0 && $status -ne 124 ]] && grep -qE -- "$pattern" "$WORK/err" &&
    ! grep -q "is on" "$WORK/out" && ! port_in_use "$port"; then
    pass "$description"
  else
    fail "$description" "expected a non-zero exit before listening, and: $pattern"
  fi
}

# call METHOD URL [CURL_ARGS...]: one request with curl; sets CODE (000: no HTTP answer) and BODY.
call() {
  local method=$1 url=$2
  shift 2
  LAST_ARGS="(curl) -X $method $url $*"
  CODE=$(curl -sS --max-time 20 -o "$WORK/body" -w '%{http_code}' -X "$method" "$@" "$url" \
    2>"$WORK/curl-err") || true
  BODY=$(cat "$WORK/body" 2>/dev/null || true)
  rm -f "$WORK/body"
  RC=$CODE OUT=$BODY ERR=$(cat "$WORK/curl-err")
}

# expect_call CODE DESCRIPTION [REGEX] -- METHOD URL [CURL_ARGS...]
expect_call() {
  local code=$1 description=$2 pattern=""
  shift 2
  if [[ $1 != "--" ]]; then
    pattern=$1
    shift
  fi
  shift
  call "$@"
  if [[ $CODE == "$code" ]] && { [[ -z $pattern ]] || grep -qE -- "$pattern" <<<"$BODY"; }; then
    pass "$description"
  else
    fail "$description" "expected HTTP $code${pattern:+ and: $pattern}"
  fi
}

sign_in() {  # sign_in CARD PIN: the curl arguments of a sign-in body
  SIGN_IN=(-H "Content-Type: application/json" --data "{\"card\":\"$1\",\"pin\":\"$2\"}")
}

# --- The transport rule and bad files: refused before anything listens ----------------------

kiosk_refuses "the kiosk refuses plain HTTP on 0.0.0.0 and names --insecure-plaintext" \
  'refusing to serve plain HTTP on 0\.0\.0\.0:[0-9]+, which other machines can reach.*'\
'--https-cert and --https-key.*--insecure-plaintext' \
  0.0.0.0 --host kiosk.hall.test
kiosk_refuses "the kiosk says that --tls-cert is its certificate towards timeledgerd" \
  '--tls-cert and --tls-key are the kiosk.s certificate towards timeledgerd' \
  0.0.0.0 --host kiosk.hall.test --tls-ca "$CERTS/ca.pem" --tls-cert "$CERTS/client.pem" \
  --tls-key "$CERTS/client.key"
kiosk_refuses "the kiosk on 0.0.0.0 without --host says to give one" \
  '--listen 0\.0\.0\.0:[0-9]+ serves other machines.*give --host NAME' \
  0.0.0.0 --insecure-plaintext
kiosk_refuses "the kiosk names an HTTPS certificate file that does not exist" \
  'cannot read the HTTPS certificate file .*absent\.pem' \
  0.0.0.0 --host localhost --https-cert "$CERTS/absent.pem" --https-key "$CERTS/server.key"
kiosk_refuses "the kiosk refuses an HTTPS key that does not match its certificate" \
  'private key in .*client\.key does not match the certificate in .*server\.pem' \
  0.0.0.0 --host localhost --https-cert "$CERTS/server.pem" --https-key "$CERTS/client.key"
kiosk_refuses "the kiosk refuses a key file that holds no key" \
  'HTTPS key file .*server\.pem holds no unencrypted PEM private key' \
  127.0.0.1 --https-cert "$CERTS/server.pem" --https-key "$CERTS/server.pem"
kiosk_refuses "the kiosk refuses an HTTPS certificate without its key" \
  'needs its private key: give --https-key' 127.0.0.1 --https-cert "$CERTS/server.pem"
kiosk_refuses "the kiosk refuses a --host that is not a host name" \
  '--host http://kiosk\.hall\.test/ is not a host name' 127.0.0.1 --host http://kiosk.hall.test/

# --- Plain HTTP on loopback, with the default hosts ------------------------------------------

start_kiosk 127.0.0.1
BASE="http://127.0.0.1:$KIOSK_PORT"
OWN=(-H "Origin: $BASE")
REBOUND=(-H "Host: rebind.example:$KIOSK_PORT" -H "Origin: http://rebind.example:$KIOSK_PORT")
if ! grep -q "WARNING" "$KIOSK_LOG" &&
  grep -qF "answering to $BASE, http://localhost:$KIOSK_PORT" "$KIOSK_LOG"; then
  pass "the kiosk on loopback starts without a warning and names the hosts it answers to"
else
  fail "the kiosk on loopback starts without a warning and names the hosts it answers to" \
    "its log:" "$(cat "$KIOSK_LOG")"
fi

expect_call 200 "the page by its listen address" 'timeledger|<html' -- GET "$BASE/"
expect_call 200 "the page by localhost" -- GET "http://localhost:$KIOSK_PORT/api/status" \
  --resolve "localhost:$KIOSK_PORT:127.0.0.1"
expect_call 421 "the page by a rebound name is refused with a plain message" \
  '^This kiosk does not answer to that host name\.$' -- GET "$BASE/" "${REBOUND[@]}"
expect_call 421 "a request on another port's Host is refused" -- GET "$BASE/api/status" \
  -H "Host: 127.0.0.1:$((KIOSK_PORT + 1))"

sign_in 1003 0000
for attempt in 1 2 3 4 5 6; do
  expect_call 421 "a sign-in through a rebound name is refused ($attempt)" -- \
    POST "$BASE/api/sign-in" "${REBOUND[@]}" "${SIGN_IN[@]}"
done
expect_call 403 "a sign-in without an Origin is refused" \
  '^This kiosk takes changes only from its own page\.$' -- \
  POST "$BASE/api/sign-in" "${SIGN_IN[@]}"
expect_call 403 "a sign-in from a foreign Origin is refused" -- \
  POST "$BASE/api/sign-in" -H "Origin: http://evil.example" "${SIGN_IN[@]}"
expect_call 403 "a sign-in from the kiosk's origin over another scheme is refused" -- \
  POST "$BASE/api/sign-in" -H "Origin: https://127.0.0.1:$KIOSK_PORT" "${SIGN_IN[@]}"

# None of those eight wrong PINs counted: five would have locked the card.
sign_in 1003 1111
expect_call 200 "the refused sign-ins were no PIN tries: the right PIN opens the card" \
  '"session":"[^"]+"' -- POST "$BASE/api/sign-in" "${OWN[@]}" "${SIGN_IN[@]}"
SESSION=$(sed -E 's/.*"session":"([^"]+)".*/\1/' <<<"$BODY")
expect_call 421 "a member's data through a rebound name is refused" -- \
  GET "$BASE/api/me" "${REBOUND[@]}" -H "X-Kiosk-Session: $SESSION"
expect_call 200 "a member's data through the kiosk's own name" 'Carl' -- \
  GET "$BASE/api/me" -H "X-Kiosk-Session: $SESSION"
expect_call 403 "a sign-out from a foreign Origin is refused" -- \
  POST "$BASE/api/sign-out" -H "Origin: http://evil.example" -H "X-Kiosk-Session: $SESSION" \
  -H "Content-Type: application/json" --data '{}'
expect_call 200 "the session lives on after the refused sign-out" 'Carl' -- \
  GET "$BASE/api/me" -H "X-Kiosk-Session: $SESSION"
stop_kiosk

# --- Plain HTTP on 0.0.0.0 with --insecure-plaintext and a --host ----------------------------

start_kiosk 0.0.0.0 --insecure-plaintext --host kiosk.hall.test
HALL="http://kiosk.hall.test:$KIOSK_PORT"
RESOLVE=(--resolve "kiosk.hall.test:$KIOSK_PORT:127.0.0.1")
if grep -qE "WARNING: serving plain HTTP on 0\.0\.0\.0:$KIOSK_PORT.*--insecure-plaintext" \
  "$KIOSK_LOG"; then
  pass "--insecure-plaintext on 0.0.0.0 starts, with a warning"
else
  fail "--insecure-plaintext on 0.0.0.0 starts, with a warning" "its log:" "$(cat "$KIOSK_LOG")"
fi
expect_call 200 "the page by its --host name" -- GET "$HALL/" "${RESOLVE[@]}"
expect_call 421 "localhost is not answered once --host names the hosts" -- \
  GET "http://127.0.0.1:$KIOSK_PORT/" -H "Host: localhost:$KIOSK_PORT"
expect_call 200 "a sign-in from the --host's origin" '"session"' -- \
  POST "$HALL/api/sign-in" "${RESOLVE[@]}" -H "Origin: $HALL" "${SIGN_IN[@]}"
stop_kiosk

# --- HTTPS on 0.0.0.0 with a certificate made at test time -----------------------------------

start_kiosk 0.0.0.0 "${HTTPS[@]}" --host localhost
SECURE="https://localhost:$KIOSK_PORT"
TLS=(--cacert "$CERTS/ca.pem" --resolve "localhost:$KIOSK_PORT:127.0.0.1")
if grep -q "is on https://0.0.0.0:$KIOSK_PORT/" "$KIOSK_LOG" && ! grep -q WARNING "$KIOSK_LOG"; then
  pass "the kiosk serves HTTPS on 0.0.0.0 without a warning"
else
  fail "the kiosk serves HTTPS on 0.0.0.0 without a warning" "its log:" "$(cat "$KIOSK_LOG")"
fi
expect_call 200 "the page over HTTPS, its certificate checked against the test CA" \
  'timeledger|<html' -- GET "$SECURE/" "${TLS[@]}"
expect_call 200 "a sign-in over HTTPS from the https origin" '"session"' -- \
  POST "$SECURE/api/sign-in" "${TLS[@]}" -H "Origin: $SECURE" "${SIGN_IN[@]}"
expect_call 403 "a sign-in over HTTPS from the http origin is refused" -- \
  POST "$SECURE/api/sign-in" "${TLS[@]}" -H "Origin: http://localhost:$KIOSK_PORT" "${SIGN_IN[@]}"
expect_call 421 "a rebound name over HTTPS is refused" -- \
  GET "$SECURE/" "${TLS[@]}" -H "Host: rebind.example:$KIOSK_PORT"
expect_call 413 "a body over the limit over HTTPS" -- \
  POST "$SECURE/api/sign-in" "${TLS[@]}" -H "Origin: $SECURE" \
  -H "Content-Type: application/json" --data "{\"card\":\"$(printf '1%.0s' {1..10000})\"}"
expect_call 000 "plain HTTP to the HTTPS port gets no page" -- \
  GET "http://127.0.0.1:$KIOSK_PORT/"

# The connection limit holds over HTTPS: with 64 connections open (not even a handshake), the
# next is closed at once; and one that sends nothing is closed after the request timeout.
fds=()
for ((i = 0; i < 64; i++)); do
  exec {fd}<>"/dev/tcp/127.0.0.1/$KIOSK_PORT"
  fds+=("$fd")
done
started=$SECONDS
exec {extra}<>"/dev/tcp/127.0.0.1/$KIOSK_PORT"
status=0
read -r -t 5 -u "$extra" _ || status=$?
exec {extra}>&-
if [[ $status -eq 1 ]]; then
  pass "over HTTPS, the 65th connection is closed at once"
else
  fail "over HTTPS, the 65th connection is closed at once" "read status $status"
fi
status=0
read -r -t 20 -u "${fds[0]}" _ || status=$?
waited=$((SECONDS - started))
for fd in "${fds[@]}"; do exec {fd}>&-; done
if [[ $status -eq 1 && $waited -ge 8 && $waited -le 15 ]]; then
  pass "over HTTPS, a connection without a handshake is closed after the request timeout"
else
  fail "over HTTPS, a connection without a handshake is closed after the request timeout" \
    "read status $status after $waited s"
fi
expect_call 200 "the kiosk answers again once those connections are gone" -- \
  GET "$SECURE/api/status" "${TLS[@]}"
stop_kiosk

stop_server
finish kiosk_host_test
