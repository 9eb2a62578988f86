package dev.gemmaembed.server;

import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.tools.SyntheticCheckpointWriter;
import dev.gemmaembed.tools.SyntheticSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The recipe's tiny synthetic model (seed 1234), written once under target/ and loaded once per JVM. */
final class TinyModel {

  private static Embedder embedder;

  private TinyModel() {}

  static synchronized Embedder embedder() {
    if (embedder == null) {
      embedder = Embedder.load(dir());
    }
    return embedder;
  }

  static Path dir() {
    Path dir = Path.of("target", "test-models", "tiny-1234");
    Path marker = dir.resolve(".complete");
    try {
      if (!Files.exists(marker)) {
        SyntheticCheckpointWriter.write(SyntheticSpec.tiny(1234), dir);
        Files.writeString(marker, "ok");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }
}
