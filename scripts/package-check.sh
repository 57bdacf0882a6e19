#!/usr/bin/env bash
# The Debian package in a bare Debian 12 root, as an operator installs it: builds
# timeledger_VERSION_amd64.deb, installs it with apt into a fresh debootstrap (its dependencies
# come from Debian, nothing else), and checks that the timeledger user, /var/lib/timeledger and
# the settings are made; that systemd-analyze verify passes the units there; that timeledgerd runs
# as its unit says (as the timeledger user, from ExecStart) and answers the packaged CLI; that it
# stops cleanly on SIGTERM; and that removing the package leaves the ledger in place.
#
# Needs root (chroot, mount) and debootstrap (installed if missing); takes a few minutes. CI runs
# the lighter tests/package/package_test.py; this one is run by hand before a release and its
# output recorded in docs/OPERATIONS.md.
#
#   sudo scripts/package-check.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
configure_and_build
out=$(mktemp -d /tmp/timeledger-deb.XXXXXX)
cpack --config "$build_dir/CPackConfig.cmake" -B "$out" >/dev/null
deb=$(ls "$out"/timeledger_*_amd64.deb)
echo "package: $(basename "$deb")"

base=/tmp/fresh-root   # shared with ../shared/tools/fresh-debian: one debootstrap, cached
root=/tmp/timeledger-package-root
command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
if [[ ! -x $base/bin/bash ]]; then
  debootstrap --variant=minbase bookworm "$base" >/tmp/debootstrap.log 2>&1
fi
for m in proc dev; do umount -l "$root/$m" 2>/dev/null || true; done
rm -rf "$root" && cp -a "$base" "$root"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc" && mount --rbind /dev "$root/dev"
trap 'for m in proc dev; do umount -l "$root/$m" 2>/dev/null || true; done' EXIT
cp "$deb" "$root/tmp/"
in_root() { chroot "$root" /bin/bash -c "$1"; }

passed=0 failed=0
check() {  # check DESCRIPTION COMMAND: runs COMMAND in the root
  if in_root "$2" >/tmp/package-check.out 2>&1; then
    passed=$((passed + 1)); echo "ok   - $1"
  else
    failed=$((failed + 1)); echo "FAIL - $1"; sed 's/^/       /' /tmp/package-check.out
  fi
}

check "apt installs the package and its dependencies from Debian" \
  "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /tmp/$(basename "$deb")"
check "the timeledger system user exists" "getent passwd timeledger | grep -q ':/usr/sbin/nologin'"
check "/var/lib/timeledger is the timeledger user's alone" \
  "[[ \$(stat -c '%U %a' /var/lib/timeledger) == 'timeledger 700' ]]"
check "the settings are in /etc/timeledger" \
  "grep -q '^data-dir = \"/var/lib/timeledger\"' /etc/timeledger/timeledgerd.conf"
check "man timeledgerd is installed" "[[ -s /usr/share/man/man8/timeledgerd.8.gz ]]"
check "systemd-analyze verify passes the units, man pages included (systemd and man-db installed for the check)" \
  "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd man-db >/dev/null 2>&1 &&
   systemd-analyze verify /usr/lib/systemd/system/timeledgerd.service /usr/lib/systemd/system/timeledger-kiosk.service"

# The unit's own command line, as the unit's own user.
exec_start=$(sed -n 's/^ExecStart=//p' "$root/usr/lib/systemd/system/timeledgerd.service")
user=$(sed -n 's/^User=//p' "$root/usr/lib/systemd/system/timeledgerd.service")
echo "# running as $user: $exec_start"
in_root "cd / && umask 077 && setpriv --reuid=$user --regid=$user --init-groups $exec_start" \
  >"$root/tmp/timeledgerd.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do
  grep -q "listening on" "$root/tmp/timeledgerd.log" && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.2
done
check "timeledgerd, started from its unit's ExecStart as $user, is listening" \
  "grep -q 'listening on 127.0.0.1:50051' /tmp/timeledgerd.log"
check "the packaged CLI creates and lists a bank with the admin token" \
  "timeledger --token-file /var/lib/timeledger/admin.token bank create hall --name 'Riverside Hall' &&
   timeledger --token-file /var/lib/timeledger/admin.token bank list | grep -q hall"
check "the ledger's files are the timeledger user's, 0600" \
  "[[ -z \$(find /var/lib/timeledger -type f ! -user timeledger) ]] &&
   [[ -z \$(find /var/lib/timeledger -type f ! -perm 0600) ]]"
pkill -TERM -f "^/usr/bin/timeledgerd" || true
status=0
wait "$server" || status=$?
if [[ $status -eq 0 ]] && grep -q "stopped cleanly" "$root/tmp/timeledgerd.log"; then
  passed=$((passed + 1)); echo "ok   - timeledgerd stops cleanly on SIGTERM (exit 0)"
else
  failed=$((failed + 1)); echo "FAIL - timeledgerd stops cleanly on SIGTERM (exit $status)"
  sed 's/^/       /' "$root/tmp/timeledgerd.log"
fi
check "removing the package (even purging it) leaves the ledger" \
  "DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq timeledger >/dev/null &&
   [[ -s /var/lib/timeledger/admin.token ]] && [[ ! -e /usr/bin/timeledgerd ]]"
echo "package-check: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
