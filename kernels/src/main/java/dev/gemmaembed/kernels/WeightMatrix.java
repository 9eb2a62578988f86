package dev.gemmaembed.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A read-only weight matrix of {@code rows × cols} over rows of {@link WeightType} blocks in a
 * segment, usually a slice of a memory-mapped file (row = one output channel, as PyTorch's {@code
 * [out, in]} and GGUF's {@code ne = [in, out]}). Each format is one subclass that owns its decode
 * ({@link #decodeRow}, with its scalar twin {@link #decodeRowScalar}); the products are shared:
 *
 * <ul>
 *   <li>by default {@link #multiply} keeps the activations in float32 and decodes the weights into
 *       small per-thread float32 panels that many tokens reuse ({@link PanelKernels}), so the inner
 *       loops are plain float32 FMAs and the decode is amortized over the batch: batches of {@value
 *       #ROW_LANES_MIN_TOKENS}+ tokens and more than one strip decode and transpose each 64-row
 *       panel once (lanes along rows) and stream every token past it; smaller batches transpose the
 *       tokens in strips of {@link PanelKernels#STRIP_TOKENS} (lanes along tokens) and decode 4-row
 *       panels per strip (a short query's strip of one or two token vectors: 16 or 8 rows);
 *   <li>after {@link #pack(Arena)}, a format that gains from it (the float formats, whose packed
 *       copy costs no more than 2× their storage) multiplies on a {@link PackedMatrix} copy
 *       instead, whose panels {@link Matmul} can also split by token blocks: float32 panels, or for
 *       BF16 panels of its own bits that the tile widens in registers.
 * </ul>
 *
 * <p>Why quantized formats decode per product rather than keep a float32 copy or compute on the
 * blocks: the decoded panels run as fast as the packed float32 path on the same (dequantized)
 * weights, with bit-identical output, while keeping the 4–8× smaller footprint; dequantizing blocks
 * into registers inside the tile, or llama.cpp's int8 activations, are slower with the Vector API
 * (no VNNI dot) — {@code bench/README.md} has the measurements.
 *
 * <p>Every output element is the FMA chain {@code c = fma(w[r][k], x[t][k], c)} over k in column
 * order from +0 on the decoded row, whatever the path, batch, strip, tile or thread split: results
 * are bitwise independent of batching and thread count, and the same packed or not.
 */
public abstract class WeightMatrix {

  static final ValueLayout.OfShort LE_SHORT =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /**
   * Batches of at least this many tokens, and more than one strip ({@link
   * PanelKernels#STRIP_TOKENS}), take the rows-along-lanes path: a thread's row panels are decoded
   * and transposed once per call and every token streams past them, where the tokens-along-lanes
   * path would transpose all the activations again for each row range, and decode every row once
   * per strip. A batch that fits one strip decodes each row once either way, and the strip's tiles
   * won there: one 128-token text on Q4_0 with AVX-512 (one strip), 239 → 182 ms (bench/README,
   * "Short strips").
   */
  static final int ROW_LANES_MIN_TOKENS = 128;

  /** Rows per parallel work unit of an unpacked matrix: one 64-row decoded panel (AVX-512). */
  private static final int DECODED_ROW_GRAIN = 64;

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private static final AtomicLong CALLS = new AtomicLong();

  private final WeightType type;

  /** The stored rows, {@code rows × rowBytes} bytes. */
  protected final MemorySegment data;

  protected final int rows;
  protected final int cols;
  protected final long rowBytes;

  private volatile PackedMatrix packed;

  protected WeightMatrix(WeightType type, MemorySegment data, int rows, int cols) {
    if (rows <= 0 || cols <= 0) {
      throw new IllegalArgumentException(
          "matrix shape must be positive, got " + rows + " × " + cols);
    }
    this.rowBytes = type.rowBytes(cols);
    if (data.byteSize() != rowBytes * rows) {
      throw new IllegalArgumentException(
          type
              + " matrix "
              + rows
              + " × "
              + cols
              + " needs "
              + rowBytes * rows
              + " bytes, segment has "
              + data.byteSize());
    }
    this.type = type;
    this.data = data;
    this.rows = rows;
    this.cols = cols;
  }

  public final WeightType type() {
    return type;
  }

  public final int rows() {
    return rows;
  }

  public final int cols() {
    return cols;
  }

  /** The stored rows, {@code rows × type().rowBytes(cols)} bytes. */
  public final MemorySegment data() {
    return data;
  }

  /** Bytes of storage this matrix occupies (mapped or heap; a packed copy not included). */
  public final long byteSize() {
    return data.byteSize();
  }

  /**
   * Decodes row {@code r} (in range) into {@code dst[off .. off + cols)}; exact, bitwise {@link
   * #decodeRowScalar}.
   */
  abstract void decodeRow(int r, float[] dst, int off);

  /** The scalar reference of {@link #decodeRow}. */
  abstract void decodeRowScalar(int r, float[] dst, int off);

  /** Whether a {@link #pack packed} copy is worth its memory for this format. */
  boolean gainsFromPacking() {
    return false;
  }

  /**
   * The packed copy of a format that {@link #gainsFromPacking}, in {@code arena}: float32 panels by
   * default; a format whose values a tile can widen in registers packs its own bits instead.
   */
  PackedMatrix packPanels(Arena arena) {
    return PackedF32Matrix.pack(this, arena);
  }

  /**
   * Writes row {@code r} as float32 into {@code dst[dstOffset ..]} (embedding lookup; only that row
   * is decoded).
   */
  public final void readRow(int r, float[] dst, int dstOffset) {
    Objects.checkIndex(r, rows);
    Objects.checkFromIndexSize(dstOffset, cols, dst.length);
    decodeRow(r, dst, dstOffset);
  }

  /**
   * Builds, in {@code arena}, the float32 panel copy that products run on from now on, if this
   * format gains from one (float formats do; quantized ones keep decoding per product), so the
   * first product does not pay for it and the copy is freed with the arena (then products fail with
   * {@link IllegalStateException}). A packed mapped matrix drops its pages from the resident set.
   * Idempotent and thread-safe.
   */
  public final void pack(Arena arena) {
    if (!gainsFromPacking()) {
      return;
    }
    synchronized (this) {
      if (packed == null) {
        packed = packPanels(arena);
        if (data.isMapped()) {
          data.unload();
        }
      }
    }
  }

  /** The packed copy, or null before {@link #pack} (or for a format that does not pack). */
  final PackedMatrix packed() {
    return packed;
  }

  /**
   * Row ranges handed to {@link #multiply} by a parallel split start at multiples of this: a packed
   * panel, or 64 decoded rows: a large-batch panel with AVX-512, and enough rows that a small-batch
   * unit's token transposition stays small next to its products.
   */
  public int rowGrain() {
    PackedMatrix p = packed;
    return p != null ? PackedMatrix.W : DECODED_ROW_GRAIN;
  }

  /**
   * {@code out[t * outStride + outOffset + r] = Σ_c x[t * cols + c] · W[r][c]} for every token
   * {@code t < tokens} and row {@code rowStart <= r < rowEnd}; {@code x} is {@code tokens × cols}.
   * Final: {@link Matmul} runs the parts of a parallel product through the package-private overload
   * below, which an override of this one would not see.
   */
  public final void multiply(
      float[] x, int tokens, float[] out, int outStride, int outOffset, int rowStart, int rowEnd) {
    multiply(x, tokens, out, outStride, outOffset, rowStart, rowEnd, 0);
  }

  /**
   * As {@link #multiply(float[], int, float[], int, int, int, int)}, as one part of the parallel
   * product {@code call} (from {@link #newCall}; 0: none): the parts a thread runs for one call
   * share that thread's transposed token strip, since they all read the same unchanged {@code x}.
   */
  final void multiply(
      float[] x,
      int tokens,
      float[] out,
      int outStride,
      int outOffset,
      int rowStart,
      int rowEnd,
      long call) {
    PackedMatrix p = packed;
    if (p != null) {
      p.multiplyTokens(x, 0, tokens, out, outStride, outOffset, rowStart, rowEnd);
      return;
    }
    Objects.checkFromToIndex(rowStart, rowEnd, rows);
    Scratch s = SCRATCH.get().fit(cols);
    if (tokens >= ROW_LANES_MIN_TOKENS && tokens > PanelKernels.STRIP_TOKENS) {
      for (int r = rowStart; r < rowEnd; r += PanelKernels.GROUP) {
        int nRows = Math.min(PanelKernels.GROUP, rowEnd - r);
        for (int i = 0; i < nRows; i++) {
          decodeRow(r + i, s.rowsBuffer, i * cols);
        }
        PanelKernels.transposeRows(s.rowsBuffer, nRows, cols, s.panelT);
        PanelKernels.multiplyRowPanel(
            s.panelT, nRows, cols, x, tokens, out, outStride, outOffset + r, s.tile);
      }
      return;
    }
    for (int t0 = 0; t0 < tokens; t0 += PanelKernels.STRIP_TOKENS) {
      int n = Math.min(PanelKernels.STRIP_TOKENS, tokens - t0);
      s.transpose(x, t0, n, cols, call);
      int panelRows = PanelKernels.panelRows(n, cols);
      int rowStride = PanelKernels.panelStride(n, cols);
      for (int r = rowStart; r < rowEnd; r += panelRows) {
        int nRows = Math.min(panelRows, rowEnd - r);
        for (int i = 0; i < nRows; i++) {
          decodeRow(r + i, s.panel, i * rowStride);
        }
        PanelKernels.multiplyStrip(
            s.strip, n, cols, s.panel, nRows, out, outStride, outOffset + r, t0, s.tile);
      }
    }
  }

  /** A new id for the parts of one parallel product whose activations do not change meanwhile. */
  static long newCall() {
    return CALLS.incrementAndGet();
  }

  @Override
  public String toString() {
    return type + " " + rows + " × " + cols;
  }

  /**
   * Per-thread buffers: the decoded panel (4 to 16 rows, {@link PanelKernels#panelRows}) and the
   * transposed token strip (tokens along lanes), the decoded and transposed 64-row panel (rows
   * along lanes), the tile's accumulators.
   */
  private static final class Scratch {
    float[] panel = new float[0];
    float[] strip = new float[0];
    float[] rowsBuffer = new float[0];
    float[] panelT = new float[0];
    final float[] tile =
        new float[PanelKernels.TILE_ROWS * PanelKernels.TILE_VECTORS * PanelKernels.L];

    /** What {@link #strip} holds: tokens [stripT0, stripT0 + stripN) of call stripCall. */
    private long stripCall;

    private int stripT0;
    private int stripN;
    private int stripCols;

    /**
     * Transposes tokens {@code [t0, t0 + n)} of {@code x} into {@link #strip}, unless it already
     * holds them for this call: a 16-token query's product reaches a thread as a dozen 64-row
     * ranges, and transposing for each took a Q4_0 query from 41 to 48 ms (bench/README.md).
     */
    void transpose(float[] x, int t0, int n, int cols, long call) {
      if (call != 0 && call == stripCall && t0 == stripT0 && n == stripN && cols == stripCols) {
        return;
      }
      PanelKernels.transpose(x, t0, n, cols, strip);
      stripCall = call;
      stripT0 = t0;
      stripN = n;
      stripCols = cols;
    }

    Scratch fit(int cols) {
      if (strip.length < PanelKernels.STRIP_TOKENS * cols) {
        panel = new float[PanelKernels.panelFloats(cols)];
        strip = new float[PanelKernels.STRIP_TOKENS * cols];
        rowsBuffer = new float[PanelKernels.GROUP * cols];
        panelT = new float[PanelKernels.GROUP * cols];
        stripCall = 0;
      }
      return this;
    }
  }
}
