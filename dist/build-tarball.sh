#!/usr/bin/env bash
# Builds TARGET/NAME.tar.gz, the download that runs without a JDK:
#   NAME/bin/gemma-embed     the launcher (src/bin/gemma-embed)
#   NAME/lib/gemma-embed.jar the CLI (cli/target/gemma-embed.jar, everything in one jar)
#   NAME/lib/jvm-options     the JVM defaults: the repository's scripts/jvm-options, CDS allowed
#   NAME/lib/gemma-embed.aot an AOT cache trained by the jlinked runtime on a short embed job
#   NAME/runtime/            a jlink image of the modules the jar needs (jdeps) + jdk.incubator.vector
#   NAME/README.md, LICENSE  the repository's (Apache License 2.0)
# jlink links from the JDK's jmods/ or, where the JDK has none (Temurin 25), from its run-time
# image (JEP 493); no Maven plugin does the latter, hence this script.
# Usage: build-tarball.sh NAME VERSION TARGET_DIR   (JAVA_HOME: the JDK 25 of the build)
set -euo pipefail
name=$1 version=$2 target=$3
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/cli/target/gemma-embed.jar"
jdk="${JAVA_HOME:?JAVA_HOME must name the JDK 25 that builds gemma-embed}"
[ -f "$jar" ] || { echo "build-tarball: $jar is missing; package the cli module first" >&2; exit 1; }

stage="$target/$name"
rm -rf "$stage" "$target/$name.tar.gz"
mkdir -p "$stage/bin" "$stage/lib"

# jdeps lists what the jar's classes reference; the Vector API is loaded only on request
# (--add-modules), so it is added by name. java.desktop (about 12 MB) is left out: only Jackson's
# optional java.beans annotations support refers to it, and Jackson runs without it.
modules="$("$jdk/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps "$jar" \
  | tr ',' '\n' | grep -vx -e java.desktop -e jdk.incubator.vector | paste -sd,),jdk.incubator.vector"
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --compress zip-6 --output "$stage/runtime"

cp "$jar" "$stage/lib/gemma-embed.jar"
# One owner of the JVM defaults: scripts/jvm-options, the argument file every launcher passes,
# less its -XX:AOTMode=off: the AOT cache below is class-data sharing, and the jlinked runtime has
# no default CDS archive that the line would otherwise keep out.
{
  grep -vx -e '-XX:AOTMode=off' "$root/scripts/jvm-options"
  echo "# This archive's copy: without -XX:AOTMode=off, for the AOT cache lib/gemma-embed.aot."
} > "$stage/lib/jvm-options"

# AOT cache (JEP 483, 515): the classes a short embed job loads and links, and its method
# profiles, written by a training run of the jlinked runtime itself (a cache loads only into the
# JVM that wrote it, and from any folder the archive is unpacked to). The job: the jar's own
# synthetic tiny model, embedded as bin/gemma-embed runs it.
train="$target/aot-training"
rm -rf "$train" && mkdir -p "$train/home"
in_clean_env() {
  env -i HOME="$train/home" PATH=/usr/bin:/bin "$stage/runtime/bin/java" "@$stage/lib/jvm-options" \
    -Dgemma-embed.stderr.tty=false -Dgemma-embed.stderr.fd=3 "$@" 3>&2
}
in_clean_env -jar "$stage/lib/gemma-embed.jar" synth --out "$train/tiny" > "$train/synth.log" 2>&1 \
  || { cat "$train/synth.log" >&2; exit 1; }
in_clean_env -XX:AOTCacheOutput="$stage/lib/gemma-embed.aot" -jar "$stage/lib/gemma-embed.jar" \
  embed --model "$train/tiny" "hello" "A second, longer sentence to embed in the same batch." \
  > "$train/embed.log" 2>&1 || { cat "$train/embed.log" >&2; exit 1; }
[ -s "$stage/lib/gemma-embed.aot" ] || { echo "build-tarball: no AOT cache written" >&2; exit 1; }
printf '%s\n' "$version" > "$stage/lib/version"
install -m 755 "$root/dist/src/bin/gemma-embed" "$stage/bin/gemma-embed"
cp "$root/README.md" "$root/LICENSE" "$stage/"

tar -C "$target" -czf "$target/$name.tar.gz" "$name"
echo "build-tarball: $target/$name.tar.gz ($(du -m "$target/$name.tar.gz" | cut -f1) MB; runtime modules: $modules)"
