#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: installs missing packages,
# builds edgellm (Release), then generates text and runs a short benchmark.
# Model: $1 if given; else stories260K from ../shared/fixtures when present
# (real trained weights); else a synthetic model edgellm writes itself.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/deps.sh
cmake --preset release >/dev/null
cmake --build build/release -j "$(nproc)" --target edgellm_cli edgellm_simple
bin=build/release/edgellm

model=${1:-}
fx="${EDGELLM_FIXTURES:-$root/../shared/fixtures}"
if [ -z "$model" ] && [ -f "$fx/models/stories260K-f32.gguf" ]; then
  model="$fx/models/stories260K-f32.gguf"
fi
synth="$root/build/release/tiny-q8_0.gguf"
"$bin" synth --preset tiny --type q8_0 -o "$synth"
[ -n "$model" ] || model="$synth"

echo
echo "== model"
"$bin" info -m "$model" | head -12
echo
echo "== generation (64 tokens, temperature 0.8, seed 42)"
"$bin" run -m "$model" -p "Once upon a time" -n 64 --seed 42
echo
echo "== benchmark (edgellm bench: prompt processing pp64 and generation tg32, 3 repetitions)"
for model_file in "$model" "$synth"; do
  "$bin" bench -m "$model_file" -p 64 -n 32 -r 3
done
