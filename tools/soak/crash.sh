#!/usr/bin/env bash
# Crash soak: the crash test (tests/integration/crash_e2e_test.cpp) with many SIGKILL
# cycles, repeated with fresh seeds. Usage: tools/soak/crash.sh [CYCLES_PER_RUN] [RUNS]
# (default 200 and 5). Needs a build in build/ (tools/test.sh or cmake --build build).
# Prints each run's seed; a failing seed is replayed with
#   LOOKOUT_CRASH_SEED=S LOOKOUT_CRASH_CYCLES=N build/tests/lookout_crash_e2e_test
set -euo pipefail
cd "$(dirname "$0")/../.."
cycles="${1:-200}"
runs="${2:-5}"
bin=build/tests/lookout_crash_e2e_test
[ -x "$bin" ] || { echo "crash.sh: build first ($bin is missing)" >&2; exit 2; }
for ((i = 1; i <= runs; i++)); do
  seed=$(( (RANDOM << 15 | RANDOM) % 100000 ))
  echo "run $i of $runs: $cycles cycles, LOOKOUT_CRASH_SEED=$seed"
  if ! LOOKOUT_CRASH_SEED=$seed LOOKOUT_CRASH_CYCLES=$cycles "$bin" > "build/crash-soak-$seed.log" 2>&1; then
    grep -E 'Failure|Expected|Which is|FAILED' "build/crash-soak-$seed.log" | head -20
    echo "crash.sh: FAILED with LOOKOUT_CRASH_SEED=$seed (log: build/crash-soak-$seed.log)"
    exit 1
  fi
  grep -E '^\[ crash' "build/crash-soak-$seed.log"
done
echo "crash.sh: $runs runs of $cycles SIGKILLs passed"
