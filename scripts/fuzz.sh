#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer in ./build-fuzz, and runs each one for a bounded time from the seed
# corpus in tests/fuzz/corpus/. scripts/test.sh runs it briefly; run it longer by hand.
#
#   scripts/fuzz.sh                  every target, 60 s each
#   scripts/fuzz.sh --seconds 600    longer
#   scripts/fuzz.sh --target records_fuzz
#   scripts/fuzz.sh --corpus         rewrites the seeds of tests/fuzz/corpus/ from the real encoders
#                                    (keeping the regression-* inputs)
#
# New inputs found while fuzzing go to build-fuzz/corpus/<target>/, not into the repository; a
# crash leaves its input in build-fuzz/artifacts/ and fails the run (exit 1), with the command
# that replays it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

seconds=60
targets=(records_fuzz requests_fuzz proofs_fuzz)
make_corpus=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --seconds) seconds=$2; shift ;;
    --target) targets=("$2"); shift ;;
    --corpus) make_corpus=1 ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
    *) echo "fuzz: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: --seconds takes a whole number" >&2; exit 2; }

fuzz_dir=$repo/build-fuzz
cmake -S "$repo" -B "$fuzz_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DTIMELEDGER_FUZZ=ON -DTIMELEDGER_BUILD_TESTS=OFF \
  -DTIMELEDGER_BUILD_BENCH=OFF >/dev/null
ninja -C "$fuzz_dir" "${targets[@]}" fuzz_corpus

# The lock annotations (ABSL_GUARDED_BY, ...): clang checks them in what it compiles, and a
# violation is an error (-Werror=thread-safety, the top CMakeLists.txt). The fuzz targets leave
# out most of services/ and clients/, so every file that takes a lock, or includes a header of its
# own folder that declares one (its class's members may use it), is compiled here as well.
mapfile -t lock_objects < <(python3 - "$fuzz_dir/compile_commands.json" "$repo" <<'EOF'
import json, re, shlex, sys
from pathlib import Path
repo = Path(sys.argv[2])
def holds_lock(path):
    text = path.read_text()
    return "absl::Mutex" in text or "MutexLock" in text
for entry in json.load(open(sys.argv[1])):
    source = Path(entry["file"])
    if not source.is_relative_to(repo) or source.is_relative_to(repo / "build-fuzz"):
        continue
    included = [repo / name for name in re.findall(r'^#include "(.+)"', source.read_text(), re.M)]
    neighbours = [path for path in included if path.parent == source.parent and path.exists()]
    if any(holds_lock(path) for path in [source] + neighbours):
        command = shlex.split(entry["command"])
        print(command[command.index("-o") + 1])
EOF
)
[[ ${#lock_objects[@]} -gt 0 ]] || { echo "fuzz: no file holds an absl::Mutex?" >&2; exit 1; }
ninja -C "$fuzz_dir" "${lock_objects[@]}"

if [[ $make_corpus == 1 ]]; then
  # The seeds are rewritten; the inputs that once found a bug (regression-*) are kept.
  find "$repo/tests/fuzz/corpus" -type f ! -name 'regression-*' -delete 2>/dev/null || true
  "$fuzz_dir/tests/fuzz/fuzz_corpus" "$repo/tests/fuzz/corpus"
fi

failed=0
mkdir -p "$fuzz_dir/artifacts"
for target in "${targets[@]}"; do
  work_corpus=$fuzz_dir/corpus/$target
  mkdir -p "$work_corpus"
  echo "fuzz: $target for ${seconds} s"
  # The first corpus directory receives what is new; the repository's seeds are only read.
  if ! "$fuzz_dir/tests/fuzz/$target" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$fuzz_dir/artifacts/$target-" \
      "$work_corpus" "$repo/tests/fuzz/corpus/$target" >"$fuzz_dir/$target.log" 2>&1; then
    failed=1
    echo "fuzz: $target FAILED; the end of its log ($fuzz_dir/$target.log):"
    tail -n 40 "$fuzz_dir/$target.log" | sed 's/^/  /'
    echo "fuzz: replay with: $fuzz_dir/tests/fuzz/$target $fuzz_dir/artifacts/$target-*"
  else
    grep -E "^stat::number_of_executed_units|^Done" "$fuzz_dir/$target.log" | sed 's/^/  /' || true
  fi
done
exit "$failed"
