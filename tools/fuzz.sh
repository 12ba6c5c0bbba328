#!/usr/bin/env bash
# Fuzzes the decoders and parsers that take outside input (fuzz/README.md) with
# libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer (clang 14 from Debian).
#
#   tools/fuzz.sh                      every target, 60 s each
#   tools/fuzz.sh 600                  every target, 10 minutes each
#   tools/fuzz.sh 300 senml report     only those targets
#
# Builds into build-fuzz/ (configured on the first run). Each target starts from a copy
# of its seed corpus, fuzz/corpus/<name>/, in build-fuzz/corpus-out/<name>/, where the
# new inputs it finds go too (the repository is never written). Logs and crash files go
# to build-fuzz/logs/ and build-fuzz/artifacts/<name>/.
#
# Prints one line per target; exits 1 if any target crashed (a crash, a leak, undefined
# behaviour, a timeout or running out of memory), printing the crash file and the
# commands to replay it. Environment: LOOKOUT_FUZZ_JOBS (build jobs, default: nproc),
# LOOKOUT_FUZZ_CXX (default: clang++-14).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

all_targets=(senml report condition plan registry scenario silence engine_message)
# -max_len per target: a little above the largest useful input (the limits the decoders
# enforce are tested by the CTest run's long mutations).
declare -A max_len=(
  [senml]=4096 [report]=4096 [condition]=512 [plan]=16384 [registry]=16384
  [scenario]=8192 [silence]=2048 [engine_message]=4096
)
declare -A dict=(
  [senml]=json [report]=json [silence]=json [engine_message]=json [condition]=condition
  [plan]=yaml [registry]=yaml [scenario]=yaml
)

seconds=60
if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then
  seconds=$1
  shift
fi
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  if [ -z "${max_len[$t]:-}" ]; then
    echo "unknown fuzz target \"$t\"; known: ${all_targets[*]}" >&2
    exit 2
  fi
done

cxx=${LOOKOUT_FUZZ_CXX:-clang++-14}
cc=${cxx/clang++/clang}
if ! command -v "$cxx" >/dev/null; then
  echo "$cxx not found. On Debian bookworm: apt-get install -y clang-14 libclang-rt-14-dev" >&2
  exit 2
fi
if ! ls "$("$cxx" -print-resource-dir)"/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  echo "the libFuzzer runtime is missing. On Debian bookworm: apt-get install -y libclang-rt-14-dev" >&2
  exit 2
fi

build=build-fuzz
sanitize="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer"
if [ ! -f "$build/Makefile" ] || ! grep -q "^LOOKOUT_FUZZ:BOOL=ON" "$build/CMakeCache.txt" 2>/dev/null; then
  echo "== configuring $build (clang, libFuzzer, ASan, UBSan)"
  mkdir -p "$build"
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_C_FLAGS="$sanitize" -DCMAKE_CXX_FLAGS="$sanitize" -DLOOKOUT_FUZZ=ON \
    >"$build/configure.log" 2>&1 || { tail -40 "$build/configure.log" >&2; exit 2; }
fi
jobs=${LOOKOUT_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
echo "== building ${targets[*]}"
if ! cmake --build "$build" -j"$jobs" --target "${targets[@]/%/_fuzz}" >"$build/build.log" 2>&1; then
  tail -40 "$build/build.log" >&2
  echo "build failed; the whole log is $build/build.log" >&2
  exit 2
fi

mkdir -p "$build/logs"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
echo "== fuzzing ${#targets[@]} target(s), $seconds s each"
failed=0
for t in "${targets[@]}"; do
  corpus="$build/corpus-out/$t"
  artifacts="$root/$build/artifacts/$t/"
  log="$build/logs/$t.log"
  mkdir -p "$corpus" "$artifacts"
  cp -n fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null
  before=$(date +%s)
  "$build/fuzz/${t}_fuzz" "$corpus" -max_total_time="$seconds" -max_len="${max_len[$t]}" -timeout=20 \
    -rss_limit_mb=2048 -dict="fuzz/dict/${dict[$t]}.dict" -artifact_prefix="$artifacts" -print_final_stats=1 \
    >"$log" 2>&1
  rc=$?
  took=$(($(date +%s) - before))
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  inputs=$(find "$corpus" -type f | wc -l)
  if [ $rc -eq 0 ]; then
    printf 'ok     %-15s %ss, %s runs, %s, corpus %s\n' "$t" "$took" "${runs:-?}" "${cov:-cov: ?}" "$inputs"
  else
    failed=1
    crash=$(grep -o 'Test unit written to .*' "$log" | tail -1 | sed 's/^Test unit written to //')
    summary=$(grep -m1 -E 'SUMMARY: |ERROR: libFuzzer|fuzz: property violated' "$log")
    printf 'CRASH  %-15s %ss: %s\n' "$t" "$took" "${summary:-exit code $rc, see $log}"
    if [ -n "$crash" ]; then
      echo "       input:  $crash"
      echo "       replay: build/fuzz/${t}_fuzz $crash      (standalone build, e.g. tools/test.sh's build/)"
      echo "               $build/fuzz/${t}_fuzz $crash     (with the sanitizers)"
    fi
    echo "       log:    $log"
  fi
done
exit $failed
