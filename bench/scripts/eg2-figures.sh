#!/usr/bin/env bash
# The EmbeddingGemma 2 speed figures of issue 16, in one sitting: the whole script holds
# /work/bench.lock (the shared build machine's benchmark lock) when that file exists.
#   - FmaPeakBenchmark GFLOP/s at 2 threads (the peak the bench figures are a fraction of);
#   - EG2 f32 8×512 and 64×32 tokens/s, 2 threads (GFLOP/s = tok/s × 0.2735 GFLOP per token,
#     matrix products only: 136.7 M multiply-adds);
#   - one 16-token text, p50: EG2 f32, EG2 BF16 and EmbeddingGemma f32 (EG1: 212 MFLOP per token);
#   - Eg2LayerBenchmark (PLE block, per-head norms, default vs proportional RoPE), one thread.
# Usage: bench/scripts/eg2-figures.sh EG2_F32_DIR EG2_BF16_DIR EG1_F32_DIR [GEMMA_EMBED] [BENCH_JAR]
#   (make the EG2 folders with: gemma-embed synth --arch embeddinggemma2 --preset full [--dtype bf16])
# GEMMA_EMBED defaults to this worktree's launcher, BENCH_JAR to bench/target/benchmarks.jar.
set -euo pipefail
if [ -e /work/bench.lock ] && [ -z "${EG2_FIGURES_LOCKED:-}" ]; then
  exec env EG2_FIGURES_LOCKED=1 flock /work/bench.lock "$0" "$@"
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
eg2="$1"; eg2bf16="$2"; eg1="$3"
ge="${4:-$root/gemma-embed}"
jar="${5:-$root/bench/target/benchmarks.jar}"
source "$root/scripts/select-jdk.sh"
jmh() { java --add-modules jdk.incubator.vector -jar "$jar" "$@" 2>/dev/null; }
say() { printf '%s  load %s  %s\n' "$(date -u +%H:%M:%S)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$*"; }
bench() { "$ge" bench --threads 2 --warmup 10 "$@" 2>&1 | tail -2 | tr '\n' ' '; }
say "FmaPeak 2 threads (GFLOP/s): $(jmh FmaPeakBenchmark -t 2 -wi 2 -i 3 | awk '/fma12Chains:flops/ {print $(NF-3)}')"
say "EG2 f32 8x512:  $(bench --model "$eg2" --texts 8 --tokens 512 --seconds 20)"
say "EG2 f32 64x32:  $(bench --model "$eg2" --texts 64 --tokens 32 --seconds 10)"
for m in "$eg2" "$eg2bf16" "$eg1"; do
  say "1x16 $(basename "$m"): $(bench --model "$m" --texts 1 --tokens 16 --seconds 10)"
done
jmh Eg2LayerBenchmark -wi 2 -i 3 | grep -E '^Eg2LayerBenchmark\.' || true
say done
