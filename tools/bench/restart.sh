#!/usr/bin/env bash
# Restart to ready with the real daemon (docs/benchmarks.md, "Store, restart and memory").
#
#   tools/bench/restart.sh N [RUNS]
#
# Writes a store with N sensors and N open incidents (lookout-store-bench prepare) into a
# fresh data directory, then RUNS times (default 5): starts build/engine/lookout on it
# (embedded Mosquitto, --admin-port 0) and measures the wall time from exec until the
# engine's status on lookout/v1/engine/status reads "online" (published once connected
# and subscribed: store opened, state rebuilt, timers re-armed, subscribed), then stops it
# with SIGTERM. Prints each run and the median, in milliseconds; also when admin.json
# appeared (store opened, core loaded, admin API listening, not yet subscribed).
#
# The script waits without starting processes while the engine starts (it runs on the
# same cores): one mosquitto_sub subscribes as soon as the embedded broker listens (the
# engine logs its address before it reads the store) and stamps the "online" message
# when it arrives (%U); the files are polled every 2 ms with bash builtins.
# The runs must end within 10 minutes of the preparation: then the incidents' first
# reminders are due, and the engine sends them all as it starts.
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
SUB=""
cleanup() {
  if [[ -n "$SUB" ]] && kill -0 "$SUB" 2>/dev/null; then kill "$SUB"; fi
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then kill "$PID"; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$DATA"
}
trap cleanup EXIT

"$BUILD/tools/lookout-store-bench" prepare --incidents "$N" --dir "$DATA/store"

# A 2 ms pause without a process (read times out on a pipe nobody writes).
exec {NAP}<> <(:)
nap() { read -r -t 0.002 -u "$NAP" || true; }
# Wall-clock milliseconds into $NOW, without a process.
stamp() { local us=${EPOCHREALTIME/[.,]/}; NOW=$((us / 1000)); }
engine_died() {
  echo "the engine exited; see $LOG:" >&2
  cat "$LOG" >&2
  exit 1
}

times=()
for ((run = 1; run <= RUNS; run++)); do
  rm -f "$DATA/admin.json" "$DATA/status"
  LOG="$DATA/engine-$run.log"
  : >"$LOG"
  stamp
  t0=$NOW
  "$BUILD/engine/lookout" --data-dir "$DATA" --admin-port 0 --log-level info >"$LOG" 2>&1 &
  PID=$!
  # The embedded broker's address: logged once it listens, before the store is read.
  host=""
  while [[ -z "$host" ]]; do
    kill -0 "$PID" 2>/dev/null || engine_died
    while IFS= read -r line; do
      if [[ $line =~ embedded\ Mosquitto\ listening\ on\ tcp://([^:]+):([0-9]+) ]]; then
        host=${BASH_REMATCH[1]}
        port=${BASH_REMATCH[2]}
      fi
    done <"$LOG"
    [[ -n "$host" ]] || nap
  done
  # The status as it arrives, stamped on arrival (retained: also if it came first).
  mosquitto_sub -h "$host" -p "$port" -t lookout/v1/engine/status -C 1 -W 600 -F '%U %p' >"$DATA/status" 2>&1 &
  SUB=$!
  until [[ -s "$DATA/admin.json" ]]; do
    kill -0 "$PID" 2>/dev/null || engine_died
    nap
  done
  stamp
  t_admin=$NOW
  wait "$SUB" || { echo "no status from the engine:" >&2; cat "$DATA/status" >&2; exit 1; }
  SUB=""
  read -r at payload <"$DATA/status"
  if [[ "$payload" != online ]]; then
    echo "the engine's status is \"$payload\", expected online" >&2
    exit 1
  fi
  ns=${at#*.}
  t1=$((${at%.*} * 1000 + 10#${ns:0:3}))
  echo "run $run: online after $((t1 - t0)) ms (admin.json after $((t_admin - t0)) ms)"
  times+=($((t1 - t0)))
  kill "$PID"
  wait "$PID" 2>/dev/null || true
  PID=""
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "restart.sh $N: median of $RUNS runs: online after $median ms"
