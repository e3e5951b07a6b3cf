#!/usr/bin/env bash
# End-to-end checks of the edgellm CLI: every subcommand on a synthetic
# model, golden logits through `edgellm logits` when fixtures exist, and bad
# input (missing file, malformed GGUF, unknown architecture, prompt longer
# than the context) giving a clear error and a non-zero exit, never a crash.
# usage: cli_test.sh EDGELLM_BINARY [EMULATOR...]
set -uo pipefail
bin=$1
shift
EMU=("$@")
cli() { "${EMU[@]}" "$bin" "$@"; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() {  # check NAME CONDITION-EXIT-STATUS
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi
}

cli synth --preset tiny --type q4_0 -o "$tmp/tiny.gguf" 2>/dev/null
check "synth writes a model" $?

out=$(cli run -m "$tmp/tiny.gguf" -p "once upon a time" -n 8 --temp 0 --ignore-eos --json 2>"$tmp/err")
echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["tokens"])==8 and isinstance(d["text"], str)'
check "run --json gives 8 tokens" $?
grep -q "generation: 8 tokens" "$tmp/err"
check "run prints a timing summary on stderr" $?

out2=$(cli run -m "$tmp/tiny.gguf" -p "once upon a time" -n 8 --temp 0 --ignore-eos --json 2>/dev/null)
[ "$out" = "$out2" ]
check "greedy run is deterministic" $?

s1=$(cli run -m "$tmp/tiny.gguf" -p "once" -n 16 --temp 0.9 --seed 5 --ignore-eos --json 2>/dev/null)
s2=$(cli run -m "$tmp/tiny.gguf" -p "once" -n 16 --temp 0.9 --seed 5 --ignore-eos --json 2>/dev/null)
[ "$s1" = "$s2" ]
check "seeded sampling is reproducible" $?

tok=$(cli tokenize -m "$tmp/tiny.gguf" -p "once upon a time")
echo "$tok" | python3 -c 'import json,sys; t=json.load(sys.stdin); assert t[0]==1 and len(t)>=5, t'
check "tokenize prints ids with BOS" $?

tok=$(cli tokenize -m "$tmp/tiny.gguf" -p "once</s>" --no-special)
echo "$tok" | python3 -c 'import json,sys; t=json.load(sys.stdin); assert t and t[0]!=1 and 2 not in t, t'
check "tokenize --no-special: no BOS, special-token text stays text" $?
tok=$(cli tokenize -m "$tmp/tiny.gguf" -p "once</s>" --parse-special)
echo "$tok" | python3 -c 'import json,sys; t=json.load(sys.stdin); assert t[0]==1 and t[-1]==2, t'
check "tokenize --parse-special: </s> becomes its token" $?

cli info -m "$tmp/tiny.gguf" | grep -q "arch=llama"
check "info names the architecture" $?
cli info -m "$tmp/tiny.gguf" --plan -c 128 | grep -q "planner overhead"
check "info --plan reports the plan" $?
cli info -m "$tmp/tiny.gguf" --repack off | grep -q "^repacked_bytes=0$"
check "info --repack off: nothing repacked" $?
cli info -m "$tmp/tiny.gguf" --repack on | grep -q "^repacked_bytes="
check "info --repack on reports repacked bytes" $?
cli info -m "$tmp/tiny.gguf" --repack sometimes >/dev/null 2>&1
[ $? -eq 2 ]
check "info --repack with a bad value: usage error" $?
cli run -m "$tmp/tiny.gguf" -p "once upon a time" -n 4 --temp 0 --ignore-eos --repack off >/dev/null 2>&1
check "run --repack off" $?
a=$(cli run -m "$tmp/tiny.gguf" -p "once upon a time" -n 6 --temp 0 --ignore-eos 2>/dev/null)
b=$(cli run -m "$tmp/tiny.gguf" -p "once upon a time" -n 6 --temp 0 --ignore-eos --numa-interleave 2>/dev/null)
[ -n "$a" ] && [ "$a" = "$b" ]
check "run --numa-interleave: same greedy text" $?

# Interactive chat keeps the KV cache between turns.
printf 'hello there\nhow are you\n/quit\n' | cli chat -m "$tmp/tiny.gguf" --family chatml -n 8 --temp 0 -c 256 \
  >"$tmp/chat.out" 2>"$tmp/chat.err"
