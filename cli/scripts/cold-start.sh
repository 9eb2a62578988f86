#!/usr/bin/env bash
# Cold start of one short job: `gemma-embed embed --model M --threads T hello` through the launcher
# with its default JVM options (GEMMA_EMBED_JAVA_OPTS is cleared), wall time from start to exit,
# against llama.cpp's `llama-embedding -m M.gguf -p hello -t T` when one is on the PATH or given.
# One warm-up, then RUNS rounds (default 5) that alternate the programs; medians are printed.
# The breakdown comes from the CLI's start-up marks (GEMMA_EMBED_TRACE_T0, StartupTrace): JVM start
# (to main), picocli (to the command's start), tokenizer load (a `tokenize` run of the same model,
# alternated too), weight mapping/packing (the model load less the tokenizer), first forward pass,
# output and exit. Time on a shared machine is inflated: the load average is printed alongside, and
# so is the CPU time (user + system, from /usr/bin/time when present), which load inflates less.
# The tokenizer cache lives under the temporary folder (XDG_CACHE_HOME): the warm-up fills it, as a
# user's first run does. The baseline has a cache folder of its own: a build with another cache
# format deletes the other format's files when it writes its own.
# Models: the arguments (Hugging Face folders or GGUF files); none: the full-size synthetic model
# (1.2 GB, under a temporary folder) and its Q4_0 GGUF. A folder is compared with llama.cpp through
# its f32 GGUF (gemma-embed quantize DIR M.gguf --type f32).
# --baseline LAUNCHER also runs another build's launcher (e.g. /work/main/gemma-embed) in the same
# rounds, with its own breakdown: old vs new, alternating.
# Usage: cli/scripts/cold-start.sh [--runs N] [--threads T] [--llama PATH] [--baseline LAUNCHER] [MODEL...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs=5
threads=2
llama="$(command -v llama-embedding || true)"
baseline=
models=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --llama) llama="$2"; shift 2 ;;
    --baseline) baseline="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) models+=("$1"); shift ;;
  esac
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
unset GEMMA_EMBED_JAVA_OPTS
export XDG_CACHE_HOME="$work/cache"
ge="$root/gemma-embed"
timer=()
[ ! -x /usr/bin/time ] || timer=(/usr/bin/time -f "%U %S" -o "$work/cpu")
if [ ${#models[@]} -eq 0 ]; then
  echo "writing the full-size synthetic model and its Q4_0 GGUF under $work ..."
  "$ge" synth --preset full --out "$work/full" >/dev/null
  "$ge" quantize "$work/full" "$work/full-q4_0.gguf" --type q4_0 >/dev/null
  models=("$work/full" "$work/full-q4_0.gguf")
fi
[ -z "$llama" ] || [ -x "$llama" ] || { echo "cold-start.sh: --llama $llama is not an executable" >&2; exit 2; }

now() { date +%s%N; }

# Appends "<key> cpu <ms>" from the last timed run, when /usr/bin/time is there.
cpu() { # key
  [ ${#timer[@]} -eq 0 ] || awk -v k="$1" 'NF == 2 { print k, "cpu", ($1 + $2) * 1000 }' "$work/cpu" >> "$work/results"
}
# One traced run: appends "<key> <phase> <ms>" lines (wall and CPU included) to $work/results.
ours() { # key launcher command...
  local key="$1" launcher="$2"; shift 2
  local t0 t1 cache="$work/cache"
  [ "$launcher" = "$ge" ] || cache="$work/cache-baseline"
  t0="$(now)"
  # stderr through a pipe, read to its end: the launcher's filter may pass the last marks on just
  # after the JVM has exited (see StartupTrace)
  XDG_CACHE_HOME="$cache" GEMMA_EMBED_TRACE_T0="$t0" "${timer[@]}" "$launcher" "$@" 2>&1 >/dev/null | cat >"$work/err" \
    || { cat "$work/err" >&2; exit 1; }
  t1="$(now)"
  awk -v k="$key" '$1 == "gemma-embed" && $2 == "startup" { print k, $3, $4 }' "$work/err" >> "$work/results"
  echo "$key wall $(( (t1 - t0) / 1000 ))" | awk '{ print $1, $2, $3 / 1000 }' >> "$work/results"
  cpu "$key"
}
theirs() { # gguf
  local t0 t1
  t0="$(now)"
  "${timer[@]}" "$llama" -m "$1" -p hello -t "$threads" >/dev/null 2>&1 || { echo "cold-start.sh: $llama failed on $1" >&2; exit 1; }
  t1="$(now)"
  echo "llama wall $(( (t1 - t0) / 1000 ))" | awk '{ print $1, $2, $3 / 1000 }' >> "$work/results"
  cpu llama
}
median() { # key phase
  awk -v k="$1" -v p="$2" '$1 == k && $2 == p { print $3 }' "$work/results" | sort -n \
    | awk '{ a[NR] = $1 } END { if (NR) printf "%.0f", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2); else printf "nan" }'
}

breakdown() { # label embed-key tokenize-key
  local main parsed loaded first wall tok
  main="$(median "$2" main)"; parsed="$(median "$2" parsed)"; loaded="$(median "$2" loaded)"
  first="$(median "$2" first-batch)"; wall="$(median "$2" wall)"
  tok=$(( $(median "$3" tokenizer) - $(median "$3" parsed) ))
  echo "$1: ${wall} ms wall, $(median "$2" cpu) ms CPU"
  echo "  JVM start (to main)       ${main} ms"
  echo "  picocli (to the command)  $(( parsed - main )) ms"
  echo "  tokenizer load            ${tok} ms (tokenize runs)"
  echo "  weight mapping/packing    $(( loaded - parsed - tok )) ms (model load less the tokenizer)"
  echo "  first forward pass        $(( first - loaded )) ms"
  echo "  output and exit           $(( wall - first )) ms"
}

for model in "${models[@]}"; do
  gguf="$model"
  if [ -n "$llama" ] && [ -d "$model" ]; then
    gguf="$work/$(basename "$model")-f32.gguf"
    [ -f "$gguf" ] || "$ge" quantize "$model" "$gguf" --type f32 >/dev/null
  fi
  : > "$work/results"
  for ((r = 0; r <= runs; r++)); do
    ours embed "$ge" embed --model "$model" --threads "$threads" hello
    [ -z "$llama" ] || theirs "$gguf"
    ours tok "$ge" tokenize --model "$model" hello
    if [ -n "$baseline" ]; then
      ours base-embed "$baseline" embed --model "$model" --threads "$threads" hello
      ours base-tok "$baseline" tokenize --model "$model" hello
    fi
    if [ "$r" -eq 0 ]; then : > "$work/results"; fi # the warm-up round is not counted
  done
  echo "== $model (threads $threads, median of $runs after one warm-up; load average $(cut -d' ' -f1-3 /proc/loadavg))"
  breakdown "gemma-embed embed" embed tok
  wall="$(median embed wall)"
  if [ -n "$baseline" ]; then
    breakdown "baseline $baseline" base-embed base-tok
  fi
  if [ -n "$llama" ]; then
    theirs_ms="$(median llama wall)"
    echo "llama-embedding: ${theirs_ms} ms wall, $(median llama cpu) ms CPU; wall ratio $(awk -v a="$wall" -v b="$theirs_ms" 'BEGIN { printf "%.2f", a / b }')"
  else
    echo "llama-embedding: not on the PATH and no --llama given; not compared"
  fi
done
