#!/usr/bin/env bash
# Shows that `gemma-embed embed` streams: embeds a generated file of N lines (default 200,000)
# with a 256 MB heap through the launcher and prints wall time and peak RSS. Needs the built jar
# (./mvnw -q -DskipTests package). Uses $GEMMA_EMBED_MODEL, else writes the tiny synthetic model.
# Usage: cli/scripts/streaming-check.sh [LINES]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
lines="${1:-200000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
model="${GEMMA_EMBED_MODEL:-}"
if [ -z "$model" ]; then
  model="$work/tiny"
  "$root/gemma-embed" synth --preset tiny --out "$model" 2>/dev/null
fi
# Lines of 3 to 30 words, like short documents, each different.
awk -v n="$lines" 'BEGIN {
  split("the a planet red mars venus bread water cloud java vector embed model search query document text of with and for in on", w, " ");
  srand(1);
  for (i = 0; i < n; i++) {
    k = 3 + int(rand() * 28); s = "";
    for (j = 0; j < k; j++) s = s w[1 + int(rand() * 24)] " ";
    print s i;
  }
}' > "$work/input.txt"
echo "input: $lines lines, $(du -h "$work/input.txt" | cut -f1)"
export GEMMA_EMBED_JAVA_OPTS="-XX:+UseSerialGC -Xmx256m"
timer=()
if [ -x /usr/bin/time ]; then timer=(/usr/bin/time -v -o "$work/time.log"); fi
start=$(date +%s)
"${timer[@]}" "$root/gemma-embed" embed --model "$model" --input "$work/input.txt" --output "$work/out.npy" --quiet
echo "wall: $(( $(date +%s) - start )) s with $GEMMA_EMBED_JAVA_OPTS"
if [ -f "$work/time.log" ]; then
  grep -E "User time|Maximum resident set size|Exit status" "$work/time.log" | sed 's/^\s*//'
fi
# The npy header holds the row count: it must equal the number of input lines.
head -c 128 "$work/out.npy" | tr -d '\000' | grep -ao "'shape': ([0-9]*, [0-9]*)"
