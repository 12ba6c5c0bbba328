#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (unit and end-to-end over a
# real Mosquitto) through CTest. Idempotent; run from anywhere.
#   tools/test.sh                 everything
#   tools/test.sh -L unit         only the unit tests (CTest label)
#   tools/test.sh -R Core         only tests whose name matches
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/lib/setup.sh
lookout_install_packages
echo "== building"
lookout_build
echo "== testing"
jobs=$(nproc 2>/dev/null || echo 2)
ctest --test-dir build --output-on-failure --timeout 300 -j"$jobs" "$@"
