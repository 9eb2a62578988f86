package dev.gemmaembed.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Little-endian IEEE binary16 rows; decoded exactly to float32. */
public final class F16Matrix extends RowDecodingMatrix {

  private static final ValueLayout.OfShort LE_SHORT =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

  private final MemorySegment data;

  public F16Matrix(MemorySegment data, int rows, int cols) {
    super(rows, cols);
    if (data.byteSize() != (long) rows * cols * 2) {
      throw new IllegalArgumentException("F16 matrix " + rows + " × " + cols + " needs "
          + (long) rows * cols * 2 + " bytes, segment has " + data.byteSize());
    }
    this.data = data;
  }

  @Override
  public long byteSize() {
    return data.byteSize();
  }

  @Override
  protected void decodeRows(int r, int n, float[] dst) {
    long base = (long) r * cols * 2;
    int count = n * cols;
    for (int i = 0; i < count; i++) {
      dst[i] = Float.float16ToFloat(data.get(LE_SHORT, base + 2L * i));
    }
  }

  @Override
  public void readRow(int r, float[] dst, int dstOffset) {
    long base = (long) r * cols * 2;
    for (int i = 0; i < cols; i++) {
      dst[dstOffset + i] = Float.float16ToFloat(data.get(LE_SHORT, base + 2L * i));
    }
  }

  @Override
  protected void releaseSource() {
    if (data.isMapped()) {
      data.unload();
    }
  }
}
