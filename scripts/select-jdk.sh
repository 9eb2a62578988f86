# Sourced (by sh or bash) by ./mvnw, ./gemma-embed and .ci/run: points JAVA_HOME at a JDK 25 or
# newer (the Vector API and FFM code needs it) and puts its bin/ first on PATH.
# Searched in order: $JAVA_HOME, the JDK homes listed in $GEMMA_EMBED_JDK_DIRS (colon-separated;
# when set, it replaces the default list below), then the usual install folders of Debian/Ubuntu
# packages, Temurin, SDKMAN! and IntelliJ. A `java` on PATH is not trusted: it is often an older
# JDK (the JDK 17 of a distribution), which is what this script exists to step around.
# Without one, it prints one line naming JDK 25 and the places searched, and fails.

# The feature version of the JDK at $1 (25 for 25.0.1), read from its release file (no JVM start),
# else from `java -version`; empty when $1 is no JDK.
_gemma_jdk_version() {
  [ -x "$1/bin/java" ] || return 0
  if [ -f "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release"
  else
    "$1/bin/java" -version 2>&1 | sed -n 's/.* version "\([0-9][0-9]*\).*/\1/p' | head -n 1
  fi
}
_gemma_jdk_ok() {
  _gemma_v="$(_gemma_jdk_version "$1")"
  [ -n "$_gemma_v" ] && [ "$_gemma_v" -ge 25 ]
}

_gemma_selected=
if [ -n "${JAVA_HOME:-}" ] && _gemma_jdk_ok "$JAVA_HOME"; then
  _gemma_selected="$JAVA_HOME"
else
  if [ -n "${GEMMA_EMBED_JDK_DIRS:-}" ]; then
    _gemma_dirs="$GEMMA_EMBED_JDK_DIRS"
  else
    _gemma_dirs="/usr/lib/jvm/temurin-25-jdk-amd64:/usr/lib/jvm/temurin-25-jdk-arm64:/usr/lib/jvm/java-25-openjdk-amd64:/usr/lib/jvm/java-25-openjdk-arm64:/usr/lib/jvm/java-25-openjdk:/usr/lib/jvm/*:/opt/java/openjdk:/opt/jdk-25*:${HOME:-/nonexistent}/.sdkman/candidates/java/*:${HOME:-/nonexistent}/.jdks/*"
  fi
  # Patterns expand here even when the caller turned globbing off (./mvnw runs under set -f).
  case $- in *f*) _gemma_noglob=1; set +f ;; *) _gemma_noglob= ;; esac
  _gemma_ifs="$IFS"
  IFS=:
  for _gemma_pattern in $_gemma_dirs; do
    IFS="$_gemma_ifs"
    for _gemma_candidate in $_gemma_pattern; do
      if _gemma_jdk_ok "$_gemma_candidate"; then _gemma_selected="$_gemma_candidate"; break 2; fi
    done
  done
  IFS="$_gemma_ifs"
  [ -z "$_gemma_noglob" ] || set -f
fi
if [ -z "$_gemma_selected" ]; then
  echo "gemma-embed needs JDK 25 or newer and found none: searched JAVA_HOME (${JAVA_HOME:-unset}) and $_gemma_dirs; install JDK 25 (e.g. Temurin 25) or set JAVA_HOME to one" >&2
  unset _gemma_selected _gemma_dirs _gemma_pattern _gemma_candidate _gemma_ifs _gemma_noglob _gemma_v
  return 1 2>/dev/null || exit 1
fi
export JAVA_HOME="$_gemma_selected"
export PATH="$JAVA_HOME/bin:$PATH"
unset _gemma_selected _gemma_dirs _gemma_pattern _gemma_candidate _gemma_ifs _gemma_noglob _gemma_v
