#!/usr/bin/env bash
# Builds TARGET/NAME.tar.gz, the download that runs without a JDK:
#   NAME/bin/gemma-embed     the launcher (src/bin/gemma-embed)
#   NAME/lib/gemma-embed.jar the CLI (cli/target/gemma-embed.jar, everything in one jar)
#   NAME/lib/launch.sh, NAME/lib/jvm-options, NAME/lib/jvm-options-quick,
#   NAME/lib/compiler-directives-quick.json
#                            the JVM defaults: the repository's scripts/ files of the same names
#   NAME/lib/gemma-embed.aot the AOT cache for short jobs, trained by the jlinked runtime
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
# One owner of the JVM defaults and of how a launcher picks them: the repository's scripts/launch.sh
# and the argument files it passes, copied as they are.
cp "$root/scripts/launch.sh" "$root/scripts/jvm-options" "$root/scripts/jvm-options-quick" \
  "$root/scripts/compiler-directives-quick.json" "$stage/lib/"

# The AOT cache for short jobs (JEPs 483, 515), trained as the repository's is
# (cli/scripts/aot-cache.sh), but by the jlinked runtime itself, in a clean environment: a cache
# loads only into the JVM that wrote it (and from any folder the archive is unpacked to).
train="$target/aot-training"
rm -rf "$train" && mkdir -p "$train/home"
env -i HOME="$train/home" PATH=/usr/bin:/bin bash "$root/cli/scripts/aot-cache.sh" \
  "$stage/runtime/bin/java" "$stage/lib" "$stage/lib/gemma-embed.jar" "$stage/lib/gemma-embed.aot"
printf '%s\n' "$version" > "$stage/lib/version"
install -m 755 "$root/dist/src/bin/gemma-embed" "$stage/bin/gemma-embed"
cp "$root/README.md" "$root/LICENSE" "$stage/"

tar -C "$target" -czf "$target/$name.tar.gz" "$name"
echo "build-tarball: $target/$name.tar.gz ($(du -m "$target/$name.tar.gz" | cut -f1) MB; runtime modules: $modules)"
