#!/usr/bin/env bash
# Installs what is missing, builds, and runs the engine on its embedded defaults (a
# Mosquitto it starts itself on a free loopback port, a fresh store under ./var/demo),
# loads the sample places, sensors, staff roster (with the demo's duty roster, on call
# at all hours) and the residential-fire plan, then plays a fire in Building 12 from
# the sensor simulator, which also plays the staff's phones. It prints, as they
# arrive, the alerts, the assignments offered to wardens and volunteers, the
# coordinators' notices and the staff's answers (the first warden asked declines and
# the next one is asked; the others accept, then arrive). When it stops by itself
# (--for), a coordinator resolves the incident, which releases the staff, and
# `lookoutctl incidents show` prints its assignments and timeline.
#   tools/demo.sh                  run until Ctrl-C
#   tools/demo.sh --for 30         stop by itself after 30 seconds (exit status 0)
#   tools/demo.sh --broker URL     use an existing broker (tcp://host:1883)
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/lib/setup.sh

run_for=0
broker=""
while [ $# -gt 0 ]; do
  case "$1" in
    --for) run_for="${2:?--for needs a number of seconds}"; shift 2 ;;
    --broker) broker="${2:?--broker needs a URL such as tcp://127.0.0.1:1883}"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "demo.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done
case "$run_for" in ''|*[!0-9]*) echo "demo.sh: --for takes whole seconds" >&2; exit 2 ;; esac

lookout_install_packages
echo "== building"
lookout_build lookout lookoutctl lookout-sim

data=var/demo
rm -rf "$data"   # a fresh store each time, so the fire opens a new incident
mkdir -p "$data"
started=$(date +%s)

engine_args=(--data-dir "$data" --admin-port 0 --time-zone Asia/Shanghai --sender lookout@qingyuan.demo)
[ -n "$broker" ] && engine_args+=(--broker "$broker")
build/engine/lookout "${engine_args[@]}" >"$data/engine.log" 2>&1 &
engine_pid=$!
stop_engine() {
  if kill -0 "$engine_pid" 2>/dev/null; then
    kill -TERM "$engine_pid" 2>/dev/null || true
    wait "$engine_pid" 2>/dev/null || true
  fi
}
trap stop_engine EXIT
trap 'exit 0' INT TERM

for _ in $(seq 1 200); do
  [ -s "$data/admin.json" ] && break
  kill -0 "$engine_pid" 2>/dev/null || { echo "the engine did not start:" >&2; cat "$data/engine.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$data/admin.json" ] || { echo "the engine did not become ready:" >&2; cat "$data/engine.log" >&2; exit 1; }
broker_uri=$(sed -n 's/.*"broker": *"\([^"]*\)".*/\1/p' "$data/admin.json")

ctl() { build/tools/lookoutctl --data-dir "$data" "$@"; }
echo "== engine running: broker $broker_uri (log: $data/engine.log)"
ctl places import tools/demo/places.yaml
ctl sensors import tools/demo/sensors.yaml
ctl staff import tools/demo/staff.yaml
ctl plan apply plans/library/residential-fire.yaml
ctl plan list
echo "== playing a fire in Building 12; alerts, assignments, notices and answers as they arrive:"
sim_args=(--broker "$broker_uri" --step 0.5 --staff-phones)
if [ "$run_for" -gt 0 ]; then
  left=$(( run_for - ($(date +%s) - started) ))
  [ "$left" -lt 1 ] && left=1
  sim_args+=(--for "$left")
fi
build/tools/lookout-sim "${sim_args[@]}" || true
echo "== incidents"
ctl incidents list
# A coordinator closes the fire: the engine sends the CAP Cancel, releases every
# assignment, and the timeline says why.
incident=$(ctl incidents list --state active | grep -o 'inc-[0-9]*' | head -n 1 || true)
if [ -n "$incident" ]; then
  echo "== the fire brigade reports the fire out; the coordinator resolves $incident:"
  ctl incidents resolve "$incident" --by "demo coordinator" --note "fire brigade: fire out"
  echo "== $incident: its assignments (released by the resolve) and its timeline:"
  ctl incidents show "$incident"
fi
