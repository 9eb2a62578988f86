package dev.gemmaembed.kernels;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Q8_0 blocks (fp16 d + 32 × int8 q, value q·d), decoded with the Vector API. */
public final class Q8_0Matrix extends QuantizedMatrix {

  private static final int BLOCK_BYTES = 34;

  public Q8_0Matrix(MemorySegment data, int rows, int cols) {
    super(QuantFormat.Q8_0, data, rows, cols);
  }

  /** The block format of this matrix. */
  public QuantFormat format() {
    return QuantFormat.Q8_0;
  }

  @Override
  void decodeRow(int r, float[] dst, int off) {
    long o = r * rowBytes;
    if (!BlockVectors.SUPPORTED) {
      QuantFormat.Q8_0.dequantize(data, o, cols, dst, off);
      return;
    }
    int l = BlockVectors.L;
    for (int b = 0; b < cols; b += QuantFormat.BLOCK, o += BLOCK_BYTES) {
      var d = FloatVector.broadcast(BlockVectors.F, Float.float16ToFloat(data.get(QuantFormat.LE_SHORT, o)));
      for (int p = 0; p < QuantFormat.BLOCK; p += l) {
        var q = ByteVector.fromMemorySegment(BlockVectors.B, data, o + 2 + p, ByteOrder.LITTLE_ENDIAN);
        ((FloatVector) q.convertShape(VectorOperators.B2F, BlockVectors.F, 0)).mul(d).intoArray(dst, off + b + p);
      }
    }
  }
}
