package dev.gemmaembed.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Rows of 16-bit little-endian floats; subclasses say how one 16-bit pattern widens to float32
 * (both formats widen exactly).
 */
abstract sealed class HalfPrecisionMatrix extends WeightMatrix permits Bf16Matrix, F16Matrix {

  HalfPrecisionMatrix(WeightType type, MemorySegment data, int rows, int cols) {
    super(type, data, rows, cols);
  }

  /** The float32 value of one stored 16-bit pattern. */
  abstract float widen(short bits);

  @Override
  final void decodeRow(int r, float[] dst, int off) {
    decodeRowScalar(r, dst, off);
  }

  @Override
  final void decodeRowScalar(int r, float[] dst, int off) {
    long base = r * rowBytes;
    for (int i = 0; i < cols; i++) {
      dst[off + i] = widen(data.get(LE_SHORT, base + 2L * i));
    }
  }

  @Override
  final boolean gainsFromPacking() {
    return true;
  }
}
