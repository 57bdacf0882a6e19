#!/usr/bin/env bash
# Runs the kiosk's browser tests (kiosk_e2e.mjs). Installs the npm packages of package-lock.json
# (playwright-core, axe-core) with `npm ci` if they are missing; the browser is Debian's chromium.
#   run_kiosk_e2e.sh TIMELEDGERD TIMELEDGER_CLI TIMELEDGER_KIOSK SCREENSHOT_DIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for tool in node npm /usr/bin/chromium; do
  command -v "$tool" >/dev/null || { echo "run_kiosk_e2e: $tool is missing" >&2; exit 1; }
done
if [[ ! -d "$here/node_modules/playwright-core" || ! -d "$here/node_modules/axe-core" ]]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
exec node "$here/kiosk_e2e.mjs" "$@"
