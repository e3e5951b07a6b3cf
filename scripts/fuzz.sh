#!/usr/bin/env bash
# Long fuzzing runs (a benchmark-style job, not part of CI): builds the
# libFuzzer targets (clang, ASan + UBSan) and runs each for RUNS executions
# (default 10^6), then prints the executions, coverage and any findings.
#   scripts/fuzz.sh [gguf] [tokenizer]      (default: both)
# Environment: RUNS (default 1000000), EDGELLM_FIXTURES (seed models and
# vocabularies; default ../shared/fixtures), JOBS.
# Crash inputs land in build/fuzz/findings/<target>/; the log of each run in
# build/logs/fuzz-<target>.log. docs/hardening.md records the results.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
RUNS=${RUNS:-1000000}
JOBS=${JOBS:-$(nproc)}
fx=${EDGELLM_FIXTURES:-$root/../shared/fixtures}
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(gguf tokenizer)
mkdir -p build/logs

# FUZZ_BUILD_LOCK: a lock file to hold while building (shared machines).
lock=()
[ -n "${FUZZ_BUILD_LOCK:-}" ] && lock=(flock "$FUZZ_BUILD_LOCK")
"${lock[@]}" bash -c "cmake --preset fuzz >/dev/null && cmake --build build/fuzz -j $JOBS --target gguf_fuzz tokenizer_fuzz" \
  >build/logs/build-fuzz-targets.log 2>&1 || { tail -n 30 build/logs/build-fuzz-targets.log; echo "fuzz.sh: build failed"; exit 1; }

status=0
for t in "${targets[@]}"; do
  corpus=build/fuzz/corpus-$t
  findings=build/fuzz/findings/$t
  mkdir -p "$corpus" "$findings"
  case $t in
    gguf)
      [ -x build/release/edgellm ] && build/release/edgellm synth --preset tiny --type q4_0 -o "$corpus/tiny-q4_0.gguf" >/dev/null 2>&1
      for f in "$fx"/models/stories260K-f32.gguf "$fx"/vocab/ggml-vocab-llama-spm.gguf; do
        [ -f "$f" ] && cp "$f" "$corpus/"
      done
      extra=(-max_len=65536 -rss_limit_mb=2048) ;;
    tokenizer)
      export EDGELLM_FUZZ_VOCABS="$fx/vocab"
      # Seeds: the fixtures' tokenizer test inputs, each behind a vocabulary
      # index byte and a flags byte.
      i=0
      for f in "$fx"/vocab/*.inp; do
        [ -f "$f" ] || continue
        printf "\\x$(printf %02x $((i % 256)))\\x03" | cat - "$f" | head -c 4096 >"$corpus/seed-$i"
        i=$((i + 1))
      done
      extra=(-max_len=4096 -timeout=10) ;;
    *) echo "fuzz.sh: unknown target $t"; exit 2 ;;
  esac
  echo "== $t: $RUNS runs"
  log=build/logs/fuzz-$t.log
  if build/fuzz/tests/${t}_fuzz -runs="$RUNS" -print_final_stats=1 -artifact_prefix="$findings/" \
      "${extra[@]}" "$corpus" >"$log" 2>&1; then
    echo "$t: no finding"
  else
    echo "$t: FINDING (see $log and $findings/)"
    tail -n 30 "$log"
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb|cov:" "$log" | tail -n 4
done
exit $status
