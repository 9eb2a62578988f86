#!/usr/bin/env bash
# Cold start of the download: `embed --model MODEL hello` through an unpacked tarball's
# bin/gemma-embed (its jlinked runtime, under env -i: no JDK on the PATH) against a baseline:
# the repository's ./gemma-embed (the JDK 25 that scripts/select-jdk.sh finds; the same jar and
# JVM options when built from the same tree), or a second unpacked tarball (say, one without the
# AOT cache). One warm-up each, then RUNS rounds, the order swapped every round; wall time from
# start to exit, CPU time (user + sys: steadier than wall time on a loaded machine) and peak RSS
# (/usr/bin/time), medians, and the load average (the machine is
# shared). Both get one fresh HOME. A run that fails stops the script.
# Usage: dist/cold-start.sh UNPACKED_TARBALL_DIR MODEL [RUNS] [BASELINE]
#   BASELINE: an unpacked tarball folder, or a launcher script (default: the repository's ./gemma-embed)
# On a shared machine: flock /work/bench.lock dist/cold-start.sh …
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
app="$(cd "$1" && pwd)" model=$2 runs=${3:-5} baseline=${4:-$root/gemma-embed}
home="$(mktemp -d)"; trap 'rm -rf "$home"' EXIT
unset GEMMA_EMBED_JAVA_OPTS
# run VARIANT: one embed through a tarball folder (clean environment) or a launcher script
run() {
  if [ -d "$1" ]; then
    env -i HOME="$home" PATH=/usr/bin:/bin "$1/bin/gemma-embed" embed --model "$model" hello
  else
    HOME="$home" "$1" embed --model "$model" hello
  fi
}
export -f run; export home model
# measure VARIANT: prints "WALL_MS CPU_MS PEAK_RSS_KB" of one run; its output is discarded
measure() {
  local t0 t1
  t0=$(date +%s%N)
  if ! /usr/bin/time -f "%e %U %S %M" -o "$home/rss" bash -c 'run "$1"' run "$1" > "$home/out" 2> "$home/err"; then
    echo "cold-start: $1 failed:" >&2; cat "$home/err" >&2; exit 1
  fi
  t1=$(date +%s%N)
  grep -q '"embedding"' "$home/out" || { echo "cold-start: $1 printed no embedding" >&2; exit 1; }
  tail -1 "$home/rss" | awk -v wall=$(((t1 - t0) / 1000000)) '{printf "%d %d %d\n", wall, ($2 + $3) * 1000, $4}'
}
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
measure "$app" > /dev/null; measure "$baseline" > /dev/null
a_ms=() a_cpu=() a_kb=() b_ms=() b_cpu=() b_kb=()
take_a() { local ms cpu kb; read -r ms cpu kb < <(measure "$app"); a_ms+=("$ms"); a_cpu+=("$cpu"); a_kb+=("$kb"); }
take_b() { local ms cpu kb; read -r ms cpu kb < <(measure "$baseline"); b_ms+=("$ms"); b_cpu+=("$cpu"); b_kb+=("$kb"); }
for i in $(seq 1 "$runs"); do
  if [ $((i % 2)) -eq 1 ]; then take_a; take_b; else take_b; take_a; fi
done
med() { printf '%s\n' "$@" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
echo "model: $model, $runs rounds"
for side in a b; do
  if [ $side = a ]; then what="tarball  $app"; ms=("${a_ms[@]}") cpu=("${a_cpu[@]}") kb=("${a_kb[@]}")
  else what="baseline $baseline"; ms=("${b_ms[@]}") cpu=("${b_cpu[@]}") kb=("${b_kb[@]}"); fi
  echo "$what: wall ${ms[*]} ms, median $(med "${ms[@]}") ms; CPU median $(med "${cpu[@]}") ms; peak RSS median $(med "${kb[@]}") KB"
done
echo "tarball/baseline: wall $(ratio "$(med "${a_ms[@]}")" "$(med "${b_ms[@]}")"), CPU $(ratio "$(med "${a_cpu[@]}")" "$(med "${b_cpu[@]}")")"
echo "load: $(uptime | sed 's/.*load average: //')"
