#!/usr/bin/env bash
# CI test of the download: unpacks TARBALL into a fresh folder under target/ and runs
# bin/gemma-embed --version, synth, embed (with and without its AOT cache) and serve with a clean
# environment (env -i: no JDK on the PATH, no JAVA_HOME). Prints one 'N passed, N failed' line;
# exits non-zero on a failure.
set -uo pipefail
tarball="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
work="$(dirname "$tarball")/clean-env-test"
rm -rf "$work" && mkdir -p "$work/home" "$work/unpacked"
tar -xzf "$tarball" -C "$work/unpacked"
app="$(echo "$work"/unpacked/*)"
passed=0 failed=0
check() {  # check NAME COMMAND...: runs the command, counts it
  local name=$1; shift
  if "$@" > "$work/$name.out" 2> "$work/$name.err"; then
    passed=$((passed + 1)); echo "test-tarball: ok   $name"
  else
    failed=$((failed + 1)); echo "test-tarball: FAIL $name"; sed 's/^/  /' "$work/$name.err" "$work/$name.out" | tail -20
  fi
}
clean() { env -i HOME="$work/home" PATH=/usr/bin:/bin "$@"; }
ge() { clean "$app/bin/gemma-embed" "$@"; }

# the download carries the README and the Apache License 2.0, and so does the jar inside it
license_is_inside() {
  [ -s "$app/README.md" ] && grep -q 'Apache License' "$app/LICENSE" \
    && grep -q 'Version 2.0, January 2004' "$app/LICENSE" \
    && python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("META-INF/LICENSE"))' \
      "$app/lib/gemma-embed.jar" | cmp -s - "$app/LICENSE"
}
check license license_is_inside
version_prints() { ge --version | grep -q "$(cat "$app/lib/version")"; }
check version version_prints
check synth ge synth --out "$work/tiny"
embed_gives_a_vector() {
  ge embed --model "$work/tiny" hello > "$work/vec.json" && grep -q '"embedding":\[' "$work/vec.json"
}
check embed embed_gives_a_vector
# the AOT cache the build trained loads into the unpacked runtime from this folder (AOTMode=on
# stops the JVM when it cannot), and the vector is the same bit for bit without it; _JAVA_OPTIONS
# comes after the launcher's options (JDK_JAVA_OPTIONS would come before jvm-options-quick's
# AOTMode and be overridden)
aot_cache_loads() {
  clean _JAVA_OPTIONS=-XX:AOTMode=on "$app/bin/gemma-embed" embed --model "$work/tiny" hello > "$work/aot-on.json" \
    && clean _JAVA_OPTIONS=-XX:AOTMode=off "$app/bin/gemma-embed" embed --model "$work/tiny" hello > "$work/aot-off.json" \
    && grep -q '"embedding":\[' "$work/aot-on.json" && cmp -s "$work/aot-on.json" "$work/aot-off.json"
}
check aot-cache aot_cache_loads
serve_answers() {
  local log="$work/serve.log" fifo="$work/serve.fifo" pid port="" line ok=1
  mkfifo "$fifo"
  # not through ge: $! must be the server itself (env and the launcher exec it), not a subshell
  env -i HOME="$work/home" PATH=/usr/bin:/bin "$app/bin/gemma-embed" serve --model "$work/tiny" \
    --port 0 2> "$fifo" &
  pid=$!
  exec 5< "$fifo"
  # handshake on the server's own lines: 'listening on URL' names the port, 'ready' follows
  while IFS= read -r -t 120 line <&5; do
    echo "$line" >> "$log"
    [[ $line == *"listening on http://"* ]] && port="$(sed 's/.*listening on http:\/\/[^:]*:\([0-9]*\).*/\1/' <<< "$line")"
    [[ $line == *ready* ]] && { ok=0; break; }
  done
  cat <&5 >> "$log" &
  if [ $ok -eq 0 ] && [ -n "$port" ]; then
    clean curl -sf "http://127.0.0.1:$port/health" | grep -q '"ok"' \
      && clean curl -sf -H 'Content-Type: application/json' -d '{"inputs":"hello"}' "http://127.0.0.1:$port/embed" \
        | grep -q '^\[\['
    ok=$?
  fi
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  exec 5<&-
  cat "$log" >&2
  return $ok
}
check serve serve_answers
missing_runtime_is_named() {
  mv "$app/runtime" "$app/runtime.away"
  local out; out="$(ge --version 2>&1)"; local rc=$?
  mv "$app/runtime.away" "$app/runtime"
  [ $rc -eq 2 ] && [[ $out == *"runtime/bin/java is missing"* ]]
}
check missing-runtime missing_runtime_is_named
missing_jar_is_named() {
  mv "$app/lib/gemma-embed.jar" "$app/lib/gemma-embed.jar.away"
  local out; out="$(ge --version 2>&1)"; local rc=$?
  mv "$app/lib/gemma-embed.jar.away" "$app/lib/gemma-embed.jar"
  [ $rc -eq 2 ] && [[ $out == *"lib/gemma-embed.jar is missing"* ]]
}
check missing-jar missing_jar_is_named
# a runtime linked without the Vector API: the launcher names the module and the JVM flag
missing_vector_module_is_named() {
  cp "$app/runtime/release" "$work/release.kept"
  sed -i 's/jdk\.incubator\.vector//' "$app/runtime/release"
  local out; out="$(ge --version 2>&1)"; local rc=$?
  cp "$work/release.kept" "$app/runtime/release"
  [ $rc -eq 2 ] && [[ $out == *"lacks the module jdk.incubator.vector"* ]] \
    && [[ $out == *"--add-modules jdk.incubator.vector"* ]]
}
check missing-vector-module missing_vector_module_is_named
echo "test-tarball: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
