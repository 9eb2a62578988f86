package dev.gemmaembed.it;

import dev.gemmaembed.tools.SyntheticCheckpointWriter;
import dev.gemmaembed.tools.SyntheticSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
  static Path tinyWithConfig(String name, java.util.function.UnaryOperator<String> edit) throws IOException {
    Path src = tiny();
    Path dir = Path.of("target", "test-models", name);
    Files.createDirectories(dir);
    try (var files = Files.walk(src)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path rel = src.relativize(p);
        Path dst = dir.resolve(rel.toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dst);
        } else if (!Files.exists(dst)) {
          Files.createSymbolicLink(dst, p.toAbsolutePath());
        }
      }
    }
    Path cfg = dir.resolve("config.json");
    String text = Files.readString(src.resolve("config.json"));
    Files.deleteIfExists(cfg);
    Files.writeString(cfg, edit.apply(text));
    return dir;
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
