#!/usr/bin/env bash
# End-to-end test of `edgellm serve`: the real server on a loopback port,
# driven by curl and by the official `openai` npm client (pinned in
# package.json / package-lock.json, installed once into WORK_DIR/node_modules).
#   server A: tiny-qwen2 (chatml), --parallel 2 --queue 2: OpenAI client checks,
#             bad input, and the load test (every answer correct or a clean 503,
#             RSS stable, no crash)
#   server B: tiny llama (byte tokens: invalid UTF-8 in the raw output), one slot,
#             queue 1, --api-key, a long context: authentication, queue full,
#             client disconnects, UTF-8, shutdown while streaming
# usage: server_test.sh EDGELLM_BINARY WORK_DIR [SANITIZED (0|1)]
set -uo pipefail
bin=$1
work=$(mkdir -p "$2" && cd "$2" && pwd)
sanitized=${3:-0}
here=$(cd "$(dirname "$0")" && pwd)

pass=0
fail=0
check() {  # check NAME EXIT-STATUS
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi
}
die() {
  echo "*** $* ***"
  echo "server_test: 0 passed, 1 failed"
  exit 1
}

# ---- the openai client, once per build directory
command -v node >/dev/null && command -v npm >/dev/null ||
  die "Node.js/npm not found: the OpenAI client checks cannot run (scripts/deps.sh installs them)"
want=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dependencies"]["openai"])' "$here/package.json")
have=$(node -e 'try{console.log(require(process.argv[1]).version)}catch(e){console.log("none")}' \
  "$work/node_modules/openai/package.json" 2>/dev/null)
