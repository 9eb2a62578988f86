package dev.gemmaembed.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Little-endian float32 rows stored contiguously in a (usually file-mapped) segment. */
public final class F32Matrix extends RowDecodingMatrix {

  private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

  private final MemorySegment data;

  public F32Matrix(MemorySegment data, int rows, int cols) {
    super(rows, cols);
    if (data.byteSize() != (long) rows * cols * Float.BYTES) {
      throw new IllegalArgumentException("F32 matrix " + rows + " × " + cols + " needs "
          + (long) rows * cols * Float.BYTES + " bytes, segment has " + data.byteSize());
    }
    this.data = data;
  }

  /** A matrix over a heap array (tests, small derived matrices). */
  public static F32Matrix of(float[] values, int rows, int cols) {
    return new F32Matrix(MemorySegment.ofArray(values), rows, cols);
  }

  @Override
  public long byteSize() {
    return data.byteSize();
  }

  @Override
  protected void decodeRows(int r, int n, float[] dst) {
    MemorySegment.copy(data, LE_FLOAT, (long) r * cols * Float.BYTES, dst, 0, n * cols);
  }

  @Override
  public void readRow(int r, float[] dst, int dstOffset) {
    MemorySegment.copy(data, LE_FLOAT, (long) r * cols * Float.BYTES, dst, dstOffset, cols);
  }

  @Override
  protected void releaseSource() {
    if (data.isMapped()) {
      data.unload();
    }
  }
}
