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

# Numeric options: integers as integers, ranges checked, the option named,
# exit 2 (issue #17 item 10). Each of these used to be cast silently.
bad_value() {  # bad_value NAME OPTION-TEXT-IN-ERROR ARGS...
  local name=$1 want=$2
  shift 2
  timeout 60 "${EMU[@]}" "$bin" "$@" >/dev/null 2>"$tmp/err" </dev/null  # (a server that starts: 124)
  local rc=$?
  [ $rc -eq 2 ] && grep -q -- "$want" "$tmp/err" && ! grep -q "max_tokens is negative" "$tmp/err"
  local ok=$?
  check "$name (rc $rc: $(head -c 120 "$tmp/err" | head -1))" $ok
}
for v in -1 nan 2147483648 1.5 010x 16777217; do
  bad_value "run -c $v refused" "--ctx-size" run -m "$tmp/tiny.gguf" -p x -n 1 -c "$v"
done
bad_value "serve -c -1 refused" "--ctx-size" serve -m "$tmp/tiny.gguf" --port 0 -c -1
bad_value "serve --port 65536 refused" "--port" serve -m "$tmp/tiny.gguf" --port 65536
for v in -1 0 nan; do
  bad_value "run -b $v refused" "--batch-size" run -m "$tmp/tiny.gguf" -p x -n 1 -b "$v"
done
for v in nan 1e10 -2 2147483648; do
  bad_value "run -n $v refused" "--n-predict" run -m "$tmp/tiny.gguf" -p x -n "$v"
done
for v in 1e12 -1 2147483648; do
  bad_value "run --top-k $v refused" "--top-k" run -m "$tmp/tiny.gguf" -p x -n 1 --top-k "$v"
done
for v in nan inf -0.5; do
  bad_value "run --temp $v refused" "--temp" run -m "$tmp/tiny.gguf" -p x -n 1 --temp "$v"
done
bad_value "run --top-p 1.5 refused" "--top-p" run -m "$tmp/tiny.gguf" -p x -n 1 --top-p 1.5
bad_value "run --repeat-penalty 0 refused" "--repeat-penalty" run -m "$tmp/tiny.gguf" -p x -n 1 --repeat-penalty 0
for v in -1 18446744073709551616 1e3; do
  bad_value "run --seed $v refused" "--seed" run -m "$tmp/tiny.gguf" -p x -n 1 --seed "$v"
done
bad_value "chat -n nan refused" "--n-predict" chat -m "$tmp/tiny.gguf" --family chatml -n nan
bad_value "info -t 513 refused" "option -t" info --threads -t 513
bad_value "quantize -t -1 refused" "--threads" quantize a b q8_0 -t -1
bad_value "bench -r 0 refused" "--repetitions" bench -m "$tmp/tiny.gguf" -r 0
bad_value "synth --seed x refused" "--seed" synth --preset tiny --type f32 -o "$tmp/x.gguf" --seed x

# The full 64-bit seed range: the largest seed is not seed 0.
sampled() { cli run -m "$tmp/tiny.gguf" -p "once" -n 16 --temp 1 --top-k 0 --ignore-eos --json "$@" 2>/dev/null; }
s0=$(sampled --seed 0)
smax=$(sampled --seed 18446744073709551615)
smax2=$(sampled -s 18446744073709551615)
s53=$(sampled --seed 9007199254740993)
s53b=$(sampled --seed 9007199254740992)
[ -n "$s0" ] && [ -n "$smax" ] && [ "$s0" != "$smax" ] && [ "$smax" = "$smax2" ] && [ "$s53" != "$s53b" ]
check "seeds use all 64 bits (2^64-1 differs from 0, 2^53+1 from 2^53)" $?

