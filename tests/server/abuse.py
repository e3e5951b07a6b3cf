#!/usr/bin/env python3
"""Abuse test of `edgellm serve` (python3 standard library only, loopback only).

Starts the server on a tiny synthetic model and attacks it the way a hostile
client would: slowloris heads and bodies, connection floods, malformed
request lines and headers, huge headers, bad JSON, pipelined requests,
random bytes, abrupt disconnects. Throughout it checks that the server never
crashes, that GET /health stays answerable (from the same loopback address
as the attackers), that no answer is a 5xx other than a clean 503, and that
the server's RSS, threads and descriptors stay bounded. Everything is
bounded in count and time and the script stops by itself.

  abuse.py --bin build/release/edgellm --quick       # the ctest checks (~25 s)
  abuse.py --bin build/release/edgellm --rounds 60   # the long run (minutes)

--quick runs the regression checks of issue #17 once each: slowloris heads
and a slow body while /health is probed, the per-client connection cap,
pipelining (also with a half-close and after an unread body), sampling edge
values (never a 500). The long run adds N rounds of randomly chosen attacks
and prints a summary; exit status 0 when there was no finding.
"""

import argparse
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HOST = "127.0.0.1"


# ---------------------------------------------------------------- HTTP bits
class Reader:
    """Reads HTTP/1.1 responses from a socket (Content-Length or chunked)."""

    def __init__(self, sock, timeout):
        self.sock = sock
        self.buf = b""
        self.deadline = time.monotonic() + timeout

    def _more(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no complete response in time")
        self.sock.settimeout(left)
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("connection closed")
        self.buf += data

    def _until(self, sep):
        while sep not in self.buf:
            self._more()
        i = self.buf.index(sep) + len(sep)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def _take(self, n):
        while len(self.buf) < n:
            self._more()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def response(self):
        """(status, headers dict lower-case, body bytes)."""
        while True:
            head = self._until(b"\r\n\r\n").decode("latin-1")
            lines = head.split("\r\n")
            m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
            if not m:
                raise ValueError("not an HTTP response: %r" % lines[0][:80])
            status = int(m.group(1))
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
            if status != 100:
                break
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self._until(b"\r\n").split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self._until(b"\r\n")
                    break
                body += self._take(size)
                self._take(2)
        else:
            body = self._take(int(headers.get("content-length", "0")))
        return status, headers, body


def connect(port, timeout=5.0):
    s = socket.create_connection((HOST, port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def request_bytes(method, path, body=b"", headers=None, close=False):
    h = {"Host": "x"}
    if body or method == "POST":
        h["Content-Type"] = "application/json"
        h["Content-Length"] = str(len(body))
    if close:
        h["Connection"] = "close"
    h.update(headers or {})
    head = "%s %s HTTP/1.1\r\n" % (method, path) + "".join("%s: %s\r\n" % kv for kv in h.items()) + "\r\n"
    return head.encode("latin-1") + body


def call(port, method, path, body=b"", timeout=30.0, headers=None):
    with connect(port, timeout) as s:
        s.sendall(request_bytes(method, path, body, headers, close=True))
        return Reader(s, timeout).response()


def send_raw(port, data, timeout=3.0, half_close=False):
    """Sends bytes, returns the first response's status, or None when the
    server closed without one, or 'timeout'."""
    try:
        with connect(port, timeout) as s:
            s.sendall(data)
            if half_close:
                s.shutdown(socket.SHUT_WR)
            try:
                return Reader(s, timeout).response()[0]
            except EOFError:
                return None
            except TimeoutError:
                return "timeout"
    except (ConnectionError, OSError):
        return None


# ------------------------------------------------------------ the server
class Server:
    def __init__(self, binary, model, work, extra):
        self.log_path = os.path.join(work, "serve-%d.log" % int(time.time() * 1000))
        self.log = open(self.log_path, "w")
        args = [binary, "serve", "-m", model, "--port", "0", "--family", "chatml", "-c", "512"] + extra
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        self.port = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            m = re.search(r"listening on http://[^ ]*:(\d+)", open(self.log_path).read())
            if m:
                self.port = int(m.group(1))
                break
            time.sleep(0.05)
        if self.port is None:
            raise RuntimeError("the server did not start:\n" + open(self.log_path).read()[-3000:])

    def alive(self):
        return self.proc.poll() is None

    def status(self):
        """RSS KiB, threads, open descriptors."""
        try:
            text = open("/proc/%d/status" % self.proc.pid).read()
            rss = int(re.search(r"VmRSS:\s+(\d+)", text).group(1))
            threads = int(re.search(r"Threads:\s+(\d+)", text).group(1))
            fds = len(os.listdir("/proc/%d/fd" % self.proc.pid))
            return rss, threads, fds
        except (OSError, AttributeError):
            return 0, 0, 0

    def stop(self):
        """SIGTERM; True when it exits 0 within 20 s having said it stopped."""
        if not self.alive():
            return False
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return False
        self.log.close()
        text = open(self.log_path).read()
        return rc == 0 and "edgellm serve: stopped" in text and "Sanitizer" not in text

    def kill(self):
        if self.alive():
            self.proc.kill()
            self.proc.wait()


# ------------------------------------------------------------- bookkeeping
class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.checks = []      # (name, ok, detail)
        self.findings = []    # anomalies in the long run
        self.counts = {}      # attack -> times run
        self.statuses = {}    # status -> count, over every answer the attacks read
        self.probes = []      # health probe latencies (None: failed)

    def check(self, name, ok, detail=""):
        with self.lock:
            self.checks.append((name, bool(ok), detail))
        print("%s %s%s" % ("ok  " if ok else "FAIL", name, (": " + detail) if detail and not ok else ""), flush=True)
        return ok

    def finding(self, text):
        with self.lock:
            self.findings.append(text)
        print("FINDING " + text, flush=True)

    def status(self, st):
        with self.lock:
            self.statuses[st] = self.statuses.get(st, 0) + 1


def probe(port, timeout=2.0):
    """GET /health on a fresh connection: latency in s, or None."""
    t0 = time.monotonic()
    try:
        st, _, body = call(port, "GET", "/health", timeout=timeout)
        if st == 200 and json.loads(body)["status"] == "ok":
            return time.monotonic() - t0
    except Exception:
        pass
    return None


# ------------------------------------------------------------ slow clients
def slowloris(port, n, interval, duration, body_bytes=0):
    """n connections that send a header line (or, with body_bytes, one body
    byte) every `interval` s. Returns (answers, seconds until each was
    closed) once all are closed or `duration` passed."""
    socks, answers, closed = [], [], []
    t0 = time.monotonic()
    for _ in range(n):
        try:
            s = connect(port)
            if body_bytes:
                s.sendall(request_bytes("POST", "/v1/completions", b"", {"Content-Length": str(body_bytes)}))
            else:
                s.sendall(b"POST /v1/completions HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        except OSError:
            closed.append(0.0)
    live = list(socks)
    while live and time.monotonic() - t0 < duration:
        for s in list(live):
            try:
                s.sendall(b"{" if body_bytes else b"X-Slow: 1\r\n")
            except OSError:
                pass
            s.setblocking(False)
            try:
                data = s.recv(4096)
                if data:
                    answers.append(data.split(b"\r\n", 1)[0].decode("latin-1"))
                closed.append(time.monotonic() - t0)
                live.remove(s)
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                closed.append(time.monotonic() - t0)
                live.remove(s)
            s.setblocking(True)
        time.sleep(interval)
    for s in socks:
        s.close()
    return answers, closed, len(live)


# ---------------------------------------------------------------- quick checks
def check_slowloris(R, srv, head_timeout=10.0):
    """20 slow heads + 5 slow bodies while /health is probed 10 times."""
    out = {}
    t1 = threading.Thread(target=lambda: out.setdefault("heads", slowloris(srv.port, 20, 1.0, head_timeout + 6)))
    t2 = threading.Thread(target=lambda: out.setdefault("bodies", slowloris(srv.port, 5, 1.0, head_timeout + 6, 2000)))
    t1.start()
    t2.start()
    time.sleep(0.5)
    lat = []
    for _ in range(10):
        lat.append(probe(srv.port))
        time.sleep(1.0)
    t1.join()
    t2.join()
    R.probes += lat
    good = [x for x in lat if x is not None and x < 1.0]
    R.check("/health answered in < 1 s during 20 slowloris heads + 5 slow bodies (%d/10, worst %s)"
            % (len(good), max((x for x in lat if x is not None), default=None)), len(good) == 10, str(lat))
    answers, closed, live = out["heads"]
    R.check("slow heads cut at the head deadline with 408 (%d answered, all closed by %.1f s)"
            % (len(answers), max(closed, default=0)),
            live == 0 and len(closed) == 20 and max(closed) < head_timeout + 3 and
            all(a.startswith("HTTP/1.1 408") for a in answers) and len(answers) == 20, "%r %r live=%d" % (answers[:3], sorted(closed), live))
    answers, closed, live = out["bodies"]
    R.check("slow bodies cut at the body deadline (%d closed by %.1f s)" % (len(closed), max(closed, default=0)),
            live == 0 and len(closed) == 5 and max(closed) < head_timeout + 4 and
            all(a.startswith("HTTP/1.1 408") for a in answers), "%r %r live=%d" % (answers[:3], closed[:3], live))


def check_client_cap(R, srv, cap):
    """`cap` idle connections from one address, then 8 more that ask for
    /v1/models: those get 503 too_many_connections, while GET /health (a
    connection over the cap too) is still 200."""
    socks = [connect(srv.port) for _ in range(cap)]
    time.sleep(0.3)
    refused = 0
    for _ in range(8):
        try:
            with connect(srv.port) as s:
                s.sendall(request_bytes("GET", "/v1/models"))
                st, _, body = Reader(s, 5).response()
                refused += st == 503 and b"too_many_connections" in body
        except Exception:
            pass
    lat = probe(srv.port)
    for s in socks:
        s.close()
    R.check("over the per-client cap (%d): 503 too_many_connections (%d/8)" % (cap, refused), refused == 8)
    R.check("over the per-client cap: GET /health still 200 (%.3f s)" % (lat or -1), lat is not None and lat < 1.0)


def check_flood(R, srv, n=120):
    """n idle connections from one address (far over the per-client cap):
    /health from that address is still answered (within 3 tries)."""
    socks = []
    for _ in range(n):
        try:
            socks.append(connect(srv.port))
        except OSError:
            pass
    time.sleep(0.2)
    lat = []
    for _ in range(3):
        lat.append(probe(srv.port))
        if lat[-1] is not None:
            break
    for s in socks:
        s.close()
    R.probes += lat
    R.check("%d idle connections from one address: /health still 200 (tries %s)" % (len(socks), lat),
            lat[-1] is not None and lat[-1] < 1.0)


def pipelined(port, reqs, half_close=False, timeout=30.0):
    with connect(port, timeout) as s:
        s.sendall(b"".join(reqs))
        if half_close:
            s.shutdown(socket.SHUT_WR)
        r = Reader(s, timeout)
        out = []
        try:
            for _ in reqs:
                out.append(r.response())
        except (EOFError, TimeoutError, ValueError, OSError):
            pass
        return out


def kind_of(resp):
    st, _, body = resp
    try:
        j = json.loads(body)
    except ValueError:
        return "%d?" % st
    if "status" in j:
        return "health"
    if j.get("object") == "list":
        return "models"
    if j.get("object") == "text_completion":
        return "completion"
    if "error" in j:
        return "error%d" % st
    return "%d?" % st


def check_pipelining(R, srv):
    comp = json.dumps({"prompt": "Hi", "max_tokens": 3, "seed": 1}).encode()
    reqs = [request_bytes("GET", "/health"), request_bytes("POST", "/v1/completions", comp),
            request_bytes("GET", "/v1/models"), request_bytes("GET", "/health", close=True)]
    want = ["health", "completion", "models", "health"]
    got = [kind_of(r) for r in pipelined(srv.port, reqs)]
    R.check("pipelining: 4 requests in one write, 4 answers in order", got == want, str(got))
    got = [kind_of(r) for r in pipelined(srv.port, [reqs[0], reqs[2], reqs[1]], half_close=True)]
    R.check("pipelining with a half-close after the last request (a completion): every answer",
            got == ["health", "models", "completion"], str(got))
    # A body the server refuses unread must not be read as the next request.
    big = b'{"prompt":"' + b"a" * (1 << 20) + b'"}'
    reqs = [request_bytes("POST", "/v1/completions", big), request_bytes("GET", "/health")]
    got = pipelined(srv.port, reqs)
    R.check("a 413 closes the connection: its body is never parsed as a request",
            [g[0] for g in got] == [413] and got[0][1].get("connection") == "close", str([g[0] for g in got]))
    st = send_raw(srv.port, b"GET /health HTTP/1.1\nHost: x\n\n", half_close=True)
    R.check("a head cut short by a half-close gets a 400", st == 400, str(st))
    # A POST body read by httplib itself (405) keeps the connection in step.
    reqs = [request_bytes("POST", "/v1/models", b'GET /x HTTP/1.1\r\n\r\n'), request_bytes("GET", "/health")]
    got = [kind_of(r) for r in pipelined(srv.port, reqs)]
    R.check("a body inside an answered request is not taken for a request", got == ["error405", "health"], str(got))


def check_sampling(R, srv):
    bad = []
    cases = [("top_p", 0), ("top_p", 1), ("min_p", 0), ("min_p", 1), ("temperature", 0), ("temperature", 2),
             ("top_k", 0), ("repeat_penalty", 0.01), ("repeat_penalty", 100), ("top_p", 1e-30), ("min_p", 1e-30)]
    for field, value in cases:
        for path, base in (("/v1/completions", {"prompt": "Hi"}), ("/v1/chat/completions", {"messages": [{"role": "user", "content": "Hi"}]})):
            for stream in (False, True):
                body = dict(base, max_tokens=2, stream=stream, **{field: value})
                st, _, b = call(srv.port, "POST", path, json.dumps(body).encode())
                ok = st == 200 or (st == 400 and json.loads(b)["error"]["param"] == field)
                if not ok:
                    bad.append("%s=%r %s stream=%s -> %d %s" % (field, value, path, stream, st, b[:120]))
    R.check("sampling edge values: 200, or 400 naming the field, never 500 (%d requests)" % (len(cases) * 4),
            not bad, "; ".join(bad[:4]))


# ---------------------------------------------------------------- long run
def rand_bytes(rng, n):
    return bytes(rng.getrandbits(8) for _ in range(n))


MALFORMED = [
    b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET /\x00 HTTP/1.1\r\n\r\n",
    b"GET /" + b"a" * 10000 + b" HTTP/1.1\r\n\r\n", b"\r\n\r\n\r\n", b"GET /health HTTP/1.1\r\nNoColonHere\r\n\r\n",
    b"GET /health HTTP/1.1\r\nX: " + b"b" * 9000 + b"\r\n\r\n",
    b"POST /v1/completions HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
    b"POST /v1/completions HTTP/1.1\r\nContent-Length: abc\r\n\r\n{}",
    b"POST /v1/completions HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}",
    b"POST /v1/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    b"POST /v1/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n{}\r\n",
    b"POST /v1/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    b"POST /v1/completions HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
    b"POST /v1/completions HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n",
    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", b"GET http://x/health HTTP/1.1\r\n\r\n", b"OPTIONS * HTTP/1.1\r\n\r\n",
    b"GET /health HTTP/1.0\r\n\r\n", b"HEAD /health HTTP/1.1\r\n\r\n", b"GET /health?x=%zz HTTP/1.1\r\n\r\n",
    b"GET /health HTTP/1.1\r\nRange: bytes=5-1\r\n\r\n", b"GET /../../etc/passwd HTTP/1.1\r\n\r\n",
    b"GET /health HTTP/1.1\nHost: x\n\n", b"GET /health HTTP/1.1\r\nHost: x\n\r\n",
]

JSON_BODIES = [
    b"", b"{", b"null", b"[]", b"1e999", b'"x"', b"{}" * 1000, b'{"prompt":NaN}', b'{"prompt":"\\ud800"}',
    b'{"prompt":"x","max_tokens":1e300}', b'{"prompt":"x","temperature":-0.0}', b'{"prompt":"x","seed":-1}',
    b'{"prompt":"x","top_k":1e20}', b'{"prompt":"x","stop":[' + b'"a",' * 10 + b'"a"]}',
    b'{"prompt":[' + b"1," * 3000 + b'1],"max_tokens":1}', b'{"messages":[{"role":"user","content":[{"type":"image_url"}]}]}',
    b'{"messages":[{"role":"user","content":"\\u0000"}]}', b'{"prompt":"x","stream":true,"stream_options":1}',
    b'{"prompt":{"a":[[[[[[[[[[[[[[1]]]]]]]]]]]]]]}}', b"[" * 100000, b'{"prompt":"x","n":1,"n":2}',
    b'{"prompt":"x","max_tokens":2,"temperature":1.9999999,"top_p":1e-45,"min_p":0.9999999}',
]


def attack(name, R, srv, rng):
    port = srv.port
    statuses = []
    if name == "slowloris":
        answers, closed, live = slowloris(port, rng.randint(10, 40), 1.0, 14)
        if live:
            R.finding("slowloris: %d connections still open after 14 s" % live)
        statuses += [a[9:12] for a in answers]
    elif name == "slow_body":
        answers, closed, live = slowloris(port, rng.randint(3, 10), 0.5, 15, rng.choice([100, 5000]))
        if live:
            R.finding("slow body: %d connections still open after 15 s" % live)
        statuses += [a[9:12] for a in answers]
    elif name == "flood":
        socks = []
        for _ in range(rng.randint(100, 300)):
            try:
                socks.append(connect(port, 3))
            except OSError:
                pass
        time.sleep(0.5)
        for s in socks[: len(socks) // 2]:
            try:
                s.sendall(request_bytes("GET", "/health"))
            except OSError:
                pass
        for s in socks[: len(socks) // 2]:
            try:
                statuses.append(str(Reader(s, 3).response()[0]))
            except Exception:
                statuses.append("closed")
        for s in socks:
            s.close()
    elif name == "request_flood":
        out = []

        def worker():
            for _ in range(25):
                try:
                    out.append(str(call(port, "GET", rng.choice(["/health", "/v1/models"]), timeout=5)[0]))
                except Exception:
                    out.append("closed")
        ts = [threading.Thread(target=worker) for _ in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        statuses += out
    elif name == "malformed":
        for data in rng.sample(MALFORMED, 8):
            statuses.append(str(send_raw(port, data, half_close=rng.random() < 0.3)))
    elif name == "huge_headers":
        for size in (rng.randint(60000, 70000), 200000, 1 << 20):
            data = b"GET /health HTTP/1.1\r\n" + b"".join(b"X-%d: %s\r\n" % (i, b"v" * 90) for i in range(size // 100)) + b"\r\n"
            statuses.append(str(send_raw(port, data, timeout=5)))
    elif name == "bad_json":
        for body in rng.sample(JSON_BODIES, 8):
            if rng.random() < 0.5 and body:
                body = bytearray(body)
                body[rng.randrange(len(body))] = rng.getrandbits(8)
                body = bytes(body)
            path = rng.choice(["/v1/completions", "/v1/chat/completions"])
            statuses.append(str(send_raw(port, request_bytes("POST", path, body, close=True), timeout=30)))
    elif name == "pipelining":
        kinds = [rng.choice(["health", "models", "completion"]) for _ in range(rng.randint(2, 8))]
        reqs = []
        for k in kinds:
            if k == "health":
                reqs.append(request_bytes("GET", "/health"))
            elif k == "models":
                reqs.append(request_bytes("GET", "/v1/models"))
            else:
                reqs.append(request_bytes("POST", "/v1/completions", json.dumps({"prompt": "Hi", "max_tokens": 2}).encode()))
        got = pipelined(port, reqs, half_close=rng.random() < 0.5)
        kinds_got = [kind_of(r) for r in got]
        # A completion may meet a full queue (503) under load; the order must hold.
        if len(got) != len(kinds) or any(g != k and not g.startswith("error503") for g, k in zip(kinds_got, kinds)):
            R.finding("pipelining: sent %s, got %s" % (kinds, kinds_got))
        statuses += [str(r[0]) for r in got]
    elif name == "random_bytes":
        for _ in range(6):
            statuses.append(str(send_raw(port, rand_bytes(rng, rng.randint(1, 20000)), timeout=2, half_close=True)))
    elif name == "abrupt":
        for _ in range(6):
            try:
                s = connect(port)
                body = json.dumps({"prompt": "Once", "max_tokens": 200, "stream": rng.random() < 0.5, "ignore_eos": True}).encode()
                data = request_bytes("POST", "/v1/completions", body)
                s.sendall(data[: rng.randint(1, len(data))])
                if rng.random() < 0.5:  # reset instead of a close
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                time.sleep(rng.random() * 0.3)
                s.close()
            except OSError:
                pass
    for st in statuses:
        R.status(st)
        if re.fullmatch(r"5\d\d", st) and st != "503":
            R.finding("%s: HTTP %s" % (name, st))


ATTACKS = ["slowloris", "slow_body", "flood", "request_flood", "malformed", "huge_headers", "bad_json",
           "pipelining", "random_bytes", "abrupt"]


# ------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True, help="the edgellm binary")
    ap.add_argument("--quick", action="store_true", help="only the regression checks (ctest)")
    ap.add_argument("--rounds", type=int, default=40, help="attack rounds of the long run")
    ap.add_argument("--time-limit", type=float, default=1200, help="the long run stops after this many seconds")
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--rss-limit-mib", type=float, default=64, help="allowed RSS growth (MiB)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    R = Results()
    t_start = time.monotonic()

    with tempfile.TemporaryDirectory(prefix="edgellm-abuse-") as work:
        model = os.path.join(work, "tiny.gguf")
        subprocess.run([args.bin, "synth", "--preset", "tiny", "--type", "q4_0", "-o", model],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cap = 32
        srv = Server(args.bin, model, work, ["--parallel", "1", "--queue", "2", "--max-client-connections", str(cap)])
        try:
            rss0, thr0, fd0 = srv.status()
            peak = [rss0, thr0, fd0]

            def sample():
                st = srv.status()
                for i in range(3):
                    peak[i] = max(peak[i], st[i])
                return st

            # ---- the regression checks
            check_pipelining(R, srv)
            check_sampling(R, srv)
            check_client_cap(R, srv, cap)
            check_flood(R, srv)
            sample()
            check_slowloris(R, srv)
            sample()

            # ---- the long run
            if not args.quick:
                print("---- %d rounds of random attacks (seed %d)" % (args.rounds, args.seed), flush=True)
                for rnd in range(args.rounds):
                    if time.monotonic() - t_start > args.time_limit:
                        print("time limit reached after %d rounds" % rnd)
                        break
                    name = ATTACKS[rnd % len(ATTACKS)] if rnd < len(ATTACKS) else rng.choice(ATTACKS)
                    R.counts[name] = R.counts.get(name, 0) + 1
                    t0 = time.monotonic()
                    stop = threading.Event()
                    lat = []

                    def prober():
                        while not stop.is_set():
                            lat.append(probe(srv.port))
                            stop.wait(0.5)
                    pt = threading.Thread(target=prober)
                    pt.start()
                    attack(name, R, srv, rng)
                    stop.set()
                    pt.join()
                    R.probes += lat
                    rss, thr, fds = sample()
                    failed = sum(1 for x in lat if x is None or x > 1.0)
                    print("round %3d %-14s %5.1f s  health %d/%d (worst %.3f s)  rss %.1f MiB  threads %d  fds %d"
                          % (rnd + 1, name, time.monotonic() - t0, len(lat) - failed, len(lat),
                             max((x for x in lat if x is not None), default=0), rss / 1024, thr, fds), flush=True)
                    if failed:
                        R.finding("round %d (%s): %d of %d health probes failed or took > 1 s" % (rnd + 1, name, failed, len(lat)))
                    if not srv.alive():
                        R.finding("the server died in round %d (%s)" % (rnd + 1, name))
                        break
                # Idle again: the caps and deadlines have released everything.
                time.sleep(12)
                rss, thr, fds = sample()
                print("after 12 s idle: rss %.1f MiB threads %d fds %d" % (rss / 1024, thr, fds))

            rss, thr, fds = srv.status()
            R.check("the server is alive and /health answers", srv.alive() and probe(srv.port) is not None)
            R.check("RSS bounded: %.1f -> peak %.1f MiB (limit +%.0f MiB)" % (rss0 / 1024, peak[0] / 1024, args.rss_limit_mib),
                    peak[0] - rss0 < args.rss_limit_mib * 1024)
            R.check("threads bounded: %d -> peak %d" % (thr0, peak[1]), peak[1] <= thr0 + 200)
            R.check("stops cleanly on SIGTERM", srv.stop(), open(srv.log_path).read()[-2000:])
        finally:
            srv.kill()

    failed = [c for c in R.checks if not c[1]]
    lat = [x for x in R.probes if x is not None]
    print("---- summary")
    print("time %.0f s; checks %d passed, %d failed; findings %d" % (time.monotonic() - t_start, len(R.checks) - len(failed),
                                                                     len(failed), len(R.findings)))
    print("health probes: %d, answered %d, worst %.3f s" % (len(R.probes), len(lat), max(lat, default=0)))
    if R.counts:
        print("attacks: " + ", ".join("%s %d" % kv for kv in sorted(R.counts.items())))
        print("answers seen: " + ", ".join("%s %d" % kv for kv in sorted(R.statuses.items())))
    for f in R.findings:
        print("finding: " + f)
    print("abuse.py: %d passed, %d failed, %d findings" % (len(R.checks) - len(failed), len(failed), len(R.findings)))
    return 1 if failed or R.findings else 0


if __name__ == "__main__":
    sys.exit(main())
