#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs timeledgerd on 127.0.0.1:50051 with
# its ledger in ./var (created on first run) and the demo time bank loaded into an empty ledger.
# Stop it with Ctrl-C (SIGINT) or SIGTERM: calls in flight finish and the ledger closes cleanly.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
configure_and_build timeledgerd timeledger
cd "$repo"
echo
echo "Timeledger is starting. In another terminal, try the staff CLI:"
echo "  $build_dir/clients/cli/timeledger account list holy-cross"
echo "  $build_dir/clients/cli/timeledger statement holy-cross alice"
echo
exec "$build_dir/services/timeledgerd" --listen "${TIMELEDGER_LISTEN:-127.0.0.1:50051}" \
  --data-dir "$repo/var" --demo
