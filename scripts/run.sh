#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs timeledgerd on 127.0.0.1:50051 with
# its ledger in ./var (created on first run) and the demo time bank loaded into an empty ledger,
# and beside it the member kiosk on http://127.0.0.1:8080/ for the demo bank.
# Stop both with Ctrl-C (SIGINT) or SIGTERM: calls in flight finish and the ledger closes cleanly.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
configure_and_build timeledgerd timeledger timeledger-kiosk
cd "$repo"
listen=${TIMELEDGER_LISTEN:-127.0.0.1:50051}
kiosk_listen=${TIMELEDGER_KIOSK_LISTEN:-127.0.0.1:8080}
echo
echo "Timeledger is starting. In another terminal, from $repo, try the staff CLI (it uses the"
echo "admin token that timeledgerd writes to var/admin.token on first start):"
echo "  $build_dir/clients/cli/timeledger account list holy-cross"
echo "  $build_dir/clients/cli/timeledger statement holy-cross alice"
echo "The member kiosk: open http://$kiosk_listen/ in a browser; sign in with card 1001, PIN 1234."
echo

"$build_dir/services/timeledgerd" --listen "$listen" --data-dir "$repo/var" --demo &
server=$!
"$build_dir/clients/kiosk/timeledger-kiosk" --listen "$kiosk_listen" --server "$listen" \
  --bank holy-cross --token-file "$repo/var/demo-kiosk.token" &
kiosk=$!
stop() { kill -TERM "$kiosk" "$server" 2>/dev/null || true; }
trap stop INT TERM
# Either one ending ends both; then wait for the other to finish cleanly.
wait -n "$server" "$kiosk" || true
stop
wait "$server" "$kiosk" 2>/dev/null || true
