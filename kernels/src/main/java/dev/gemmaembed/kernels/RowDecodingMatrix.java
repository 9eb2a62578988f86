package dev.gemmaembed.kernels;

import java.lang.foreign.Arena;

/**
 * Base of matrices whose rows can be decoded to float32 (F32, BF16, F16 over the mapped file).
 * {@link #multiply} runs on a {@link PackedF32Matrix} copy built on first use — or ahead of time
 * by {@link #prepare()} / {@link #packInto(Arena)} — so one SIMD kernel serves every storage
 * format and a product costs the same whether it is the first of many or a single one.
 *
 * <p>The lazily built copy lives in an automatic arena (freed when this matrix is garbage), costing
 * 4 bytes per weight; callers that own a model's lifetime pack into their own arena instead.
 */
public abstract class RowDecodingMatrix implements WeightMatrix {

  private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

  protected final int rows;
  protected final int cols;

  private volatile PackedF32Matrix packed;

  protected RowDecodingMatrix(int rows, int cols) {
    if (rows <= 0 || cols <= 0) {
      throw new IllegalArgumentException("matrix shape must be positive, got " + rows + " × " + cols);
    }
    this.rows = rows;
    this.cols = cols;
  }

  @Override
  public final int rows() {
    return rows;
  }

  @Override
  public final int cols() {
    return cols;
  }

  /** Decodes rows {@code [r, r + n)} into {@code dst[0 .. n × cols)}. */
  protected abstract void decodeRows(int r, int n, float[] dst);

  /**
   * Hint that the stored rows will not be read again soon (they have been packed): a mapped
   * matrix drops its pages from this process's resident set. Default: nothing.
   */
  protected void releaseSource() {}

  /** Decodes row {@code r} through a per-thread scratch row; subclasses decode straight into {@code dst}. */
  @Override
  public void readRow(int r, float[] dst, int dstOffset) {
    float[] row = ROW.get();
    if (row.length < cols) {
      row = new float[cols];
      ROW.set(row);
    }
    decodeRows(r, 1, row);
    System.arraycopy(row, 0, dst, dstOffset, cols);
  }

  @Override
  public void multiply(float[] x, int tokens, float[] out, int outStride, int outOffset, int rowStart, int rowEnd) {
    packed().multiply(x, tokens, out, outStride, outOffset, rowStart, rowEnd);
  }

  @Override
  public int rowGrain() {
    return TileKernels.W;
  }

  @Override
  public void prepare() {
    packed();
  }

  /** The packed copy {@link #multiply} uses, built now (in an automatic arena) if not yet built. */
  public PackedF32Matrix packed() {
    PackedF32Matrix p = packed;
    if (p == null) {
      synchronized (this) {
        p = packed;
        if (p == null) {
          p = PackedF32Matrix.pack(this, Arena.ofAuto());
          packed = p;
          releaseSource();
        }
      }
    }
    return p;
  }

  /**
   * Packs this matrix into {@code arena} and uses that copy from now on (unless one already
   * exists): for owners that free the packed memory together with the model. Once the arena is
   * closed, products fail with {@link IllegalStateException}.
   */
  public PackedF32Matrix packInto(Arena arena) {
    synchronized (this) {
      if (packed == null) {
        packed = PackedF32Matrix.pack(this, arena);
        releaseSource();
      }
      return packed;
    }
  }
}
