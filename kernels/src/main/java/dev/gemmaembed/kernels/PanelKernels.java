package dev.gemmaembed.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 inner kernels of an unpacked {@link WeightMatrix} product, on decoded weight panels:
 * {@link #multiplyStrip} runs lanes along tokens (a strip of up to {@link #STRIP_TOKENS} tokens,
 * transposed, times up to {@value #TILE_ROWS} decoded rows, or a short query's strip of one or two
 * vectors times 8 or 16 rows); {@link #multiplyRowPanel} runs lanes along rows (a transposed panel
 * of up to {@link #GROUP} rows times any number of tokens).
 *
 * <p>Each k-step broadcasts one value per row (or token) and fuses it with 4 vectors of the other
 * operand, so a 4 × 4 register tile keeps 16 accumulators live and there is no horizontal
 * reduction: every output element is the chain {@code c = fma(w[r][k], x[t][k], c)} for k = 0, 1,
 * …, cols − 1 from +0 — the same chain whichever path, tile, strip, lane, batch or thread computed
 * it, in the interpreter, C1 and C2 alike. That is what makes results bitwise independent of batch
 * composition and thread count ({@code reduceLanes}, whose lane order is unspecified, is never
 * used). Lanes past the last token or row hold zeros (or repeat the last one, or an earlier panel's
 * row) and their results are dropped.
 */
final class PanelKernels {

  static final VectorSpecies<Float> F = VectorWidth.F;
  static final int L = VectorWidth.L;
  private static final boolean VECTOR = VectorWidth.VECTOR;

  /** Weight rows per register tile. */
  static final int TILE_ROWS = 4;

  /** Token vectors per register tile (4 × 4 accumulators + 4 token vectors in registers). */
  static final int TILE_VECTORS = 4;

  /**
   * {@link VectorWidth#SIXTEEN_REGISTERS}: row panels then run 6-token tiles ({@link
   * #multiplyRowPanelBy6}) and strips tiles of at most 2 vectors.
   */
  private static final boolean SIXTEEN_REGISTERS = VectorWidth.SIXTEEN_REGISTERS;

  /**
   * Token vectors of a short strip (a short query), multiplied on a panel of rows {@link
   * #SHORT_PANEL_STRIDE} apart by a tile of all its vectors: 2 with 32 registers ({@link
   * #tile16x1}, {@link #tile8x2}), 1 with 16 ({@link #tile8x1}; 2 vectors of 8 rows would need 19
   * registers).
   */
  private static final int SHORT_VECTORS = SIXTEEN_REGISTERS ? 1 : 2;

  /**
   * Floats between the decoded rows of a short strip's panel. A constant, so that the tile reads
   * every row at a fixed displacement from one moving index: with rows {@code cols} apart, C2 kept
   * the row offsets in registers and recomputed 7 of the 8 addresses each k-step (LEAs on the FMA
   * ports); a 16-row tile at a run-time stride ran at 105–113 GFLOP/s against 123–137 at this one
   * (bench/README, "Short strips"). 2048 + 16: EmbeddingGemma 2's widest input (2048) fits, and
   * rows 8,256 bytes apart spread over L1's sets, where a multiple of 4 KiB would put every row's
   * k-step in one set. A wider matrix takes the 4-row tiles.
   */
  static final int SHORT_PANEL_STRIDE = 2064;

  /** The most rows a short strip's panel holds ({@link #panelRows}). */
  private static final int SHORT_ROWS_MAX = SIXTEEN_REGISTERS ? 8 : 16;

  /** Floats per k-step of one group of tokens: the register tile's width (64 with AVX-512). */
  static final int GROUP = TILE_VECTORS * L;

  /** Tokens per transposed strip (128 with AVX-512: 384 KB of a 768-wide strip, L2-resident). */
  static final int STRIP_TOKENS = 2 * GROUP;

  private PanelKernels() {}

  /**
   * Transposes tokens {@code [t0, t0 + n)} of {@code x} into groups of {@link #GROUP} tokens:
   * column k of the group's token j goes to {@code xT[(g · cols + k) · GROUP + j]}. The stride
   * between k-steps is the constant {@code GROUP}, which lets C2 hoist every bounds check of the
   * tile loops. Lanes past the last token up to its vector's end are zeroed. A {@link #isShort
   * short} strip is laid out {@link #transposeShort densely} instead.
   */
  static void transpose(float[] x, int t0, int n, int cols, float[] xT) {
    if (isShort(n, cols)) {
      transposeShort(x, t0, n, cols, xT);
      return;
    }
    for (int j = 0; j < n; j++) {
      int src = (t0 + j) * cols;
      int dst = (j / GROUP) * cols * GROUP + j % GROUP;
      for (int k = 0; k < cols; k++) {
        xT[dst + k * GROUP] = x[src + k];
      }
    }
    int padded = (n + L - 1) / L * L;
    for (int j = n; j < padded; j++) {
      int dst = (j / GROUP) * cols * GROUP + j % GROUP;
      for (int k = 0; k < cols; k++) {
        xT[dst + k * GROUP] = 0f;
      }
    }
  }

  /**
   * Whether a strip of {@code n} tokens of {@code cols} columns is short: at most {@link
   * #SHORT_VECTORS} token vectors, on rows that fit {@link #SHORT_PANEL_STRIDE}.
   */
  static boolean isShort(int n, int cols) {
    return n <= SHORT_VECTORS * L && cols <= SHORT_PANEL_STRIDE;
  }

  /**
   * A short strip of v token vectors packed dense, k-steps v · {@link #L} apart: at the group's
   * stride of 4 vectors its k-steps would sit 256 bytes apart with AVX-512, one cache line in four
   * used, all in a quarter of L1's sets, and the tile would read them from L2.
   */
  private static void transposeShort(float[] x, int t0, int n, int cols, float[] xT) {
    int width = (n + L - 1) / L * L;
    java.util.Arrays.fill(xT, 0, cols * width, 0f);
    for (int j = 0; j < n; j++) {
      int src = (t0 + j) * cols;
      for (int k = 0; k < cols; k++) {
        xT[k * width + j] = x[src + k];
      }
    }
  }

  /**
   * Decoded rows per panel for a strip of {@code n} tokens: what {@link #multiplyStrip} takes as
   * {@code nRows} at most. A short strip's tile holds 16 accumulators (8 with 16 registers): 16
   * rows of one vector, or 8 of two.
   */
  static int panelRows(int n, int cols) {
    if (!isShort(n, cols)) {
      return TILE_ROWS;
    }
    return n <= L ? SHORT_ROWS_MAX : SHORT_ROWS_MAX / 2;
  }

  /**
   * Floats between decoded panel rows for a strip of {@code n} tokens ({@link #panelRows} rows).
   */
  static int panelStride(int n, int cols) {
    return isShort(n, cols) ? SHORT_PANEL_STRIDE : cols;
  }

  /** The floats a decoded panel of any strip over rows of {@code cols} columns needs. */
  static int panelFloats(int cols) {
    return Math.max(SHORT_ROWS_MAX * SHORT_PANEL_STRIDE, TILE_ROWS * cols);
  }

  /**
   * {@code out[(t0 + j) · outStride + outOffset + r] = Σ_k w[r · s + k] · x[t0 + j][k]} (as an FMA
   * chain) for the strip's tokens j &lt; n (transposed by {@link #transpose}) and panel rows r &lt;
   * nRows ≤ {@link #panelRows}(n, cols), rows s = {@link #panelStride}(n, cols) apart in {@code w}.
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
    if (isShort(n, cols)) {
      int vectors = (n + L - 1) / L;
      // Panel rows past nRows hold whatever an earlier panel left there: computed and dropped.
      if (!VECTOR) {
        shortTileScalar(xT, vectors, cols, w, nRows, scratch);
      } else if (vectors == 2) {
        tile8x2(xT, cols, w, scratch);
      } else if (SIXTEEN_REGISTERS) {
        tile8x1(xT, cols, w, scratch);
      } else {
        tile16x1(xT, cols, w, scratch);
      }
      store(scratch, vectors, 0, n, nRows, out, outStride, outOffset, t0);
      return;
    }
    // Missing panel rows repeat the last one; their results are computed and dropped.
    int w0 = 0;
    int w1 = Math.min(1, nRows - 1) * cols;
    int w2 = Math.min(2, nRows - 1) * cols;
    int w3 = Math.min(3, nRows - 1) * cols;
    for (int g = 0; g * GROUP < n; g++) {
      int base = g * cols * GROUP;
      int tokens = Math.min(GROUP, n - g * GROUP);
      int vectors = (tokens + L - 1) / L;
      int v = 0;
      if (vectors == TILE_VECTORS) {
        if (SIXTEEN_REGISTERS) {
          // two 4 × 2 tiles rather than a 4 × 4 that spills 7 accumulators: one 32-token text on
          // Q4_0, one Zen 2 thread, 119-120 against 172 ms (bench/README.md)
          for (; v < vectors; v += 2) {
            tile4x2(xT, base + v * L, cols, w, w0, w1, w2, w3, scratch);
            store(scratch, 2, v * L, tokens, nRows, out, outStride, outOffset, t0 + g * GROUP);
          }
          continue;
        }
        tile4x4(xT, base, cols, w, w0, w1, w2, w3, scratch);
        store(scratch, TILE_VECTORS, 0, tokens, nRows, out, outStride, outOffset, t0 + g * GROUP);
        continue;
      }
      if (vectors >= 2) {
        tile4x2(xT, base, cols, w, w0, w1, w2, w3, scratch);
        store(scratch, 2, 0, tokens, nRows, out, outStride, outOffset, t0 + g * GROUP);
        v = 2;
      }
      for (; v < vectors; v++) {
        tile4x1(xT, base + v * L, cols, w, w0, w1, w2, w3, scratch);
        store(scratch, 1, v * L, tokens, nRows, out, outStride, outOffset, t0 + g * GROUP);
      }
    }
  }

  /**
   * Writes a tile's accumulators ({@code scratch[(r · vectors + v) · L + lane]}, lanes from token
   * {@code lane0} of the group) to their tokens ({@code < n}) and rows ({@code < nRows}).
   */
  private static void store(
      float[] scratch,
      int vectors,
      int lane0,
      int n,
      int nRows,
      float[] out,
      int outStride,
      int outOffset,
      int t0) {
    int tokens = Math.min(vectors * L, n - lane0);
    for (int r = 0; r < nRows; r++) {
      int base = r * vectors * L;
      for (int j = 0; j < tokens; j++) {
        out[(t0 + lane0 + j) * outStride + outOffset + r] = scratch[base + j];
      }
    }
  }

  /**
   * Rows along lanes, for large batches: {@code panelT[k · GROUP + i]} is column k of panel row i
   * (up to {@link #GROUP} rows, missing ones zero). For every token t: {@code out[t · outStride +
   * outOffset + i] = Σ_k panelT[k · GROUP + i] · x[t · cols + k]} for i &lt; nRows — the same FMA
   * chain per element as {@link #multiplyStrip}, so both paths give the same bits and may be chosen
   * by batch size.
   */
  static void multiplyRowPanel(
      float[] panelT,
      int nRows,
      int cols,
      float[] x,
      int tokens,
      float[] out,
      int outStride,
      int outOffset,
      float[] scratch) {
    if (SIXTEEN_REGISTERS) {
      multiplyRowPanelBy6(panelT, nRows, cols, x, tokens, out, outStride, outOffset, scratch);
      return;
    }
    for (int t = 0; t < tokens; t += 4) {
      // Missing tokens of the last tile repeat the last one; their results are dropped.
      int last = tokens - 1;
      int x0 = t * cols;
      int x1 = Math.min(t + 1, last) * cols;
      int x2 = Math.min(t + 2, last) * cols;
      int x3 = Math.min(t + 3, last) * cols;
      // the strip tile with the roles swapped: panel rows along lanes, tokens broadcast
      rowTile4x4(panelT, cols, x, x0, x1, x2, x3, scratch);
      int n = Math.min(4, tokens - t);
      for (int i = 0; i < n; i++) {
        System.arraycopy(scratch, i * GROUP, out, (t + i) * outStride + outOffset, nRows);
      }
    }
  }

  /**
   * {@link #multiplyRowPanel} with 6 tokens × 2 vectors of rows per register tile: 12 accumulators,
   * 2 row vectors and a broadcast fit the 16 registers of AVX2, where the 4 × 4 tile's 21 live
   * vectors spill (on this 2-core Zen 2, one thread, 768-wide panel of 32 rows × 512 tokens: 87
   * against 55 GFLOP/s, bench/README.md). The panel is covered in halves of 2 vectors of rows.
   */
  private static void multiplyRowPanelBy6(
      float[] panelT,
      int nRows,
      int cols,
      float[] x,
      int tokens,
      float[] out,
      int outStride,
      int outOffset,
      float[] scratch) {
    int last = tokens - 1;
    for (int t = 0; t < tokens; t += 6) {
      // Missing tokens of the last tile repeat the last one; their results are dropped.
      int x0 = t * cols;
      int x1 = Math.min(t + 1, last) * cols;
      int x2 = Math.min(t + 2, last) * cols;
      int x3 = Math.min(t + 3, last) * cols;
      int x4 = Math.min(t + 4, last) * cols;
      int x5 = Math.min(t + 5, last) * cols;
      int n = Math.min(6, tokens - t);
      for (int h = 0; h < nRows; h += 2 * L) {
        rowTile6x2Vector(panelT, h, cols, x, x0, x1, x2, x3, x4, x5, scratch);
        int rows = Math.min(2 * L, nRows - h);
        for (int i = 0; i < n; i++) {
          System.arraycopy(scratch, i * 2 * L, out, (t + i) * outStride + outOffset + h, rows);
        }
      }
    }
  }

  private static void rowTile6x2Vector(
      float[] panelT,
      int h,
      int cols,
      float[] x,
      int x0,
      int x1,
      int x2,
      int x3,
      int x4,
      int x5,
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
      int wo = k * GROUP + h;
      var w0 = FloatVector.fromArray(F, panelT, wo);
      var w1 = FloatVector.fromArray(F, panelT, wo + L);
      var b = FloatVector.broadcast(F, x[x0 + k]);
      c00 = b.fma(w0, c00);
      c01 = b.fma(w1, c01);
      b = FloatVector.broadcast(F, x[x1 + k]);
      c10 = b.fma(w0, c10);
      c11 = b.fma(w1, c11);
      b = FloatVector.broadcast(F, x[x2 + k]);
      c20 = b.fma(w0, c20);
      c21 = b.fma(w1, c21);
      b = FloatVector.broadcast(F, x[x3 + k]);
      c30 = b.fma(w0, c30);
      c31 = b.fma(w1, c31);
      b = FloatVector.broadcast(F, x[x4 + k]);
      c40 = b.fma(w0, c40);
      c41 = b.fma(w1, c41);
      b = FloatVector.broadcast(F, x[x5 + k]);
      c50 = b.fma(w0, c50);
      c51 = b.fma(w1, c51);
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
   * {@code panelT[k · GROUP + i] = rows[i · cols + k]} for i &lt; nRows; zero for nRows ≤ i &lt;
   * GROUP.
   */
  static void transposeRows(float[] rows, int nRows, int cols, float[] panelT) {
    for (int i = 0; i < nRows; i++) {
      int src = i * cols;
      for (int k = 0; k < cols; k++) {
        panelT[k * GROUP + i] = rows[src + k];
      }
    }
    for (int i = nRows; i < GROUP; i++) {
      for (int k = 0; k < cols; k++) {
        panelT[k * GROUP + i] = 0f;
      }
    }
  }

  /**
   * {@link #tile4x4} for a row panel (lanes from offset 0, tokens broadcast). A method of its own
   * rather than a second caller of tile4x4: sharing one compiled tile between the strip and the
   * row-panel callers cost the Q4_0 batch path 3-4% (C2 laid the shared loop out worse; see
   * bench/README.md, "The width switch stays outside the tile loops").
   */
  private static void rowTile4x4(
      float[] panelT, int cols, float[] x, int x0, int x1, int x2, int x3, float[] scratch) {
    if (!VECTOR) {
      tileScalar(panelT, 0, cols, x, x0, x1, x2, x3, 4, scratch);
      return;
    }
    rowTile4x4Vector(panelT, cols, x, x0, x1, x2, x3, scratch);
  }

  private static void rowTile4x4Vector(
      float[] panelT, int cols, float[] x, int x0, int x1, int x2, int x3, float[] scratch) {
    var c00 = FloatVector.zero(F);
    var c01 = c00;
    var c02 = c00;
    var c03 = c00;
    var c10 = c00;
    var c11 = c00;
    var c12 = c00;
    var c13 = c00;
    var c20 = c00;
    var c21 = c00;
    var c22 = c00;
    var c23 = c00;
    var c30 = c00;
    var c31 = c00;
    var c32 = c00;
    var c33 = c00;
    for (int k = 0; k < cols; k++) {
      int wo = k * GROUP;
      var w0 = FloatVector.fromArray(F, panelT, wo);
      var w1 = FloatVector.fromArray(F, panelT, wo + L);
      var w2 = FloatVector.fromArray(F, panelT, wo + 2 * L);
      var w3 = FloatVector.fromArray(F, panelT, wo + 3 * L);
      var b = FloatVector.broadcast(F, x[x0 + k]);
      c00 = b.fma(w0, c00);
      c01 = b.fma(w1, c01);
      c02 = b.fma(w2, c02);
      c03 = b.fma(w3, c03);
      b = FloatVector.broadcast(F, x[x1 + k]);
      c10 = b.fma(w0, c10);
      c11 = b.fma(w1, c11);
      c12 = b.fma(w2, c12);
      c13 = b.fma(w3, c13);
      b = FloatVector.broadcast(F, x[x2 + k]);
      c20 = b.fma(w0, c20);
      c21 = b.fma(w1, c21);
      c22 = b.fma(w2, c22);
      c23 = b.fma(w3, c23);
      b = FloatVector.broadcast(F, x[x3 + k]);
      c30 = b.fma(w0, c30);
      c31 = b.fma(w1, c31);
      c32 = b.fma(w2, c32);
      c33 = b.fma(w3, c33);
    }
    c00.intoArray(scratch, 0);
    c01.intoArray(scratch, L);
    c02.intoArray(scratch, 2 * L);
    c03.intoArray(scratch, 3 * L);
    c10.intoArray(scratch, 4 * L);
    c11.intoArray(scratch, 5 * L);
    c12.intoArray(scratch, 6 * L);
    c13.intoArray(scratch, 7 * L);
    c20.intoArray(scratch, 8 * L);
    c21.intoArray(scratch, 9 * L);
    c22.intoArray(scratch, 10 * L);
    c23.intoArray(scratch, 11 * L);
    c30.intoArray(scratch, 12 * L);
    c31.intoArray(scratch, 13 * L);
    c32.intoArray(scratch, 14 * L);
    c33.intoArray(scratch, 15 * L);
  }

  /**
   * The 4 × 4-vector register tile: {@code scratch[(r · 4 + v) · L + lane] = Σ_k a[a_r + k] ·
   * lanes[base + k · GROUP + v · L + lane]} as an FMA chain over k, for the four broadcast rows
   * {@code a_0 .. a_3} (weight rows of a strip).
   */
  private static void tile4x4(
      float[] lanes,
      int base,
      int cols,
      float[] a,
      int a0,
      int a1,
      int a2,
      int a3,
      float[] scratch) {
    if (!VECTOR) {
      tileScalar(lanes, base, cols, a, a0, a1, a2, a3, 4, scratch);
      return;
    }
    var c00 = FloatVector.zero(F);
    var c01 = c00;
    var c02 = c00;
    var c03 = c00;
    var c10 = c00;
    var c11 = c00;
    var c12 = c00;
    var c13 = c00;
    var c20 = c00;
    var c21 = c00;
    var c22 = c00;
    var c23 = c00;
    var c30 = c00;
    var c31 = c00;
    var c32 = c00;
    var c33 = c00;
    for (int k = 0; k < cols; k++) {
      int xo = base + k * GROUP;
      var x0 = FloatVector.fromArray(F, lanes, xo);
      var x1 = FloatVector.fromArray(F, lanes, xo + L);
      var x2 = FloatVector.fromArray(F, lanes, xo + 2 * L);
      var x3 = FloatVector.fromArray(F, lanes, xo + 3 * L);
      var b = FloatVector.broadcast(F, a[a0 + k]);
      c00 = b.fma(x0, c00);
      c01 = b.fma(x1, c01);
      c02 = b.fma(x2, c02);
      c03 = b.fma(x3, c03);
      b = FloatVector.broadcast(F, a[a1 + k]);
      c10 = b.fma(x0, c10);
      c11 = b.fma(x1, c11);
      c12 = b.fma(x2, c12);
      c13 = b.fma(x3, c13);
      b = FloatVector.broadcast(F, a[a2 + k]);
      c20 = b.fma(x0, c20);
      c21 = b.fma(x1, c21);
      c22 = b.fma(x2, c22);
      c23 = b.fma(x3, c23);
      b = FloatVector.broadcast(F, a[a3 + k]);
      c30 = b.fma(x0, c30);
      c31 = b.fma(x1, c31);
      c32 = b.fma(x2, c32);
      c33 = b.fma(x3, c33);
    }
    c00.intoArray(scratch, 0);
    c01.intoArray(scratch, L);
    c02.intoArray(scratch, 2 * L);
    c03.intoArray(scratch, 3 * L);
    c10.intoArray(scratch, 4 * L);
    c11.intoArray(scratch, 5 * L);
    c12.intoArray(scratch, 6 * L);
    c13.intoArray(scratch, 7 * L);
    c20.intoArray(scratch, 8 * L);
    c21.intoArray(scratch, 9 * L);
    c22.intoArray(scratch, 10 * L);
    c23.intoArray(scratch, 11 * L);
    c30.intoArray(scratch, 12 * L);
    c31.intoArray(scratch, 13 * L);
    c32.intoArray(scratch, 14 * L);
    c33.intoArray(scratch, 15 * L);
  }

  private static void tile4x2(
      float[] xT, int base, int cols, float[] w, int w0, int w1, int w2, int w3, float[] scratch) {
    if (!VECTOR) {
      tileScalar(xT, base, cols, w, w0, w1, w2, w3, 2, scratch);
      return;
    }
    var c00 = FloatVector.zero(F);
    var c01 = c00;
    var c10 = c00;
    var c11 = c00;
    var c20 = c00;
    var c21 = c00;
    var c30 = c00;
    var c31 = c00;
    for (int k = 0; k < cols; k++) {
      int xo = base + k * GROUP;
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
    }
    c00.intoArray(scratch, 0);
    c01.intoArray(scratch, L);
    c10.intoArray(scratch, 2 * L);
    c11.intoArray(scratch, 3 * L);
    c20.intoArray(scratch, 4 * L);
    c21.intoArray(scratch, 5 * L);
    c30.intoArray(scratch, 6 * L);
    c31.intoArray(scratch, 7 * L);
  }

  private static void tile4x1(
      float[] xT, int base, int cols, float[] w, int w0, int w1, int w2, int w3, float[] scratch) {
    if (!VECTOR) {
      tileScalar(xT, base, cols, w, w0, w1, w2, w3, 1, scratch);
      return;
    }
    var c0 = FloatVector.zero(F);
    var c1 = c0;
    var c2 = c0;
    var c3 = c0;
    for (int k = 0; k < cols; k++) {
      var x0 = FloatVector.fromArray(F, xT, base + k * GROUP);
      c0 = FloatVector.broadcast(F, w[w0 + k]).fma(x0, c0);
      c1 = FloatVector.broadcast(F, w[w1 + k]).fma(x0, c1);
      c2 = FloatVector.broadcast(F, w[w2 + k]).fma(x0, c2);
      c3 = FloatVector.broadcast(F, w[w3 + k]).fma(x0, c3);
    }
    c0.intoArray(scratch, 0);
    c1.intoArray(scratch, L);
    c2.intoArray(scratch, 2 * L);
    c3.intoArray(scratch, 3 * L);
  }

  /**
   * 16 rows × the one token vector of a short strip: {@code scratch[r · L + lane] = Σ_k w[r · }
   * {@link #SHORT_PANEL_STRIDE} {@code + k] · xT[k · L + lane]} as an FMA chain over k. 16 chains
   * hide the FMA latency on two ports with one token load per 16 broadcast FMAs: on the AVX-512
   * Xeon, one thread, 768 columns, 123-137 GFLOP/s against 87-94 for the 8-row tile at {@code
   * cols}-apart rows it replaces.
   */
  private static void tile16x1(float[] xT, int cols, float[] w, float[] scratch) {
    var c0 = FloatVector.zero(F);
    var c1 = c0;
    var c2 = c0;
    var c3 = c0;
    var c4 = c0;
    var c5 = c0;
    var c6 = c0;
    var c7 = c0;
    var c8 = c0;
    var c9 = c0;
    var c10 = c0;
    var c11 = c0;
    var c12 = c0;
    var c13 = c0;
    var c14 = c0;
    var c15 = c0;
    for (int k = 0; k < cols; k++) {
      var x0 = FloatVector.fromArray(F, xT, k * L);
      c0 = FloatVector.broadcast(F, w[k]).fma(x0, c0);
      c1 = FloatVector.broadcast(F, w[SHORT_PANEL_STRIDE + k]).fma(x0, c1);
      c2 = FloatVector.broadcast(F, w[2 * SHORT_PANEL_STRIDE + k]).fma(x0, c2);
      c3 = FloatVector.broadcast(F, w[3 * SHORT_PANEL_STRIDE + k]).fma(x0, c3);
      c4 = FloatVector.broadcast(F, w[4 * SHORT_PANEL_STRIDE + k]).fma(x0, c4);
      c5 = FloatVector.broadcast(F, w[5 * SHORT_PANEL_STRIDE + k]).fma(x0, c5);
      c6 = FloatVector.broadcast(F, w[6 * SHORT_PANEL_STRIDE + k]).fma(x0, c6);
      c7 = FloatVector.broadcast(F, w[7 * SHORT_PANEL_STRIDE + k]).fma(x0, c7);
      c8 = FloatVector.broadcast(F, w[8 * SHORT_PANEL_STRIDE + k]).fma(x0, c8);
      c9 = FloatVector.broadcast(F, w[9 * SHORT_PANEL_STRIDE + k]).fma(x0, c9);
      c10 = FloatVector.broadcast(F, w[10 * SHORT_PANEL_STRIDE + k]).fma(x0, c10);
      c11 = FloatVector.broadcast(F, w[11 * SHORT_PANEL_STRIDE + k]).fma(x0, c11);
      c12 = FloatVector.broadcast(F, w[12 * SHORT_PANEL_STRIDE + k]).fma(x0, c12);
      c13 = FloatVector.broadcast(F, w[13 * SHORT_PANEL_STRIDE + k]).fma(x0, c13);
      c14 = FloatVector.broadcast(F, w[14 * SHORT_PANEL_STRIDE + k]).fma(x0, c14);
      c15 = FloatVector.broadcast(F, w[15 * SHORT_PANEL_STRIDE + k]).fma(x0, c15);
    }
    c0.intoArray(scratch, 0);
    c1.intoArray(scratch, L);
    c2.intoArray(scratch, 2 * L);
    c3.intoArray(scratch, 3 * L);
    c4.intoArray(scratch, 4 * L);
    c5.intoArray(scratch, 5 * L);
    c6.intoArray(scratch, 6 * L);
    c7.intoArray(scratch, 7 * L);
    c8.intoArray(scratch, 8 * L);
    c9.intoArray(scratch, 9 * L);
    c10.intoArray(scratch, 10 * L);
    c11.intoArray(scratch, 11 * L);
    c12.intoArray(scratch, 12 * L);
    c13.intoArray(scratch, 13 * L);
    c14.intoArray(scratch, 14 * L);
    c15.intoArray(scratch, 15 * L);
  }

  /**
   * 8 rows × the two token vectors of a short strip (k-steps 2 · {@link #L} apart): {@code
   * scratch[(r · 2 + v) · L + lane]}, 16 chains as {@link #tile16x1}.
   */
  private static void tile8x2(float[] xT, int cols, float[] w, float[] scratch) {
    var c0 = FloatVector.zero(F);
    var c1 = c0;
    var c2 = c0;
    var c3 = c0;
    var c4 = c0;
    var c5 = c0;
    var c6 = c0;
    var c7 = c0;
    var c8 = c0;
    var c9 = c0;
    var c10 = c0;
    var c11 = c0;
    var c12 = c0;
    var c13 = c0;
    var c14 = c0;
    var c15 = c0;
    for (int k = 0; k < cols; k++) {
      var x0 = FloatVector.fromArray(F, xT, k * 2 * L);
      var x1 = FloatVector.fromArray(F, xT, k * 2 * L + L);
      var b0 = FloatVector.broadcast(F, w[k]);
      c0 = b0.fma(x0, c0);
      c1 = b0.fma(x1, c1);
      var b1 = FloatVector.broadcast(F, w[SHORT_PANEL_STRIDE + k]);
      c2 = b1.fma(x0, c2);
      c3 = b1.fma(x1, c3);
      var b2 = FloatVector.broadcast(F, w[2 * SHORT_PANEL_STRIDE + k]);
      c4 = b2.fma(x0, c4);
      c5 = b2.fma(x1, c5);
      var b3 = FloatVector.broadcast(F, w[3 * SHORT_PANEL_STRIDE + k]);
      c6 = b3.fma(x0, c6);
      c7 = b3.fma(x1, c7);
      var b4 = FloatVector.broadcast(F, w[4 * SHORT_PANEL_STRIDE + k]);
      c8 = b4.fma(x0, c8);
      c9 = b4.fma(x1, c9);
      var b5 = FloatVector.broadcast(F, w[5 * SHORT_PANEL_STRIDE + k]);
      c10 = b5.fma(x0, c10);
      c11 = b5.fma(x1, c11);
      var b6 = FloatVector.broadcast(F, w[6 * SHORT_PANEL_STRIDE + k]);
      c12 = b6.fma(x0, c12);
      c13 = b6.fma(x1, c13);
      var b7 = FloatVector.broadcast(F, w[7 * SHORT_PANEL_STRIDE + k]);
      c14 = b7.fma(x0, c14);
      c15 = b7.fma(x1, c15);
    }
    c0.intoArray(scratch, 0);
    c1.intoArray(scratch, L);
    c2.intoArray(scratch, 2 * L);
    c3.intoArray(scratch, 3 * L);
    c4.intoArray(scratch, 4 * L);
    c5.intoArray(scratch, 5 * L);
    c6.intoArray(scratch, 6 * L);
    c7.intoArray(scratch, 7 * L);
    c8.intoArray(scratch, 8 * L);
    c9.intoArray(scratch, 9 * L);
    c10.intoArray(scratch, 10 * L);
    c11.intoArray(scratch, 11 * L);
    c12.intoArray(scratch, 12 * L);
    c13.intoArray(scratch, 13 * L);
    c14.intoArray(scratch, 14 * L);
    c15.intoArray(scratch, 15 * L);
  }

  /** {@link #tile16x1} in 8 rows, for 16 registers. */
  private static void tile8x1(float[] xT, int cols, float[] w, float[] scratch) {
    var c0 = FloatVector.zero(F);
    var c1 = c0;
    var c2 = c0;
    var c3 = c0;
    var c4 = c0;
    var c5 = c0;
    var c6 = c0;
    var c7 = c0;
    for (int k = 0; k < cols; k++) {
      var x0 = FloatVector.fromArray(F, xT, k * L);
      c0 = FloatVector.broadcast(F, w[k]).fma(x0, c0);
      c1 = FloatVector.broadcast(F, w[SHORT_PANEL_STRIDE + k]).fma(x0, c1);
      c2 = FloatVector.broadcast(F, w[2 * SHORT_PANEL_STRIDE + k]).fma(x0, c2);
      c3 = FloatVector.broadcast(F, w[3 * SHORT_PANEL_STRIDE + k]).fma(x0, c3);
      c4 = FloatVector.broadcast(F, w[4 * SHORT_PANEL_STRIDE + k]).fma(x0, c4);
      c5 = FloatVector.broadcast(F, w[5 * SHORT_PANEL_STRIDE + k]).fma(x0, c5);
      c6 = FloatVector.broadcast(F, w[6 * SHORT_PANEL_STRIDE + k]).fma(x0, c6);
      c7 = FloatVector.broadcast(F, w[7 * SHORT_PANEL_STRIDE + k]).fma(x0, c7);
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

  /**
   * The scalar twin of the short-strip tiles: {@code vectors} token vectors (k-steps {@code vectors
   * · L} apart), {@code nRows} rows {@link #SHORT_PANEL_STRIDE} apart; the same FMA chain per
   * output element, so the same bits.
   */
  private static void shortTileScalar(
      float[] xT, int vectors, int cols, float[] w, int nRows, float[] scratch) {
    int width = vectors * L;
    for (int r = 0; r < nRows; r++) {
      java.util.Arrays.fill(scratch, r * width, (r + 1) * width, 0f);
      for (int k = 0; k < cols; k++) {
        float a = w[r * SHORT_PANEL_STRIDE + k];
        for (int j = 0; j < width; j++) {
          scratch[r * width + j] = Math.fma(a, xT[k * width + j], scratch[r * width + j]);
        }
      }
    }
  }

  /**
   * The scalar twin of the 4-row tiles of {@code vectors} vectors: the same FMA chain per output
   * element, so the same bits.
   */
  private static void tileScalar(
      float[] lanes,
      int base,
      int cols,
      float[] a,
      int a0,
      int a1,
      int a2,
      int a3,
      int vectors,
      float[] scratch) {
    int width = vectors * L;
    for (int r = 0; r < 4; r++) {
      int ar = r == 0 ? a0 : r == 1 ? a1 : r == 2 ? a2 : a3;
      int c0 = r * width;
      java.util.Arrays.fill(scratch, c0, c0 + width, 0f);
      for (int k = 0; k < cols; k++) {
        float x = a[ar + k];
        int lo = base + k * GROUP;
        for (int j = 0; j < width; j++) {
          scratch[c0 + j] = Math.fma(x, lanes[lo + j], scratch[c0 + j]);
        }
      }
    }
  }
}
