#!/usr/bin/env bash
# Peak RSS of a 1000-text `gemma-embed embed` job with a Q4_0 GGUF, through the launcher with its
# default JVM flags (GEMMA_EMBED_JAVA_OPTS is cleared), JVM and mapped weights included.
# Texts: the first 1000 lines of the tokenizer's golden corpus (multilingual, 102,731 tokens with
# <bos>/<eos>). Needs the built jar (./mvnw -q -DskipTests package) and /usr/bin/time.
# Model: $1 if given (a .gguf, or a model folder of either architecture, e.g. the output of
# `gemma-embed synth --arch embeddinggemma2 --preset full --dtype bf16`), else the full-size
# synthetic model (1.2 GB, written to a temporary folder) quantized with `gemma-embed quantize
# --type q4_0`.
# The tokenizer cache lives under the temporary folder (XDG_CACHE_HOME), filled by a `tokenize` run
# first, as a user's earlier runs fill theirs: the figure is a warm start's whatever another build
# sharing ~/.cache did to it (a build of another cache format prunes the others' files).
# GEMMA_EMBED_LAUNCHER: another launcher to measure, e.g. an unpacked download's bin/gemma-embed
# (default: the repository's ./gemma-embed).
# Usage: cli/scripts/memory-check.sh [MODEL.gguf|MODEL_DIR] [THREADS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ge="${GEMMA_EMBED_LAUNCHER:-$root/gemma-embed}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
model="${1:-}"
threads="${2:-2}"
if [ -z "$model" ]; then
  echo "writing the full-size synthetic model and its Q4_0 GGUF under $work ..."
  "$ge" synth --preset full --out "$work/full" >/dev/null
  "$ge" quantize "$work/full" "$work/full-q4_0.gguf" --type q4_0 >/dev/null
  rm -rf "$work/full"
  model="$work/full-q4_0.gguf"
fi
zcat "$root/tokenizer/src/test/resources/golden/public.jsonl.gz" | awk 'NR <= 1000' > "$work/texts.jsonl"
unset GEMMA_EMBED_JAVA_OPTS
export XDG_CACHE_HOME="$work/cache"
"$ge" tokenize --model "$model" hello >/dev/null
/usr/bin/time -v -o "$work/time.log" "$ge" embed --model "$model" --input "$work/texts.jsonl" \
  --output "$work/out.npy" --threads "$threads" --quiet
grep -E "Elapsed|Maximum resident set size|Exit status" "$work/time.log" | sed 's/^\s*//'
head -c 128 "$work/out.npy" | tr -d '\000' | grep -ao "'shape': ([0-9]*, [0-9]*)"
