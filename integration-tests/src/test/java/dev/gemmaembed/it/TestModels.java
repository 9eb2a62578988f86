package dev.gemmaembed.it;

import dev.gemmaembed.testing.TinyModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** Variants of the shared tiny model ({@link TinyModel}) for tests that alter its files. */
final class TestModels {

  private TestModels() {}

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
    Path src = TinyModel.dir();
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
}
