#!/usr/bin/env bash
# The ingest benchmark (docs/benchmarks.md, "Ingest and sensor-to-alert latency"): how
# many readings per second the engine fully processes, next to what the same broker
# fans through to a plain subscriber in the same run.
#
# Each run, for each QoS: starts the engine (BUILD/engine/lookout) on its embedded
# Mosquitto (loopback, set_tcp_nodelay true) in a fresh temporary directory, imports
# SENSORS sensors and a smoke plan, starts a plain subscriber on lookout/v1/sensors/#
# (lookout-load --mode subscribe, its own process), then publishes COUNT readings at
# that QoS as fast as the broker takes them (lookout-load --mode ingest), every one
# below the plan's threshold and none a duplicate. Meanwhile it polls GET /v1/status
# every 50 ms until the engine's `readings` counter reaches COUNT, or stops moving.
#   engine rate = readings counted / (first publish ... the counter reached COUNT)
#   raw rate    = messages the plain subscriber got / (first publish ... last received)
#   no loss     = readings + readings_duplicate == COUNT, inbound_shed == 0, and the
#                 plain subscriber got COUNT too
#   CPU per reading: the engine's (every thread; and apart, its main thread, which runs
#                 the strand, and Paho's receive thread), its Mosquitto's (one message
#                 in, two out), the plain subscriber's and the publisher's CPU time
#                 over the run (/proc/PID/stat, getrusage) divided by COUNT: what a
#                 reading costs, less sensitive than the rates to other load
# Prints one line per run and the medians of RUNS runs per QoS, with the ratio
# engine / raw (the target is >= 0.8), then one line `summary: {json}` for scripts.
#
#   tools/bench/ingest.sh [RUNS]            (default 3)
#   environment: BUILD (default build), COUNT (200000), SENSORS (2000), QOS ("0 1"),
#                WINDOW (100: publishes the generator keeps outstanding; 1000 was slower),
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
COUNT="${COUNT:-200000}"
SENSORS="${SENSORS:-2000}"
QOS="${QOS:-0 1}"
WINDOW="${WINDOW:-100}"
for bin in "$LOOKOUT" "$LOOKOUTCTL" "$LOAD"; do
  [ -x "$bin" ] || { echo "ingest.sh: $bin is not built" >&2; exit 1; }
done

