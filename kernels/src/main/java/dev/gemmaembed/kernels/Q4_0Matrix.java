package dev.gemmaembed.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_0 blocks (spec §6.2; GGML type id 2): 18 bytes, an fp16 scale d then 16 bytes; byte j holds
 * element j in its low nibble and element j + 16 in its high nibble; value (nibble − 8)·d. {@link
 * #quantizeBlock} is ggml's reference quantizer bit for bit: the "signed max / −8" scale,
 * multiplication by its float32 reciprocal, {@code (int)(x·id + 8.5f)} truncation, and d rounded to
 * binary16 to nearest-even.
 */
public final class Q4_0Matrix extends WeightMatrix {

  private static final int BLOCK = WeightType.Q4_0.blockSize();
  private static final int BLOCK_BYTES = WeightType.Q4_0.blockBytes();
  private static final int HALF = BLOCK / 2;

  /** Ints matching the float lanes one to one. */
  private static final VectorSpecies<Integer> I =
      BlockVectors.SUPPORTED ? BlockVectors.F.withLanes(int.class) : null;

  public Q4_0Matrix(MemorySegment data, int rows, int cols) {
    super(WeightType.Q4_0, data, rows, cols);
  }

  @Override
  void decodeRow(int r, float[] dst, int off) {
    if (!BlockVectors.SUPPORTED) {
      decodeRowScalar(r, dst, off);
      return;
    }
    long o = r * rowBytes;
    int l = BlockVectors.L;
    for (int b = 0; b < cols; b += BLOCK, o += BLOCK_BYTES) {
      float d = Float.float16ToFloat(data.get(LE_SHORT, o));
      var dv = FloatVector.broadcast(BlockVectors.F, d);
      var minus8d = FloatVector.broadcast(BlockVectors.F, -8f * d);
      // Bytes [p, p + l) hold elements [p, p + l) in their low nibbles and [p + 16, p + 16 + l)
      // in their high ones. The nibbles are split in int lanes: x86 has no byte shift, and the
      // Vector API's emulated one made this decode 1.9x slower (SmallBatchBenchmark.decode, all
      // 1152 rows of 768: 225 against 120 µs). Zero-extended, the high nibble needs no mask; and
      // fma(n, d, −8d) is (n − 8)·d rounded once (8d is exact), without the integer subtraction.
      for (int p = 0; p < HALF; p += l) {
        var q =
            (IntVector)
                ByteVector.fromMemorySegment(
                        BlockVectors.B, data, o + 2 + p, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
        ((FloatVector) q.and(0x0F).convertShape(VectorOperators.I2F, BlockVectors.F, 0))
            .fma(dv, minus8d)
            .intoArray(dst, off + b + p);
        ((FloatVector)
                q.lanewise(VectorOperators.LSHR, 4)
                    .convertShape(VectorOperators.I2F, BlockVectors.F, 0))
            .fma(dv, minus8d)
            .intoArray(dst, off + b + HALF + p);
      }
    }
  }

  @Override
  void decodeRowScalar(int r, float[] dst, int off) {
    long o = r * rowBytes;
    for (int b = 0; b < cols; b += BLOCK, o += BLOCK_BYTES) {
      float d = Float.float16ToFloat(data.get(LE_SHORT, o));
      // (n − 8)·d rounded once, as fma: exactly the decode's bits (a zero is +0 whatever d's
      // sign, where (n − 8)·d would give −0 for a negative d)
      float minus8d = -8f * d;
      for (int j = 0; j < HALF; j++) {
        int q = data.get(ValueLayout.JAVA_BYTE, o + 2 + j) & 0xFF;
        dst[off + b + j] = Math.fma(q & 0x0F, d, minus8d);
        dst[off + b + HALF + j] = Math.fma(q >> 4, d, minus8d);
      }
    }
  }

  static void quantizeBlock(float[] x, int off, MemorySegment dst, long o) {
    float amax = 0f;
    float max = 0f;
    for (int j = 0; j < BLOCK; j++) {
      float v = x[off + j];
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    float d = max / -8f;
    float id = d != 0f ? 1f / d : 0f;
    dst.set(LE_SHORT, o, Float.floatToFloat16(d));
    for (int j = 0; j < HALF; j++) {
      // The float32 sum is rounded before the truncating conversion, exactly as C evaluates it.
      int lo = Math.min(15, (int) (x[off + j] * id + 8.5f));
      int hi = Math.min(15, (int) (x[off + HALF + j] * id + 8.5f));
      dst.set(ValueLayout.JAVA_BYTE, o + 2 + j, (byte) (lo | hi << 4));
    }
  }
}