# A repeated option says so (item 15c); list options accept repeats.
cli run -m "$tmp/tiny.gguf" -p x -n 1 --temp 0.5 --temp 0.7 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q -- "--temp was given 2 times" "$tmp/err" && ! grep -qi "unknown" "$tmp/err"
check "repeated --temp: 'given 2 times', not 'unknown argument'" $?
cli run -m "$tmp/tiny.gguf" -p x -p y -n 1 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q -- "--prompt was given 2 times" "$tmp/err"
check "repeated -p: 'given 2 times'" $?
cli bench -m "$tmp/tiny.gguf" -p 4 -n 2 -t 1 -t 2 -r 1 -o csv --no-pmu >"$tmp/b.csv" 2>/dev/null
[ $? -eq 0 ] && [ "$(grep -c '^"' "$tmp/b.csv")" -eq 4 ]
check "bench -t 1 -t 2: a list option accepts repeats (= -t 1,2)" $?

# Unknown options name the nearest valid one.
cli run -m "$tmp/tiny.gguf" -p x --tmep 0.5 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "unknown option '--tmep'" "$tmp/err" && grep -q "did you mean '--temp'" "$tmp/err"
check "unknown --tmep suggests --temp" $?
cli info --thread >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "did you mean '--threads'" "$tmp/err"
check "unknown info --thread suggests --threads" $?
cli run -m "$tmp/tiny.gguf" -p x --zzzzzz >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "unknown option '--zzzzzz'" "$tmp/err" && ! grep -q "did you mean" "$tmp/err"
check "unknown option far from every name: no suggestion" $?
cli rnu >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "did you mean 'run'" "$tmp/err"
check "unknown command suggests the nearest one" $?

# Help and version: every command prints its options with defaults, exit 0.
cli --help >"$tmp/help" 2>&1 && grep -q "serve" "$tmp/help" && grep -q "quantize" "$tmp/help"
check "edgellm --help lists the commands" $?
cli --version | grep -q "^edgellm [0-9]" && cli version | grep -q "^edgellm [0-9]"
check "--version and version" $?
cli run --help >"$tmp/help" 2>&1 && grep -q -- "-c,--ctx-size INT=0" "$tmp/help" &&
  grep -q -- "-n,--n-predict INT=64" "$tmp/help" && grep -q -- "--temp FLOAT=0.8" "$tmp/help"
check "run --help: options with their defaults" $?
cli help run | grep -q "Usage: edgellm run" && cli help | grep -q "Subcommands:"
check "help and help COMMAND" $?
for c in run chat tokenize logits info synth quantize bench serve; do
  cli "$c" -h >"$tmp/help" 2>&1 && grep -q "Usage: edgellm $c" "$tmp/help"
  check "$c -h prints its usage, exit 0" $?
done

# llama.cpp's names: -f, --n-predict, --ctx-size, --batch-size, --threads,
# --repeat-last-n, -s; same text as the short spellings.
printf 'once upon a time' >"$tmp/prompt.txt"
a=$(cli run -m "$tmp/tiny.gguf" -p "once upon a time" -n 6 -c 64 -b 8 -t 1 --seed 3 --temp 0.7 2>/dev/null)
b=$(cli run --model "$tmp/tiny.gguf" -f "$tmp/prompt.txt" --n-predict 6 --ctx-size 64 --batch-size 8 \
  --threads 1 -s 3 --temp=0.7 --repeat-last-n 64 2>/dev/null)
[ -n "$a" ] && [ "$a" = "$b" ]
check "llama.cpp option names give the same text" $?
cli run -m "$tmp/tiny.gguf" -p x -f "$tmp/prompt.txt" -n 1 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ]
check "-p and -f together: usage error" $?
cli run -m "$tmp/tiny.gguf" -f "$tmp/no-such-prompt.txt" -n 1 >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && grep -q "no-such-prompt.txt" "$tmp/err"
check "-f with a missing file: error naming it" $?

# -n -1: until the context is full (n_ctx - prompt + 1 tokens).
n=$(cli run -m "$tmp/tiny.gguf" -p "once upon a time" -n -1 -c 24 --temp 0 --ignore-eos --json 2>/dev/null |
  python3 -c 'import json,sys; print(len(json.load(sys.stdin)["tokens"]))')
np=$(cli tokenize -m "$tmp/tiny.gguf" -p "once upon a time" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ -n "$n" ] && [ "$n" -eq $((24 - np + 1)) ]
check "run -n -1 generates until the context is full ($n tokens)" $?

# run --json is strict UTF-8 JSON however the pieces split characters
# (item 1): high temperature over a random-weight model samples byte tokens.
for s in $(seq 1 40); do
  cli run -m "$tmp/tiny.gguf" -t 1 -p "once upon" -n 48 --temp 1.5 --top-k 0 --top-p 1 --min-p 0 --seed "$s" \
    --ignore-eos --json >"$tmp/gen.$s.json" 2>/dev/null
