#!/usr/bin/env bash
# End-to-end checks of edgellm-appliance through the scripted GPIO double
# (virtual clock: deterministic, no timing assumptions) on a tiny synthetic
# model, plus the real libgpiod backend's error paths.
# usage: appliance_test.sh APPLIANCE_BINARY EDGELLM_CLI gpiod|nogpiod [EMULATOR...]
set -uo pipefail
app=$1
cli_bin=$2
backend=$3
shift 3
EMU=("$@")
appliance() { "${EMU[@]}" "$app" "$@"; }
cli() { "${EMU[@]}" "$cli_bin" "$@"; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() {  # check NAME CONDITION-EXIT-STATUS
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi
}
# Waits (bounded) for a signalled daemon; one that does not exit is killed
# and counts as a failure.
stop_or_kill() {
  for _ in $(seq 600); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$1" 2>/dev/null; then
    echo "daemon $1 ignored SIGTERM: killing it"
    kill -KILL "$1"
    wait "$1"
    return 1
  fi
  wait "$1"
}
show() { echo "--- $1:"; sed 's/^/    /' "$1"; }

cli synth --preset tiny --type q4_0 -o "$tmp/tiny.gguf" >/dev/null 2>&1
check "synth writes the test model" $?
printf '%s' "once upon a time" >"$tmp/prompt"
model=(-m "$tmp/tiny.gguf" -p "$tmp/prompt")

# Pattern segments of an LED log: python checks that each segment's on/off
# durations follow its pattern (idle 100/1900, busy 100/100, error
# 60/140/60/140/60/1040) and prints the sequence of pattern names.
patterns() {
  python3 - "$1" <<'PY'
import sys
pat = {"idle": [100, 1900], "busy": [100, 100], "error": [60, 140, 60, 140, 60, 1040]}
seq, cur, t0, i, bad = [], None, 0, -1, []
for line in open(sys.argv[1]):
    t, what, arg = line.split()
    t = int(t)
    if what == "signal":
        cur = None  # the LED goes dark on shutdown, outside any pattern
    elif what == "pattern":
        seq.append(arg); cur, t0, i = arg, t, -1
    elif what == "led" and cur:
        if i < 0:
            if arg != "1": bad.append(f"{t}: {cur} does not start lit")
        else:
            want = pat[cur][i % len(pat[cur])]
            if t - t0 != want: bad.append(f"{t}: {cur} step {i} lasted {t - t0} ms, want {want}")
            if arg != ("1" if (i + 1) % 2 == 0 else "0"): bad.append(f"{t}: {cur} step {i + 1} level {arg}")
        i, t0 = i + 1, t
print(" ".join(seq))
for b in bad: print("BAD", b)
PY
}

# 1. A clean press: generation equals `edgellm run` greedy output; the LED goes
#    idle -> busy -> idle; SIGTERM (scripted) stops with status 0.
cat >"$tmp/press.txt" <<'S'
step 10
100 press
160 release
3000 term
S
appliance "${model[@]}" -n 16 --ignore-eos -o "$tmp/out1" --gpio-script "$tmp/press.txt" \
  --led-log "$tmp/led1" 2>"$tmp/err1"
check "press: exits 0 after SIGTERM" $?
want=$(cli run -m "$tmp/tiny.gguf" -p "once upon a time" -n 16 --temp 0 --ignore-eos 2>/dev/null)
[ -n "$want" ] && [ "$(cat "$tmp/out1")" = "$want" ]
check "press: output equals edgellm run (greedy, 16 tokens)" $?
[ "$(patterns "$tmp/led1")" = "idle busy idle" ]
check "press: LED shows idle, busy, idle with their timings" $?
grep -q "generation 1: 16 tokens, stopped by max tokens" "$tmp/err1" &&
  grep -q "stopped by signal after 1 generation" "$tmp/err1"
check "press: one generation reported, clean stop reported" $?
grep -E -q "footprint fixed at start: arena $(cli info -m "$tmp/tiny.gguf" --plan -c 512 2>/dev/null |
    awk '$1=="arena"{print $2}') bytes" "$tmp/err1"
check "press: footprint reported = the plan's arena bytes" $?

appliance "${model[@]}" -n 16 --ignore-eos -o "$tmp/out1b" --gpio-script "$tmp/press.txt" \
  --led-log "$tmp/led1b" 2>/dev/null
cmp -s "$tmp/out1" "$tmp/out1b" && cmp -s "$tmp/led1" "$tmp/led1b"
check "press: a second run gives the same output and LED log" $?

# prompt on stdin, output on stdout
out=$(appliance -m "$tmp/tiny.gguf" -n 16 --ignore-eos --gpio-script "$tmp/press.txt" \
  <"$tmp/prompt" 2>/dev/null)
[ "$out" = "$want" ]
check "stdin prompt, stdout output" $?

