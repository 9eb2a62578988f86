package dev.gemmaembed.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the model to load, in order: {@code --model PATH}, the GEMMA_EMBED_MODEL variable, then
 * google/embeddinggemma-300m in the Hugging Face cache. The first one given wins: a --model or
 * GEMMA_EMBED_MODEL that names nothing is an error, not a reason to look further.
 */
final class ModelLocator {

  static final String ENV = "GEMMA_EMBED_MODEL";

  private ModelLocator() {}

  static Path resolve(Path explicit, CliEnvironment env) {
    return find(explicit, env)
        .orElseThrow(
            () ->
                CliException.model(
                    "no model: pass --model DIR (a Hugging Face embeddinggemma-300m folder, or a .gguf file), set "
                        + ENV
                        + " to one, or download "
                        + HfCache.DEFAULT_REPO
                        + " into the Hugging Face cache ("
                        + HfCache.locate(env).repoDir(HfCache.DEFAULT_REPO)
                        + ") with 'gemma-embed pull' (needs an HF_TOKEN "
                        + "whose account accepted the Gemma licence)"));
  }

  /** As {@link #resolve}, but empty instead of an error when no model is given, set or cached. */
  static Optional<Path> find(Path explicit, CliEnvironment env) {
    if (explicit != null) {
      return Optional.of(mustExist(explicit, "--model " + explicit));
    }
    String fromEnv = env.variable(ENV);
    if (fromEnv != null) {
      return Optional.of(mustExist(Path.of(fromEnv), ENV + "=" + fromEnv));
    }
    try {
      return HfCache.locate(env).findSnapshot(HfCache.DEFAULT_REPO);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path mustExist(Path path, String source) {
    if (!Files.exists(path)) {
      throw CliException.model(source + ": no such model directory or file");
    }
    return path;
  }
}
