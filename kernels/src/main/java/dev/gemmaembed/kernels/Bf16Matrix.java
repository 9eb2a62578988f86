package dev.gemmaembed.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Little-endian bfloat16 rows; decoded exactly to float32 (bf16 is the top half of an f32). */
public final class Bf16Matrix extends RowDecodingMatrix {

  private static final ValueLayout.OfShort LE_SHORT =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

  private final MemorySegment data;

  public Bf16Matrix(MemorySegment data, int rows, int cols) {
    super(rows, cols);
    if (data.byteSize() != (long) rows * cols * 2) {
      throw new IllegalArgumentException("BF16 matrix " + rows + " × " + cols + " needs "
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
      short bits = data.get(LE_SHORT, base + 2L * i);
      dst[i] = Float.intBitsToFloat(bits << 16);
    }
  }

  @Override
  public void readRow(int r, float[] dst, int dstOffset) {
    long base = (long) r * cols * 2;
    for (int i = 0; i < cols; i++) {
      dst[dstOffset + i] = Float.intBitsToFloat(data.get(LE_SHORT, base + 2L * i) << 16);
    }
  }

  @Override
  protected void releaseSource() {
    if (data.isMapped()) {
      data.unload();
    }
  }
}
