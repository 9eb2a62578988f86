package dev.gemmaembed.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The float32 copy of a {@link WeightMatrix} that its products run on once it is {@link
 * WeightMatrix#pack packed}: re-laid once into column panels for the {@link TileKernels}
 * outer-product tile. Panel p holds output rows {@code [p·W, p·W + W)} (W = {@link TileKernels#W},
 * 64 with AVX-512) transposed, so input column k of the panel is W consecutive floats ({@code
 * panel[k][j] = W[p·W + j][k]}). A multiply then streams each panel once per 4 tokens with aligned
 * vector loads. The last panel is zero-padded to W rows.
 *
 * <p>Memory: {@code ceil(rows / W) · W · cols · 4} bytes off-heap (the float32 size of the matrix;
 * 406 MB for EmbeddingGemma's 24 layers), in the arena given to {@link #pack(WeightMatrix, Arena)}.
 */
final class PackedF32Matrix {

  private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;

  /** Output rows per panel: the alignment that lets a range split keep whole panels. */
  static final int W = TileKernels.W;

  private static final long PANEL_ROW_BYTES = (long) W * Float.BYTES;

  /**
   * Per-thread 4 × W result tile for panels only partly inside the requested rows or the output.
   */
  private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[4 * W]);

  private final int rows;
  private final int cols;
  private final MemorySegment data;

  private PackedF32Matrix(int rows, int cols, MemorySegment data) {
    this.rows = rows;
    this.cols = cols;
    this.data = data;
  }

  /**
   * Packs {@code source} into memory of {@code arena} (which then owns the packed copy's lifetime).
   */
  static PackedF32Matrix pack(WeightMatrix source, Arena arena) {
    int rows = source.rows();
    int cols = source.cols();
    int panels = (rows + W - 1) / W;
    MemorySegment data = arena.allocate((long) panels * cols * PANEL_ROW_BYTES, 64);
    float[] block = new float[W * cols];
    float[] panel = new float[W * cols];
    for (int p = 0; p < panels; p++) {
      int r0 = p * W;
      int n = Math.min(W, rows - r0);
      for (int j = 0; j < n; j++) {
        source.decodeRow(r0 + j, block, j * cols);
      }
      Arrays.fill(panel, 0f);
      for (int j = 0; j < n; j++) {
        int src = j * cols;
        for (int k = 0; k < cols; k++) {
          panel[k * W + j] = block[src + k];
        }
      }
      MemorySegment.copy(panel, 0, data, FLOAT, (long) p * cols * PANEL_ROW_BYTES, W * cols);
    }
    return new PackedF32Matrix(rows, cols, data);
  }

  int rows() {
    return rows;
  }

  /**
   * {@link WeightMatrix#multiply} for tokens {@code [tokenFrom, tokenTo)} only ({@code x} and
   * {@code out} keep their absolute token indexing): also the unit of work {@link Matmul} hands to
   * threads.
   */
  void multiplyTokens(
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
      long off = (long) p * cols * PANEL_ROW_BYTES;
      if (laneFrom == 0 && laneTo == W) {
        wholePanel(x, tokenFrom, tokenTo, out, outStride, outOffset + r0, off);
      } else {
        partialPanel(x, tokenFrom, tokenTo, out, outStride, outOffset + r0, off, laneFrom, laneTo);
      }
    }
  }

  /** A whole panel straight into {@code out} (columns {@code o .. o + W}). */
  private void wholePanel(
      float[] x, int tokenFrom, int tokenTo, float[] out, int outStride, int o, long off) {
    int t = tokenFrom;
    for (; t + 4 <= tokenTo; t += 4) {
      int xo = t * cols;
      int co = t * outStride + o;
      TileKernels.tile4(
          x,
          xo,
          xo + cols,
          xo + 2 * cols,
          xo + 3 * cols,
          cols,
          data,
          off,
          PANEL_ROW_BYTES,
          out,
          co,
          co + outStride,
          co + 2 * outStride,
          co + 3 * outStride);
    }
    for (; t < tokenTo; t++) {
      TileKernels.tile1(x, t * cols, cols, data, off, PANEL_ROW_BYTES, out, t * outStride + o);
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
      TileKernels.tile4(
          x,
          xo,
          xo + cols,
          xo + 2 * cols,
          xo + 3 * cols,
          cols,
          data,
          off,
          PANEL_ROW_BYTES,
          tile,
          0,
          W,
          2 * W,
          3 * W);
      for (int r = 0; r < 4; r++) {
        System.arraycopy(tile, r * W + laneFrom, out, (t + r) * outStride + o + laneFrom, n);
      }
    }
    for (; t < tokenTo; t++) {
      TileKernels.tile1(x, t * cols, cols, data, off, PANEL_ROW_BYTES, tile, 0);
      System.arraycopy(tile, laneFrom, out, t * outStride + o + laneFrom, n);
    }
  }
}
