package dev.gemmaembed.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q8_0 blocks (spec §6.2; GGML type id 8): 34 bytes, an fp16 scale d then 32 × int8 q; value q·d.
 * {@link #quantizeBlock} is ggml's reference quantizer bit for bit: float32 arithmetic,
 * multiplication by the float32 reciprocal of d (not division), C {@code roundf}, and d rounded to
 * binary16 to nearest-even.
 */
public final class Q8_0Matrix extends WeightMatrix {

  private static final int BLOCK = WeightType.Q8_0.blockSize();
  private static final int BLOCK_BYTES = WeightType.Q8_0.blockBytes();

  public Q8_0Matrix(MemorySegment data, int rows, int cols) {
    super(WeightType.Q8_0, data, rows, cols);
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
      var d = FloatVector.broadcast(BlockVectors.F, Float.float16ToFloat(data.get(LE_SHORT, o)));
      for (int p = 0; p < BLOCK; p += l) {
        var q =
            ByteVector.fromMemorySegment(BlockVectors.B, data, o + 2 + p, ByteOrder.LITTLE_ENDIAN);
        ((FloatVector) q.convertShape(VectorOperators.B2F, BlockVectors.F, 0))
            .mul(d)
            .intoArray(dst, off + b + p);
      }
    }
  }

  @Override
  void decodeRowScalar(int r, float[] dst, int off) {
    long o = r * rowBytes;
    for (int b = 0; b < cols; b += BLOCK, o += BLOCK_BYTES) {
      float d = Float.float16ToFloat(data.get(LE_SHORT, o));
      for (int j = 0; j < BLOCK; j++) {
        dst[off + b + j] = data.get(ValueLayout.JAVA_BYTE, o + 2 + j) * d;
      }
    }
  }

  static void quantizeBlock(float[] x, int off, MemorySegment dst, long o) {
    float amax = 0f;
    for (int j = 0; j < BLOCK; j++) {
      amax = Math.max(amax, Math.abs(x[off + j]));
    }
    float d = amax / 127f;
    float id = d != 0f ? 1f / d : 0f;
    dst.set(LE_SHORT, o, Float.floatToFloat16(d));
    for (int j = 0; j < BLOCK; j++) {
      dst.set(ValueLayout.JAVA_BYTE, o + 2 + j, (byte) roundHalfAwayFromZero(x[off + j] * id));
    }
  }

  /** C {@code roundf}: halves go away from zero (Math.round would send −2.5 to −2). */
  static int roundHalfAwayFromZero(float v) {
    // |v| + 0.5 is exact in double, so the floor sees the true sum (float addition could round up).
    return (int) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
  }
}
