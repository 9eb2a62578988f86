package dev.gemmaembed.testing;

import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.tools.SyntheticCheckpointWriter;
import dev.gemmaembed.tools.SyntheticSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The recipe's tiny synthetic model (hidden 64, seed 1234), on which the golden vectors were
 * computed: written once per module under its {@code target/test-models/tiny-1234} and loaded once
 * per test JVM.
 */
public final class TinyModel {

  private static Path dir;
  private static Embedder embedder;

  private TinyModel() {}

  /** The model's directory (absolute), written on first use. */
  public static synchronized Path dir() {
    if (dir == null) {
      Path d = Path.of("target", "test-models", "tiny-1234").toAbsolutePath();
      Path marker = d.resolve(".complete");
      try {
        if (!Files.exists(marker)) {
          SyntheticCheckpointWriter.write(SyntheticSpec.tiny(1234), d);
          Files.writeString(marker, "ok");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      dir = d;
    }
    return dir;
  }

  /** One Embedder on the model shared by the JVM's tests; none of them closes it. */
  public static synchronized Embedder embedder() {
    if (embedder == null) {
      embedder = Embedder.load(dir());
    }
    return embedder;
  }
}