work=$(mktemp -d)
engine_pid=""
cleanup() {
  [ -n "$engine_pid" ] && kill "$engine_pid" 2>/dev/null
  jobs -p | xargs -r kill 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# Polls the admin API until `readings` + `readings_duplicate` reach the target, or
# nothing has moved for 5 s; prints when the counter got there (wall clock).
poller='
import json, sys, time, urllib.request
admin, target = json.load(open(sys.argv[1])), int(sys.argv[2])
req = urllib.request.Request(admin["url"] + "/v1/status", headers={"Authorization": "Bearer " + admin["token"]})
start = last_change = time.time(); seen = None; c = {}
while True:
    c = json.load(urllib.request.urlopen(req, timeout=10))["counters"]
    now = time.time()
    n = (c["readings"], c["readings_duplicate"], c["inbound_shed"], c["dead_letters"])
    if n != seen: seen, last_change = n, now
    if c["readings"] + c["readings_duplicate"] >= target: break
    if now - last_change > (5 if c["messages"] > 0 else 120): now = last_change; break
    time.sleep(0.05)
print(json.dumps({"done_at": now, "readings": c["readings"], "readings_duplicate": c["readings_duplicate"],
                  "inbound_shed": c["inbound_shed"], "dead_letters": c["dead_letters"], "messages": c["messages"]}))
'

source tools/bench/lib.sh  # start_engine

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # user + system, in clock ticks
# The engine's main thread (its strand: every reading is decoded and evaluated there)
# and Paho's receive thread (takes each message off the socket and queues it).
engine_thread_ticks() {
  local rcv
  rcv=$(grep -lx MQTTAsync_rcv /proc/"$1"/task/*/comm | head -1 || true)
  echo "$(cpu_ticks "$1/task/$1") $([ -n "$rcv" ] && cpu_ticks "$(dirname "${rcv#/proc/}")" || echo 0)"
}

stop_engine() {
  kill "$engine_pid" 2>/dev/null || true
  wait "$engine_pid" 2>/dev/null || true
  engine_pid=""
}

results="$work/results.jsonl"
echo "ingest: $COUNT readings over $SENSORS sensors, QoS $QOS, $runs run(s); engine $LOOKOUT ${ENGINE_ARGS:-}, load $LOAD"
for run in $(seq 1 "$runs"); do
  for qos in $QOS; do
    dir="$work/run$run-qos$qos"
    start_engine "$dir"
    "$LOAD" --mode subscribe --broker "$broker" --qos "$qos" --expect "$COUNT" --idle 5 \
      --ready-file "$dir/raw.ready" >"$dir/raw.json" &
    raw_pid=$!
    for _ in $(seq 1 100); do [ -f "$dir/raw.ready" ] && break; sleep 0.05; done
    python3 -c "$poller" "$dir/data/admin.json" "$COUNT" >"$dir/engine.json" &
    poll_pid=$!
    broker_pid=$(pgrep -P "$engine_pid" -x mosquitto)
    cpu_before="$(cpu_ticks "$engine_pid") $(cpu_ticks "$broker_pid") $(engine_thread_ticks "$engine_pid")"
    "$LOAD" --mode ingest --broker "$broker" --qos "$qos" --sensors "$SENSORS" --count "$COUNT" --window "$WINDOW" \
      >"$dir/load.json"
    wait "$poll_pid"
    cpu_after="$(cpu_ticks "$engine_pid") $(cpu_ticks "$broker_pid") $(engine_thread_ticks "$engine_pid")"
    wait "$raw_pid"
    stop_engine
    python3 - "$dir" "$run" "$qos" "$results" "$cpu_before" "$cpu_after" "$(getconf CLK_TCK)" <<'PY'
import json, sys
d, run, qos, results = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
(engine_cpu, broker_cpu, strand_cpu, receive_cpu) = (
    (int(a) - int(b)) / int(sys.argv[7]) for a, b in zip(sys.argv[6].split(), sys.argv[5].split()))
load, raw, eng = (json.load(open(f"{d}/{n}.json")) for n in ("load", "raw", "engine"))
t0 = load["first_publish"]
engine_rate = eng["readings"] / (eng["done_at"] - t0)
raw_rate = raw["received"] / (raw["last_received"] - t0) if raw["received"] else 0.0
r = {"run": run, "qos": qos, "sent": load["sent"], "publisher_per_s": load["per_second"],
     "engine_per_s": round(engine_rate), "raw_per_s": round(raw_rate),
     "ratio": round(engine_rate / raw_rate, 3) if raw_rate else 0.0,
     "readings": eng["readings"], "readings_duplicate": eng["readings_duplicate"],
     "inbound_shed": eng["inbound_shed"], "dead_letters": eng["dead_letters"], "raw_received": raw["received"],
     "no_loss": eng["readings"] + eng["readings_duplicate"] == load["sent"] and eng["inbound_shed"] == 0,
     "raw_complete": raw["received"] == load["sent"],
     "engine_cpu_us": round(engine_cpu / load["sent"] * 1e6, 1), "broker_cpu_us": round(broker_cpu / load["sent"] * 1e6, 1),
     "strand_cpu_us": round(strand_cpu / load["sent"] * 1e6, 1),
     "receive_cpu_us": round(receive_cpu / load["sent"] * 1e6, 1),
     "raw_cpu_us": round(raw["cpu_seconds"] / load["sent"] * 1e6, 1),
     "publisher_cpu_us": round(load["cpu_seconds"] / load["sent"] * 1e6, 1)}
open(results, "a").write(json.dumps(r) + "\n")
print(f"run {run} QoS {qos}: engine {r['engine_per_s']:>6}/s  raw {r['raw_per_s']:>6}/s  ratio {r['ratio']:.3f}  "
      f"publisher {r['publisher_per_s']:>6}/s  processed {r['readings']} (+{r['readings_duplicate']} duplicates) "
      f"of {r['sent']}, shed {r['inbound_shed']}, raw subscriber got {r['raw_received']}: "
      f"{'no loss' if r['no_loss'] else 'LOSS'}; CPU per reading: engine {r['engine_cpu_us']} us "
      f"(main thread {r['strand_cpu_us']}, Paho receive thread {r['receive_cpu_us']}), "
      f"broker {r['broker_cpu_us']} us, plain subscriber {r['raw_cpu_us']} us, publisher {r['publisher_cpu_us']} us")
PY
  done
done

python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
summary = {}
print("medians:")
for qos in sorted({r["qos"] for r in rows}):
    rs = [r for r in rows if r["qos"] == qos]
    m = {k: statistics.median(r[k] for r in rs) for k in ("engine_per_s", "raw_per_s", "ratio", "publisher_per_s",
                                                           "engine_cpu_us", "strand_cpu_us", "receive_cpu_us",
                                                           "broker_cpu_us", "raw_cpu_us",
                                                           "publisher_cpu_us")}
    m["runs"] = len(rs)
    m["no_loss"] = all(r["no_loss"] for r in rs)
    m["raw_complete"] = all(r["raw_complete"] for r in rs)
    m["target_met"] = m["ratio"] >= 0.8 and m["no_loss"]
    summary[f"qos{qos}"] = m
    print(f"QoS {qos}: engine {m['engine_per_s']:.0f}/s  raw {m['raw_per_s']:.0f}/s  ratio {m['ratio']:.3f} "
          f"(target >= 0.8: {'met' if m['target_met'] else 'not met'})  "
          f"{'no loss' if m['no_loss'] else 'LOSS in some run'}  over {m['runs']} run(s); CPU per reading: "
          f"engine {m['engine_cpu_us']} us (main thread {m['strand_cpu_us']}, Paho receive thread "
          f"{m['receive_cpu_us']}), broker {m['broker_cpu_us']} us, plain subscriber {m['raw_cpu_us']} us, "
          f"publisher {m['publisher_cpu_us']} us")
print("summary: " + json.dumps(summary))
PY
