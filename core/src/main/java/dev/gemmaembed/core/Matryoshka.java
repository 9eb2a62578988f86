package dev.gemmaembed.core;

import dev.gemmaembed.kernels.SimdKernels;
import java.util.Arrays;

/**
 * Matryoshka truncation: EmbeddingGemma was trained so that the leading 512, 256 or 128 dimensions
 * of its unit vectors, renormalised, are embeddings of their own (sentence-transformers' {@code
 * truncate_dim} followed by normalisation).
 */
public final class Matryoshka {

  private Matryoshka() {}

  /**
   * The first {@code dimensions} of a unit vector, renormalised to unit length; a copy of the whole
   * vector when {@code dimensions} is 0 or its length.
   *
   * @throws IllegalArgumentException if {@code dimensions} is negative or above the vector's length
   */
  public static float[] cut(float[] vector, int dimensions) {
    return cut(vector, 0, vector.length, dimensions);
  }

  /**
   * As {@link #cut(float[], int)} for the vector of {@code width} floats at {@code offset} of
   * {@code vectors} (one row of a batch's [sequences × width] output).
   */
  public static float[] cut(float[] vectors, int offset, int width, int dimensions) {
    if (dimensions < 0 || dimensions > width) {
      throw new IllegalArgumentException("dimensions must be 0.." + width + ", got " + dimensions);
    }
    int keep = dimensions == 0 ? width : dimensions;
    float[] v = Arrays.copyOfRange(vectors, offset, offset + keep);
    if (keep < width) {
      SimdKernels.l2Normalize(v, 0, keep);
    }
    return v;
  }
}
