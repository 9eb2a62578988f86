# Sourced by both launchers of the CLI, ./gemma-embed (the repository's, on a JDK 25) and the
# download's bin/gemma-embed (its jlinked runtime), so that they choose the same JVM options for the
# same command line and treat stderr the same way. The caller names where things are:
#   gemma_embed_exec JAVA OPTIONS_DIR JAR AOT_CACHE CLI_ARGUMENTS...
# OPTIONS_DIR holds jvm-options and jvm-options-quick (java @argument files) and the short job's
# compiler-directives-quick.json; AOT_CACHE is the cache the build trained for short jobs
# (cli/scripts/aot-cache.sh), used when it is newer than JAR.

# The options for CLI_ARGUMENTS, into the array jvm_opts: jvm-options for every job, and for a short
# job (a command whose texts are on its command line) jvm-options-quick, its compiler directives and
# the AOT cache after them. GEMMA_EMBED_JAVA_OPTS replaces all of these.
_gemma_embed_jvm_options() { # OPTIONS_DIR JAR AOT_CACHE CLI_ARGUMENTS...
  local dir="$1" jar="$2" aot="$3" quick arg
  shift 3
  if [ -n "${GEMMA_EMBED_JAVA_OPTS:-}" ]; then
    # Word-split on purpose: a list of options.
    # shellcheck disable=SC2206
    jvm_opts=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED $GEMMA_EMBED_JAVA_OPTS)
    return
  fi
  jvm_opts=("@$dir/jvm-options")
  # Texts can only come from elsewhere through --input (stdin too: --input -), search's --dir or a
  # picocli @argument-file, which may hold any number of them.
  case "${1:-}" in
    embed | similarity | tokenize | search)
      quick=true
      for arg in "$@"; do
        case "$arg" in -i | -i?* | --input | --input=* | --dir | --dir=* | @?*) quick=false ;; esac
      done
      if [ "$quick" = true ]; then
        jvm_opts+=("@$dir/jvm-options-quick" "-XX:CompilerDirectivesFile=$dir/compiler-directives-quick.json")
        # Unless the jar is newer (a rebuilt jar the cache no longer matches); a JVM that still
        # cannot use it (another JDK) runs without it, silently.
        if [ "$aot" -nt "$jar" ]; then
          jvm_opts+=("-XX:AOTCache=$aot")
        fi
      fi
      ;;
  esac
}

# The JVM prints "WARNING: Using incubator modules" first thing on stderr (after "N compiler
# directives added" in a short job). Its stderr therefore starts on a pipe through this filter,
# which drops those lines; the real stderr waits on descriptor 3, and the CLI moves it back to 2
# (dup2) before its first message (LauncherStderr), so its own messages go straight out, in order. Why not simpler: no JVM option silences that line, and a
# filter alone would leave stderr a pipe for the whole run (no terminal, so no progress bar; the
# last messages arriving after exit).
_gemma_embed_drop_incubator_warning() {
  local line n=0
  while [ $n -lt 3 ] && IFS= read -r line; do
    n=$((n + 1))
    if [[ $line == "WARNING: Using incubator modules"* ]]; then
      break
    fi
    if ! [[ $line =~ ^[0-9]+\ compiler\ directives\ added$ ]]; then
      printf '%s\n' "$line"
    fi
  done
  exec cat
}

gemma_embed_exec() { # JAVA OPTIONS_DIR JAR AOT_CACHE CLI_ARGUMENTS...
  local java="$1" dir="$2" jar="$3" aot="$4" cols
  shift 4
  local jvm_opts tty_opts
  _gemma_embed_jvm_options "$dir" "$jar" "$aot" "$@"
  # Whether the real stderr is a terminal (progress bars are drawn only there) and its width: the
  # JVM cannot see it behind the filter's pipe.
  if [ -t 2 ]; then
    cols="$(stty size <&2 2>/dev/null | cut -d' ' -f2 || true)"
    tty_opts=(-Dgemma-embed.stderr.tty=true ${cols:+-Dgemma-embed.columns=$cols})
  else
    tty_opts=(-Dgemma-embed.stderr.tty=false)
  fi
  exec "$java" "${jvm_opts[@]}" "${tty_opts[@]}" -Dgemma-embed.stderr.fd=3 \
    -jar "$jar" "$@" 3>&2 2> >(_gemma_embed_drop_incubator_warning >&2)
}
