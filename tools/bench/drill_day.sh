#!/usr/bin/env bash
# The drill-speed benchmark (docs/benchmarks.md, "Drill speed"): writes a 24-hour drill of
# the whole community — 50 buildings, a smoke and a heat detector each, every 9 s, one fire
# at noon (960,100 readings) — and times `lookoutctl drill run` on it, RUNS times.
#   tools/bench/drill_day.sh [RUNS]     (default 3; needs build/tools/lookoutctl)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-3}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
{
  echo "places:"
  echo "  - {path: xc/hl/qy, name: Qingyuan}"
} >"$dir/places.yaml"
{
  echo "time_zone: Asia/Shanghai"
  echo "staff:"
  echo "  - {id: w1, name: W1, roles: [fire_warden, grid_worker], kind: grid_worker, home: xc/hl/qy, on_call: always, capacity: 5}"
  echo "  - {id: c1, name: C1, roles: [coordinator], kind: community_worker, home: xc/hl/qy, on_call: always}"
} >"$dir/staff.yaml"
echo "sensors:" >"$dir/sensors.yaml"
cat >"$dir/day.yaml" <<YAML
drill: community-day
title: A day of the whole community
start: 2026-11-21T00:00:00+08:00
time_zone: Asia/Shanghai
duration: 24h
community:
  places: places.yaml
  sensors: sensors.yaml
  staff: staff.yaml
plans: [$PWD/plans/library/residential-fire.yaml]
sensors:
YAML
for b in $(seq 1 50); do
  grid="g0$(( b % 5 + 1 ))"
  echo "  - {id: s-b$b-0, place: xc/hl/qy/$grid/b$b, kind: smoke_detector, quantities: [smoke]}" >>"$dir/sensors.yaml"
  echo "  - {id: s-b$b-1, place: xc/hl/qy/$grid/b$b, kind: heat_detector, quantities: [temperature]}" >>"$dir/sensors.yaml"
  fire=""
  [ "$b" = 7 ] && fire=$'\n      - {at: 12h, ramp: {to: 0.5, over: 10m}}\n      - {at: 13h, constant: 0.01}'
  cat >>"$dir/day.yaml" <<YAML
  - sensor: s-b$b-0
    quantity: smoke
    unit: /
    every: 9s
    noise: 0.005
    script:
      - {at: 0s, constant: 0.01}$fire
  - sensor: s-b$b-1
    quantity: temperature
    unit: Cel
    every: 9s
    noise: 0.5
    script:
      - {at: 0s, constant: 22}
YAML
done
echo "expect:" >>"$dir/day.yaml"
echo "  - {no_actual_alert: true}" >>"$dir/day.yaml"
for i in $(seq 1 "$runs"); do
  TIMEFORMAT="run $i: %R s wall, %U s user"
  time build/tools/lookoutctl drill run "$dir/day.yaml" --json >"$dir/out.json"
done
grep -o '"readings": [0-9]*' "$dir/out.json"
