# Shared by tools/demo.sh and tools/test.sh: install what is missing (Debian
# bookworm packages) and build into build/. Source it; it defines functions only.

# Every Debian package the build, the tests and the demo need.
LOOKOUT_PACKAGES=(
  cmake make g++ pkg-config
  libboost-dev            # Asio and Beast (1.74 on bookworm)
  libpaho-mqttpp-dev libpaho-mqtt-dev libssl-dev
  librocksdb-dev
  libspdlog-dev libfmt-dev
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
  libhowardhinnant-date-dev tzdata
  libcsv-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  mosquitto
)

lookout_missing_packages() {
  local missing=()
  for p in "${LOOKOUT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  echo "${missing[@]:-}"
}

# Installs missing packages as root; otherwise prints the exact command and fails.
lookout_install_packages() {
  local missing
  missing=$(lookout_missing_packages)
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "These Debian packages are missing: $missing" >&2
    echo "Install them as root, then run this again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y $missing" >&2
    return 1
  fi
  echo "== installing: $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing
}

# Configures and builds into build/ (incrementally: a second run is quick).
# Arguments: extra CMake targets to build (default: everything).
lookout_build() {
  local jobs
  jobs=$(nproc 2>/dev/null || echo 2)
  # Optimised (-O2, as the benchmarks are measured) without debug information: on two
  # cores debug information is a third of the build (13 min with -g, 9.5 without). For
  # gdb or perf with symbols, configure another directory with RelWithDebInfo.
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
    -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" >/dev/null
  if [ $# -gt 0 ]; then
    local t
    for t in "$@"; do cmake --build build -j"$jobs" --target "$t"; done
  else
    cmake --build build -j"$jobs"
  fi
}
