package dev.gemmaembed.it;

import dev.gemmaembed.tools.SyntheticCheckpointWriter;
import dev.gemmaembed.tools.SyntheticSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** Synthetic checkpoints written once per build under target/ and shared by the tests. */
final class TestModels {

  private static Path tiny;

  private TestModels() {}

  /** The recipe's tiny model (seed 1234), the one the golden vectors were computed on. */
  static synchronized Path tiny() {
    if (tiny == null) {
      tiny = write(SyntheticSpec.tiny(1234), "tiny-1234");
    }
    return tiny;
  }

  /** A copy of the tiny model's directory whose config.json is rewritten by {@code edit}. */
  static Path tinyWithConfig(String name, UnaryOperator<String> edit) throws IOException {
    Path dir = tinyCopy(name);
    Path cfg = dir.resolve("config.json");
    String text = Files.readString(cfg);
    Files.delete(cfg);
    Files.writeString(cfg, edit.apply(text));
    return dir;
  }

  /**
   * A fresh copy of the tiny model's directory made of symbolic links to its files, so a test can
   * replace or delete single files cheaply.
   */
  static Path tinyCopy(String name) throws IOException {
    Path src = tiny().toAbsolutePath();
    Path dir = Path.of("target", "test-models", "copies", name);
    deleteRecursively(dir);
    try (var files = Files.walk(src)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path dst = dir.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dst);
        } else {
          Files.createSymbolicLink(dst, p);
        }
      }
    }
    return dir;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static Path write(SyntheticSpec spec, String name) {
    Path dir = Path.of("target", "test-models", name);
    Path marker = dir.resolve(".complete");
    try {
      if (!Files.exists(marker)) {
        SyntheticCheckpointWriter.write(spec, dir);
        Files.writeString(marker, "ok");
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
