package dev.gemmaembed.kernels;

/**
 * Base of matrices whose rows can be decoded to float32: {@link #multiply} decodes a block of
 * rows into a per-thread scratch panel once and reuses it for every token, so the decode cost is
 * amortised over the batch and one SIMD kernel serves every storage format.
 */
public abstract class RowDecodingMatrix implements WeightMatrix {

  /** Rows decoded at a time; matches the register tile of {@link SimdKernels#matmulPanel}. */
  static final int PANEL_ROWS = SimdKernels.TILE_ROWS;

  private static final ThreadLocal<float[]> PANEL = ThreadLocal.withInitial(() -> new float[0]);

  protected final int rows;
  protected final int cols;

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

  @Override
  public void readRow(int r, float[] dst, int dstOffset) {
    float[] panel = panel(1);
    decodeRows(r, 1, panel);
    System.arraycopy(panel, 0, dst, dstOffset, cols);
  }

  @Override
  public void multiply(float[] x, int tokens, float[] out, int outStride, int outOffset, int rowStart, int rowEnd) {
    float[] panel = panel(PANEL_ROWS);
    for (int r = rowStart; r < rowEnd; r += PANEL_ROWS) {
      int n = Math.min(PANEL_ROWS, rowEnd - r);
      decodeRows(r, n, panel);
      SimdKernels.matmulPanel(x, tokens, cols, panel, n, out, outStride, outOffset + r);
    }
  }

  private float[] panel(int nRows) {
    float[] p = PANEL.get();
    if (p.length < nRows * cols) {
      p = new float[Math.max(nRows * cols, p.length)];
      PANEL.set(p);
    }
    return p;
  }
}
