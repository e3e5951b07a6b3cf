#!/usr/bin/env bash
# End-to-end checks of the CLI's Vulkan backend on small synthetic models:
# --backend vulkan gives the CPU's greedy text on an F32 model (float on
# both sides), info --vulkan/--plan describe the device, AUTO falls back to
# the CPU with a note when only a CPU implementation exists, and what the
# backend cannot run fails with a clear message.
# usage: vulkan_cli_test.sh EDGELLM_BINARY [EMULATOR...]
set -uo pipefail
bin=$1
shift
EMU=("$@")
cli() { "${EMU[@]}" "$bin" "$@"; }

if ! cli info --vulkan | grep -q "^vulkan device "; then
  echo "*** NO VULKAN DEVICE: Vulkan CLI test skipped ($(cli info --vulkan)) ***"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() {
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi
}

for p in tiny-llama3 tiny-qwen3; do
  cli synth --preset $p --type f32 -o "$tmp/$p.gguf" 2>/dev/null
  cpu=$(cli run -m "$tmp/$p.gguf" -p "hello world" -n 16 --temp 0 --ignore-eos --kv-type f32 2>/dev/null)
  gpu=$(cli run -m "$tmp/$p.gguf" -p "hello world" -n 16 --temp 0 --ignore-eos --kv-type f32 \
        --backend vulkan 2>"$tmp/err")
  [ -n "$cpu" ] && [ "$cpu" = "$gpu" ] && grep -q "^edgellm: backend vulkan: " "$tmp/err"
  check "$p f32: --backend vulkan greedy text equals the CPU's" $?
done

cli info -m "$tmp/tiny-llama3.gguf" --backend vulkan --plan -c 256 > "$tmp/plan" 2>/dev/null
grep -q "Vulkan backend" "$tmp/plan" && grep -q "device weights" "$tmp/plan" &&
  grep -q "device context" "$tmp/plan"
check "info --plan prints the device plan" $?

if cli info --vulkan | grep "^vulkan device " | grep -qv "(cpu:"; then
  echo "(a real GPU is present: AUTO fallback check not applicable)"
else
  cli run -m "$tmp/tiny-llama3.gguf" -p "hi" -n 2 --backend auto >/dev/null 2>"$tmp/err"
  [ $? -eq 0 ] && grep -q "^edgellm: backend cpu" "$tmp/err" && grep -q "auto backend: using the CPU" "$tmp/err"
  check "auto falls back to the CPU with a note (only CPU implementations here)" $?
fi

cli synth --preset tiny-gemma3 --type f32 -o "$tmp/gemma.gguf" 2>/dev/null
cli run -m "$tmp/gemma.gguf" -p "hi" -n 2 --backend vulkan >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "architecture gemma3 is not offloaded" "$tmp/err"
check "an architecture the backend does not run: clear error" $?
cli synth --preset tiny-llama3 --type q5_0 -o "$tmp/q5.gguf" 2>/dev/null
cli run -m "$tmp/q5.gguf" -p "hi" -n 2 --backend vulkan >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "Q5_0, which has no shader" "$tmp/err"
check "a weight type without a shader: clear error" $?
cli run -m "$tmp/tiny-llama3.gguf" -p "hi" -n 2 --backend vulkan --kv-type q8_0 >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "q8_0 is CPU-only" "$tmp/err"
check "q8_0 KV cache on Vulkan: clear error" $?
EDGELLM_VULKAN_DEVICE=no-such-gpu cli run -m "$tmp/tiny-llama3.gguf" -p "hi" -n 2 --backend vulkan \
  >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "matches no device name" "$tmp/err"
check "EDGELLM_VULKAN_DEVICE naming no device: clear error" $?
cli run -m "$tmp/tiny-llama3.gguf" -p "hi" -n 2 --backend vulkan --vulkan-device 99 >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "device 99 requested" "$tmp/err"
check "--vulkan-device out of range: clear error" $?
cli run -m "$tmp/tiny-llama3.gguf" -p "hi" -n 2 --backend metal >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "backend must be cpu, vulkan or auto" "$tmp/err"
check "--backend with an unknown name: usage error" $?
long=$(python3 -c "print('word ' * 300)")
cli run -m "$tmp/tiny-llama3.gguf" -p "$long" -n 2 -c 64 --backend vulkan >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -qi "context" "$tmp/err"
check "prompt longer than the context on Vulkan: clear error" $?

echo "vulkan cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