if [ "$have" != "$want" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  echo "installing openai@$want into $work/node_modules (npm ci)"
  if ! (cd "$work" && timeout 300 npm ci --no-audit --no-fund >npm.log 2>&1); then
    tail -n 20 "$work/npm.log"
    die "npm ci failed (npm registry unreachable?): the OpenAI client checks cannot run"
  fi
fi
export EDGELLM_NPM_DIR="$work"

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT

"$bin" synth --preset tiny-qwen2 --type q4_0 -o "$tmp/qwen.gguf" >/dev/null 2>&1
check "synth tiny-qwen2" $?
"$bin" synth --preset tiny --type q4_0 -o "$tmp/tiny.gguf" >/dev/null 2>&1
check "synth tiny" $?

# start_server LOG ARGS... : starts the server, waits for its port; sets PID and PORT
start_server() {
  local log=$1
  shift
  "$bin" serve --port 0 "$@" >"$log" 2>&1 &
  PID=$!
  pids+=("$PID")
  PORT=""
  for _ in $(seq 1 300); do
    PORT=$(grep -o 'listening on http://[^ ]*' "$log" | sed 's/.*://')
    [ -n "$PORT" ] && return 0
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$log"
  return 1
}

# stop_server PID LOG : SIGTERM, waits; fails on a crash, a hang or sanitizer reports
stop_server() {
  local pid=$1 log=$2 rc
  kill -TERM "$pid"
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "server $pid did not stop within 15 s"
    kill -KILL "$pid"
    return 1
  fi
  wait "$pid"
  rc=$?
  grep -q "edgellm serve: stopped" "$log" || rc=1
  if grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$log"; then rc=1; fi
  [ $rc -eq 0 ] || tail -n 40 "$log"
  return $rc
}

# post PATH BODY [CURL-ARGS...] : prints "BODY\nSTATUS"
post() {
  local path=$1 body=$2
  shift 2
  curl -s -w '\n%{http_code}' "$@" -H 'Content-Type: application/json' "$base$path" --data-binary "$body"
}

# expect_error NAME STATUS PARAM_OR_DASH RESPONSE : an OpenAI error object with that status
expect_error() {
  local name=$1 status=$2 param=$3 resp=$4
  printf '%s' "$resp" | python3 -c '
import json, sys
lines = sys.stdin.read().rsplit("\n", 1)
status, param = sys.argv[1], sys.argv[2]
assert lines[1] == status, f"status {lines[1]} != {status}: {lines[0][:300]}"
e = json.loads(lines[0])["error"]
assert isinstance(e["message"], str) and e["message"] and isinstance(e["type"], str), e
assert "param" in e and "code" in e, e
assert param == "-" or e["param"] == param, e
' "$status" "$param"
  check "$name" $?
}

# ============================================================ server A
start_server "$tmp/a.log" -m "$tmp/qwen.gguf" --family chatml --parallel 2 --queue 2 -c 1024
check "server A starts (tiny-qwen2, 2 slots, queue 2)" $?
A_PID=$PID
base="http://127.0.0.1:$PORT"
grep -q "slot 1: n_ctx 1024, arena [0-9]* bytes" "$tmp/a.log"
check "the planned arena of every slot is printed at start" $?

curl -s "$base/health" | python3 -c 'import json,sys; h=json.load(sys.stdin); assert h["status"]=="ok" and h["slots_total"]==2 and h["slots_idle"]==2, h'
check "GET /health" $?
timeout 20 "$bin" serve -m "$tmp/qwen.gguf" --port "$PORT" >"$tmp/inuse.log" 2>&1
[ $? -eq 1 ] && grep -q "cannot listen" "$tmp/inuse.log"
check "a port in use: exit 1 with a message" $?
"$bin" serve --port 0 >/dev/null 2>&1
[ $? -eq 2 ]
check "serve without -m: usage error" $?
"$bin" serve -m "$tmp/missing.gguf" --port 0 >/dev/null 2>&1
[ $? -eq 1 ]
check "serve with a missing model file: exit 1" $?
curl -s "$base/v1/models" | python3 -c 'import json,sys; m=json.load(sys.stdin); assert m["object"]=="list" and m["data"][0]["id"]=="qwen", m'
check "GET /v1/models lists the model (file name stem)" $?

# Greedy completion equals `edgellm run --temp 0` for the same prompt.
ref=$("$bin" run -m "$tmp/qwen.gguf" -p "The quick brown fox" -n 32 --temp 0 --json 2>/dev/null)
resp=$(post /v1/completions '{"prompt":"The quick brown fox","max_tokens":32,"temperature":0}')
printf '%s' "$resp" | python3 -c '
import json, sys
body, status = sys.stdin.read().rsplit("\n", 1)
ref = json.loads(sys.argv[1].encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
r = json.loads(body)
assert status == "200", status
c = r["choices"][0]
assert c["text"] == ref["text"], (c["text"], ref["text"])
assert r["usage"]["completion_tokens"] == len(ref["tokens"]), (r["usage"], len(ref["tokens"]))
assert r["usage"]["total_tokens"] == r["usage"]["prompt_tokens"] + r["usage"]["completion_tokens"]
assert r["object"] == "text_completion" and c["finish_reason"] in ("stop", "length")
' "$ref"
check "curl: greedy /v1/completions equals edgellm run --temp 0" $?

# Streaming: data: chunks that concatenate to the non-streamed text, then [DONE].
resp=$(post /v1/chat/completions '{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello"}],"max_tokens":40,"temperature":0}')
sresp=$(post /v1/chat/completions '{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello"}],"max_tokens":40,"temperature":0,"stream":true}' -N)
python3 - "$resp" "$sresp" <<'EOF'
import json, sys
body, status = sys.argv[1].rsplit("\n", 1)
sbody, sstatus = sys.argv[2].rsplit("\n", 1)
assert status == "200" and sstatus == "200", (status, sstatus)
full = json.loads(body)
assert full["object"] == "chat.completion"
text = full["choices"][0]["message"]["content"]
events = [l[6:] for l in sbody.split("\n") if l.startswith("data: ")]
assert events[-1] == "[DONE]", events[-1]
chunks = [json.loads(e) for e in events[:-1]]
assert chunks[0]["choices"][0]["delta"].get("role") == "assistant"
assert all(c["object"] == "chat.completion.chunk" and c["id"] == chunks[0]["id"] for c in chunks)
streamed = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
assert streamed == text, (streamed, text)
last = chunks[-1]
assert last["choices"][0]["finish_reason"] == full["choices"][0]["finish_reason"]
assert last["usage"] == full["usage"], (last["usage"], full["usage"])
EOF
check "curl: SSE chat stream concatenates to the non-streamed text, ends with [DONE]" $?

# Sampling parameters: seeded sampling is reproducible, different seeds differ.
s1=$(post /v1/completions '{"prompt":"Once","max_tokens":24,"temperature":1.0,"top_p":0.9,"seed":7,"ignore_eos":true}')
s2=$(post /v1/completions '{"prompt":"Once","max_tokens":24,"temperature":1.0,"top_p":0.9,"seed":7,"ignore_eos":true}')
s3=$(post /v1/completions '{"prompt":"Once","max_tokens":24,"temperature":1.0,"top_p":0.9,"seed":8,"ignore_eos":true}')
python3 - "$s1" "$s2" "$s3" <<'EOF'
import json, sys
t = [json.loads(a.rsplit("\n", 1)[0])["choices"][0]["text"] for a in sys.argv[1:]]
assert t[0] == t[1], t
assert t[0] != t[2], t
EOF
check "seed: same seed same text, another seed another text" $?

# Stop strings, also split across tokens: the text ends before the stop.
python3 - "$base" <<'EOF'
import json, sys, urllib.request
base = sys.argv[1]
def call(body):
    req = urllib.request.Request(base + "/v1/completions", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req).read())
body = {"prompt": "The quick brown fox", "max_tokens": 48, "temperature": 0, "ignore_eos": True}
full = call(body)["choices"][0]["text"]
assert len(full) > 12, full
stop = full[6:10]
cut = full[:full.index(stop)]
r = call(dict(body, stop=[stop, "\u2603never"]))
c = r["choices"][0]
assert c["text"] == cut and c["finish_reason"] == "stop", (c, cut, stop)
EOF
check "stop: the text is cut before the first stop string, finish_reason stop" $?

# ---- the official OpenAI JavaScript client
node "$here/openai_client_test.mjs" "$base/v1" "$bin" "$tmp/qwen.gguf"
check "openai npm client: models, completions, chat, streaming, errors" $?

# ---- bad input: 4xx with an OpenAI error object, never a crash
expect_error "malformed JSON -> 400" 400 - "$(post /v1/chat/completions '{"messages":[')"
expect_error "empty body -> 400" 400 - "$(post /v1/chat/completions '')"
expect_error "body not an object -> 400" 400 - "$(post /v1/completions '[1,2,3]')"
expect_error "missing messages -> 400" 400 messages "$(post /v1/chat/completions '{"model":"x"}')"
expect_error "messages not an array -> 400" 400 messages "$(post /v1/chat/completions '{"messages":"hi"}')"
expect_error "unknown role -> 400" 400 "messages[0].role" "$(post /v1/chat/completions '{"messages":[{"role":"wizard","content":"x"}]}')"
expect_error "content of the wrong type -> 400" 400 "messages[0].content" "$(post /v1/chat/completions '{"messages":[{"role":"user","content":{"a":1}}]}')"
expect_error "temperature \"hot\" -> 400" 400 temperature "$(post /v1/chat/completions '{"messages":[{"role":"user","content":"x"}],"temperature":"hot"}')"
expect_error "temperature out of range -> 400" 400 temperature "$(post /v1/completions '{"prompt":"x","temperature":7}')"
expect_error "max_tokens negative -> 400" 400 max_tokens "$(post /v1/completions '{"prompt":"x","max_tokens":-1}')"
expect_error "max_tokens fractional -> 400" 400 max_tokens "$(post /v1/completions '{"prompt":"x","max_tokens":1.5}')"
expect_error "stop of the wrong type -> 400" 400 stop "$(post /v1/completions '{"prompt":"x","stop":5}')"
expect_error "stream not a boolean -> 400" 400 stream "$(post /v1/completions '{"prompt":"x","stream":"yes"}')"
expect_error "n=2 -> 400" 400 n "$(post /v1/completions '{"prompt":"x","n":2}')"
expect_error "missing prompt -> 400" 400 prompt "$(post /v1/completions '{"max_tokens":3}')"
expect_error "token id outside the vocabulary -> 400" 400 prompt "$(post /v1/completions '{"prompt":[1,2,999999]}')"
expect_error "invalid UTF-8 in a JSON string -> 400" 400 - "$(post /v1/completions "$(printf '{"prompt":"\xff\xfe"}')")"
long=$(python3 -c 'print(" ".join(["alpha beta gamma"] * 1200))')
expect_error "prompt longer than the context -> 400 context_length_exceeded" 400 prompt \
  "$(post /v1/completions "{\"prompt\":\"$long\"}")"
post /v1/completions "{\"prompt\":\"$long\"}" | grep -q '"code":"context_length_exceeded"'
check "  ... with code context_length_exceeded" $?
printf '{"prompt":"%s"}' "$long" >"$tmp/long.json"
curl -s "$base/v1/completions" --data-binary @"$tmp/long.json" | grep -q '"code":"context_length_exceeded"'
check "a 50 KB body without a JSON content type (curl -d) is read as JSON" $?
expect_error "multipart form body -> 400" 400 - "$(curl -s -w '\n%{http_code}' -F a=b "$base/v1/completions")"
python3 -c 'print("{\"prompt\":\"" + "a" * (1 << 20) + "\"}")' >"$tmp/big.json"
expect_error "body over 1 MiB -> 413" 413 - "$(curl -s -w '\n%{http_code}' -H 'Content-Type: application/json' "$base/v1/completions" --data-binary @"$tmp/big.json")"
expect_error "chunked body over 1 MiB -> 413" 413 - "$(curl -s -w '\n%{http_code}' -H 'Transfer-Encoding: chunked' "$base/v1/completions" --data-binary @"$tmp/big.json")"
python3 -c 'print("[" * 200000 + "]" * 200000)' >"$tmp/deep.json"
expect_error "200k nested arrays -> 400" 400 - "$(curl -s -w '\n%{http_code}' "$base/v1/completions" --data-binary @"$tmp/deep.json")"
expect_error "unknown route -> 404" 404 - "$(curl -s -w '\n%{http_code}' "$base/v1/nothing")"
expect_error "GET on a POST route -> 405" 405 - "$(curl -s -w '\n%{http_code}' "$base/v1/chat/completions")"
expect_error "DELETE /v1/models -> 405" 405 - "$(curl -s -w '\n%{http_code}' -X DELETE "$base/v1/models")"
resp=$(post /v1/completions '{"prompt":"x","max_tokens":2,"frobnicate":{"deep":[1,2]},"logit_bias":null}')
[ "$(printf '%s' "$resp" | tail -n 1)" = 200 ]
check "unknown fields are ignored -> 200" $?
resp=$(post /v1/chat/completions '{"messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}],"max_tokens":2}')
[ "$(printf '%s' "$resp" | tail -n 1)" = 200 ]
check "content as an array of text parts -> 200" $?
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
printf 'GARBAGE\r\n\r\n' >&3
timeout 5 head -n 1 <&3 | grep -q "^HTTP/1.1 400"
check "malformed HTTP -> 400" $?
exec 3<&-
kill -0 "$A_PID" && curl -sf "$base/health" >/dev/null
check "the server is alive after every bad request" $?

# ---- load: every request a correct answer or a clean 503; RSS stable
if [ "$sanitized" = 1 ]; then n_load=60; rss="RSS reported only (sanitizer)"; else n_load=200; rss="RSS stable"; fi
node "$here/load_test.mjs" "$base" "$A_PID" "$n_load" 8 "$sanitized"
check "load: $n_load requests from 8 clients, each correct or a clean 503, $rss" $?
kill -0 "$A_PID" && curl -sf "$base/health" >/dev/null
check "server A alive after the load" $?
stop_server "$A_PID" "$tmp/a.log"
check "server A stops cleanly on SIGTERM" $?

# ============================================================ server B
start_server "$tmp/b.log" -m "$tmp/tiny.gguf" --family chatml --parallel 1 --queue 1 -c 32768 --api-key s3cret
check "server B starts (tiny llama, 1 slot, queue 1, API key)" $?
B_PID=$PID
base="http://127.0.0.1:$PORT"
auth=(-H "Authorization: Bearer s3cret")

expect_error "no API key -> 401" 401 - "$(post /v1/completions '{"prompt":"x"}')"
expect_error "wrong API key -> 401" 401 - "$(post /v1/completions '{"prompt":"x"}' -H 'Authorization: Bearer nope')"
expect_error "no API key on /v1/models -> 401" 401 - "$(curl -s -w '\n%{http_code}' "$base/v1/models")"
[ "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$base/v1/models")" = 200 ]
check "the right API key -> 200" $?

# Byte tokens: the raw output is not valid UTF-8; the server sends valid
# UTF-8 with U+FFFD for each ill-formed part (as Node/Python decode it).
ref=$("$bin" run -m "$tmp/tiny.gguf" -p "Hello world" -n 48 --temp 0 --json 2>/dev/null | python3 -c '
import sys, json; print(json.dumps(json.loads(sys.stdin.buffer.read().decode("utf-8", "replace"))["text"]))')
resp=$(post /v1/completions '{"prompt":"Hello world","max_tokens":48,"temperature":0}' "${auth[@]}")
sresp=$(post /v1/completions '{"prompt":"Hello world","max_tokens":48,"temperature":0,"stream":true}' "${auth[@]}" -N)
python3 - "$ref" "$resp" "$sresp" <<'EOF'
import json, sys
ref = json.loads(sys.argv[1])
body, status = sys.argv[2].rsplit("\n", 1)
text = json.loads(body)["choices"][0]["text"]
assert text == ref, (text, ref)
sbody = sys.argv[3].rsplit("\n", 1)[0]
events = [l[6:] for l in sbody.split("\n") if l.startswith("data: ")]
assert events[-1] == "[DONE]"
assert "".join(json.loads(e)["choices"][0]["text"] for e in events[:-1]) == text
EOF
check "UTF-8: invalid bytes become U+FFFD, streamed and not, equal to run's output decoded" $?

# One slot, queue 1: a running and a waiting request fill the server, the
# next gets 503; a client that disconnects cancels its generation.
long_req='{"prompt":"Hello","max_tokens":30000,"ignore_eos":true,"stream":true}'
curl -s -N --max-time 3 "${auth[@]}" "$base/v1/completions" -d "$long_req" >/dev/null 2>&1 &
c1=$!
sleep 0.5
curl -s --max-time 3 "${auth[@]}" "$base/v1/completions" -d '{"prompt":"Hi","max_tokens":30000,"ignore_eos":true}' >/dev/null 2>&1 &
c2=$!
sleep 0.5
curl -s "${auth[@]}" "$base/health" | python3 -c 'import json,sys; h=json.load(sys.stdin); assert h["slots_processing"]==1 and h["requests_waiting"]==1, h'
check "health: 1 running, 1 waiting" $?
expect_error "queue full -> 503" 503 - "$(post /v1/completions '{"prompt":"x","max_tokens":2}' "${auth[@]}")"
wait $c1 $c2
sleep 0.5
curl -s "${auth[@]}" "$base/health" | python3 -c 'import json,sys; h=json.load(sys.stdin); assert h["slots_idle"]==1 and h["requests_waiting"]==0, h'
check "after the clients disconnect the slot is idle again" $?
[ "$(grep -c "cancelled, client disconnected" "$tmp/b.log")" -ge 2 ]
check "a disconnect cancels the generation (streaming and not)" $?
resp=$(post /v1/completions '{"prompt":"Hello world","max_tokens":4,"temperature":0}' "${auth[@]}")
[ "$(printf '%s' "$resp" | tail -n 1)" = 200 ]
check "the next request is served" $?

# Shutdown while streaming: the stream ends with an error event, the process exits 0.
curl -s -N --max-time 20 "${auth[@]}" "$base/v1/chat/completions" \
  -d '{"messages":[{"role":"user","content":"Hi"}],"max_tokens":30000,"ignore_eos":true,"stream":true}' >"$tmp/shut.txt" 2>&1 &
c3=$!
sleep 0.7
stop_server "$B_PID" "$tmp/b.log"
check "server B stops cleanly on SIGTERM while a stream runs" $?
wait $c3
grep -q '"code":"shutting_down"' "$tmp/shut.txt"
check "the running stream gets a shutting_down error event" $?

# ============================================================ server C
# A model without a chat template and no --family: completions work, chat
# answers with a clear error.
start_server "$tmp/c.log" -m "$tmp/tiny.gguf" -c 256
check "server C starts (no chat template)" $?
C_PID=$PID
base="http://127.0.0.1:$PORT"
grep -q "chat completions unavailable" "$tmp/c.log"
check "the start-up log says chat is unavailable and why" $?
expect_error "chat without a template -> 500 naming --family" 500 - "$(post /v1/chat/completions '{"messages":[{"role":"user","content":"x"}]}')"
post /v1/chat/completions '{"messages":[{"role":"user","content":"x"}]}' | grep -q -- '--family'
check "  ... the message names --family" $?
[ "$(post /v1/completions '{"prompt":"Hello","max_tokens":4}' | tail -n 1)" = 200 ]
check "completions still work" $?
stop_server "$C_PID" "$tmp/c.log"
check "server C stops cleanly" $?

echo "server_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
