#!/usr/bin/env bash
# The EmbeddingGemma 2 speed figures of issue 16, in one sitting: the whole script holds
# /work/bench.lock (the shared build machine's benchmark lock) when that file exists.
#   - FmaPeakBenchmark GFLOP/s at 2 threads (the peak the bench figures are a fraction of);
#   - EG2 f32 8×512 and 64×32 tokens/s, 2 threads, with GFLOP/s = tok/s × 0.2735 (matrix products
#     only: 136.7 M multiply-adds per token) and that as a fraction of the peak;
#   - one 16-token text, p50, in ROUNDS alternating rounds of EG1 f32, EG2 f32, EG2 BF16 (each round
#     one `bench` per model, SECONDS16 timed after WARMUP16 of warm-up), then per model the median
#     p50 and CPU ms per job, and the EG2/EG1 ratios (goal ≤ 1.3; EG1: 212 MFLOP per token);
#   - Eg2LayerBenchmark (PLE block, per-head norms, default vs proportional RoPE), one thread.
# Usage: bench/scripts/eg2-figures.sh EG2_F32_DIR EG2_BF16_DIR EG1_F32_DIR [GEMMA_EMBED] [BENCH_JAR]
#   (make the EG2 folders with: gemma-embed synth --arch embeddinggemma2 --preset full
#   [--dtype bf16] --out DIR; EG1: gemma-embed synth --preset full --out DIR)
# GEMMA_EMBED defaults to this worktree's launcher, BENCH_JAR to bench/target/benchmarks.jar.
# Environment: ROUNDS (5; 0: no 1×16 rounds), SECONDS16 (8), WARMUP16 (6), SKIP_THROUGHPUT=1 (no
# 8×512/64×32), SKIP_JMH=1 (no JMH), SKIP_LAYER_JMH=1 (no Eg2LayerBenchmark).
set -euo pipefail
if [ -e /work/bench.lock ] && [ -z "${EG2_FIGURES_LOCKED:-}" ]; then
  exec env EG2_FIGURES_LOCKED=1 flock /work/bench.lock "$0" "$@"
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
eg2="$1"; eg2bf16="$2"; eg1="$3"
ge="${4:-$root/gemma-embed}"
jar="${5:-$root/bench/target/benchmarks.jar}"
rounds="${ROUNDS:-5}"
source "$root/scripts/select-jdk.sh"
jmh() { java --add-modules jdk.incubator.vector -jar "$jar" "$@" 2>/dev/null; }
say() { printf '%s  load %s  %s\n' "$(date -u +%H:%M:%S)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$*"; }
# one `bench` run: its JSON line and its "process CPU … ms per job" line, on one line
bench() { "$ge" bench --threads 2 "$@" 2>&1 | tail -2 | tr '\n' ' '; }
tokps() { sed -n 's/.*"tokens_per_second":\([0-9.]*\).*/\1/p'; }
peak=""
if [ -z "${SKIP_JMH:-}" ]; then
  peak="$(jmh FmaPeakBenchmark -t 2 -wi 2 -i 3 | awk '/^FmaPeakBenchmark.fma12Chains:flops/ {print $4}')"
  say "FmaPeak 2 threads: $peak GFLOP/s"
fi
if [ -z "${SKIP_THROUGHPUT:-}" ]; then
  for shape in "8 512 20" "64 32 10"; do
    set -- $shape
    line="$(bench --model "$eg2" --texts "$1" --tokens "$2" --warmup 10 --seconds "$3")"
    t="$(tokps <<<"$line")"
    frac=""
    if [ -n "$peak" ] && [ -n "$t" ]; then
      frac="$(awk -v t="$t" -v p="$peak" 'BEGIN {printf "= %.1f GFLOP/s = %.1f%% of peak", t * 0.2735, 100 * t * 0.2735 / p}')"
    fi
    say "EG2 f32 ${1}x${2}: $t tok/s $frac  [$line]"
  done
  if [ -z "${SKIP_JMH:-}" ]; then
    say "FmaPeak 2 threads again: $(jmh FmaPeakBenchmark -t 2 -wi 2 -i 3 | awk '/^FmaPeakBenchmark.fma12Chains:flops/ {print $4}') GFLOP/s"
  fi
fi
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for r in $(seq "$rounds"); do
  for m in eg1:"$eg1" eg2-f32:"$eg2" eg2-bf16:"$eg2bf16"; do
    line="$(bench --model "${m#*:}" --texts 1 --tokens 16 --warmup "${WARMUP16:-6}" --seconds "${SECONDS16:-8}")"
    p50="$(sed -n 's/.*"latency_ms_p50":\([0-9.]*\).*/\1/p' <<<"$line")"
    cpu="$(sed -n 's/.*process CPU \([0-9.]*\) ms per job.*/\1/p' <<<"$line")"
    say "round $r 1x16 ${m%%:*}: p50 $p50 ms, CPU $cpu ms/job"
    echo "$r ${m%%:*} $p50 $cpu" >>"$log"
  done
done
[ "$rounds" -gt 0 ] && python3 - "$log" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
by = {}
for r, m, p50, cpu in rows:
    by.setdefault(m, {})[int(r)] = (float(p50), float(cpu))
med = {m: [statistics.median(v[i] for v in d.values()) for i in (0, 1)] for m, d in by.items()}
for m, (p, c) in med.items():
    print(f"1x16 median {m}: p50 {p:.2f} ms, CPU {c:.1f} ms/job")
for m in ("eg2-f32", "eg2-bf16"):
    pair = [by[m][r][0] / by["eg1"][r][0] for r in by["eg1"] if r in by[m]]
    cpu = [by[m][r][1] / by["eg1"][r][1] for r in by["eg1"] if r in by[m]]
    print(f"1x16 {m}/eg1: ratio of medians p50 {med[m][0] / med['eg1'][0]:.3f}, "
          f"median of per-round p50 ratios {statistics.median(pair):.3f}, "
          f"median of per-round CPU ratios {statistics.median(cpu):.3f}")
EOF
if [ -z "${SKIP_JMH:-}" ] && [ -z "${SKIP_LAYER_JMH:-}" ]; then
  jmh Eg2LayerBenchmark -wi 2 -i 3 | grep -E '^Eg2LayerBenchmark\.' || true
fi
say done
