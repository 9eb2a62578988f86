package dev.gemmaembed.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Little-endian bfloat16 rows; decoded exactly to float32 (bf16 is the top half of an f32). Packed,
 * it keeps its 16-bit values ({@link PackedBf16Matrix}), half the memory of a float32 copy.
 */
public final class Bf16Matrix extends HalfPrecisionMatrix {

  public Bf16Matrix(MemorySegment data, int rows, int cols) {
    super(WeightType.BF16, data, rows, cols);
  }

  @Override
  float widen(short bits) {
    return Float.intBitsToFloat(bits << 16);
  }

  @Override
  PackedMatrix packPanels(Arena arena) {
    return PackedBf16Matrix.pack(this, arena);
  }
}
