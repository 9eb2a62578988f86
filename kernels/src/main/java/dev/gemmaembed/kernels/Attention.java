package dev.gemmaembed.kernels;

/**
 * Bidirectional grouped-query attention over one sequence of a packed batch, optionally limited
 * to a symmetric window: query i sees key j iff {@code |i − j| ≤ radius} (all keys when
 * {@code radius < 0}). Only the visible band is visited, so sliding layers cost O(T·w), and no
 * T×T matrix is ever materialised.
 *
 * <p>Layout: {@code q} and {@code out} are {@code [tokens × nHeads·headDim]}, {@code k} and
 * {@code v} are {@code [tokens × nKvHeads·headDim]}; the sequence occupies token rows
 * {@code [seqStart, seqStart + seqLen)} and positions are relative to its first token.
 *
 * <p>This is the single-threaded entry point; {@link BatchAttention} runs whole batches on a pool
 * with the same kernels, so both give bitwise the same outputs.
 */
public final class Attention {

  private Attention() {}

  /** Computes the outputs of queries {@code [queryFrom, queryTo)} of the sequence. */
  public static void attend(float[] q, float[] k, float[] v, int seqStart, int seqLen, int nHeads, int nKvHeads,
      int headDim, int radius, float scale, float[] out, int queryFrom, int queryTo) {
    if (queryFrom >= queryTo) {
      return;
    }
    new BatchAttention(nHeads, nKvHeads, headDim)
        .runOne(q, k, v, seqStart, seqLen, radius, scale, out, queryFrom, queryTo);
  }
}
