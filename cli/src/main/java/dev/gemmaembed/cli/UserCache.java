package dev.gemmaembed.cli;

import dev.gemmaembed.tokenizer.GemmaTokenizer;
import java.nio.file.Path;

/**
 * The command line's own cache directory, {@code $XDG_CACHE_HOME/gemma-embed}, else {@code
 * ~/.cache/gemma-embed}. The libraries write nothing to disk unasked; the command turns their
 * caches on here.
 */
final class UserCache {

  private UserCache() {}

  static Path root(CliEnvironment env) {
    String xdg = env.variable("XDG_CACHE_HOME");
    return (xdg != null ? Path.of(xdg) : env.userHome().resolve(".cache")).resolve("gemma-embed");
  }

  /**
   * Keeps parsed tokenizers under {@code root/tokenizer}, so that a model's tokenizer.json (16 MB)
   * is parsed once per machine; a directory set with {@code -Dgemmaembed.tokenizer.cacheDir} wins.
   */
  static void enableTokenizerCache(CliEnvironment env) {
    if (System.getProperty(GemmaTokenizer.CACHE_DIR_PROPERTY) == null) {
      System.setProperty(
          GemmaTokenizer.CACHE_DIR_PROPERTY, root(env).resolve("tokenizer").toString());
    }
  }
}
