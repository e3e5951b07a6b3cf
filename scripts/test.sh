#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine:
#   1. installs missing packages (scripts/deps.sh)
#   2. host Release build + ctest
#   3. host ASan+UBSan build + ctest
#   4. libFuzzer (clang) run of the GGUF reader under ASan+UBSan
#   5. aarch64 cross build + ctest under qemu-aarch64 for several CPU models
#   (after 2 and 5: tests/package checks `cmake --install` + find_package /
#   pkg-config consumers, and the arm64 .deb made by CPack)
# Ends with one summary line: "test.sh: N passed, M failed".
# Environment: JOBS (default: nproc), FUZZ_SECONDS (default 60),
#   QEMU_CPUS (default "cortex-a53 cortex-a72 cortex-a76 max"),
#   EDGELLM_FIXTURES (default ../shared/fixtures).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
QEMU_CPUS=${QEMU_CPUS:-"cortex-a53 cortex-a72 cortex-a76 max"}
LOG_DIR="$root/build/logs"

bash scripts/deps.sh || { echo "test.sh: 0 passed, 1 failed (dependency install)"; exit 1; }
mkdir -p "$LOG_DIR"

if [ -d "${EDGELLM_FIXTURES:-$root/../shared/fixtures}" ]; then
  echo "fixtures: ${EDGELLM_FIXTURES:-$root/../shared/fixtures}"
else
  echo "*** FIXTURES MISSING: golden tests will be skipped (set EDGELLM_FIXTURES) ***"
fi

total_pass=0
total_fail=0
stage_fail=()

# ctest wrapper: runs, prints the tail, adds its counts to the totals.
run_ctest() {
  local name=$1 dir=$2
  shift 2
  local log="$LOG_DIR/$name.log"
  echo "== $name: ctest $*"
  (cd "$dir" && ctest --output-on-failure -j "$JOBS" "$@") >"$log" 2>&1
  local rc=$?
  grep -E "^\[golden\]|FIXTURES MISSING|isa=" "$log" | sort -u | head -80 || true
  tail -n 4 "$log"
  local line pass=0 fail=0 total=0
  line=$(grep -E "tests passed, [0-9]+ tests failed out of" "$log" | tail -n 1)
  if [ -n "$line" ]; then
    fail=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/')
    total=$(echo "$line" | sed -E 's/.*out of ([0-9]+).*/\1/')
    pass=$((total - fail))
  fi
  if [ $rc -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi
  total_pass=$((total_pass + pass))
  total_fail=$((total_fail + fail))
  [ $rc -ne 0 ] && stage_fail+=("$name")
  return 0
}

build() {
  local name=$1
  shift
  echo "== build $name"
  if ! "$@" >"$LOG_DIR/build-$name.log" 2>&1; then
    tail -n 40 "$LOG_DIR/build-$name.log"
    echo "build $name FAILED"
    total_fail=$((total_fail + 1))
    stage_fail+=("build-$name")
    return 1
  fi
  return 0
}

# A script check (tests/package): one pass or one fail in the totals.
run_check() {
  local name=$1
  shift
  echo "== $name: $*"
  if "$@" >"$LOG_DIR/$name.log" 2>&1; then
    tail -n 1 "$LOG_DIR/$name.log"
    total_pass=$((total_pass + 1))
  else
    tail -n 40 "$LOG_DIR/$name.log"
    total_fail=$((total_fail + 1))
    stage_fail+=("$name")
  fi
}

# 1. Host Release; then install it and build examples/simple.c outside the tree.
if build release bash -c "cmake --preset release && cmake --build build/release -j $JOBS"; then
  run_ctest host-release build/release
  run_check package-install bash tests/package/install_test.sh build/release
fi

# 2. Host ASan + UBSan.
if build asan bash -c "cmake --preset asan && cmake --build build/asan -j $JOBS"; then
  # The Vulkan suites run in the Release stage: Mesa's lavapipe is uninstrumented
  # JIT code, slow and outside what the sanitizers check.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    run_ctest host-asan build/asan -E Vulkan
fi

# 3. Fuzz the GGUF reader (clang, libFuzzer, ASan + UBSan).
if build fuzz bash -c "cmake --preset fuzz && cmake --build build/fuzz -j $JOBS --target gguf_fuzz"; then
  corpus="$root/build/fuzz/corpus"
  mkdir -p "$corpus"
  build/release/edgellm synth --preset tiny --type q4_0 -o "$corpus/tiny-q4_0.gguf" >/dev/null 2>&1 || true
  fx="${EDGELLM_FIXTURES:-$root/../shared/fixtures}"
  for f in "$fx"/models/stories260K-f32.gguf "$fx"/vocab/ggml-vocab-llama-spm.gguf; do
    [ -f "$f" ] && cp "$f" "$corpus/" 2>/dev/null
  done
  echo "== fuzz gguf reader for ${FUZZ_SECONDS}s"
  if build/fuzz/tests/gguf_fuzz -max_total_time="$FUZZ_SECONDS" -max_len=65536 -rss_limit_mb=2048 \
      -print_final_stats=1 "$corpus" >"$LOG_DIR/fuzz.log" 2>&1; then
    grep -E "stat::number_of_executed_units|Done" "$LOG_DIR/fuzz.log" | head -3
    total_pass=$((total_pass + 1))
  else
    tail -n 40 "$LOG_DIR/fuzz.log"
    total_fail=$((total_fail + 1))
    stage_fail+=("fuzz")
  fi
fi

# 4. aarch64 cross build, tests under qemu for each CPU model.
if build aarch64 bash -c "cmake --preset aarch64 && cmake --build build/aarch64 -j $JOBS"; then
  # Each emulated CPU runs the suite on the best kernel path it offers
  # (natively every path is exercised; under emulation one per CPU is enough).
  for cpu in $QEMU_CPUS; do
    case $cpu in
      cortex-a53|cortex-a72) isa=neon ;;
      cortex-a76) isa=dotprod ;;
      *) isa=i8mm ;;
    esac
    # Vulkan under qemu (lavapipe arm64, when installed): lavapipe compiles
    # every shader with an emulated LLVM, minutes per suite, so the shader
    # tests run on one CPU model (the Pi 5's Cortex-A76) and the whole-model
    # Vulkan goldens and CLI runs only natively (host Release stage).
    vk_skip="Vulkan"
    [ "$cpu" = cortex-a76 ] && vk_skip="VulkanGolden|VulkanCli"
    echo "(qemu -cpu $cpu: EDGELLM_ISA=$isa; ctest -E $vk_skip)"
    QEMU_CPU=$cpu EDGELLM_ISA=$isa run_ctest "aarch64-$cpu" build/aarch64 -E "$vk_skip"
  done
  # The arm64 .deb (CPack) of the cross build.
  run_check package-deb bash tests/package/deb_test.sh build/aarch64 arm64 "ARM aarch64"
fi

if [ ${#stage_fail[@]} -gt 0 ]; then
  echo "failed stages: ${stage_fail[*]} (logs in build/logs)"
fi
echo "test.sh: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
