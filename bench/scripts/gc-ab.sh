#!/usr/bin/env bash
# `gemma-embed bench` of each jar in its own process, with the launcher's JVM options
# (scripts/jvm-options: SerialGC, C2 only, ...) and with the same options but G1, in turns, PAIRS
# times, each run under the bench lock: shows whether a kernel change's speed depends on the
# collector (C2 schedules a tile loop differently under each: bench/README "Short queries, fourth
# round"). Prints p50 latency and process CPU and heap allocation per job of every run.
#
#   bench/scripts/gc-ab.sh MODEL PAIRS THREADS JAR...
#   bench/scripts/gc-ab.sh /tmp/h18/Q4_0-pure.gguf 3 1 /work/main/cli/target/gemma-embed.jar \
#       cli/target/gemma-embed.jar
#
# Env: TEXTS (1), TOKENS (16), TIMED_SECONDS (5), LOCK (/work/bench.lock).
# Copy the jars first if a build may replace them meanwhile.
set -euo pipefail
if [ $# -lt 4 ]; then
  echo "usage: $0 MODEL PAIRS THREADS JAR..." >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$here/scripts/select-jdk.sh"
model=$1
pairs=$2
threads=$3
shift 3
for ((i = 1; i <= pairs; i++)); do
  for gc in SerialGC G1GC; do
    for jar in "$@"; do
      extra=()
      if [ "$gc" = G1GC ]; then extra=(-XX:-UseSerialGC -XX:+UseG1GC); fi
      load=$(cut -d' ' -f1 /proc/loadavg)
      out=$(flock "${LOCK:-/work/bench.lock}" java "@$here/scripts/jvm-options" "${extra[@]}" \
        -Dgemma-embed.stderr.tty=false -jar "$jar" bench --model "$model" --texts "${TEXTS:-1}" \
        --tokens "${TOKENS:-16}" --threads "$threads" --seconds "${TIMED_SECONDS:-5}" --warmup 3 2>&1 |
        grep -v '^WARNING' | tr '\n' ' ')
      p50=$(sed -E 's/.*"latency_ms_p50":([0-9.]+).*/\1/' <<<"$out")
      cpu=$(sed -E 's/.*process CPU ([0-9.]+) ms per job.*/\1/' <<<"$out")
      alloc=$(sed -E 's/.*heap allocation ([0-9.]+) KB per job.*/\1/' <<<"$out")
      echo "pair $i $gc $jar: p50 $p50 ms, CPU $cpu ms/job, alloc $alloc KB/job, load $load"
    done
  done
done
