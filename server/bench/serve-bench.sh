#!/usr/bin/env bash
# Load test of `gemma-embed serve` on loopback with wrk (Debian: apt-get install wrk): requests/s
# and latency percentiles at 1, 8 and 32 concurrent clients, each request one 16-token text
# (<bos> + 14 content tokens + <eos>) to POST /v1/embeddings. Every wrk run is bounded by -d.
#
#   server/bench/serve-bench.sh MODEL_DIR [SECONDS_PER_LEVEL] [PORT]
#
# Build first: ./mvnw -q -DskipTests package
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
model="${1:?usage: serve-bench.sh MODEL_DIR [SECONDS_PER_LEVEL] [PORT]}"
seconds="${2:-30}"
port="${3:-18090}"
url="http://127.0.0.1:$port"
command -v wrk >/dev/null || { echo "serve-bench: wrk is missing (apt-get install wrk)" >&2; exit 2; }

lua="$(mktemp)"
log="$(mktemp)"
cat > "$lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model": "embeddinggemma", "input": "The quick brown fox jumps over the lazy dog near the old river bank"}'
LUA

"$here/gemma-embed" serve --model "$model" --port "$port" 2> "$log" &
server=$!
cleanup() { kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$lua" "$log"; }
trap cleanup EXIT

for _ in $(seq 1 120); do
  curl -sf "$url/health" >/dev/null 2>&1 && break
  sleep 1
done
curl -sf "$url/health" >/dev/null || { cat "$log" >&2; echo "serve-bench: the server did not get ready" >&2; exit 1; }
tokens="$(curl -s "$url/tokenize" -d '{"inputs": "The quick brown fox jumps over the lazy dog near the old river bank"}' \
  | grep -o '"id"' | wc -l)"
echo "model $model, $tokens tokens per request, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# Warm-up: let the JIT compile the encoder before measuring.
wrk -t2 -c8 -d"$((seconds / 2 + 5))s" --timeout 60s -s "$lua" "$url/v1/embeddings" >/dev/null

for clients in 1 8 32; do
  threads=$((clients < 2 ? 1 : 2))
  echo "== $clients clients (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  wrk -t"$threads" -c"$clients" -d"${seconds}s" --timeout 60s --latency -s "$lua" "$url/v1/embeddings" \
    | grep -E "Requests/sec|^ +(50|99)%|Non-2xx|Socket errors|requests in"
done
echo "== server metrics"
curl -s "$url/metrics" | grep -E "^gemma_embed_(batch_size_(sum|count)|compute_seconds_total|tokens_total) "
