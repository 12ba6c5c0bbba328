#!/usr/bin/env bash
# Smoke test of the ingest and latency benchmarks' harness (tools/bench/ingest.sh and
# latency.sh, docs/benchmarks.md): runs both once with tiny sizes (2,000 readings; 1 s
# of latency at 1,000 readings/s) and checks that they still work: non-zero rates, every
# reading processed by the engine and seen by the plain subscriber, none shed, every
# alerting reading answered by exactly one alert, the percentiles in order. It measures
# nothing: no figure is compared with a speed.
#   tests/bench_smoke.sh        (LOOKOUT, LOOKOUTCTL, LOAD or BUILD say where the binaries are)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
ingest=$(COUNT=2000 SENSORS=100 QOS="0 1" "$root/tools/bench/ingest.sh" 1)
echo "$ingest"
latency=$(RATES=1000 DURATION=1 ALERTS_PER_SECOND=20 SENSORS=100 QOS=1 "$root/tools/bench/latency.sh" 1)
echo "$latency"
python3 - "$ingest" "$latency" <<'PY'
import json, sys

def summary(output):
    lines = [l for l in output.splitlines() if l.startswith("summary: ")]
    assert len(lines) == 1, f"expected one summary line in:\n{output}"
    return json.loads(lines[0][len("summary: "):])

failures = []
def check(ok, what):
    if not ok:
        failures.append(what)

ingest = summary(sys.argv[1])
check(set(ingest) == {"qos0", "qos1"}, f"ingest: QoS 0 and 1 measured, got {sorted(ingest)}")
for qos, m in ingest.items():
    check(m["engine_per_s"] > 0, f"ingest {qos}: engine rate {m['engine_per_s']} > 0")
    check(m["raw_per_s"] > 0, f"ingest {qos}: raw rate {m['raw_per_s']} > 0")
    check(m["publisher_per_s"] > 0, f"ingest {qos}: publisher rate {m['publisher_per_s']} > 0")
    check(m["ratio"] > 0, f"ingest {qos}: ratio {m['ratio']} > 0")
    check(m["no_loss"], f"ingest {qos}: the engine processed every reading and shed none")
    check(m["raw_complete"], f"ingest {qos}: the plain subscriber got every reading")

latency = summary(sys.argv[2])
check(set(latency) == {"1000"}, f"latency: the rate asked for was measured, got {sorted(latency)}")
for rate, m in latency.items():
    check(m["alerts_per_run"] == 20, f"latency {rate}/s: 20 alerting readings sent, got {m['alerts_per_run']}")
    check(m["all_matched"], f"latency {rate}/s: every alerting reading got exactly one alert, nothing else came")
    check(m["no_loss"], f"latency {rate}/s: the engine processed every reading and shed none")
    check(0 < m["p50_ms"] <= m["p99_ms"] <= m["p999_ms"] <= m["max_ms"],
          f"latency {rate}/s: 0 < p50 <= p99 <= p99.9 <= max: {m}")
    check(m["achieved_rate"] > 0, f"latency {rate}/s: readings were sent")
    check(m["hop_complete"], f"latency {rate}/s: the plain subscriber got every alerting reading")
    check(0 < m["hop_p50_ms"] <= m["hop_p99_ms"] <= m["hop_p999_ms"] <= m["hop_max_ms"],
          f"latency {rate}/s: 0 < broker hop p50 <= p99 <= p99.9 <= max: {m}")

for f in failures:
    print("FAILED:", f)
sys.exit(1 if failures else 0)
PY
