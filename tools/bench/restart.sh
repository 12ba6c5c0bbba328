#!/usr/bin/env bash
# Restart to ready with the real daemon (docs/benchmarks.md, "Store, restart and memory").
#
#   tools/bench/restart.sh N [RUNS]
#
# Writes a store with N sensors and N open incidents (lookout-store-bench prepare) into a
# fresh data directory, then RUNS times (default 5): starts build/engine/lookout on it
# (embedded Mosquitto, --admin-port 0) and measures the wall time from exec until the
# engine's retained status on lookout/v1/engine/status reads "online" (published once
# connected and subscribed: store opened, state rebuilt, timers re-armed, subscribed),
# then stops it with SIGTERM. Prints each run and the median, in milliseconds.
# Needs mosquitto and mosquitto_sub (Debian: mosquitto-clients, not needed by the tests). BUILD (default: build) is the build directory.
set -euo pipefail
N=${1:?usage: restart.sh N [RUNS]}
RUNS=${2:-5}
if ! command -v mosquitto_sub >/dev/null; then
  echo "restart.sh needs mosquitto_sub: sudo apt-get install -y mosquitto-clients" >&2
  exit 2
fi
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
DATA=$(mktemp -d "${TMPDIR:-/tmp}/lookout-restart-XXXXXX")
PID=""
cleanup() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then kill "$PID"; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$DATA"
}
trap cleanup EXIT

"$BUILD/tools/lookout-store-bench" prepare --incidents "$N" --dir "$DATA/store"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
times=()
for ((run = 1; run <= RUNS; run++)); do
  rm -f "$DATA/admin.json"
  t0=$(now_ms)
  "$BUILD/engine/lookout" --data-dir "$DATA" --admin-port 0 --log-level warn >>"$DATA/engine.log" 2>&1 &
  PID=$!
  # admin.json appears once the store is open and the core loaded (before subscribing).
  until [[ -s "$DATA/admin.json" ]]; do
    kill -0 "$PID" 2>/dev/null || { echo "the engine exited; see $DATA/engine.log" >&2; cat "$DATA/engine.log" >&2; exit 1; }
    sleep 0.005
  done
  t_admin=$(now_ms)
  broker=$(sed -n 's/.*"broker": *"tcp:\/\/\([^"]*\)".*/\1/p' "$DATA/admin.json")
  host=${broker%:*}
  port=${broker##*:}
  until [[ "$(mosquitto_sub -h "$host" -p "$port" -t lookout/v1/engine/status -C 1 -W 1 2>/dev/null || true)" == online ]]; do
    kill -0 "$PID" 2>/dev/null || { echo "the engine exited; see $DATA/engine.log" >&2; exit 1; }
    sleep 0.005
  done
  t1=$(now_ms)
  echo "run $run: online after $((t1 - t0)) ms (admin.json after $((t_admin - t0)) ms)"
  times+=($((t1 - t0)))
  kill "$PID"
  wait "$PID" 2>/dev/null || true
  PID=""
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "restart.sh $N: median of $RUNS runs: online after $median ms"
