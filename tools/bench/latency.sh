#!/usr/bin/env bash
# The sensor-to-alert latency benchmark (docs/benchmarks.md, "Ingest and
# sensor-to-alert latency"): how long from a sensor publishing an alerting reading to
# the CAP alert arriving on lookout/v1/alerts/<place>, while the engine also takes a
# steady background of ordinary readings.
#
# Each run, for each rate R in RATES: starts the engine (BUILD/engine/lookout) on its
# embedded Mosquitto (loopback, set_tcp_nodelay true) in a fresh temporary directory,
# imports SENSORS background sensors, one alert sensor per alerting reading (each at a
# place of its own, so each alerting reading opens exactly one incident: one CAP Alert)
# and a smoke plan, then runs lookout-load --mode latency: R readings per second, paced,
# for DURATION seconds, of which ALERTS_PER_SECOND per second alert (every
# R/ALERTS_PER_SECOND-th reading), at QoS QOS; the same process listens on
# lookout/v1/alerts/# and times each alert against its reading (steady clock), and
# times the same readings' trip through the broker alone to it (the "broker hop": the
# floor under any latency, measured in the same run).
# Afterwards it checks the engine counted every reading and shed none.
# Prints one line per run and the medians of RUNS runs per rate of p50, p99 and p99.9
# (the target is p99 <= 5 ms at 5k readings/s), then `summary: {json}` for scripts.
#
#   tools/bench/latency.sh [RUNS]           (default 3)
#   environment: BUILD (default build), RATES ("1000 5000 10000"), DURATION (20),
#                ALERTS_PER_SECOND (50), SENSORS (2000), QOS (1),
#                LOOKOUT, LOOKOUTCTL, LOAD (the binaries; default in BUILD),
#                ENGINE_ARGS (extra engine flags, e.g. "--sync-writes false" to see
#                what the store's fsync costs; the figures are with the defaults)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-3}"
BUILD="${BUILD:-build}"
LOOKOUT="${LOOKOUT:-$BUILD/engine/lookout}"
LOOKOUTCTL="${LOOKOUTCTL:-$BUILD/tools/lookoutctl}"
LOAD="${LOAD:-$BUILD/tools/lookout-load}"
RATES="${RATES:-1000 5000 10000}"
DURATION="${DURATION:-20}"
ALERTS_PER_SECOND="${ALERTS_PER_SECOND:-50}"
SENSORS="${SENSORS:-2000}"
QOS="${QOS:-1}"
for bin in "$LOOKOUT" "$LOOKOUTCTL" "$LOAD"; do
  [ -x "$bin" ] || { echo "latency.sh: $bin is not built" >&2; exit 1; }
done

