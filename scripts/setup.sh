#!/usr/bin/env bash
# Installs the Debian 12 packages Timeledger needs (only those missing) and configures and builds
# the project into ./build. Sourced by scripts/run.sh and scripts/test.sh; safe to run again.
#
# Needs root for apt-get (or sudo, if it is installed). Nothing is downloaded but Debian packages.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${TIMELEDGER_BUILD_DIR:-$repo/build}

packages=(
  g++ cmake ninja-build pkg-config git ca-certificates tzdata procps python3
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev libabsl-dev libboost-dev libssl-dev libsodium-dev libicu-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev
  clang libclang-rt-14-dev
  chromium nodejs curl fonts-noto-core
  help2man dpkg-dev file systemd
  python3-grpcio python3-protobuf
)
# python3-grpcio and python3-protobuf run the partner kit (clients/python) and its test.
# help2man writes the manual pages from --help; dpkg-dev (dpkg-shlibdeps), file (which CPack's
# DEB generator needs to find the binaries) and systemd (systemd-analyze verify) are for building
# and checking the Debian package (tests/package).
# curl plays the browser in the kiosk's host and HTTPS test (tests/e2e/kiosk_host_test.sh).
# fonts-noto-core gives Chromium the Bengali and Arabic scripts the kiosk speaks (docs/KIOSK.md,
# "Languages"); libicu-dev formats its messages.
# The kiosk's browser tests drive chromium with npm packages (tests/e2e/browser); Debian ships npm
# apart from nodejs, other builds of nodejs bring their own.
command -v npm >/dev/null || packages+=(npm)

install_missing() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$package")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  local as_root=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null ||
      { echo "setup: run as root to install: ${missing[*]}" >&2; exit 1; }
    as_root=(sudo)
  fi
  echo "setup: installing ${missing[*]}"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

configure_and_build() {
  local targets=("$@")
  cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    ${TIMELEDGER_CMAKE_ARGS:-} >/dev/null
  ninja -C "$build_dir" "${targets[@]}"
}

install_missing "${packages[@]}"
