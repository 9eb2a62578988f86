#!/usr/bin/env bash
# Old vs new builds in one JVM (AbInProcess.java) under the bench lock: each jar embeds the same job
# in turns, ROUNDS times; prints wall and process-CPU ms per job, medians and per-round ratios
# against the first jar, and whether the outputs are bitwise equal.
#
#   bench/scripts/ab-inprocess.sh MODEL ROUNDS THREADS OLD.jar NEW.jar...
#   TEXTS=1 TOKENS=16 REPS=20 bench/scripts/ab-inprocess.sh /tmp/h18/Q4_0-pure.gguf 9 2 \
#       /work/main/cli/target/gemma-embed.jar cli/target/gemma-embed.jar
#
# Env: TEXTS (4), TOKENS (256), REPS (jobs per timing, 1), LOCK (/work/bench.lock).
# Copy the jars first if a build may replace them meanwhile.
set -euo pipefail
if [ $# -lt 5 ]; then
  echo "usage: $0 MODEL ROUNDS THREADS OLD.jar NEW.jar..." >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../../scripts/select-jdk.sh"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
flock "${LOCK:-/work/bench.lock}" java --add-modules jdk.incubator.vector \
  --enable-native-access=ALL-UNNAMED -Xmx1g -Dab.texts="${TEXTS:-4}" -Dab.tokens="${TOKENS:-256}" \
  -Dab.reps="${REPS:-1}" "$here/AbInProcess.java" "$@" 2>&1 | grep -v '^WARNING'
