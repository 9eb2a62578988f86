#!/usr/bin/env bash
# Short-query latency of several builds in one sitting (issue 18): one text of 16 tokens, 2 threads,
# `gemma-embed bench` p50 per run; in every round each model runs under every launcher, the
# launchers' order rotating from round to round; one line per (round, model) with the 1-minute
# load average. The whole sitting holds LOCK, so no other timing run interleaves.
#
#   bench/scripts/short-query-ab.sh ROUNDS "LAUNCHER ..." MODEL ...
#   bench/scripts/short-query-ab.sh 5 "/work/main/gemma-embed ./gemma-embed" \
#       /tmp/h18/Q4_0-pure.gguf /tmp/h18/Q8_0-pure.gguf /work/models/llama/Q4_K_M.gguf
#
# Env: SECONDS_TIMED (6), WARMUP (3), TEXTS (1), TOKENS (16), THREADS (2), LOCK (/work/bench.lock).
# A launcher is named in the output by its folder (e.g. main=66.3).
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 ROUNDS \"LAUNCHER ...\" MODEL ..." >&2
  exit 2
fi
rounds=$1
read -r -a launchers <<<"$2"
shift 2
if [ -z "${SHORT_QUERY_AB_LOCKED:-}" ]; then
  SHORT_QUERY_AB_LOCKED=1 exec flock "${LOCK:-/work/bench.lock}" "$0" "$rounds" "${launchers[*]}" "$@"
fi
run() {
  "$1" bench --model "$2" --texts "${TEXTS:-1}" --tokens "${TOKENS:-16}" --threads "${THREADS:-2}" \
    --seconds "${SECONDS_TIMED:-6}" --warmup "${WARMUP:-3}" 2>/dev/null |
    sed -n 's/.*"latency_ms_p50": *\([0-9.]*\).*/\1/p' | tail -1
}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
n=${#launchers[@]}
for r in $(seq 1 "$rounds"); do
  for m in "$@"; do
    line="round $r $(basename "$m"):"
    for j in $(seq 0 $((n - 1))); do
      g=${launchers[$(((j + r) % n))]}
      line="$line $(basename "$(dirname "$g")")=$(run "$g" "$m")"
    done
    echo "$line load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
