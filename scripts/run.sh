#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs timeledgerd on 127.0.0.1:50051 with
# its ledger in ./var (created on first run) and the demo time bank loaded into an empty ledger,
# and beside it the member kiosk on http://127.0.0.1:8080/ for the demo bank.
# Stop both with Ctrl-C (SIGINT) or SIGTERM, also when run in the background: calls in flight
# finish and the ledger closes cleanly.
set -euo pipefail
# A background job of a non-interactive shell (`scripts/run.sh &` in a script) starts with SIGINT
# ignored, and bash cannot trap a signal that was ignored when it started: begin again with SIGINT
# and SIGTERM at their defaults, so that kill -INT stops it as Ctrl-C does.
if [[ -z ${TIMELEDGER_RUN_SIGNALS_RESET:-} ]]; then
  TIMELEDGER_RUN_SIGNALS_RESET=1 exec env --default-signal=INT,TERM "$0" "$@"
fi
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# TIMELEDGER_SKIP_BUILD=1 runs what is already built (the tests of this script use it).
[[ ${TIMELEDGER_SKIP_BUILD:-0} == 1 ]] || configure_and_build timeledgerd timeledger timeledger-kiosk
cd "$repo"
listen=${TIMELEDGER_LISTEN:-127.0.0.1:50051}
kiosk_listen=${TIMELEDGER_KIOSK_LISTEN:-127.0.0.1:8080}
data_dir=${TIMELEDGER_DATA_DIR:-$repo/var}
echo
echo "Timeledger is starting. In another terminal, from $repo, try the staff CLI (it uses the"
echo "admin token that timeledgerd writes to var/admin.token on first start):"
echo "  $build_dir/clients/cli/timeledger account list holy-cross"
echo "  $build_dir/clients/cli/timeledger statement holy-cross alice"
echo "The member kiosk: open http://$kiosk_listen/ in a browser; sign in with card 1001, PIN 1234."
echo

"$build_dir/services/timeledgerd" --listen "$listen" --data-dir "$data_dir" --demo &
server=$!
"$build_dir/clients/kiosk/timeledger-kiosk" --listen "$kiosk_listen" --server "$listen" \
  --bank holy-cross --token-file "$data_dir/demo-kiosk.token" &
kiosk=$!
stopping=0
stop() {
  stopping=1
  kill -TERM "$kiosk" "$server" 2>/dev/null || true
}
trap stop INT TERM
# Either one ending ends both; then wait for the other to finish cleanly.
first=0
wait -n "$server" "$kiosk" || first=$?
ended_by_itself=$((1 - stopping))
stop
server_status=0
wait "$server" || server_status=$?
kiosk_status=0
wait "$kiosk" || kiosk_status=$?
if [[ $ended_by_itself == 0 ]]; then
  # Stopped with Ctrl-C or SIGTERM: 0 if both closed cleanly.
  exit $((server_status != 0 ? server_status : kiosk_status))
fi
# One of them ended by itself (the port in use, ./var held by another server, ...): the main job
# has failed, and says so by its exit status.
echo "run.sh: stopped, because timeledgerd or the kiosk ended (exit $first)" >&2
exit $((first != 0 ? first : 1))
