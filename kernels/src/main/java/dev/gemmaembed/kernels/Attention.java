package dev.gemmaembed.kernels;

import java.util.Arrays;

/**
 * Bidirectional grouped-query attention over one sequence of a packed batch, optionally limited
 * to a symmetric window: query i sees key j iff {@code |i − j| ≤ radius} (all keys when
 * {@code radius < 0}). Only the visible band is visited, so sliding layers cost O(T·w), and no
 * T×T matrix is ever materialised.
 *
 * <p>Layout: {@code q} and {@code out} are {@code [tokens × nHeads·headDim]}, {@code k} and
 * {@code v} are {@code [tokens × nKvHeads·headDim]}; the sequence occupies token rows
 * {@code [seqStart, seqStart + seqLen)} and positions are relative to its first token.
 */
public final class Attention {

  private static final ThreadLocal<float[]> SCORES = ThreadLocal.withInitial(() -> new float[0]);

  private Attention() {}

  /** Computes the outputs of queries {@code [queryFrom, queryTo)} of the sequence. */
  public static void attend(float[] q, float[] k, float[] v, int seqStart, int seqLen, int nHeads, int nKvHeads,
      int headDim, int radius, float scale, float[] out, int queryFrom, int queryTo) {
    if (nKvHeads <= 0 || nHeads % nKvHeads != 0) {
      throw new IllegalArgumentException(nHeads + " query heads cannot share " + nKvHeads + " kv heads");
    }
    int qStride = nHeads * headDim;
    int kvStride = nKvHeads * headDim;
    int group = nHeads / nKvHeads;
    float[] scores = scratch(radius < 0 ? seqLen : Math.min(seqLen, 2 * radius + 1));
    for (int i = queryFrom; i < queryTo; i++) {
      int lo = radius < 0 ? 0 : Math.max(0, i - radius);
      int hi = radius < 0 ? seqLen - 1 : Math.min(seqLen - 1, i + radius);
      int span = hi - lo + 1;
      for (int h = 0; h < nHeads; h++) {
        int qo = (seqStart + i) * qStride + h * headDim;
        int kvh = (h / group) * headDim;
        for (int j = lo; j <= hi; j++) {
          scores[j - lo] = SimdKernels.dot(q, qo, k, (seqStart + j) * kvStride + kvh, headDim) * scale;
        }
        SimdKernels.softmax(scores, 0, span);
        Arrays.fill(out, qo, qo + headDim, 0f);
        for (int j = lo; j <= hi; j++) {
          SimdKernels.axpy(scores[j - lo], v, (seqStart + j) * kvStride + kvh, out, qo, headDim);
        }
      }
    }
  }

  private static float[] scratch(int n) {
    float[] s = SCORES.get();
    if (s.length < n) {
      s = new float[n];
      SCORES.set(s);
    }
    return s;
  }
}