done
python3 - "$tmp" <<'PY'
import json, sys
bad = []
for s in range(1, 41):
    raw = open("%s/gen.%d.json" % (sys.argv[1], s), "rb").read()
    try:
        d = json.loads(raw.decode("utf-8", "strict"))
        assert len(d["tokens"]) == 48 and isinstance(d["text"], str)
    except Exception as e:
        bad.append("seed %d: %s" % (s, str(e)[:80]))
print("   %d of 40 invalid%s" % (len(bad), (": " + "; ".join(bad[:3])) if bad else ""))
assert not bad
PY
check "run --json is valid strict-UTF-8 JSON for 40 seeds" $?

# -n far beyond the context: the buffers follow the context, not -n (item 3).
python3 - "$bin" "$tmp/tiny.gguf" "${EMU[@]}" <<'PY'
import resource, subprocess, sys
binary, model, emu = sys.argv[1], sys.argv[2], sys.argv[3:]
for extra in (["--json"], []):
    for n in ("999999999", "2147483647"):
        r = subprocess.run(emu + [binary, "run", "-m", model, "-p", "once", "-n", n, "-c", "16",
                                  "--ignore-eos"] + extra, capture_output=True)
        assert r.returncode == 0, (n, extra, r.returncode, r.stderr[-300:])
peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print("   peak RSS %.0f MiB" % peak_mib)
assert peak_mib < 1024, peak_mib
PY
check "run -n 2147483647 -c 16: exit 0, memory bounded by the context" $?

# No heap allocation per generated token without --json: the whole process
# allocates the same for 8 and for 200 tokens.
if [ -n "${EDGELLM_ALLOC_COUNTER:-}" ] && [ ${#EMU[@]} -eq 0 ]; then
  counts=()
  for n in 8 200; do
    EDGELLM_ALLOC_COUNT_FILE="$tmp/allocs" LD_PRELOAD="$EDGELLM_ALLOC_COUNTER" \
      "$bin" run -m "$tmp/tiny.gguf" -p "once upon a time" -n $n --temp 0 --ignore-eos >/dev/null 2>&1
    counts+=("$(cat "$tmp/allocs" 2>/dev/null)")
  done
  [ -n "${counts[0]}" ] && [ "${counts[0]}" = "${counts[1]}" ]
  check "run (no --json): no allocation per token (8 tokens: ${counts[0]}, 200 tokens: ${counts[1]})" $?
else
  echo "(allocation count skipped: no EDGELLM_ALLOC_COUNTER, or emulated / sanitizer build)"
fi

# An empty prompt: "give -p TEXT" only when none was given (item 15b).
cli synth --preset tiny-qwen2 --type q4_0 -o "$tmp/nobos.gguf" 2>/dev/null
cli run -m "$tmp/nobos.gguf" -p "" -n 1 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "prompt produced no tokens" "$tmp/err" && ! grep -q "give -p" "$tmp/err"
check "a given prompt with no tokens: says so, not 'give -p'" $?
cli run -m "$tmp/nobos.gguf" -n 1 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "give -p TEXT" "$tmp/err"
check "no prompt at all: 'give -p TEXT'" $?

# chat --family is checked at start (item 15d).
printf 'hello\n/quit\n' | cli chat -m "$tmp/tiny.gguf" --family junk -n 2 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "'junk'" "$tmp/err" && grep -q "chatml" "$tmp/err"
check "chat --family junk: usage error at start naming the families" $?

# Golden logits through the CLI (fixtures optional).
# Outputs that are not regular files are refused and left in place (the
# writer used to delete /dev/full on a failed write; synth "succeeded" into
# /dev/null). A failed write keeps an existing file as it was.
cli synth --preset tiny --type q4_0 -o /dev/null 2>"$tmp/err"
rc=$?
[ $rc -ne 0 ] && [ -c /dev/null ] && grep -q "not a regular file" "$tmp/err"
check "synth refuses a device node as output (exit $rc)" $?
if [ -c /dev/full ]; then
  cli quantize "$tmp/tiny.gguf" /dev/full q8_0 2>"$tmp/err"
  rc=$?
  [ $rc -ne 0 ] && [ -c /dev/full ]
  check "quantize to /dev/full fails and /dev/full survives (exit $rc)" $?
fi

# A FIFO as the model path is refused at once (open() used to block).
mkfifo "$tmp/model.fifo"
timeout 10 "${EMU[@]}" "$bin" info -m "$tmp/model.fifo" 2>"$tmp/err"
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q "not a regular file (a FIFO)" "$tmp/err"
check "a FIFO as the model is refused without blocking (exit $rc)" $?

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
