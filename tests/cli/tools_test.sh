#!/usr/bin/env bash
# End-to-end checks of edgellm synth / quantize / bench on small synthetic
# models: files written, quantized files load and run, bench's JSON has the
# documented schema and names its counter source, bad input fails cleanly.
# usage: tools_test.sh EDGELLM_BINARY [EMULATOR...]
set -uo pipefail
bin=$1
shift
EMU=("$@")
cli() { "${EMU[@]}" "$bin" "$@"; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() {
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi
}

cli synth --preset tiny-llama3 --type f16 -o "$tmp/m-f16.gguf" 2>/dev/null
check "synth tiny-llama3 f16" $?
for t in q4_k_m q8_0 q2_k; do
  cli quantize "$tmp/m-f16.gguf" "$tmp/m-$t.gguf" "$t" 2>/dev/null
  check "quantize f16 -> $t" $?
  cli run -m "$tmp/m-$t.gguf" -p "hello world" -n 4 --temp 0 --ignore-eos >/dev/null 2>&1
  check "quantized $t model runs" $?
done

cli quantize "$tmp/m-q8_0.gguf" "$tmp/x.gguf" q4_0 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "requantizing is not supported" "$tmp/err" && [ ! -e "$tmp/x.gguf" ]
check "quantize refuses quantized input and leaves no file" $?
cli quantize "$tmp/m-f16.gguf" "$tmp/x.gguf" q9_9 2>/dev/null
[ $? -eq 1 ]
check "quantize rejects an unknown type" $?
cli quantize "$tmp/m-f16.gguf" 2>/dev/null
[ $? -eq 2 ]
check "quantize usage error" $?
cli synth --preset nope --type f32 -o "$tmp/y.gguf" 2>/dev/null
[ $? -ne 0 ]
check "synth rejects an unknown preset" $?

cli bench -m "$tmp/m-q8_0.gguf" -p 8 -n 4 -t 1,2 -r 2 -o json > "$tmp/b.json" 2>/dev/null
check "bench -o json runs" $?
python3 - "$tmp/b.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
keys = {"model", "type", "threads", "test", "n_prompt", "n_gen", "tokens_per_second_mean",
        "tokens_per_second_stddev", "counters", "counters_source"}
assert isinstance(d, list) and len(d) == 4, d
for o in d:
    assert set(o) == keys, set(o) ^ keys
    assert o["test"] in ("pp8", "tg4") and o["type"] == "Q8_0"
    assert o["tokens_per_second_mean"] > 0 and o["counters_source"] in ("hardware", "software")
    assert all(isinstance(v, (int, float)) for v in o["counters"].values())
assert sorted({o["threads"] for o in d}) == [1, 2]
PY
check "bench json schema" $?
cli bench -m "$tmp/m-q8_0.gguf" -p 8 -n 4 -t 1 -r 1 > "$tmp/b.md" 2>/dev/null
grep -q "^| model | type" "$tmp/b.md" && grep -q "^counters: " "$tmp/b.md"
check "bench md table names its counter source" $?
cli bench -m "$tmp/m-q8_0.gguf" -p 8 -n 4 -t 1 -r 1 -o csv --no-pmu > "$tmp/b.csv" 2>/dev/null
[ "$(wc -l < "$tmp/b.csv")" -eq 3 ]
check "bench csv" $?
cli bench -m "$tmp/m-q8_0.gguf" -p 8 -n 4 -t 1 -r 1 -o csv --no-pmu --no-warmup > "$tmp/nw.csv" 2>/dev/null
[ "$(wc -l < "$tmp/nw.csv")" -eq 3 ]
check "bench --no-warmup" $?
cli bench -m "$tmp/m-q8_0.gguf" -p 8 -n 4 -t 1 -r 1 -o json --profile > "$tmp/p.json" 2>/dev/null
python3 - "$tmp/p.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) == 2, d
for o in d:
    ops = {(p["op"], p["type"]): p for p in o["profile"]}
    assert ("matmul", "Q8_0") in ops and ("attention", "F32") in ops and ("norm", "F32") in ops, ops
    assert all(p["calls"] > 0 and p["ms"] >= 0 for p in o["profile"])
    assert set(ops[("matmul", "Q8_0")]["counters"]) == set(o["counters"]), o
PY
check "bench --profile: time and counters per op kind in json" $?
cli bench -m "$tmp/m-q8_0.gguf" -p 8 -n 4 -t 1 -r 1 --profile > "$tmp/p.md" 2>/dev/null
grep -q "^profile pp8, 1 threads" "$tmp/p.md" && grep -q "^| matmul | Q8_0 |" "$tmp/p.md"
check "bench --profile md tables" $?
cli bench -m "$tmp/m-q8_0.gguf" --pmu bogus 2>/dev/null
[ $? -eq 2 ]
check "bench rejects an unknown event" $?

echo "tools: $pass passed, $fail failed"
[ $fail -eq 0 ]