rc=$?
reused=$(sed -n 's/.*turn 2: reused \([0-9]*\) cached.*/\1/p' "$tmp/chat.err")
[ $rc -eq 0 ] && [ -n "$reused" ] && [ "$reused" -gt 20 ]
check "chat: turn 2 reuses the cached history (reused ${reused:-none})" $?
long=$(printf 'once upon a time %.0s' $(seq 1 60))
printf '%s\n/quit\n' "$long" | cli chat -m "$tmp/tiny.gguf" --family chatml -n 8 -c 64 >/dev/null 2>"$tmp/chat.err"
rc=$?
[ $rc -eq 0 ] && grep -q "context full" "$tmp/chat.err"
check "chat: a turn that does not fit reports the full context" $?
cli chat -m "$tmp/tiny.gguf" </dev/null >/dev/null 2>"$tmp/chat.err"
rc=$?
[ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -q -- "--family" "$tmp/chat.err"
check "chat: a model without a chat template asks for --family" $?

# Bad input.
cli run -m "$tmp/missing.gguf" -p x 2>"$tmp/err" >/dev/null
rc=$?
[ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -q "missing.gguf" "$tmp/err"
check "missing model: error naming the file" $?

head -c 5000 "$tmp/tiny.gguf" > "$tmp/trunc.gguf"
cli run -m "$tmp/trunc.gguf" -p x 2>"$tmp/err" >/dev/null
rc=$?
[ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -q "trunc.gguf" "$tmp/err"
check "truncated GGUF: clean error" $?

python3 - "$tmp/tiny.gguf" "$tmp/alien.gguf" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
key = b"general.architecture"
i = data.index(key) + len(key) + 4 + 8   # value type u32, string length u64
assert data[i:i+5] == b"llama"
open(sys.argv[2], "wb").write(data[:i] + b"zorro" + data[i+5:])
PY
cli run -m "$tmp/alien.gguf" -p x 2>"$tmp/err" >/dev/null
rc=$?
[ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -q "unknown architecture 'zorro'" "$tmp/err" && grep -q "supported: " "$tmp/err"
check "unknown architecture: error listing the supported ones" $?

long=$(printf 'once upon a time %.0s' $(seq 1 40))
cli run -m "$tmp/tiny.gguf" -p "$long" -c 32 -n 4 2>"$tmp/err" >/dev/null
rc=$?
[ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -q "n_ctx" "$tmp/err"
check "prompt longer than the context: clear error" $?

cli run -m "$tmp/tiny.gguf" -p x --temp abc 2>"$tmp/err" >/dev/null
rc=$?
[ $rc -eq 2 ] && grep -q "not a number" "$tmp/err"
check "bad option value: usage error" $?

# Golden logits through the CLI (fixtures optional).
fx=${EDGELLM_FIXTURES:-$(dirname "$0")/../../../shared/fixtures}
if [ -d "$fx/golden" ]; then
  for stem in llama-f32 llama-q4_0 stories260K-f32; do
    prompt=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cases"][0]["prompt"], end="")' "$fx/golden/$stem.json")
    cli logits -m "$fx/models/$stem.gguf" -p "$prompt" --kv-type f32 -o "$tmp/$stem.f32" >"$tmp/$stem.json" 2>"$tmp/err"
    python3 - "$fx/golden/$stem.json" "$tmp/$stem.json" "$tmp/$stem.f32" "$fx" <<'PY'
import json, struct, sys, math
g = json.load(open(sys.argv[1])); case = g["cases"][0]
got_tokens = json.load(open(sys.argv[2]))["tokens"]
assert got_tokens == case["tokens"], "tokens differ"
want = open(sys.argv[4] + "/" + case["logits_file"], "rb").read()
got = open(sys.argv[3], "rb").read()
assert len(got) == len(want), "size differs"
n = len(want) // 4
w = struct.unpack("<%df" % n, want); x = struct.unpack("<%df" % n, got)
mean = sum(w) / n
sigma = math.sqrt(sum((v - mean) ** 2 for v in w) / n)
maxd = max(abs(a - b) for a, b in zip(w, x))
limit = 1e-3 if g["type"] == "F32" else 0.3 * sigma
print("   %s: max|d| = %.3g (limit %.3g)" % (g["model"], maxd, limit))
assert maxd <= limit
PY
    check "edgellm logits matches golden for $stem" $?
  done
else
  echo "*** FIXTURES MISSING: CLI golden logits checks skipped ***"
fi

echo "cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
