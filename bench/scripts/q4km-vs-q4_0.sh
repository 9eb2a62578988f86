#!/usr/bin/env bash
# Issue 15's speed bar in one sitting: a full-size Q4_K_M file (llama-quantize's default mix: Q4_K,
# Q6_K, Q8_0 and Q5_0 where 1152-wide ffn_down is not a multiple of 256) against the pure Q4_0 file
# of the same model, 8 texts × 512 tokens on 2 threads, in one JVM (bench/scripts/AbModels.java):
# the jobs alternate ABBA, ROUNDS times, and per-round ratios of wall and process CPU time are
# printed (speed vs entry 0 above 1: faster than Q4_0). With BASE_JAR (e.g. main's
# cli/target/gemma-embed.jar) a third entry runs Q4_K_M on that build, and its output is checked
# bitwise against this build's.
#
#   flock /work/bench.lock bench/scripts/q4km-vs-q4_0.sh \
#       /work/models/llama/Q4_K_M.gguf /tmp/h18/Q4_0-pure.gguf 6 /work/main/cli/target/gemma-embed.jar
#
# Environment: JAR (this build's cli/target/gemma-embed.jar), THREADS (2), TEXTS (8), TOKENS (512), WARMUP (1) jobs per entry.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$here/scripts/select-jdk.sh"
if [ $# -lt 2 ] || [ $# -gt 4 ]; then
  echo "usage: $0 Q4_K_M.gguf Q4_0.gguf [ROUNDS] [BASE_JAR]" >&2
  exit 2
fi
jar="${JAR:-$here/cli/target/gemma-embed.jar}"
[ -f "$jar" ] || { echo "$0: $jar is missing; build it: ./mvnw -q -DskipTests package" >&2; exit 2; }
entries=("$jar" "$2" "$jar" "$1")
if [ $# -eq 4 ]; then
  entries+=("$4" "$1")
fi
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
java "@$here/scripts/jvm-options" "$here/bench/scripts/AbModels.java" "${3:-6}" "${THREADS:-2}" \
  "${TEXTS:-8}" "${TOKENS:-512}" "${WARMUP:-1}" "${entries[@]}"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
