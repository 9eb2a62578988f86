package dev.gemmaembed.kernels;

import java.lang.foreign.MemorySegment;

/** Little-endian bfloat16 rows; decoded exactly to float32 (bf16 is the top half of an f32). */
public final class Bf16Matrix extends HalfPrecisionMatrix {

  public Bf16Matrix(MemorySegment data, int rows, int cols) {
    super(WeightType.BF16, data, rows, cols);
  }

  @Override
  float widen(short bits) {
    return Float.intBitsToFloat(bits << 16);
  }
}
