package dev.gemmaembed.testing;

import dev.gemmaembed.tools.Eg2SyntheticSpec;
import dev.gemmaembed.tools.Eg2SyntheticWriter;
import dev.gemmaembed.tools.SafetensorsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tiny synthetic EmbeddingGemma 2 model of shared/golden/eg2-tiny (hidden 64, 6 layers, PLE 32,
 * radius 8, seed 2026), written once per module under {@code target/test-models/}, in float32 (on
 * which the golden vectors were computed) or bfloat16.
 */
public final class Eg2TinyModel {

  private static Path f32;
  private static Path bf16;

  private Eg2TinyModel() {}

  /** The float32 checkpoint's directory (absolute), written on first use. */
  public static synchronized Path dir() {
    if (f32 == null) {
      f32 = write("eg2-tiny-2026", SafetensorsWriter.Dtype.F32);
    }
    return f32;
  }

  /** The same weights rounded to bfloat16 (make_synthetic_eg2.py --dtype bfloat16). */
  public static synchronized Path bf16Dir() {
    if (bf16 == null) {
      bf16 = write("eg2-tiny-2026-bf16", SafetensorsWriter.Dtype.BF16);
    }
    return bf16;
  }

  private static Path write(String name, SafetensorsWriter.Dtype dtype) {
    Path d = Path.of("target", "test-models", name).toAbsolutePath();
    Path marker = d.resolve(".complete");
    try {
      if (!Files.exists(marker)) {
        Eg2SyntheticWriter.write(Eg2SyntheticSpec.tiny(2026), dtype, d);
        Files.writeString(marker, "ok");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return d;
  }
}
