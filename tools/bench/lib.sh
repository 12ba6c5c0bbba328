# Shared by tools/bench/ingest.sh and latency.sh (source it; it defines functions only):
# starting the engine for one run with the benchmark's sensors and plan.
# Needs LOOKOUT, LOOKOUTCTL, LOAD, SENSORS (and ENGINE_ARGS, optional) set; sets
# engine_pid and broker.

# $1: the run's directory; $2: how many alert sensors (latency.sh; default none).
start_engine() {
  local dir="$1" alert_sensors="${2:-0}"
  mkdir -p "$dir"
  # shellcheck disable=SC2086  # ENGINE_ARGS: words
  "$LOOKOUT" --data-dir "$dir/data" --admin-port 0 --log-level warn ${ENGINE_ARGS:-} >"$dir/engine.log" 2>&1 &
  engine_pid=$!
  for _ in $(seq 1 100); do [ -f "$dir/data/admin.json" ] && break; sleep 0.1; done
  [ -f "$dir/data/admin.json" ] || { echo "the engine did not start:" >&2; cat "$dir/engine.log" >&2; exit 1; }
  for _ in $(seq 1 100); do
    "$LOOKOUTCTL" --data-dir "$dir/data" status --json 2>/dev/null | grep -q '"broker": "connected"' && break
    sleep 0.1
  done
  broker=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["broker"])' "$dir/data/admin.json")
  if [ "$alert_sensors" -gt 0 ]; then
    "$LOAD" --mode registry --sensors "$SENSORS" --alert-sensors "$alert_sensors" >"$dir/sensors.yaml"
  else
    "$LOAD" --mode registry --sensors "$SENSORS" >"$dir/sensors.yaml"
  fi
  cat >"$dir/plan.yaml" <<'YAML'
id: bench-smoke
title: Benchmark smoke
places: ["lb/**"]
levels:
  II:
    when: smoke >= 0.3 /
    alert: {category: Fire, event: Smoke, headline: "Smoke in {place}"}
YAML
  "$LOOKOUTCTL" --data-dir "$dir/data" sensors import "$dir/sensors.yaml" >/dev/null
  "$LOOKOUTCTL" --data-dir "$dir/data" plan apply "$dir/plan.yaml" >/dev/null
}
