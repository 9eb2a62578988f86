#!/usr/bin/env bash
# Alternating A/B of `gemma-embed bench`: the old and the new launcher run PAIRS times each, in
# turns (ABBA order, so neither side always runs first), on one model in one sitting; prints each
# pair, both medians, their ratio, the median of the per-pair ratios and the load average before
# and after. Single runs on a shared machine vary by up to 20%: only ratios of one sitting count.
#
#   bench/scripts/ab-bench.sh OLD_LAUNCHER NEW_LAUNCHER MODEL [PAIRS]
#   flock /work/bench.lock bench/scripts/ab-bench.sh /tmp/base/gemma-embed ./gemma-embed \
#       /work/models/full-f32 5
#
# Bench arguments (environment): THREADS (2), TEXTS (4), TOKENS (256), TIMED_SECONDS (8),
# WARMUP (4) seconds.
set -euo pipefail

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
  echo "usage: $0 OLD_LAUNCHER NEW_LAUNCHER MODEL [PAIRS]" >&2
  exit 2
fi
old=$1
new=$2
model=$3
pairs=${4:-5}
args=(bench --model "$model" --threads "${THREADS:-2}" --texts "${TEXTS:-4}"
  --tokens "${TOKENS:-256}" --seconds "${TIMED_SECONDS:-8}" --warmup "${WARMUP:-4}")
for launcher in "$old" "$new"; do
  [ -x "$launcher" ] || { echo "$0: not an executable launcher: $launcher" >&2; exit 2; }
done
case $pairs in '' | *[!0-9]* | 0) echo "$0: PAIRS must be a positive number, got $pairs" >&2; exit 2 ;; esac

# One run: prints "tok/s cpu-ms-per-job" (the JSON line's tokens_per_second, stderr's CPU line).
run() {
  local err out tps cpu
  err=$(mktemp)
  out=$("$1" "${args[@]}" 2>"$err") || { cat "$err" >&2; rm -f "$err"; exit 1; }
  tps=$(printf '%s\n' "$out" | sed -n 's/.*"tokens_per_second": *\([0-9.]*\).*/\1/p' | tail -1)
  cpu=$(sed -n 's/.*process CPU \([0-9.]*\) ms per job.*/\1/p' "$err" | tail -1)
  rm -f "$err"
  [ -n "$tps" ] || { echo "$0: no tokens_per_second in: $out" >&2; exit 1; }
  echo "$tps ${cpu:-?}"
}

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "bench ${args[*]:1}"
echo "old: $old"
echo "new: $new"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
olds=()
news=()
ratios=()
for i in $(seq 1 "$pairs"); do
  if [ $((i % 2)) -eq 1 ]; then
    o=$(run "$old")
    n=$(run "$new")
  else
    n=$(run "$new")
    o=$(run "$old")
  fi
  read -r ot oc <<<"$o"
  read -r nt nc <<<"$n"
  r=$(awk -v a="$nt" -v b="$ot" 'BEGIN {printf "%.4f", a / b}')
  olds+=("$ot")
  news+=("$nt")
  ratios+=("$r")
  printf 'pair %d: old %8.1f tok/s (CPU %s ms/job)  new %8.1f tok/s (CPU %s ms/job)  new/old %s  load %s\n' \
    "$i" "$ot" "$oc" "$nt" "$nc" "$r" "$(cut -d' ' -f1 /proc/loadavg)"
done
om=$(printf '%s\n' "${olds[@]}" | median)
nm=$(printf '%s\n' "${news[@]}" | median)
rm_=$(printf '%s\n' "${ratios[@]}" | median)
echo "median old $om tok/s, new $nm tok/s: new/old $(awk -v a="$nm" -v b="$om" 'BEGIN {printf "%.4f (%+.1f%%)", a / b, 100 * (a / b - 1)}')"
echo "median of the per-pair ratios: $rm_"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
