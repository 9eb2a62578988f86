#!/usr/bin/env bash
# Replays the hostile-local-client attack of issue 20 against a fresh `gemma-embed serve` on the
# tiny synthetic model and prints the figures the README's security section quotes:
#   amplification  two parallel 15 MB POST /tokenize bodies: statuses, peak RSS, /health latency
#   long text      one 4 MB text through /tokenize (within the per-request budget): status, tokens, peak RSS
#   slow upload    210 connections sending one body byte per 10 s for 30 s: /health latency, peak RSS
#   flood          200 clients x 5 requests: answered (200) and refused (429) counts, peak RSS
#   rounds         RSS before and after 15 rounds of large valid requests
#   web origins    a text/plain POST with a foreign Origin, a JSON POST with a foreign Host, a plain JSON POST
#   shutdown       SIGTERM: exit status and whether the log holds a stack trace
# Loopback only; every phase is bounded in count and time (the whole run in about 2 minutes). Peak
# RSS is the kernel's high-water mark (VmHWM), reset before each phase. Needs python3 and curl.
# Usage: server/scripts/attack-check.sh   (after ./mvnw -q -DskipTests package)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
for tool in python3 curl; do
  command -v "$tool" >/dev/null || { echo "attack-check: skipped: $tool is needed" >&2; exit 0; }
done
work="$(mktemp -d "${TMPDIR:-/tmp}/gemma-embed-attack-check.XXXXXX")"
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$root/gemma-embed" synth --preset tiny --out "$work/tiny" 2>/dev/null
"$root/gemma-embed" serve --model "$work/tiny" --host 127.0.0.1 --port 0 --model-name tiny \
  --shutdown-timeout 5 2> "$work/server.log" &
server_pid=$!
base=
for _ in $(seq 1 600); do
  base="$(sed -n 's/.*listening on \(http[^;]*\);.*/\1/p' "$work/server.log")"
  if [ -n "$base" ] && curl -sf "$base/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$work/server.log" >&2; exit 1; fi
  sleep 0.1
done
curl -sf "$base/health" >/dev/null || { echo "attack-check: the server did not come up" >&2; cat "$work/server.log" >&2; exit 1; }
case "$base" in http://127.0.0.1:*) ;; *) echo "attack-check: not on loopback: $base" >&2; exit 1 ;; esac

cat > "$work/attack.py" <<'PY'
import http.client, json, os, socket, sys, threading, time

pid, port = int(sys.argv[1]), int(sys.argv[2])
HOST = "127.0.0.1"
failures = []

