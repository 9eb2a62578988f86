# Sourced by .ci/run and the launchers: points JAVA_HOME at a JDK 25 (the Vector API and FFM
# code needs it). Honours an existing JAVA_HOME that already is 25 or newer.
_gemma_jdk_ok() { [ -x "$1/bin/java" ] && "$1/bin/java" -version 2>&1 | grep -Eq 'version "(2[5-9]|[3-9][0-9])'; }
if [ -n "${JAVA_HOME:-}" ] && _gemma_jdk_ok "$JAVA_HOME"; then
  :
else
  for _candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/jdk-25*; do
    if _gemma_jdk_ok "$_candidate"; then export JAVA_HOME="$_candidate"; break; fi
  done
fi
if [ -z "${JAVA_HOME:-}" ] || ! _gemma_jdk_ok "$JAVA_HOME"; then
  echo "gemma-embed needs JDK 25: set JAVA_HOME to a JDK 25 installation" >&2
  return 1 2>/dev/null || exit 1
fi
export PATH="$JAVA_HOME/bin:$PATH"
unset _candidate
