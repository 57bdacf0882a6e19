#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds everything, and runs every test with
# ctest (unit, service, property, end-to-end with the real binaries, crash recovery), then the
# benchmark's smoke run so it never rots (timings are printed, never asserted), then the fuzz
# targets for a bounded time (scripts/fuzz.sh).
#
# With TIMELEDGER_SANITIZE=1 it then also builds and runs the tests under AddressSanitizer and
# UndefinedBehaviorSanitizer in ./build-asan.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
configure_and_build
cd "$build_dir"
ctest --output-on-failure --timeout 600 -j2

if [[ -x $repo/bench/run.sh ]]; then
  "$repo/bench/run.sh" --smoke --build-dir "$build_dir"
fi

# The fuzz targets, briefly, from the seed corpus: every request's validation and every stored
# record's decoding under AddressSanitizer (scripts/fuzz.sh runs them longer by hand).
"$repo/scripts/fuzz.sh" --seconds "${TIMELEDGER_FUZZ_SECONDS:-20}"

if [[ ${TIMELEDGER_SANITIZE:-0} == 1 ]]; then
  TIMELEDGER_BUILD_DIR=$repo/build-asan
  cmake -S "$repo" -B "$repo/build-asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DTIMELEDGER_SANITIZE=ON -DTIMELEDGER_BUILD_BENCH=OFF >/dev/null
  ninja -C "$repo/build-asan"
  # One test at a time: the sanitizers make each several times slower, and two at once on two
  # cores can push the property test past its own time limit.
  (cd "$repo/build-asan" && ctest --output-on-failure --timeout 900 -j1)
fi
