package dev.gemmaembed.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Rows of 16-bit little-endian floats in a (usually file-mapped) segment; subclasses say how one
 * 16-bit pattern widens to float32 (both formats widen exactly).
 */
abstract sealed class HalfPrecisionMatrix extends RowDecodingMatrix permits Bf16Matrix, F16Matrix {

  private static final ValueLayout.OfShort LE_SHORT =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

  private final MemorySegment data;

  HalfPrecisionMatrix(String format, MemorySegment data, int rows, int cols) {
    super(rows, cols);
    if (data.byteSize() != (long) rows * cols * 2) {
      throw new IllegalArgumentException(format + " matrix " + rows + " × " + cols + " needs "
          + (long) rows * cols * 2 + " bytes, segment has " + data.byteSize());
    }
    this.data = data;
  }

  /** The float32 value of one stored 16-bit pattern. */
  abstract float widen(short bits);

  @Override
  public final long byteSize() {
    return data.byteSize();
  }

  @Override
  protected final void decodeRows(int r, int n, float[] dst) {
    decode((long) r * cols, n * cols, dst, 0);
  }

  @Override
  public final void readRow(int r, float[] dst, int dstOffset) {
    decode((long) r * cols, cols, dst, dstOffset);
  }

  private void decode(long firstElement, int count, float[] dst, int dstOffset) {
    long base = firstElement * 2;
    for (int i = 0; i < count; i++) {
      dst[dstOffset + i] = widen(data.get(LE_SHORT, base + 2L * i));
    }
  }

  @Override
  protected final void releaseSource() {
    if (data.isMapped()) {
      data.unload();
    }
  }
}
