package dev.gemmaembed.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * {@link PackedMatrix} panels in float32 for the {@link TileKernels} tile: input column k of a
 * panel is W consecutive floats ({@code panel[k][j] = W[p·W + j][k]}), read with aligned vector
 * loads.
 *
 * <p>Memory: {@code ceil(rows / W) · W · cols · 4} bytes off-heap (the float32 size of the matrix;
 * 406 MB for EmbeddingGemma's 24 layers), in the arena given to {@link #pack(WeightMatrix, Arena)}.
 */
final class PackedF32Matrix extends PackedMatrix {

  private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;

  private static final long PANEL_ROW_BYTES = (long) W * Float.BYTES;

  private PackedF32Matrix(int rows, int cols, MemorySegment data) {
    super(rows, cols, data, PANEL_ROW_BYTES);
  }

  /**
   * Packs {@code source} into memory of {@code arena} (which then owns the packed copy's lifetime).
   */
  static PackedF32Matrix pack(WeightMatrix source, Arena arena) {
    int rows = source.rows();
    int cols = source.cols();
    int panels = panels(rows);
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

  @Override
  void tile4(
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
      int c3) {
    TileKernels.tile4(a, a0, a1, a2, a3, cols, data, off, PANEL_ROW_BYTES, c, c0, c1, c2, c3);
  }

  /**
   * Below this many tokens a product streams its weights from memory more than it computes on them,
   * and the half-panel tiles, which read each panel's cache lines in two passes, cost time: one
   * 16-token text on the full-size float32 model, one Zen 2 thread, took 103–107 ms with them and
   * 94–96 ms without (bench/README.md).
   */
  private static final int SIX_ROW_MIN_TOKENS = 48;

  /**
   * Six tokens at a time, each panel in two halves, where {@link TileKernels#SIX_ROW_TILES} and the
   * token range has at least {@value #SIX_ROW_MIN_TOKENS} tokens.
   */
  @Override
  int wideTiles(
      float[] x, int tokenFrom, int tokenTo, float[] out, int outStride, int o, long off) {
    if (!TileKernels.SIX_ROW_TILES || tokenTo - tokenFrom < SIX_ROW_MIN_TOKENS) {
      return tokenFrom;
    }
    int t = tokenFrom;
    for (; t + 6 <= tokenTo; t += 6) {
      int xo = t * cols;
      for (int h = 0; h < W; h += W / 2) {
        int co = t * outStride + o + h;
        TileKernels.tile6Half(
            x,
            xo,
            xo + cols,
            xo + 2 * cols,
            xo + 3 * cols,
            xo + 4 * cols,
            xo + 5 * cols,
            cols,
            data,
            off + (long) h * Float.BYTES,
            PANEL_ROW_BYTES,
            out,
            co,
            co + outStride,
            co + 2 * outStride,
            co + 3 * outStride,
            co + 4 * outStride,
            co + 5 * outStride);
      }
    }
    return t;
  }

  @Override
  void tile1(float[] a, int a0, long off, float[] c, int c0) {
    TileKernels.tile1(a, a0, cols, data, off, PANEL_ROW_BYTES, c, c0);
  }
}
