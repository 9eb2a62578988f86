package dev.gemmaembed.kernels;

/** Multiplies activations by a weight matrix, split across a {@link ComputePool} by output rows. */
public final class Matmul {

  /** Output rows per work unit: keeps each thread's weight slice contiguous and cache friendly. */
  private static final int ROW_GRAIN = 16;

  private Matmul() {}

  /** {@code out[tokens × w.rows()] = x[tokens × w.cols()] · Wᵀ}. */
  public static void multiply(ComputePool pool, WeightMatrix w, float[] x, int tokens, float[] out) {
    multiply(pool, w, x, tokens, out, w.rows(), 0);
  }

  /** As {@link #multiply(ComputePool, WeightMatrix, float[], int, float[])} into a strided output. */
  public static void multiply(
      ComputePool pool, WeightMatrix w, float[] x, int tokens, float[] out, int outStride, int outOffset) {
    checkShapes(w, x, tokens, out, outStride, outOffset);
    pool.parallelFor(w.rows(), ROW_GRAIN,
        (from, to) -> w.multiply(x, tokens, out, outStride, outOffset, from, to));
  }

  static void checkShapes(WeightMatrix w, float[] x, int tokens, float[] out, int outStride, int outOffset) {
    if ((long) tokens * w.cols() > x.length) {
      throw new IllegalArgumentException(
          "input has " + x.length + " floats, need " + tokens + " × " + w.cols());
    }
    if (tokens > 0 && (long) (tokens - 1) * outStride + outOffset + w.rows() > out.length) {
      throw new IllegalArgumentException("output too small for " + tokens + " × " + w.rows());
    }
  }
}
