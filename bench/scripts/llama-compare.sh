#!/usr/bin/env bash
# Same-run speed comparison with llama.cpp (issue 18): for each GGUF file and each shape, alternates
# llama-bench and `gemma-embed bench` on the same file, ROUNDS times, each run under
# flock /work/bench.lock (other timing runs on a shared machine wait), and prints one table of
# medians with the load average seen before each pair.
#
#   bench/scripts/llama-compare.sh [FILE ...]
#
# Env: LLAMA_BIN (folder of llama-bench; default /work/llama-ref/llama.cpp/build/bin),
#      GEMMA (launcher, or several separated by spaces, e.g. a baseline and this build: each gets
#      its own columns, run in turn within every round; default ./gemma-embed of this worktree),
#      PURE_DIR (folder of the --pure files; default /tmp/h18), ROUNDS (default 3),
#      SHAPES (default "1x16 8x512"), SECONDS_OURS (timed seconds per gemma-embed run, default 10),
#      LOCK (default /work/bench.lock), RAW (file collecting every raw line; default a temp file).
# Default files: $PURE_DIR/{Q4_0-pure,Q8_0-pure}.gguf (`llama-quantize --pure full-f32.gguf X.gguf
# Q4_0` …), /work/models/llama/Q4_K_M.gguf (llama-quantize's default mix) and
# /work/models/full-f32.gguf. Load (the 1-minute load average) is printed next to every pair.
# Shapes: TxN = T texts of N tokens; llama-bench runs one sequence of T·N tokens (pp16 for 1x16;
# pp512 with -b 512 -ub 512 for 8x512, i.e. per 512-token text), so its time is scaled to the
# same T texts: ms = T × median(samples_ns) / 1e6.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LLAMA_BIN=${LLAMA_BIN:-/work/llama-ref/llama.cpp/build/bin}
read -r -a gemmas <<<"${GEMMA:-$here/gemma-embed}"
PURE_DIR=${PURE_DIR:-/tmp/h18}
ROUNDS=${ROUNDS:-3}
SHAPES=${SHAPES:-"1x16 8x512"}
SECONDS_OURS=${SECONDS_OURS:-10}
LOCK=${LOCK:-/work/bench.lock}
RAW=${RAW:-$(mktemp /tmp/llama-compare.XXXXXX)}
if [ $# -gt 0 ]; then files=("$@"); else
  files=("$PURE_DIR/Q4_0-pure.gguf" "$PURE_DIR/Q8_0-pure.gguf"
    /work/models/llama/Q4_K_M.gguf /work/models/full-f32.gguf)
fi
[ -x "$LLAMA_BIN/llama-bench" ] || { echo "no llama-bench in $LLAMA_BIN" >&2; exit 2; }
echo "raw lines: $RAW" >&2

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

for f in "${files[@]}"; do
  for shape in $SHAPES; do
    texts=${shape%x*}
    tokens=${shape#*x}
    for ((i = 1; i <= ROUNDS; i++)); do
      load=$(cut -d' ' -f1 /proc/loadavg)
      # llama.cpp: one sequence of $tokens tokens, compute only, embeddings on
      js=$(flock "$LOCK" "$LLAMA_BIN/llama-bench" -m "$f" -embd 1 -p "$tokens" -n 0 \
        -b 512 -ub 512 -t 2 -r 10 -o json 2>/dev/null)
      llama_ms=$(python3 -c 'import json,sys,statistics as s
r=json.loads(sys.stdin.read())[0]; print(round(int(sys.argv[1])*s.median(r["samples_ns"])/1e6,2))' "$texts" <<<"$js")
      line="$(basename "$f") $shape round=$i load=$load llama_ms=$llama_ms"
      for g in "${!gemmas[@]}"; do
        ours=$(flock "$LOCK" "${gemmas[$g]}" bench --model "$f" --texts "$texts" --tokens "$tokens" \
          --threads 2 --seconds "$SECONDS_OURS" --warmup 3 2>/dev/null | tail -1)
        ms=$(python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["latency_ms_p50"])' <<<"$ours")
        line="$line ours${g}_ms=$ms"
      done
      echo "$line" | tee -a "$RAW" >&2
    done
  done
done

for g in "${!gemmas[@]}"; do echo "ours$g = ${gemmas[$g]}"; done
head="| file | shape | llama.cpp ms |"
rule="|---|---|---|"
for g in "${!gemmas[@]}"; do head="$head ours$g p50 ms | ours$g / llama |"; rule="$rule---|---|"; done
echo "$head load avg (min-max) |"
echo "$rule---|"
for f in "${files[@]}"; do
  b=$(basename "$f")
  for shape in $SHAPES; do
    rows=$(grep "^$b $shape " "$RAW")
    l=$(sed 's/.*llama_ms=\([^ ]*\).*/\1/' <<<"$rows" | median)
    line="| $b | $shape | $l |"
    for g in "${!gemmas[@]}"; do
      o=$(sed "s/.*ours${g}_ms=\([^ ]*\).*/\1/" <<<"$rows" | median)
      line="$line $o | $(awk -v o="$o" -v l="$l" 'BEGIN {printf "%.2f", o / l}') |"
    done
    ld=$(sed 's/.*load=\([^ ]*\).*/\1/' <<<"$rows" | sort -g | sed -n '1p;$p' | paste -sd'-')
    echo "$line $ld |"
  done
done