# 2. Bounce: several edges within the 30 ms window are one press; a glitch
#    shorter than the window is none; a second clean press is a second run.
cat >"$tmp/bounce.txt" <<'S'
100 press
102 release
104 press
107 release
109 press
400 release
403 press
405 release
1000 press
1010 release
3000 press
3100 release
6000 term
S
appliance "${model[@]}" -n 4 -o "$tmp/out2" --gpio-script "$tmp/bounce.txt" --led-log "$tmp/led2" \
  2>"$tmp/err2"
check "bounce: exits 0" $?
[ "$(grep -c "appliance: generation [0-9]*:" "$tmp/err2")" -eq 2 ] && [ "$(wc -l <"$tmp/out2")" -eq 2 ]
check "bounce: 2 generations for 1 bouncy press + 1 glitch + 1 clean press" $?
[ "$(patterns "$tmp/led2")" = "idle busy idle busy idle" ]
check "bounce: LED idle busy idle busy idle" $?

# 3. SIGTERM mid-generation (raised by the script after ~20 tokens of a
#    1000-token request): clean exit 0, the output is a prefix of the full one.
cat >"$tmp/term.txt" <<'S'
step 10
100 press
150 release
350 term
S
appliance "${model[@]}" -c 1024 -n 1000 --ignore-eos -o "$tmp/out3" --gpio-script "$tmp/term.txt" \
  --led-log "$tmp/led3" 2>"$tmp/err3"
check "SIGTERM mid-generation: exits 0" $?
grep -E -q "generation 1: [0-9]+ tokens, stopped by signal" "$tmp/err3"
check "SIGTERM mid-generation: generation stopped by the signal" $?
full=$(cli run -m "$tmp/tiny.gguf" -p "once upon a time" -n 40 --temp 0 --ignore-eos -c 1024 2>/dev/null)
part=$(cat "$tmp/out3")
[ -n "$part" ] && [ "${full#"$part"}" != "$full" ]
check "SIGTERM mid-generation: output is a non-empty prefix of the full generation" $?
[ "$(patterns "$tmp/led3")" = "idle busy" ]
check "SIGTERM mid-generation: LED idle, busy" $?

# a press during generation stops it
cat >"$tmp/cancel.txt" <<'S'
step 10
100 press
150 release
300 press
400 release
2000 term
S
appliance "${model[@]}" -c 1024 -n 1000 --ignore-eos -o "$tmp/out4" --gpio-script "$tmp/cancel.txt" \
  2>"$tmp/err4"
[ $? -eq 0 ] && grep -E -q "generation 1: [0-9]+ tokens, stopped by button" "$tmp/err4" &&
  ! grep -q "generation 2" "$tmp/err4" || { show "$tmp/err4"; false; }
check "a press during generation stops it" $?

# SIGTERM from outside while idle (the script is exhausted: real waits)
printf '# nothing\n' >"$tmp/idle.txt"
# (exec: $! must be the daemon itself, not a subshell around it)
(exec "${EMU[@]}" "$app" "${model[@]}" --gpio-script "$tmp/idle.txt" 2>"$tmp/err5") &
pid=$!
for _ in $(seq 600); do grep -q "appliance: ready" "$tmp/err5" && break; sleep 0.1; done
kill -TERM "$pid"
stop_or_kill "$pid"
rc=$?
[ $rc -eq 0 ] && grep -q "stopped by signal after 0 generation" "$tmp/err5" || { echo "exit $rc"; show "$tmp/err5"; false; }
check "SIGTERM from outside while idle: exits 0" $?

# SIGTERM from outside mid-generation (as systemctl stop sends it): a long
# request, the signal once output appears. Exit 0 within the bounded wait is
# asserted; whether the generation was still running when the signal came is
# timing, so a run that finished first only says so (the scripted case above
# covers mid-generation deterministically).
printf '100 press\n200 release\n' >"$tmp/long.txt"
(exec "${EMU[@]}" "$app" "${model[@]}" -c 4096 -n 100000 --ignore-eos -o "$tmp/out5b" \
  --gpio-script "$tmp/long.txt" 2>"$tmp/err5b") &
pid=$!
for _ in $(seq 600); do [ -s "$tmp/out5b" ] && break; sleep 0.1; done
kill -TERM "$pid"
stop_or_kill "$pid"
check "external SIGTERM during a long generation: exits 0" $?
if grep -E -q "generation 1: [0-9]+ tokens, stopped by (max tokens|context full)" "$tmp/err5b"; then
  echo "note: the long generation finished before the external signal (not a failure)"
else
  grep -E -q "generation 1: [0-9]+ tokens, stopped by signal" "$tmp/err5b"
  check "external SIGTERM during a long generation: generation stopped by the signal" $?
fi

# 4. Errors: clear messages, the error pattern, never a crash.
printf '500 term\n' >"$tmp/t500.txt"
appliance -m "$tmp/missing.gguf" -p "$tmp/prompt" --gpio-script "$tmp/t500.txt" --led-log "$tmp/led6" \
  2>"$tmp/err6"
