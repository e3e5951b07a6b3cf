#!/usr/bin/env bash
# examples/simple.c end to end: on a synthesized tiny model it streams a
# non-empty greedy continuation identical to `edgellm run --temp 0 -n 32`
# (same library, same settings), and a bad model path or missing arguments
# give a clear error and a non-zero exit.
# usage: simple_test.sh EDGELLM_CLI SIMPLE [EMULATOR...]
# (tests/package/package_test.sh reuses it on installed/outside-built copies)
set -u
cli=$1 simple=$2
shift 2
emu=("$@")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"${emu[@]}" "$cli" synth --preset tiny --type q4_0 -o "$tmp/tiny.gguf" >"$tmp/synth.log" 2>&1 ||
  { cat "$tmp/synth.log"; echo "FAIL: synth"; exit 1; }
prompt="Once upon a time"

"${emu[@]}" "$simple" "$tmp/tiny.gguf" "$prompt" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || fail "simple exited $rc: $(cat "$tmp/err")"
[ "$(tr -d '\n' <"$tmp/out" | wc -c)" -gt 0 ] || fail "simple printed no text"
"${emu[@]}" "$cli" run -m "$tmp/tiny.gguf" -p "$prompt" -n 32 --temp 0 >"$tmp/cli_out" 2>/dev/null ||
  fail "edgellm run failed"
cmp -s "$tmp/out" "$tmp/cli_out" || fail "simple's text differs from edgellm run --temp 0 -n 32"

"${emu[@]}" "$simple" "$tmp/missing.gguf" "$prompt" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -ne 0 ] || fail "a missing model file exited 0"
grep -q "^error: .*missing.gguf" "$tmp/err" || fail "no clear error for a missing model: '$(cat "$tmp/err")'"
[ -s "$tmp/out" ] && fail "a missing model still printed text"

"${emu[@]}" "$simple" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -ne 0 ] || fail "no arguments exited 0"
grep -q "usage:" "$tmp/err" || fail "no usage line without arguments"

if [ $fails -ne 0 ]; then echo "simple_test: $fails check(s) failed"; exit 1; fi
echo "simple_test: ok ($(tr -d '\n' <"$tmp/cli_out" | wc -c) bytes streamed, errors reported)"
