#!/usr/bin/env bash
# The flood benchmark (docs/benchmarks.md, "Flood of malformed input"): starts the engine
# on its embedded broker in a temporary directory, sends COUNT malformed messages of ten
# kinds (most on detector smk-1's topic) with one real smoke reading from another
# detector, smk-2, in the middle (build/tools/lookout-flood), and
# reports the engine's memory (VmRSS, VmHWM) before, in the middle and after, how many
# dead letters it counted and how many messages it shed (inbound_gate.h), and how long
# the real reading's alert took.
#   tools/bench/flood.sh [COUNT]     (default 1000000; needs a build in build/)
set -euo pipefail
cd "$(dirname "$0")/../.."
count="${1:-1000000}"
dir=$(mktemp -d)
engine_pid=""
trap '[ -n "$engine_pid" ] && kill "$engine_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
ctl() { build/tools/lookoutctl --data-dir "$dir/data" "$@"; }
rss() { awk '/^(VmRSS|VmHWM)/ {printf "%s %d MiB  ", $1, $2/1024}' "/proc/$engine_pid/status"; }

build/engine/lookout --data-dir "$dir/data" --admin-port 0 --log-level warn >"$dir/engine.log" 2>&1 &
engine_pid=$!
for _ in $(seq 1 100); do [ -f "$dir/data/admin.json" ] && break; sleep 0.1; done
sleep 0.5
broker=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["broker"])' "$dir/data/admin.json")
cat >"$dir/sensors.yaml" <<'YAML'
sensors:
  - {id: smk-1, place: xc/hl/qy/g03/b12, kind: smoke_detector, quantities: [smoke]}
  - {id: smk-2, place: xc/hl/qy/g03/b14, kind: smoke_detector, quantities: [smoke]}
YAML
cat >"$dir/plan.yaml" <<'YAML'
id: smoke
title: Smoke
places: ["xc/hl/qy/**"]
levels:
  II:
    when: smoke >= 0.3 /
    alert: {category: Fire, event: Smoke, headline: "Smoke in {place}", audience: [residents]}
YAML
ctl sensors import "$dir/sensors.yaml" >/dev/null
ctl plan apply "$dir/plan.yaml" >/dev/null
echo "engine pid $engine_pid, broker $broker, $count malformed messages"
echo "before:  $(rss)"
build/tools/lookout-flood --broker "$broker" --count "$((count / 2))" --sensor smk-1 --alarm-sensor smk-2 >"$dir/first.json" || true
echo "middle:  $(rss)"
build/tools/lookout-flood --broker "$broker" --count "$((count - count / 2))" --sensor smk-1 --alarm-sensor smk-2 >"$dir/second.json" || true
counters() { ctl status --json | python3 -c 'import json,sys; c=json.load(sys.stdin)["counters"]; print(c["dead_letters"], c["inbound_shed"])'; }
last=""
for _ in $(seq 1 600); do
  read -r n shed < <(counters)
  [ $((n + shed)) -ge "$count" ] && break
  [ "$n $shed" = "$last" ] && break   # nothing moves any more
  last="$n $shed"
  sleep 1
done
echo "after:   $(rss)"
echo "dead letters counted: $n of $count; shed (inbound queue full): $shed"
echo "publisher, first half:  $(cat "$dir/first.json")"
echo "publisher, second half: $(cat "$dir/second.json")   (alert_ms -1: the incident was already open)"
echo "log lines about dead letters: $(grep -c 'dead letter' "$dir/engine.log" || true)"
echo "engine health: $(ctl status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')"
