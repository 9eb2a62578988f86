package dev.gemmaembed.kernels;

import java.lang.foreign.MemorySegment;

/**
 * The copy of a {@link WeightMatrix} that its products run on once it is {@link WeightMatrix#pack
 * packed}: re-laid once into column panels for an outer-product register tile. Panel p holds output
 * rows {@code [p·W, p·W + W)} (W = {@link TileKernels#W}, 64 with AVX-512) transposed, so input
 * column k of a panel is one k-step of {@code kStepBytes} holding those W weights, and a multiply
 * streams each panel once per 4 tokens. The last panel is zero-padded to W rows.
 *
 * <p>This class owns the walk over panels and token tiles; each storage of the panels owns its
 * layout and its tiles ({@link PackedF32Matrix}: float32; {@link PackedBf16Matrix}: bfloat16
 * widened in registers). Every tile computes each output element as the chain {@code c =
 * fma(x[t][k], w[r][k], c)} for k = 0, 1, … from +0 on the exact float32 value of the weight, so
 * all packed forms of the same values give the same bits as every other product path.
 */
abstract sealed class PackedMatrix permits PackedF32Matrix, PackedBf16Matrix {

  /** Output rows per panel: the alignment that lets a range split keep whole panels. */
  static final int W = TileKernels.W;

  /**
   * Per-thread 4 × W result tile for panels only partly inside the requested rows or the output.
   */
  private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[4 * W]);

  final int rows;
  final int cols;

  /** The panels, {@code ceil(rows / W) · cols · kStepBytes} bytes. */
  final MemorySegment data;

  /** Bytes of one k-step of a panel (its W weights of one input column). */
  final long kStepBytes;

  PackedMatrix(int rows, int cols, MemorySegment data, long kStepBytes) {
    this.rows = rows;
    this.cols = cols;
    this.data = data;
    this.kStepBytes = kStepBytes;
  }

  int rows() {
    return rows;
  }

  static int panels(int rows) {
    return (rows + W - 1) / W;
  }

  /**
   * Four tokens (activations from {@code a0..a3}, contiguous along k) times the panel at byte
   * {@code off}, into C rows {@code c0..c3} (each W floats).
   */
  abstract void tile4(
      float[] a,
      int a0,
      int a1,
      int a2,
      int a3,
      long off,
      float[] c,
      int c0,
      int c1,
      int c2,
      int c3);

  /** One token times the panel at byte {@code off}, into {@code c[c0 .. c0 + W)}. */
  abstract void tile1(float[] a, int a0, long off, float[] c, int c0);

  /**
   * {@link WeightMatrix#multiply} for tokens {@code [tokenFrom, tokenTo)} only ({@code x} and
   * {@code out} keep their absolute token indexing): also the unit of work {@link Matmul} hands to
   * threads.
   */
  final void multiplyTokens(
      float[] x,
      int tokenFrom,
      int tokenTo,
      float[] out,
      int outStride,
      int outOffset,
      int rowStart,
      int rowEnd) {
    if (rowStart < 0 || rowEnd > rows || rowStart > rowEnd) {
      throw new IndexOutOfBoundsException("rows [" + rowStart + ", " + rowEnd + ") of " + rows);
    }
    for (int p = rowStart / W; p * W < rowEnd; p++) {
      int r0 = p * W;
      int laneFrom = Math.max(rowStart, r0) - r0;
      int laneTo = Math.min(rowEnd, r0 + W) - r0;
      long off = (long) p * cols * kStepBytes;
      if (laneFrom == 0 && laneTo == W) {
        wholePanel(x, tokenFrom, tokenTo, out, outStride, outOffset + r0, off);
      } else {
        partialPanel(x, tokenFrom, tokenTo, out, outStride, outOffset + r0, off, laneFrom, laneTo);
      }
    }
  }

  /**
   * Runs the first tokens of {@code [tokenFrom, tokenTo)} through the storage's wider token tiles,
   * if it has any, into a whole panel as {@link #tile4} would; returns the first token left.
   */
  int wideTiles(
      float[] x, int tokenFrom, int tokenTo, float[] out, int outStride, int o, long off) {
    return tokenFrom;
  }

  /** A whole panel straight into {@code out} (columns {@code o .. o + W}). */
  private void wholePanel(
      float[] x, int tokenFrom, int tokenTo, float[] out, int outStride, int o, long off) {
    int t = wideTiles(x, tokenFrom, tokenTo, out, outStride, o, off);
    for (; t + 4 <= tokenTo; t += 4) {
      int xo = t * cols;
      int co = t * outStride + o;
      tile4(
          x,
          xo,
          xo + cols,
          xo + 2 * cols,
          xo + 3 * cols,
          off,
          out,
          co,
          co + outStride,
          co + 2 * outStride,
          co + 3 * outStride);
    }
    for (; t < tokenTo; t++) {
      tile1(x, t * cols, off, out, t * outStride + o);
    }
  }

  /**
   * Lanes {@code [laneFrom, laneTo)} of a panel, through a per-thread tile (out may end inside the
   * panel).
   */
  private void partialPanel(
      float[] x,
      int tokenFrom,
      int tokenTo,
      float[] out,
      int outStride,
      int o,
      long off,
      int laneFrom,
      int laneTo) {
    float[] tile = TILE.get();
    int n = laneTo - laneFrom;
    int t = tokenFrom;
    for (; t + 4 <= tokenTo; t += 4) {
      int xo = t * cols;
      tile4(x, xo, xo + cols, xo + 2 * cols, xo + 3 * cols, off, tile, 0, W, 2 * W, 3 * W);
      for (int r = 0; r < 4; r++) {
        System.arraycopy(tile, r * W + laneFrom, out, (t + r) * outStride + o + laneFrom, n);
      }
    }
    for (; t < tokenTo; t++) {
      tile1(x, t * cols, off, tile, 0);
      System.arraycopy(tile, laneFrom, out, t * outStride + o + laneFrom, n);
    }
  }
}