work=$(mktemp -d)
engine_pid=""
cleanup() {
  [ -n "$engine_pid" ] && kill "$engine_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# Waits until the engine's `readings` + `readings_duplicate` reach the target, or
# nothing has moved for 3 s; prints the counters.
counters='
import json, sys, time, urllib.request
admin, target = json.load(open(sys.argv[1])), int(sys.argv[2])
req = urllib.request.Request(admin["url"] + "/v1/status", headers={"Authorization": "Bearer " + admin["token"]})
last_change = time.time(); seen = None
while True:
    c = json.load(urllib.request.urlopen(req, timeout=10))["counters"]
    if c != seen: seen, last_change = c, time.time()
    if c["readings"] + c["readings_duplicate"] >= target or time.time() - last_change > 3: break
    time.sleep(0.1)
print(json.dumps(c))
'

source tools/bench/lib.sh  # start_engine

stop_engine() {
  kill "$engine_pid" 2>/dev/null || true
  wait "$engine_pid" 2>/dev/null || true
  engine_pid=""
}

results="$work/results.jsonl"
echo "latency: rates $RATES readings/s for ${DURATION}s, $ALERTS_PER_SECOND alerting readings/s, $SENSORS sensors," \
  "QoS $QOS, $runs run(s); engine $LOOKOUT ${ENGINE_ARGS:-}, load $LOAD"
for run in $(seq 1 "$runs"); do
  for rate in $RATES; do
    dir="$work/run$run-rate$rate"
    every=$(python3 -c 'import sys; print(max(1, round(float(sys.argv[1]) / float(sys.argv[2]))))' "$rate" "$ALERTS_PER_SECOND")
    total=$(python3 -c 'import sys; print(round(float(sys.argv[1]) * float(sys.argv[2])))' "$rate" "$DURATION")
    start_engine "$dir" $((total / every))
    "$LOAD" --mode latency --broker "$broker" --qos "$QOS" --sensors "$SENSORS" --rate "$rate" \
      --seconds "$DURATION" --alert-every "$every" --window 1000 >"$dir/load.json"
    python3 -c "$counters" "$dir/data/admin.json" "$total" >"$dir/engine.json"
    stop_engine
    python3 - "$dir" "$run" "$results" <<'PY'
import json, sys
d, run, results = sys.argv[1], int(sys.argv[2]), sys.argv[3]
load, eng = (json.load(open(f"{d}/{n}.json")) for n in ("load", "engine"))
r = dict(load, run=run, readings=eng["readings"], readings_duplicate=eng["readings_duplicate"],
         inbound_shed=eng["inbound_shed"], alerts_sent=eng["alerts_sent"], incidents_opened=eng["incidents_opened"],
         no_loss=eng["readings"] + eng["readings_duplicate"] == load["sent"] and eng["inbound_shed"] == 0,
         all_matched=load["missing"] == 0 and load["unexpected"] == 0 and load["matched"] == load["alerting"])
open(results, "a").write(json.dumps(r) + "\n")
print(f"run {run} {r['rate']:>6.0f}/s (achieved {r['achieved_rate']:.0f}/s): p50 {r['p50_ms']:.2f} ms  "
      f"p99 {r['p99_ms']:.2f} ms  p99.9 {r['p999_ms']:.2f} ms  max {r['max_ms']:.2f} ms  "
      f"(broker hop alone: p50 {r['hop_p50_ms']:.2f} ms  p99 {r['hop_p99_ms']:.2f} ms  "
      f"p99.9 {r['hop_p999_ms']:.2f} ms)  "
      f"alerts {r['matched']} of {r['alerting']} (missing {r['missing']}, unexpected {r['unexpected']}); "
      f"engine processed {r['readings']} of {r['sent']}, shed {r['inbound_shed']}: "
      f"{'no loss' if r['no_loss'] else 'LOSS'}")
PY
  done
done

python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
summary = {}
print("medians:")
for rate in sorted({r["rate"] for r in rows}):
    rs = [r for r in rows if r["rate"] == rate]
    m = {k: statistics.median(r[k] for r in rs) for k in ("p50_ms", "p99_ms", "p999_ms", "max_ms", "achieved_rate",
                                                           "hop_p50_ms", "hop_p99_ms", "hop_p999_ms", "hop_max_ms")}
    m.update(runs=len(rs), alerts_per_run=min(r["alerting"] for r in rs),
             hop_complete=all(r["hop_received"] == r["alerting"] for r in rs),
             no_loss=all(r["no_loss"] for r in rs), all_matched=all(r["all_matched"] for r in rs))
    summary[f"{rate:.0f}"] = m
    print(f"{rate:>6.0f}/s: p50 {m['p50_ms']:.2f} ms  p99 {m['p99_ms']:.2f} ms  p99.9 {m['p999_ms']:.2f} ms  "
          f"(max {m['max_ms']:.2f} ms; {m['alerts_per_run']} alerts a run, {m['runs']} run(s); broker hop alone: "
          f"p50 {m['hop_p50_ms']:.2f} ms  p99 {m['hop_p99_ms']:.2f} ms  p99.9 {m['hop_p999_ms']:.2f} ms)  "
          f"{'every alert matched' if m['all_matched'] else 'ALERTS MISSING OR UNEXPECTED'}  "
          f"{'no loss' if m['no_loss'] else 'LOSS in some run'}"
          + (f"  (target p99 <= 5 ms: {'met' if m['p99_ms'] <= 5 else 'not met'})" if rate == 5000 else ""))
print("summary: " + json.dumps(summary))
PY
