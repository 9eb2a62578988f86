package dev.gemmaembed.kernels;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A weight matrix stored in a GGML block format ({@link QuantFormat}), usually a slice of a
 * memory-mapped GGUF file: row {@code r} is {@code cols / 32} consecutive blocks.
 *
 * <p>{@link #multiply} keeps the activations in float32 and dequantizes the weights into small
 * per-thread float32 panels that many tokens reuse, so the inner loops are plain float32 FMAs and
 * the decode is amortized:
 *
 * <ul>
 *   <li>batches of {@value #ROW_LANES_MIN_TOKENS}+ tokens: each 64-row panel of the thread's rows
 *       is decoded and transposed once (lanes along rows) and every token streams past it;
 *   <li>smaller batches: tokens are transposed in strips of {@link PanelKernels#STRIP_TOKENS}
 *       (lanes along tokens) and 4-row panels are decoded per strip.
 * </ul>
 *
 * <p>Why (build machine, Zen 4, 2 cores shared with other work, so ranges; one thread, 768 → 1152
 * Q8_0, {@code QuantizedMatmulBenchmark}): decoded panels 41–65 GFLOP/s at 32 tokens and 55–68 at
 * 512, on a par with the float32 packed path on the same (dequantized) weights (61–70, bit-identical
 * output); dequantizing each block into registers inside a 2-row × 8-token tile 36–41 (the
 * int8→float conversions and scale multiplies compete with the FMAs for the same pipes in every
 * token tile); quantizing the activations to int8 per block for integer dot products, as llama.cpp
 * does, 13 (the Vector API has no VNNI / pmaddubsw dot, so each 32-value block costs widen,
 * multiply, widen, add, convert and scale per token instead of two FMAs) — and int8 activations
 * would also give up accuracy.
 *
 * <p>Every output element is the FMA chain over its row in column order (see {@link PanelKernels}),
 * whatever the batch, strip, tile or thread split: results are bitwise batch invariant.
 */
public abstract sealed class QuantizedMatrix implements WeightMatrix permits Q8_0Matrix, Q4_0Matrix, BlockFormatMatrix {

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  protected final MemorySegment data;
  protected final int rows;
  protected final int cols;
  protected final long rowBytes;

  QuantizedMatrix(QuantFormat format, MemorySegment data, int rows, int cols) {
    this(format.name(), format.rowBytes(cols), data, rows, cols);
  }

  QuantizedMatrix(String formatName, long rowBytes, MemorySegment data, int rows, int cols) {
    if (rows <= 0) {
      throw new IllegalArgumentException("matrix shape must be positive, got " + rows + " × " + cols);
    }
    this.rowBytes = rowBytes;
    if (data.byteSize() != rowBytes * rows) {
      throw new IllegalArgumentException(formatName + " matrix " + rows + " × " + cols + " needs " + rowBytes * rows
          + " bytes, segment has " + data.byteSize());
    }
    this.data = data;
    this.rows = rows;
    this.cols = cols;
  }

  /** The raw blocks, {@code rows × rowBytes} bytes. */
  public MemorySegment data() {
    return data;
  }

  @Override
  public final int rows() {
    return rows;
  }

  @Override
  public final int cols() {
    return cols;
  }

  @Override
  public final long byteSize() {
    return data.byteSize();
  }

  /**
   * Rows per parallel work unit: one 64-row panel of the large-batch path, and enough rows that a
   * small-batch unit's token transposition stays small next to its products.
   */
  @Override
  public int rowGrain() {
    return 64;
  }

  /** Decodes row {@code r} into {@code dst[off .. off + cols)} (Vector API; exact, equals the scalar reference). */
  abstract void decodeRow(int r, float[] dst, int off);

  /** Only the requested row is dequantized (embedding lookup from a quantized token table). */
  @Override
  public final void readRow(int r, float[] dst, int dstOffset) {
    Objects.checkIndex(r, rows);
    Objects.checkFromIndexSize(dstOffset, cols, dst.length);
    decodeRow(r, dst, dstOffset);
  }

  /**
   * Batches of at least this many tokens take the rows-along-lanes path: a thread's row panels are
   * decoded and transposed once per call and every token streams past them, where the
   * tokens-along-lanes path would transpose all the activations again for each row range.
   */
  static final int ROW_LANES_MIN_TOKENS = 128;

  @Override
  public final void multiply(float[] x, int tokens, float[] out, int outStride, int outOffset, int rowStart, int rowEnd) {
    Objects.checkFromToIndex(rowStart, rowEnd, rows);
    Scratch s = SCRATCH.get().fit(cols);
    if (tokens >= ROW_LANES_MIN_TOKENS) {
      for (int r = rowStart; r < rowEnd; r += PanelKernels.GROUP) {
        int nRows = Math.min(PanelKernels.GROUP, rowEnd - r);
        for (int i = 0; i < nRows; i++) {
          decodeRow(r + i, s.rowsBuffer, i * cols);
        }
        PanelKernels.transposeRows(s.rowsBuffer, nRows, cols, s.panelT);
        PanelKernels.multiplyRowPanel(s.panelT, nRows, cols, x, tokens, out, outStride, outOffset + r, s.tile);
      }
      return;
    }
    for (int t0 = 0; t0 < tokens; t0 += PanelKernels.STRIP_TOKENS) {
      int n = Math.min(PanelKernels.STRIP_TOKENS, tokens - t0);
      PanelKernels.transpose(x, t0, n, cols, s.strip);
      for (int r = rowStart; r < rowEnd; r += PanelKernels.TILE_ROWS) {
        int nRows = Math.min(PanelKernels.TILE_ROWS, rowEnd - r);
        for (int i = 0; i < nRows; i++) {
          decodeRow(r + i, s.panel, i * cols);
        }
        PanelKernels.multiplyStrip(s.strip, n, cols, s.panel, nRows, out, outStride, outOffset + r, t0, s.tile);
      }
    }
  }

  /**
   * Per-thread buffers: the decoded 4-row panel and the transposed token strip (tokens along
   * lanes), the decoded and transposed 64-row panel (rows along lanes), the tile's accumulators.
   */
  private static final class Scratch {
    float[] panel = new float[0];
    float[] strip = new float[0];
    float[] rowsBuffer = new float[0];
    float[] panelT = new float[0];
    final float[] tile = new float[PanelKernels.TILE_ROWS * PanelKernels.TILE_VECTORS * PanelKernels.L];

    Scratch fit(int cols) {
      if (panel.length < PanelKernels.TILE_ROWS * cols) {
        panel = new float[PanelKernels.TILE_ROWS * cols];
        strip = new float[PanelKernels.STRIP_TOKENS * cols];
        rowsBuffer = new float[PanelKernels.GROUP * cols];
        panelT = new float[PanelKernels.GROUP * cols];
      }
      return this;
    }
  }

}
