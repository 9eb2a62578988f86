#!/usr/bin/env bash
# The binary-search report of issue 23: recall@10 of `search --precision binary` (Hamming candidates,
# then rescoring) against exact float top-10 for rescore multipliers 1, 2, 4, 8, 16; index bytes
# and search time per query at 2,000 corpus vectors and at 1,000,000 random ones.
#
# Documents: the first 2,000 texts (of those the model can read) of
# ../shared/golden/tokenizer/public.jsonl.gz with the document prompt, each cut to its first
# DOC_TOKENS tokens (default 120; 0 keeps whole texts, truncated to the window: 264k tokens, about
# an hour with the full-size model on a loaded 2-core machine); queries: the next 200 texts, whole,
# with the query prompt. Both are embedded by ./gemma-embed (reused when WORKDIR already holds
# them), then bench's RecallReport runs under `flock /work/bench.lock` when that lock exists.
#
#   cli/scripts/recall-report.sh [MODEL] [WORKDIR]   (default MODEL /work/models/full-q4_0.gguf)
#   CORPUS=FILE    the corpus, when ../shared is not beside the repository (a user's clone)
#   DOC_TOKENS=N   cut documents to N tokens (default 120; 0: whole texts)
#   VECTORS=N      random vectors of the large timing (default 1,000,000)
#
# Build first: ./mvnw -q -DskipTests package (cli and bench jars).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
model="${1:-/work/models/full-q4_0.gguf}"
work="${2:-${TMPDIR:-/tmp}/gemma-embed-recall}"
doc_tokens="${DOC_TOKENS:-120}"
corpus="${CORPUS:-$root/../shared/golden/tokenizer/public.jsonl.gz}"
if [ ! -f "$corpus" ]; then
  echo "recall-report: the tokenizer corpus $corpus is missing: it is part of the project's" >&2
  echo "  reference material (../shared beside the repository), which CI and the project's machines" >&2
  echo "  have and a clone of the repository does not. Nothing was measured; set CORPUS to a copy of" >&2
  echo "  golden/tokenizer/public.jsonl.gz (2,206 texts) to run the report." >&2
  exit 2
fi
[ -f "$root/bench/target/benchmarks.jar" ] || { echo "recall-report: build bench first: ./mvnw -q -pl bench -am -DskipTests package" >&2; exit 2; }
mkdir -p "$work"
cd "$work"
python3 - "$corpus" "$doc_tokens" <<'PY'
import gzip, json, sys
# one text spells an added token past the model's 262,144-row table (<image_soft_token>): skipped
rows = [r for r in map(json.loads, gzip.open(sys.argv[1])) if max(r["ids"], default=0) < 262144]
cap = int(sys.argv[2])
with open("docs.jsonl", "w") as f:
    for r in rows[:2000]:
        text = r["text"]
        if cap and len(r["ids"]) > cap:
            text = text[: r["offsets"][cap - 1][1]]  # code points, as the corpus counts them
        f.write(json.dumps({"text": text}) + "\n")
with open("queries.jsonl", "w") as f:
    for r in rows[2000:2200]:
        f.write(json.dumps({"text": r["text"]}) + "\n")
PY
tag="$(basename "$model")-$doc_tokens"
[ -f "queries-$tag.npy" ] || "$root/gemma-embed" embed --model "$model" --prompt query --input queries.jsonl --output "queries-$tag.npy" --quiet
[ -f "docs-$tag.npy" ] || "$root/gemma-embed" embed --model "$model" --prompt document --input docs.jsonl --output "docs-$tag.npy" --quiet
echo "model $model, documents cut to ${doc_tokens} tokens (0: whole), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
lock=()
[ -e /work/bench.lock ] && lock=(flock /work/bench.lock)
source "$root/scripts/select-jdk.sh"
"${lock[@]}" java --add-modules jdk.incubator.vector -Xmx6g -cp "$root/bench/target/benchmarks.jar" \
  dev.gemmaembed.bench.RecallReport "docs-$tag.npy" "queries-$tag.npy" "${VECTORS:-1000000}" 2>&1 \
  | grep -v "Using incubator modules"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
