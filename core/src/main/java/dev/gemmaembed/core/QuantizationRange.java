package dev.gemmaembed.core;

import java.util.Arrays;
import java.util.List;

/**
 * Per-dimension {@code [min, max]} of a set of embeddings, which int8/uint8 {@link Precision}
 * spreads onto 256 levels: sentence-transformers takes it from {@code calibration_embeddings} when
 * given, else from the embeddings being quantized (so a vector's bytes then depend on its batch).
 */
public final class QuantizationRange {

  /** Below this many vectors sentence-transformers warns that the range is poorly estimated. */
  public static final int FEW_VECTORS = 100;

  private final float[] min;
  private final float[] max;
  private final float[] step;

  private QuantizationRange(float[] min, float[] max) {
    this.min = min;
    this.max = max;
    this.step = new float[min.length];
    for (int d = 0; d < min.length; d++) {
      // float32, as numpy computes (ranges[1] - ranges[0]) / 255 on a float32 array
      step[d] = (max[d] - min[d]) / 255f;
    }
  }

  /**
   * The range of {@code vectors}, all of one width. {@code source} names them in errors (a file,
   * "the input").
   *
   * @throws InvalidInputException for fewer than 2 vectors, rows of differing width, a value that
   *     is not finite (naming row and dimension), or a dimension whose max equals its min (a zero
   *     step would divide by zero)
   */
  public static QuantizationRange of(List<float[]> vectors, String source) {
    if (vectors.size() < 2) {
      throw new InvalidInputException(
          source
              + " has "
              + vectors.size()
              + " vector"
              + (vectors.size() == 1 ? "" : "s")
              + "; an int8/uint8 range needs at least 2 (give more texts, or calibration embeddings)");
    }
    int width = vectors.getFirst().length;
    float[] min = new float[width];
    float[] max = new float[width];
    Arrays.fill(min, Float.POSITIVE_INFINITY);
    Arrays.fill(max, Float.NEGATIVE_INFINITY);
    for (int r = 0; r < vectors.size(); r++) {
      float[] v = vectors.get(r);
      if (v.length != width) {
        throw new InvalidInputException(
            source + ": row " + r + " has " + v.length + " values, row 0 has " + width);
      }
      for (int d = 0; d < width; d++) {
        if (!Float.isFinite(v[d])) {
          throw new InvalidInputException(
              source
                  + ": row "
                  + r
                  + ", dimension "
                  + d
                  + " is "
                  + v[d]
                  + "; a calibration range needs finite values");
        }
        min[d] = Math.min(min[d], v[d]);
        max[d] = Math.max(max[d], v[d]);
      }
    }
    for (int d = 0; d < width; d++) {
      if (!(max[d] > min[d])) {
        throw new InvalidInputException(
            source
                + ": dimension "
                + d
                + " has the same value "
                + min[d]
                + " in every row; an int8/uint8 range needs max > min in each dimension");
      }
    }
    return new QuantizationRange(min, max);
  }

  /**
   * Checks that this range fits vectors of {@code width} dimensions (calibration embeddings must
   * already be cut to the output's {@code --dims}).
   *
   * @throws InvalidOptionException naming both widths
   */
  public void requireWidth(int width) {
    if (width != min.length) {
      throw new InvalidOptionException(
          InvalidOptionException.Option.PRECISION,
          "the calibration embeddings have "
              + min.length
              + " dimensions but the output has "
              + width
              + "; cut them to the same --dims");
    }
  }

  public int width() {
    return min.length;
  }

  public float min(int d) {
    return min[d];
  }

  public float max(int d) {
    return max[d];
  }

  float step(int d) {
    return step[d];
  }
}