rc=$?
[ $rc -eq 1 ] && grep -q "error: cannot load model $tmp/missing.gguf" "$tmp/err6"
check "missing model: clear error, exit 1" $?
[ "$(patterns "$tmp/led6")" = "error" ] && grep -q "^500 led" "$tmp/led6" || { show "$tmp/led6"; false; }
check "missing model: LED shows the error pattern until stopped" $?

head -c 3000 /dev/urandom >"$tmp/junk.gguf"
appliance -m "$tmp/junk.gguf" -p "$tmp/prompt" --gpio-script "$tmp/t500.txt" 2>"$tmp/err7"
[ $? -eq 1 ] && grep -q "cannot load model" "$tmp/err7"
check "malformed model: clear error, exit 1" $?

appliance "${model[@]}" --arena-mb 1 --gpio-script "$tmp/t500.txt" 2>"$tmp/err8"
[ $? -eq 1 ] && grep -q -- "--arena-mb 1 is too small: a 512-token context needs" "$tmp/err8"
check "arena too small: clear error naming the bytes needed" $?
appliance "${model[@]}" --arena-mb 8 -n 4 --gpio-script "$tmp/press.txt" 2>"$tmp/err9" >/dev/null
[ $? -eq 0 ] && grep -q "arena 8388608 bytes" "$tmp/err9"
check "--arena-mb 8: the context runs in the 8 MiB arena" $?

printf '%*s' 3000 '' | tr ' ' 'a' | sed 's/a/a b /g' >"$tmp/long"
appliance -m "$tmp/tiny.gguf" -p "$tmp/long" -c 32 --gpio-script "$tmp/t500.txt" 2>"$tmp/err10"
[ $? -eq 1 ] && grep -q "the prompt has [0-9]* tokens but the context holds 32" "$tmp/err10"
check "prompt longer than the context: clear error" $?

appliance "${model[@]}" -o /dev/full -n 4 --gpio-script "$tmp/press.txt" --led-log "$tmp/led11" \
  2>"$tmp/err11"
[ $? -eq 0 ] && grep -q "writing the output failed" "$tmp/err11" &&
  [ "$(patterns "$tmp/led11")" = "idle busy error" ]
check "output write failure: error pattern, daemon keeps running" $?

appliance "${model[@]}" --gpio-script "$tmp/missing-script.txt" 2>"$tmp/err12"
[ $? -eq 1 ] && grep -q "cannot open GPIO script $tmp/missing-script.txt" "$tmp/err12"
check "missing GPIO script: clear error" $?
appliance "${model[@]}" --button-line x 2>"$tmp/err13"
[ $? -eq 2 ] && grep -q -- "--button-line expects an integer" "$tmp/err13"
check "bad option value: usage error" $?

# 5. The real libgpiod backend's error paths (this machine has no GPIO chip).
for chip in nochip /dev/gpiochip99; do
  appliance "${model[@]}" --chip "$chip" 2>"$tmp/err14"
  rc=$?
  [ $rc -eq 1 ] && grep -q "cannot open GPIO chip '$chip'" "$tmp/err14" || show "$tmp/err14"
  check "libgpiod ($backend): chip '$chip' missing: clear error naming it, exit 1" $?
done
if [ "$backend" = gpiod ]; then
  appliance "${model[@]}" --chip /dev/null 2>"$tmp/err15"
  [ $? -eq 1 ] && grep -q "cannot open GPIO chip '/dev/null'" "$tmp/err15"
  check "libgpiod: a device that is no GPIO chip: clear error, exit 1" $?
  appliance "${model[@]}" --chip nochip --button-line 5 --led-line 5 2>"$tmp/err15b"
  [ $? -eq 1 ] && grep -q "button and LED are both line 5" "$tmp/err15b"
  check "libgpiod: button and LED on one line: clear error, exit 1" $?
fi
# A busy line needs a real chip: set EDGELLM_TEST_GPIOCHIP to a gpio-sim or
# otherwise unused chip (lines 0 and 1 are requested).
if [ "$backend" = gpiod ] && [ -n "${EDGELLM_TEST_GPIOCHIP:-}" ]; then
  (exec "${EMU[@]}" "$app" "${model[@]}" --chip "$EDGELLM_TEST_GPIOCHIP" --button-line 0 \
    --led-line 1 2>"$tmp/err16") &
  pid=$!
  for _ in $(seq 600); do grep -q "appliance: ready" "$tmp/err16" && break; sleep 0.1; done
  appliance "${model[@]}" --chip "$EDGELLM_TEST_GPIOCHIP" --button-line 0 --led-line 1 2>"$tmp/err17"
  [ $? -eq 1 ] && grep -q "button line 0 is busy" "$tmp/err17"
  check "libgpiod: busy line: clear error naming the holder, exit 1" $?
  kill -TERM "$pid"
  stop_or_kill "$pid"
  check "libgpiod: the holder stops cleanly on SIGTERM" $?
else
  echo "skip libgpiod busy-line check: no GPIO chip (set EDGELLM_TEST_GPIOCHIP, e.g. a gpio-sim chip)"
fi

echo "appliance_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
