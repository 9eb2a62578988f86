package dev.gemmaembed.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Little-endian float32 rows. */
public final class F32Matrix extends WeightMatrix {

  private static final ValueLayout.OfFloat LE_FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  public F32Matrix(MemorySegment data, int rows, int cols) {
    super(WeightType.F32, data, rows, cols);
  }

  /** A matrix over a heap array (tests, small derived matrices). */
  public static F32Matrix of(float[] values, int rows, int cols) {
    return new F32Matrix(MemorySegment.ofArray(values), rows, cols);
  }

  @Override
  void decodeRow(int r, float[] dst, int off) {
    MemorySegment.copy(data, LE_FLOAT, r * rowBytes, dst, off, cols);
  }

  /** A plain copy, no Vector API: its own scalar twin. */
  @Override
  void decodeRowScalar(int r, float[] dst, int off) {
    decodeRow(r, dst, off);
  }

  @Override
  boolean gainsFromPacking() {
    return true;
  }
}
