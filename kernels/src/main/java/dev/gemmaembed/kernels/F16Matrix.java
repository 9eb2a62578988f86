package dev.gemmaembed.kernels;

import java.lang.foreign.MemorySegment;

/** Little-endian IEEE binary16 rows; decoded exactly to float32. */
public final class F16Matrix extends HalfPrecisionMatrix {

  public F16Matrix(MemorySegment data, int rows, int cols) {
    super(WeightType.F16, data, rows, cols);
  }

  @Override
  float widen(short bits) {
    return Float.float16ToFloat(bits);
  }
}
