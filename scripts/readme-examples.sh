#!/usr/bin/env bash
# Runs the README's shell examples as written, on the tiny synthetic model, in a scratch folder:
# the quick start and every ```bash block of the "Command line", "Quantized models" and "Server"
# sections. Lists what it ran, what it skipped and why, and fails if any example fails.
#
# The scratch folder is the state after the quick start (models/tiny, GEMMA_EMBED_MODEL pointing
# at it), with the input files the examples name (notes.txt, docs.jsonl, texts.txt, ~/notes under
# a scratch HOME) and models/embeddinggemma-300m, the real model's folder name, bound to the tiny
# model. `gemma-embed serve` runs in the background until the block's last curl; a curl fails on
# an HTTP error (--fail-with-body is added). If port 8080 is taken, the server examples use a free
# port instead, and say so.
#
# Usage: scripts/readme-examples.sh [README.md]   (after ./mvnw -q -DskipTests package)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readme="${1:-$root/README.md}"
if [ ! -f "$root/cli/target/gemma-embed.jar" ]; then
  echo "readme-examples: $root/cli/target/gemma-embed.jar is missing; build it first: ./mvnw -q -DskipTests package" >&2
  exit 2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/gemma-embed-readme.XXXXXX")"
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The examples' logical lines (backslash continuations joined), from the sections they run in.
extract() {
  awk '
    /^## / { section = $0 }
    /^```bash/ { inblock = (section == "" || section ~ /^## (Command line|Quantized models|Server)/); line = ""; next }
    /^```/ { inblock = 0; next }
    inblock {
      text = $0
      if (text ~ /\\$/) { sub(/\\$/, "", text); line = line text; next }
      line = line text
      if (line !~ /^[ \t]*(#|$)/) print line
      line = ""
    }
  ' "$1"
}

# The scratch folder: the quick start's state and the examples' input files.
cd "$work"
mkdir -p bin home/notes models
cat > gemma-embed <<EOF
#!/usr/bin/env bash
exec "$root/gemma-embed" "\$@"
EOF
real_curl="$(command -v curl)"
cat > bin/curl <<EOF
#!/usr/bin/env bash
exec "$real_curl" --fail-with-body "\$@"
EOF
chmod +x gemma-embed bin/curl
./gemma-embed synth --preset tiny --out models/tiny 2>/dev/null
ln -s tiny models/embeddinggemma-300m
printf 'Mars is known as the Red Planet.\nVenus is the hottest planet.\n' > notes.txt
printf '%s\n' '{"id": 1, "text": "Mars is red", "title": "Mars"}' '{"id": "v", "text": "Venus is hot"}' > docs.jsonl
printf 'first text\nsecond text\n' > texts.txt
echo "Open Settings, then Reset password." > home/notes/password.md
echo "Bread needs flour, water and yeast." > home/notes/bread.txt
export HOME="$work/home" GEMMA_EMBED_MODEL="$work/models/tiny" PATH="$work/bin:$PATH"
port=8080
if (exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null; then
  port=18080
  while (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$((port + 1)); done
  echo "readme-examples: port 8080 is taken here; the server examples use $port instead"
fi
echo "readme-examples: in $work: models/tiny from the quick start, GEMMA_EMBED_MODEL=models/tiny,"
echo "  models/embeddinggemma-300m -> models/tiny, notes.txt, docs.jsonl, texts.txt, ~/notes/"

ran=0
failed=0
skipped=()
while IFS= read -r cmd; do
  cmd="${cmd//localhost:8080/localhost:$port}"
  cmd="${cmd//--port 8080/--port $port}"
  case "$cmd" in
    ./mvnw*'&&'*)
      # The quick start's build already happened: run the rest of the line.
      skipped+=("${cmd%%&&*}: the build itself (done before; BuildWrapperTest checks the wrapper)")
      cmd="${cmd#*&& }" ;;
  esac
  reason=
  case "$cmd" in
    ./mvnw*) reason="the build itself (done before; BuildWrapperTest checks the wrapper)" ;;
    .ci/run*) reason="the whole test suite (what CI runs)" ;;
    *"gemma-embed pull"*) reason="downloads from the Hugging Face Hub (network and HF_TOKEN)" ;;
    "export HF_TOKEN"*) reason="a Hugging Face token, for pull" ;;
    *spark-submit*) reason="needs a Spark cluster" ;;
    *docker*) reason="needs docker" ;;
  esac
  if [ -n "$reason" ]; then
    skipped+=("$cmd: $reason")
    continue
  fi
  ran=$((ran + 1))
  if [[ $cmd == export\ * ]]; then
    eval "$cmd"
    echo "ok    $cmd"
    continue
  fi
  if [[ $cmd == *"gemma-embed serve"* ]]; then
    bash -c "$cmd" > server.log 2>&1 &
    server_pid=$!
    up=
    for _ in $(seq 1 1200); do
      if "$real_curl" -sf "localhost:$port/health" > /dev/null 2>&1; then up=1; break; fi
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    if [ -n "$up" ]; then echo "ok    $cmd  (in the background)"; else
      failed=$((failed + 1)); echo "FAIL  $cmd"; awk '{ print "      " $0 }' server.log; fi
    continue
  fi
  status=0
  bash -c "$cmd" > out.txt 2> err.txt || status=$?
  if [ "$status" -eq 0 ]; then
    echo "ok    $cmd"
  else
    failed=$((failed + 1))
    echo "FAIL  $cmd  (exit $status)"
    awk '{ print "      " $0 }' out.txt err.txt | head -20
  fi
done < <(extract "$readme")

for s in "${skipped[@]}"; do
  echo "skip  $s"
done
echo "readme-examples: $ran run, $failed failed, ${#skipped[@]} skipped"
[ "$failed" -eq 0 ] && [ "$ran" -gt 0 ]