def status_kb(field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1

def reset_peak():
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current RSS
    except OSError:
        pass

def mb(kb):
    return f"{kb / 1024:.0f} MB"

def request(method, path, body=None, headers=None, timeout=60):
    c = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()

class HealthProbe:
    """Probes GET /health every 0.2 s with a 2 s limit while an attack runs."""
    def __init__(self):
        self.latencies, self.bad, self.stop = [], 0, threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
    def run(self):
        while not self.stop.is_set():
            t = time.monotonic()
            try:
                s, _ = request("GET", "/health", timeout=2)
                if s != 200:
                    self.bad += 1
            except OSError:
                self.bad += 1
            self.latencies.append(time.monotonic() - t)
            self.stop.wait(0.2)
    def __enter__(self):
        self.thread.start(); return self
    def __exit__(self, *a):
        self.stop.set(); self.thread.join(5)
    def summary(self):
        worst = max(self.latencies) if self.latencies else float("nan")
        ok = len(self.latencies) - self.bad
        return f"/health {ok}/{len(self.latencies)} answered 200, slowest {worst * 1000:.0f} ms", self.bad == 0 and worst < 2

def phase(name, line, ok):
    print(f"attack-check: {name}: {line}" + ("" if ok else "  <-- FAILED"))
    if not ok:
        failures.append(name)

# 1. Amplification: two parallel 15 MB /tokenize bodies.
words = ("lorem ipsum dolor sit amet " * 600_000)[:15_000_000]
body = json.dumps({"inputs": words}).encode()
del words
reset_peak(); before = status_kb("VmRSS")
statuses = []
def tokenize():
    try:
        s, reply = request("POST", "/tokenize", body, timeout=120)
        statuses.append(s)
    except OSError as e:
        statuses.append(str(e))
with HealthProbe() as probe:
    ts = [threading.Thread(target=tokenize) for _ in range(2)]
    for t in ts: t.start()
    for t in ts: t.join(120)
health_line, health_ok = probe.summary()
after_ok = request("GET", "/health")[0] == 200
peak = status_kb("VmHWM")
phase("amplification", f"2 x {len(body) / 1e6:.0f} MB /tokenize -> {sorted(map(str, statuses))}; RSS {mb(before)} "
      f"before, peak {mb(peak)}; {health_line}; healthy after: {after_ok}",
      health_ok and after_ok and peak <= 1024 * 1024 and all(isinstance(s, int) and s < 500 for s in statuses))
del body

# 1b. /tokenize stays usable for long texts: one 4 MB text, the reply streamed.
reset_peak()
body = json.dumps({"inputs": ("lorem ipsum dolor sit amet " * 160_000)[:4_000_000]}).encode()
t0 = time.monotonic()
s, reply = request("POST", "/tokenize", body, timeout=120)
tokens = reply.count(b'{"id":')
phase("long text", f"one {len(body) / 1e6:.0f} MB /tokenize -> {s}, {tokens} tokens in "
      f"{time.monotonic() - t0:.1f} s; peak RSS {mb(status_kb('VmHWM'))}", s == 200)
del body, reply

# 2. Slow upload: 210 connections, one body byte per 10 s for 30 s.
reset_peak()
conns = []
for _ in range(210):
    s = socket.create_connection((HOST, port), timeout=5)
    s.sendall(b"POST /v1/embeddings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
              b"Content-Length: 1000\r\n\r\n")
    conns.append(s)
answers = {}
with HealthProbe() as probe:
    for tick in range(3):
        for s in conns:
            try:
                s.sendall(b" ")
            except OSError:
                pass
        time.sleep(10)
for s in conns:
    try:
        s.settimeout(1)
        status = s.recv(12)[9:12].decode() or "none"
    except OSError:
        status = "none"
    answers[status] = answers.get(status, 0) + 1
    s.close()
health_line, health_ok = probe.summary()
phase("slow upload", f"210 connections x 1 byte / 10 s for 30 s; {health_line}; answers to the uploads "
      f"{dict(sorted(answers.items()))} (408: body deadline, 429: body reads capped); peak RSS {mb(status_kb('VmHWM'))}", health_ok)

# 3. Flood: 200 clients, 5 requests each.
reset_peak()
counts, lock = {}, threading.Lock()
def client(i):
    for k in range(5):
        try:
            s, _ = request("POST", "/v1/embeddings", json.dumps({"input": f"flood {i} {k}"}), timeout=60)
        except OSError:
            s = "error"
        with lock:
            counts[s] = counts.get(s, 0) + 1
ts = [threading.Thread(target=client, args=(i,)) for i in range(200)]
t0 = time.monotonic()
for t in ts: t.start()
for t in ts: t.join(120)
phase("flood", f"200 clients x 5 requests in {time.monotonic() - t0:.1f} s: answered {counts.get(200, 0)}, refused "
      f"{counts.get(429, 0)} (429), other {sum(v for k, v in counts.items() if k not in (200, 429))}; "
      f"peak RSS {mb(status_kb('VmHWM'))}", set(counts) <= {200, 429})

# 4. 15 rounds of large valid requests.
before = status_kb("VmRSS")
statuses = set()
text = "a long document about embeddings and servers " * 45
first = None
for r in range(15):
    statuses.add(request("POST", "/v1/embeddings", json.dumps({"input": [text + str(i) for i in range(256)],
                                                               "truncate": True}))[0])
    statuses.add(request("POST", "/embed", json.dumps({"inputs": [text] * 64, "truncate": True}))[0])
    statuses.add(request("POST", "/tokenize", json.dumps({"inputs": text * 200}))[0])
    if first is None:
        first = status_kb("VmRSS")
after = status_kb("VmRSS")
phase("rounds", f"15 rounds (256 + 64 embeddings, one 400 KB /tokenize): statuses {sorted(statuses)}; RSS {mb(before)} "
      f"before, {mb(first)} after round 1, {mb(after)} after round 15", statuses == {200})

# 5. Web origins.
plain = request("POST", "/v1/embeddings", '{"input": "hi"}', {"Content-Type": "text/plain", "Origin": "https://evil.example"})[0]
host = request("POST", "/v1/embeddings", '{"input": "hi"}', {"Host": "attacker.example"})[0]
ok = request("POST", "/v1/embeddings", '{"input": "hi"}')[0]
phase("web origins", f"text/plain + foreign Origin {plain}, JSON + foreign Host {host}, plain JSON {ok}",
      400 <= plain < 500 and 400 <= host < 500 and ok == 200)
sys.exit(1 if failures else 0)
PY
set +e
timeout 300 python3 "$work/attack.py" "$server_pid" "${base##*:}"
rc=$?
set -e

kill -TERM "$server_pid"
exit_code=0
wait "$server_pid" || exit_code=$?
server_pid=
if grep -qE '^\s+at |Exception' "$work/server.log"; then
  echo "attack-check: shutdown: exit $exit_code; the log holds a stack trace  <-- FAILED"; rc=1
  grep -nE '^\s+at |Exception' "$work/server.log" | head -5 >&2
else
  echo "attack-check: shutdown: exit $exit_code; no stack trace in the log"
fi
exit $rc
