package dev.gemmaembed.kernels;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_0 blocks (fp16 d + 16 bytes; byte j holds element j in its low nibble and element j + 16 in
 * its high nibble; value (nibble − 8)·d), decoded with the Vector API.
 */
public final class Q4_0Matrix extends QuantizedMatrix {

  private static final int BLOCK_BYTES = 18;
  private static final int HALF = QuantFormat.BLOCK / 2;

  public Q4_0Matrix(MemorySegment data, int rows, int cols) {
    super(QuantFormat.Q4_0, data, rows, cols);
  }

  /** The block format of this matrix. */
  public QuantFormat format() {
    return QuantFormat.Q4_0;
  }

  @Override
  void decodeRow(int r, float[] dst, int off) {
    long o = r * rowBytes;
    if (!BlockVectors.SUPPORTED) {
      QuantFormat.Q4_0.dequantize(data, o, cols, dst, off);
      return;
    }
    int l = BlockVectors.L;
    for (int b = 0; b < cols; b += QuantFormat.BLOCK, o += BLOCK_BYTES) {
      var d = FloatVector.broadcast(BlockVectors.F, Float.float16ToFloat(data.get(QuantFormat.LE_SHORT, o)));
      // Elements [p, p + l) live in the low nibbles of bytes [p, p + l) for p < 16, else in the
      // high nibbles of bytes [p − 16, p − 16 + l).
      for (int p = 0; p < QuantFormat.BLOCK; p += l) {
        var bytes = ByteVector.fromMemorySegment(BlockVectors.B, data, o + 2 + p % HALF, ByteOrder.LITTLE_ENDIAN);
        var nibbles = p < HALF ? bytes.and((byte) 0x0F) : bytes.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F);
        ((FloatVector) nibbles.sub((byte) 8).convertShape(VectorOperators.B2F, BlockVectors.F, 0)).mul(d)
            .intoArray(dst, off + b + p);
      }
    }
  }
}
