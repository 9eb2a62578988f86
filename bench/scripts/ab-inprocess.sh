#!/usr/bin/env bash
# Old vs new builds in one JVM (AbInProcess.java) under the bench lock: each jar embeds the same job
# in turns, ROUNDS times; prints wall and process-CPU ms per job, medians and per-round ratios
# against the first jar, and whether the outputs are bitwise equal.
#
#   bench/scripts/ab-inprocess.sh MODEL ROUNDS THREADS OLD.jar NEW.jar...
#   TEXTS=1 TOKENS=16 REPS=20 bench/scripts/ab-inprocess.sh /tmp/h18/Q4_0-pure.gguf 9 2 \
#       /work/main/cli/target/gemma-embed.jar cli/target/gemma-embed.jar
#
# Env: TEXTS (4), TOKENS (256), REPS (jobs per timing, 1), LOCK (/work/bench.lock),
#      JAVA_OPTS (extra JVM options, after the launcher's).
# The JVM runs the launcher's options (scripts/jvm-options: SerialGC, C2 only, loop strip mining,
# ...), as `gemma-embed bench` does: C2 compiles a kernel's loop differently without strip mining
# (G1's default, off under SerialGC unless asked for), and a 6 × 2 tile that kept its 12
# accumulators in registers under G1 spilled 5 of them under plain SerialGC (1 thread, 16 tokens:
# 74.5 vs 110 ms CPU per job, bench/README "Short queries, fourth round"), so a harness on the JDK's
# defaults measured a different program from the CLI.
# Copy the jars first if a build may replace them meanwhile.
set -euo pipefail
if [ $# -lt 5 ]; then
  echo "usage: $0 MODEL ROUNDS THREADS OLD.jar NEW.jar..." >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../../scripts/select-jdk.sh"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
flock "${LOCK:-/work/bench.lock}" java "@$here/../../scripts/jvm-options" ${JAVA_OPTS:-} \
  -Dab.texts="${TEXTS:-4}" -Dab.tokens="${TOKENS:-256}" -Dab.reps="${REPS:-1}" "$here/AbInProcess.java" "$@" 2>&1 | grep -v '^WARNING'
