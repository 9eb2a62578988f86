package dev.gemmaembed.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register tiles of a short query's unpacked product, a strip of at most {@code 2L} tokens (16
 * with AVX2; lanes along tokens, transposed by {@link PanelKernels#transpose}) times a few decoded
 * weight rows. {@link PanelKernels#multiplyStrip}'s 4-row tiles keep 8 accumulators live for a
 * two-vector strip and 4 for a one-vector strip, fewer than an FMA unit's latency × throughput (5 ×
 * 2 on Zen 2), so they stall on their own chains. Here a strip of {@code L + 1 .. 2L} tokens runs
 * {@value #ROWS} rows (12 accumulators + 2 token vectors + 1 broadcast: 15 of AVX2's 16 registers)
 * and one of up to {@code L} tokens {@value #ROWS_ONE_VECTOR} rows (8 accumulators).
 *
 * <p>Every output element is the same chain as in {@link PanelKernels}: {@code c = fma(w[r][k],
 * x[t][k], c)} for k = 0 … cols − 1 from +0, so the bits do not depend on which tile ran it.
 */
final class TallStripKernels {

  static final VectorSpecies<Float> F = VectorWidth.F;
  static final int L = VectorWidth.L;
  private static final boolean VECTOR = VectorWidth.VECTOR;

  /** Weight rows per tile of two token vectors. */
  static final int ROWS = 6;

  /** Weight rows per tile of one token vector. */
  static final int ROWS_ONE_VECTOR = 8;

  /** Token vectors per tile. */
  static final int VECTORS = 2;

  private static final int GROUP = PanelKernels.GROUP;

  private TallStripKernels() {}

  /** Rows per tile for a strip of {@code n} tokens; 0 if it is wider than two vectors. */
  static int rows(int n) {
    return n <= L ? ROWS_ONE_VECTOR : n <= VECTORS * L ? ROWS : 0;
  }

  /**
   * {@code out[(t0 + j) · outStride + outOffset + r] = Σ_k w[r · cols + k] · x[t0 + j][k]} for the
   * strip's tokens j &lt; n ≤ 2L and panel rows r &lt; nRows ≤ {@link #rows rows(n)}; {@code
   * scratch} holds at least {@code 12L} floats.
   */
  static void multiplyStrip(
      float[] xT,
      int n,
      int cols,
      float[] w,
      int nRows,
      float[] out,
      int outStride,
      int outOffset,
      int t0,
      float[] scratch) {
    // Missing panel rows repeat the last one; their results are computed and dropped.
    int last = nRows - 1;
    int w0 = 0;
    int w1 = Math.min(1, last) * cols;
    int w2 = Math.min(2, last) * cols;
    int w3 = Math.min(3, last) * cols;
    int w4 = Math.min(4, last) * cols;
    int w5 = Math.min(5, last) * cols;
    int width;
    if (n <= L) {
      int w6 = Math.min(6, last) * cols;
      int w7 = Math.min(7, last) * cols;
      if (VECTOR) {
        tile8x1(xT, cols, w, w0, w1, w2, w3, w4, w5, w6, w7, scratch);
      } else {
        tileScalar(xT, cols, w, new int[] {w0, w1, w2, w3, w4, w5, w6, w7}, 1, scratch);
      }
      width = L;
    } else {
      if (VECTOR) {
        tile(xT, cols, w, w0, w1, w2, w3, w4, w5, scratch);
      } else {
        tileScalar(xT, cols, w, new int[] {w0, w1, w2, w3, w4, w5}, VECTORS, scratch);
      }
      width = VECTORS * L;
    }
    for (int r = 0; r < nRows; r++) {
      int base = r * width;
      for (int j = 0; j < n; j++) {
        out[(t0 + j) * outStride + outOffset + r] = scratch[base + j];
      }
    }
  }

  private static void tile8x1(
      float[] xT,
      int cols,
      float[] w,
      int w0,
      int w1,
      int w2,
      int w3,
      int w4,
      int w5,
      int w6,
      int w7,
      float[] scratch) {
    var c0 = FloatVector.zero(F);
    var c1 = c0;
    var c2 = c0;
    var c3 = c0;
    var c4 = c0;
    var c5 = c0;
    var c6 = c0;
    var c7 = c0;
    for (int k = 0; k < cols; k++) {
      var x = FloatVector.fromArray(F, xT, k * GROUP);
      c0 = FloatVector.broadcast(F, w[w0 + k]).fma(x, c0);
      c1 = FloatVector.broadcast(F, w[w1 + k]).fma(x, c1);
      c2 = FloatVector.broadcast(F, w[w2 + k]).fma(x, c2);
      c3 = FloatVector.broadcast(F, w[w3 + k]).fma(x, c3);
      c4 = FloatVector.broadcast(F, w[w4 + k]).fma(x, c4);
      c5 = FloatVector.broadcast(F, w[w5 + k]).fma(x, c5);
      c6 = FloatVector.broadcast(F, w[w6 + k]).fma(x, c6);
      c7 = FloatVector.broadcast(F, w[w7 + k]).fma(x, c7);
    }
    c0.intoArray(scratch, 0);
    c1.intoArray(scratch, L);
    c2.intoArray(scratch, 2 * L);
    c3.intoArray(scratch, 3 * L);
    c4.intoArray(scratch, 4 * L);
    c5.intoArray(scratch, 5 * L);
    c6.intoArray(scratch, 6 * L);
    c7.intoArray(scratch, 7 * L);
  }

  private static void tile(
      float[] xT,
      int cols,
      float[] w,
      int w0,
      int w1,
      int w2,
      int w3,
      int w4,
      int w5,
      float[] scratch) {
    var c00 = FloatVector.zero(F);
    var c01 = c00;
    var c10 = c00;
    var c11 = c00;
    var c20 = c00;
    var c21 = c00;
    var c30 = c00;
    var c31 = c00;
    var c40 = c00;
    var c41 = c00;
    var c50 = c00;
    var c51 = c00;
    for (int k = 0; k < cols; k++) {
      int xo = k * GROUP;
      var x0 = FloatVector.fromArray(F, xT, xo);
      var x1 = FloatVector.fromArray(F, xT, xo + L);
      var b = FloatVector.broadcast(F, w[w0 + k]);
      c00 = b.fma(x0, c00);
      c01 = b.fma(x1, c01);
      b = FloatVector.broadcast(F, w[w1 + k]);
      c10 = b.fma(x0, c10);
      c11 = b.fma(x1, c11);
      b = FloatVector.broadcast(F, w[w2 + k]);
      c20 = b.fma(x0, c20);
      c21 = b.fma(x1, c21);
      b = FloatVector.broadcast(F, w[w3 + k]);
      c30 = b.fma(x0, c30);
      c31 = b.fma(x1, c31);
      b = FloatVector.broadcast(F, w[w4 + k]);
      c40 = b.fma(x0, c40);
      c41 = b.fma(x1, c41);
      b = FloatVector.broadcast(F, w[w5 + k]);
      c50 = b.fma(x0, c50);
      c51 = b.fma(x1, c51);
    }
    c00.intoArray(scratch, 0);
    c01.intoArray(scratch, L);
    c10.intoArray(scratch, 2 * L);
    c11.intoArray(scratch, 3 * L);
    c20.intoArray(scratch, 4 * L);
    c21.intoArray(scratch, 5 * L);
    c30.intoArray(scratch, 6 * L);
    c31.intoArray(scratch, 7 * L);
    c40.intoArray(scratch, 8 * L);
    c41.intoArray(scratch, 9 * L);
    c50.intoArray(scratch, 10 * L);
    c51.intoArray(scratch, 11 * L);
  }

  /**
   * The scalar twin of the tiles: rows at offsets {@code rows} of {@code w} times {@code vectors}
   * token vectors, the same FMA chain per output element, so the same bits (scalar mode only).
   */
  static void tileScalar(
      float[] xT, int cols, float[] w, int[] rows, int vectors, float[] scratch) {
    int width = vectors * L;
    for (int r = 0; r < rows.length; r++) {
      int c0 = r * width;
      java.util.Arrays.fill(scratch, c0, c0 + width, 0f);
      for (int k = 0; k < cols; k++) {
        float a = w[rows[r] + k];
        int lo = k * GROUP;
        for (int j = 0; j < width; j++) {
          scratch[c0 + j] = Math.fma(a, xT[lo + j], scratch[c0 + j]);
        }
      }
    }
  }
}
