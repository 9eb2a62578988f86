#!/usr/bin/env bash
# Writes cli/target/gemma-embed.aot, the AOT cache (JEPs 483, 514, 515) that ./gemma-embed passes to
# a short job: the classes such a job loads and links, and its method profiles, recorded by a
# training run (AotTraining: embed, similarity, search and tokenize on a tiny synthetic model
# folder and a Q4_0 GGUF of it) with the launcher's short-job options. Run by the cli module's
# package phase, after the jar is built; about 15 s.
# A cache is tied to the JVM that wrote it and to the jar's path, size and time stamp: the build
# rewrites it with the jar, and a JVM that cannot use it (another JDK, a rebuilt jar) runs without
# it, silently. The last steps check that this one is used (-XX:AOTMode=on fails otherwise) and
# that one that cannot be used prints nothing.
# The download's build (dist/build-tarball.sh) trains its own with its jlinked runtime, from the
# folder it unpacks to: the arguments name that JVM, the folder of its jvm-options files, its jar
# and the cache to write.
# Usage: cli/scripts/aot-cache.sh [JAVA OPTIONS_DIR JAR AOT_CACHE]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ $# -eq 4 ]; then
  java="$1" options="$2" jar="$3" aot="$4"
elif [ $# -eq 0 ]; then
  source "$root/scripts/select-jdk.sh"
  java="$JAVA_HOME/bin/java" options="$root/scripts"
  # the paths as ./gemma-embed spells them: the cache records the jar's path
  jar="$root/cli/target/gemma-embed.jar" aot="$root/cli/target/gemma-embed.aot"
else
  echo "usage: cli/scripts/aot-cache.sh [JAVA OPTIONS_DIR JAR AOT_CACHE]" >&2
  exit 2
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rm -f "$aot"
opts=("@$options/jvm-options" "@$options/jvm-options-quick")
export XDG_CACHE_HOME="$work/cache"
run() { # log-name java-arguments...
  local log="$work/$1.log"
  shift
  "$java" "$@" >"$log" 2>&1 || { echo "aot-cache: failed: java $*" >&2; cat "$log" >&2; exit 1; }
}
run synth "${opts[@]}" -jar "$jar" synth --preset tiny --out "$work/tiny"
run quantize "${opts[@]}" -jar "$jar" quantize "$work/tiny" "$work/tiny-q4_0.gguf" --type q4_0
# The training JVM writes the cache when it exits (it starts a second JVM to assemble it).
run train "${opts[@]}" -XX:AOTMode=record -XX:AOTCacheOutput="$work/gemma-embed.aot" \
  -cp "$jar" dev.gemmaembed.cli.AotTraining "$work/tiny" "$work/tiny-q4_0.gguf"
# A short job with the options a launcher gives it (launch.sh: jvm-options-quick, the compiler
# directives, this cache), AOTMode=on failing it unless the cache is used; its standard output must
# be the vector alone: a line of the JVM's there would go into the user's vectors.
source "$options/launch.sh"
unset GEMMA_EMBED_JAVA_OPTS
check=(embed --model "$work/tiny-q4_0.gguf" hello)
_gemma_embed_jvm_options "$options" "$jar" "$work/gemma-embed.aot" "${check[@]}"
if ! "$java" "${jvm_opts[@]}" -XX:AOTMode=on -jar "$jar" "${check[@]}" >"$work/check.out" 2>"$work/check.log"; then
  echo "aot-cache: failed: java ${jvm_opts[*]} -XX:AOTMode=on -jar $jar ${check[*]}" >&2
  cat "$work/check.log" >&2
  exit 1
fi
if [ "$(wc -l <"$work/check.out")" -ne 1 ] || ! grep -q '^{"index":0,"embedding":\[' "$work/check.out"; then
  echo "aot-cache: a short job's standard output is not its vector alone:" >&2
  head -c 300 "$work/check.out" >&2
  exit 1
fi
# A cache that a JVM cannot use (here: not a cache at all) is passed over in silence: nothing on
# stderr but the JVM's incubator line (the launcher's filter drops it), nothing extra on stdout.
printf 'not an AOT cache' >"$work/bad.aot"
run bad "${opts[@]}" -XX:AOTCache="$work/bad.aot" -jar "$jar" tokenize --model "$work/tiny" hello
if [ "$(grep -v '^WARNING: Using incubator modules' "$work/bad.log")" != '{"ids":[2,23391,1]}' ]; then
  echo "aot-cache: an unusable AOT cache is not passed over in silence:" >&2
  cat "$work/bad.log" >&2
  exit 1
fi
mv "$work/gemma-embed.aot" "$aot"
echo "aot-cache: $aot ($(($(wc -c <"$aot") / 1048576)) MB)"
