#!/usr/bin/env bash
# Measures `serve --cache-mb`: requests/s of one-text 16-token POST /v1/embeddings requests from 8
# clients when 0%, 30% and 90% of the texts repeat earlier ones, without and with the cache. Two
# servers run side by side (one without, one with --cache-mb 64); each measurement alternates
# between them (the first of each pair swapping every round), ROUNDS times per share, and the
# medians are printed. The load generator is bench's
# CacheLoad (Java's HttpClient: no wrk needed). Timed runs hold `flock /work/bench.lock` when
# that lock file exists.
#
#   server/bench/cache-bench.sh [MODEL] [SECONDS_PER_RUN] [ROUNDS]
#   (default MODEL /work/models/full-q4_0.gguf, 20 s, 3 rounds)
#
# Build first: ./mvnw -q -DskipTests package (cli and bench jars).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
model="${1:-/work/models/full-q4_0.gguf}"
seconds="${2:-20}"
rounds="${3:-3}"
clients=8
jar="$root/bench/target/benchmarks.jar"
[ -f "$jar" ] || { echo "cache-bench: build bench first: ./mvnw -q -pl bench -am -DskipTests package" >&2; exit 2; }
source "$root/scripts/select-jdk.sh"
load() { java -cp "$jar" dev.gemmaembed.bench.CacheLoad "$@"; }

logs="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$logs"
}
trap cleanup EXIT
"$root/gemma-embed" serve --model "$model" --port 18111 2> "$logs/off.log" &
pids+=($!)
"$root/gemma-embed" serve --model "$model" --port 18112 --cache-mb 64 2> "$logs/on.log" &
pids+=($!)
for port in 18111 18112; do
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 1; done
  curl -sf "http://127.0.0.1:$port/health" >/dev/null || { cat "$logs"/*.log >&2; echo "cache-bench: server on $port did not start" >&2; exit 1; }
done
echo "model $model, $clients clients, ${seconds}s runs, $rounds rounds, $(nproc) cores"
# the lock covers the warm-up too: it loads the machine as much as the runs
if [ -e /work/bench.lock ]; then exec 9> /work/bench.lock; flock 9; fi
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
# warm-up: the JIT compiles the encoder in both (tags 98, 99 keep their texts apart)
load http://127.0.0.1:18111 "$clients" "$((seconds / 2 + 5))" 0 98 >/dev/null
load http://127.0.0.1:18112 "$clients" "$((seconds / 2 + 5))" 0 99 >/dev/null
tag=0
results="$logs/results"
for share in 0 0.3 0.9; do
  for round in $(seq 1 "$rounds"); do
    # which server goes first swaps every round, so a drift of the machine's load favours neither
    order="off on"; [ $((round % 2)) -eq 0 ] && order="on off"
    for setting in $order; do
      port=18111; [ "$setting" = on ] && port=18112
      tag=$((tag + 1))
      line="$(load "http://127.0.0.1:$port" "$clients" "$seconds" "$share" "$tag")"
      rate="$(echo "$line" | sed -E 's/.*: ([0-9.]+) req\/s.*/\1/')"
      echo "$share $setting $rate" >> "$results"
      echo "round $round, cache $setting, $line, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    done
  done
done
echo "== medians (req/s)"
for share in 0 0.3 0.9; do
  off="$(awk -v s="$share" '$1 == s && $2 == "off" { print $3 }' "$results" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"
  on="$(awk -v s="$share" '$1 == s && $2 == "on" { print $3 }' "$results" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"
  echo "repeated $(awk -v s="$share" 'BEGIN { printf "%d%%", s * 100 }'): without cache $off, with --cache-mb 64 $on"
done
echo "== cache counters"
curl -s http://127.0.0.1:18112/metrics | grep -E "^gemma_embed_cache_(hits|misses)_total"
